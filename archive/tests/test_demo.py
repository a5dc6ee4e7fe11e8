"""seed_demo's archive part (archive/demo.py): a sealed case with its Seal (备考表), a scan and an
ingested video, whose bag builds and validates; a concluded case waiting in the archivist's
queue; a second run adds nothing."""

from io import StringIO
from pathlib import Path
from typing import Any

import bagit  # type: ignore[import-untyped]
import pytest
from django.core.management import call_command

from archive import demo
from archive.export import build_bag
from archive.models import Seal
from archive.views_seal import queue_cases
from avrecords.selectors import records_of_case
from cases.models import Attachment, Case, CaseState

pytestmark = pytest.mark.django_db


def test_seed_demo_makes_a_sealed_case_whose_bag_builds(django_capture_on_commit_callbacks: Any, tmp_path: Path):
    out = StringIO()
    with django_capture_on_commit_callbacks(execute=True):  # the AV pipeline, renders, then sealing
        call_command("seed_demo", stdout=out)
    sealed = Case.objects.get(title=demo.SEALED_CASE)
    assert sealed.state == CaseState.ARCHIVED, out.getvalue()
    seal = Seal.objects.get(case=sealed)
    assert seal.checked_by is not None
    assert seal.description and seal.sealed_by.username == "archivist" and seal.checked_by.username == "reviewer2"
    assert (seal.compiler, seal.checker) == (seal.sealed_by.display_name, seal.checked_by.display_name)
    assert f"档号 {seal.archival_code}" in out.getvalue()
    (record,) = records_of_case(sealed.pk)
    assert record.original_key and record.duration
    scan = Attachment.objects.get(case=sealed, original_name="项目申报书扫描件.pdf")
    with scan.file.open("rb") as fh:
        assert fh.read(5) == b"%PDF-"

    bag = build_bag(sealed, tmp_path / "bag")
    bagit.Bag(str(bag)).validate()
    payload = set(bagit.Bag(str(bag)).payload_files())
    assert any(p.startswith("data/media/") and p.endswith(".mp4") for p in payload)

    waiting = Case.objects.get(title=demo.WAITING_CASE)
    assert waiting.state == CaseState.CONCLUDED
    from accounts.models import User

    archivist = User.objects.get(username="archivist")
    assert set(queue_cases(archivist).values_list("pk", flat=True)) >= {sealed.pk, waiting.pk}

    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo", stdout=StringIO())
    assert Case.objects.filter(title__in=[demo.SEALED_CASE, demo.WAITING_CASE]).count() == 2
    assert Seal.objects.count() == 1
