"""Transcoding scales out (issue 17): in the production shape (docker-compose.yml) the derive
task goes to a queue of its own that only the `worker-derive` service consumes."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = (ROOT / "docker-compose.yml").read_text(encoding="utf-8")


def _service(name: str) -> str:
    """The text of one service of docker-compose.yml (up to the next service)."""
    match = re.search(rf"^  {re.escape(name)}:\n(.*?)(?=^  \S|^\S|\Z)", COMPOSE, re.M | re.S)
    assert match, f"docker-compose.yml has no service {name}"
    return match.group(1)


def _queues(command: str) -> set[str]:
    match = re.search(r"-Q (\S+)", command)
    return set(match.group(1).split(",")) if match else {"celery"}


def _routes(env: dict[str, str]) -> dict[str, str]:
    """The queue Celery routes each ingest task to, with the settings built from `env`."""
    code = (
        "import django; django.setup()\n"
        "import json; from linke.celery import app\n"
        "names = ['avrecords.tasks.record_derive_task', 'avrecords.tasks.record_ingest_task']\n"
        "print(json.dumps({n: (app.amqp.router.route({}, n).get('queue') or app.amqp.default_queue).name for n in names}))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env={**os.environ, **env}, check=True, capture_output=True, text=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_production_routes_the_derive_task_to_the_transcoding_workers():
    queue = re.search(r"^    AV_DERIVE_QUEUE: (\S+)$", COMPOSE, re.M)
    assert queue, "the production environment names the derive queue"
    derive = queue.group(1)
    routes = _routes({"AV_DERIVE_QUEUE": derive, "DJANGO_SETTINGS_MODULE": "linke.settings"})
    assert routes["avrecords.tasks.record_derive_task"] == derive
    assert routes["avrecords.tasks.record_ingest_task"] == "celery"

    # worker-derive consumes that queue, with a concurrency of its own; worker does not.
    command = re.search(r"command: (.*)", _service("worker-derive")).group(1)
    assert _queues(command) == {derive} and "--concurrency" in command
    assert derive not in _queues(re.search(r"command: (.*)", _service("worker")).group(1))
    # Both get the app's environment and staging volume.
    assert "<<: *app" in _service("worker-derive")


def test_without_a_derive_queue_the_derive_task_stays_on_the_default_queue():
    routes = _routes({"AV_DERIVE_QUEUE": "", "DJANGO_SETTINGS_MODULE": "linke.settings"})
    assert routes["avrecords.tasks.record_derive_task"] == "celery"
