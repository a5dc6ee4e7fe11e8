"""The production image's build step: `collectstatic` with the default (manifest) storage.

Every other test serves static files through the finders (STATIC_MANIFEST=0), so a vendored
file that references a file we do not ship (a source map, a font, an image) would only show
when the image is built. This runs the Dockerfile's command, with its environment.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_collectstatic_with_the_manifest_storage_succeeds(tmp_path):
    base = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG")}
    env = {
        **base,
        # The Dockerfile's build step: only a throwaway key; DEBUG and STATIC_MANIFEST unset.
        "SECRET_KEY": "build-only-not-secret",
        "STATIC_ROOT": str(tmp_path / "static"),
        "LINKE_VAR_DIR": str(tmp_path / "var"),
    }
    proc = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-4000:]
    manifest = json.loads((tmp_path / "static" / "staticfiles.json").read_text())["paths"]
    # Every file the pages reference has its hashed copy, the vendored upload client included.
    js = manifest["avrecords/vendor/tus-js-client-4.3.1.min.js"]
    assert js != "avrecords/vendor/tus-js-client-4.3.1.min.js"
    assert (tmp_path / "static" / js).is_file()
    for name, hashed in manifest.items():
        assert (tmp_path / "static" / hashed).is_file(), name
