"""Benchmark of document rendering (run by hand, not in the suite):

    .venv/bin/python bench/documents.py [--pages 20 200] [--repeat 1]

Renders an investigation record (其他调查取证记录) of about 20 and about 200 A4 pages
through the rendering task's code path, each in a fresh child process as a Celery worker
runs it, and prints the wall time and the child's peak memory (max RSS). Then compares the
single-family font setting with a font stack that drags in several CJK faces.

With DATABASE_URL (PostgreSQL; `make bench` sets it) it works in a database of its own,
created, migrated and dropped for the run (bench/benchdb.py), as the other benchmarks do;
without, the embedded default (SQLite, local storage) in a temporary directory.
"""

import argparse
import multiprocessing as mp
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from documents.registry import DocTypeCode

ROOT = Path(__file__).resolve().parent.parent
PARAGRAPH = (
    "问：请说明贵公司二〇二五年度科技项目申报材料中研发费用的归集情况。"
    "答：我公司研发费用由财务部按项目归集，包括人员人工费用、直接投入费用、折旧费用、"
    "无形资产摊销、新产品设计费等，相关凭证均已装订成册，存放于公司档案室。"
)
MANY_FACES = (
    '"Noto Serif CJK SC", "Noto Sans CJK SC", "Noto Serif CJK TC", "Noto Sans CJK JP", '
    '"Noto Sans CJK KR", "WenQuanYi Zen Hei", "AR PL UMing CN", serif'
)


def _setup() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "linke.settings")
    import django

    django.setup()
    if os.environ.get("BENCH_DB_NAME"):  # a child process: the run's own database
        from django.conf import settings

        settings.DATABASES["default"]["NAME"] = os.environ["BENCH_DB_NAME"]


def _peak_mb() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def _child_task(document_id: int, queue: "mp.Queue") -> None:
    _setup()
    from documents.tasks import document_render_task

    base = _peak_mb()
    t0 = time.perf_counter()
    status = document_render_task.apply(args=[document_id]).get()
    elapsed = time.perf_counter() - t0
    from documents.models import Document

    doc = Document.objects.get(pk=document_id)
    queue.put(
        {
            "status": status,
            "seconds": elapsed,
            "pages": doc.pages,
            "size": doc.size,
            "peak_mb": _peak_mb(),
            "base_mb": base,
        }
    )


def _child_fonts(html: str, family: str, queue: "mp.Queue") -> None:
    _setup()
    from documents import rendering

    html = html.replace(rendering.FONT_FAMILY, family)
    t0 = time.perf_counter()
    out = rendering.render_pdf(html)
    queue.put({"seconds": time.perf_counter() - t0, "pages": out.pages, "peak_mb": _peak_mb()})


def _in_child(target: Callable[..., Any], *args: Any) -> dict:
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    proc = ctx.Process(target=target, args=(*args, queue))
    proc.start()
    result = queue.get(timeout=1800)
    proc.join()
    return result


def _fixtures() -> tuple[Any, Any]:
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    from accounts.models import Department, User
    from cases.models import Case, CaseKind, CaseOrigin, CaseState

    dept, _ = Department.objects.get_or_create(code="BENCH", defaults={"name": "基准测试科"})
    user, _ = User.objects.get_or_create(
        username="bench-officer",
        defaults={"last_name": "张", "first_name": "伟", "department": dept, "cert_no": "BENCH0001"},
    )
    case, _ = Case.objects.get_or_create(
        number="临科罚立〔2026〕9999号",
        defaults={
            "kind": CaseKind.PENALTY,
            "origin": CaseOrigin.EX_OFFICIO,
            "state": CaseState.INVESTIGATING,
            "title": "某科技公司涉嫌提供虚假申报材料案",
            "department": dept,
            "created_by": user,
        },
    )
    return case, user


def _issue(case: Any, user: Any, paragraphs: int) -> Any:
    from documents.services import document_issue

    text = "\n".join(f"{i + 1}. {PARAGRAPH}" for i in range(paragraphs))
    return document_issue(
        case=case,
        doc_type=DocTypeCode.OTHER_ACTIVITY,
        by=user,
        render=False,
        context={
            "party_name": "临沂市华科新材料有限公司",
            "activity": "询问及调阅材料",
            "description": text,
            "officers": [{"name": "张伟", "cert_no": "BENCH0001"}],
            "started_at": "2026年11月27日9时30分",
        },
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, nargs="+", default=[20, 200])
    args = parser.parse_args()
    if "LINKE_VAR_DIR" not in os.environ and "DATABASE_URL" not in os.environ:
        os.environ["LINKE_VAR_DIR"] = tempfile.mkdtemp(prefix="linke-bench-")
    os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "1")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    _setup()
    from django.db import connection

    if connection.vendor == "postgresql":
        sys.path.insert(0, str(ROOT / "bench"))
        from benchdb import bench_database

        with bench_database("bench_documents", "bench/documents.py") as name:
            os.environ["BENCH_DB_NAME"] = name  # the spawned render processes use it too
            _run(args)
    else:
        _run(args)


def _run(args: argparse.Namespace) -> None:
    from django.conf import settings
    from django.db import transaction

    case, user = _fixtures()
    print(
        f"database: {settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]}, storage under {settings.MEDIA_ROOT}"
    )

    # Calibrate paragraphs per page once (one paragraph is ~90 characters).
    with transaction.atomic():
        probe = _issue(case, user, 60)
    r = _in_child(_child_task, probe.pk)
    per_page = 60 / max(r["pages"] - 0.5, 0.5)

    print(
        f"{'target':>7} {'pages':>6} {'seconds':>8} {'s/page':>7} {'PDF KiB':>8} {'peak RSS MiB':>13} "
        f"{'(before render)':>16}"
    )
    for target in args.pages:
        for _attempt in range(3):  # the first page carries the header: rescale until close
            with transaction.atomic():
                doc = _issue(case, user, int(per_page * target))
            r = _in_child(_child_task, doc.pk)
            assert r["status"] == "final", r
            if abs(r["pages"] - target) <= max(1, target // 50):
                break
            per_page *= target / r["pages"]
        print(
            f"{target:>7} {r['pages']:>6} {r['seconds']:>8.2f} {r['seconds'] / r['pages']:>7.3f} "
            f"{r['size'] / 1024:>8.0f} {r['peak_mb']:>13.0f} {r['base_mb']:>16.0f}"
        )

    # Font setting: one family (what Linke uses) against a stack of several CJK faces.
    from documents import registry
    from documents.rendering import FONT_FAMILY, render_html
    from documents.services import render_context

    with transaction.atomic():
        doc = _issue(case, user, int(per_page * 20))
    html = render_html(registry.get(doc.doc_type).template, render_context(doc))
    print("\nfont setting, ~20 pages:")
    for label, family in (("one family (used)", FONT_FAMILY), ("many CJK faces", MANY_FACES)):
        r = _in_child(_child_fonts, html, family)
        print(f"  {label:<18} {r['pages']:>4} pages {r['seconds']:>7.2f} s  peak RSS {r['peak_mb']:.0f} MiB")


if __name__ == "__main__":
    main()
