"""A sealed case for the export tests, sealed through archive.sealing as an archivist would.

The case is decided without penalty, its decision served, and concluded along the walk the demo
cases take (delivery.demo_walk), with a 2-page PDF scan, a JPEG photo and a 1-second video
(ffmpeg, ingested through the avrecords pipeline) added while it was still open; then the
archivist seals it."""

import io
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from cases import services
from cases.models import CaseState

from .test_casefile import _pdf as pdf_bytes


def jpeg_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (30, 120, 200)).save(out, "JPEG")
    return out.getvalue()


def seal(case: Any, archivist: Any, head: Any) -> Any:
    """Seal the concluded `case` through archive.sealing (the archivist's 归档 with its 备考表);
    where the quality review names a veto item, the head's override first (with the reason)."""
    from archive import sealing
    from archive.casefile import assemble

    if not sealing.review(case).may_seal:
        sealing.seal_override_sign(case_id=case.pk, by=head, agree=True, opinion="经复核，准予归档。")
    digest = sealing.catalogue_digest(assemble(case))
    sealing.volume_read(case=case, by=head, digest=digest, size=0)  # the 检查人 read the volume
    sealing.check_sign(case_id=case.pk, by=head, agree=True, opinion="案卷材料齐全，同意归档。", digest=digest)
    sealing.seal(case_id=case.pk, by=archivist, description="案卷材料齐全，排列有序。")
    case.refresh_from_db()
    return case


def _make_readable(case: Any) -> None:
    """Render the documents (the suite runs no worker for on-commit renders) and replace the
    stand-in receipts delivery's test helper uploads (bytes that are not a PDF) with real
    one-page PDFs, their recorded digest and size with them."""
    import hashlib

    from django.core.files.base import ContentFile

    from cases.models import Attachment
    from documents.selectors import documents_of_case
    from documents.services import document_render

    for doc in documents_of_case(case):
        if not doc.is_final:
            document_render(document_id=doc.pk)
    for att in Attachment.objects.filter(case=case):
        with att.file.open("rb") as fh:
            head = fh.read()
        if att.original_name.lower().endswith(".pdf") and b"%%EOF" not in head:
            data = pdf_bytes(1)
            name = att.file.storage.save(att.file.name + ".pdf", ContentFile(data))
            Attachment.objects.filter(pk=att.pk).update(
                file=name, sha256=hashlib.sha256(data).hexdigest(), size=len(data)
            )


def _add_records(case: Any, officer: Any, tmp_path: Path) -> None:
    """While the case is open: a 2-page scan, a photo and a 1 s video (ingested), the documents
    rendered (`_make_readable`)."""
    from archive.demo import make_video
    from avrecords.tests.conftest import receive, recent

    services.attachment_add(
        case=case,
        file=SimpleUploadedFile("项目申报书扫描件.pdf", pdf_bytes(2), content_type="application/pdf"),
        by=officer,
        description="项目申报书（扫描件）",
    )
    services.attachment_add(
        case=case,
        file=SimpleUploadedFile("现场照片.jpg", jpeg_bytes(), content_type="image/jpeg"),
        by=officer,
        description="现场检查照片",
    )
    video = make_video(tmp_path / "执法现场录像.mp4", seconds=1, size="160x120")
    record = receive(video, user=officer, case=case.number, ended_at=recent())
    assert record.case_id == case.pk and record.original_key, record.problems
    _make_readable(case)


def concluded_case_with_records(head: Any, tmp_path: Path) -> Any:
    """A concluded penalty case (不予处罚) with documents, a PDF scan, a photo and a short video:
    decided and served 2 working days ago (the records added that afternoon), concluded by
    `head` the next working day — delivery.demo_walk's walk, the demo cases' own."""
    from django.utils import timezone

    from delivery.demo_walk import Closing, Walkers, next_working_day, walk_from_review, working_days_before
    from delivery.models import Ending
    from delivery.tests.execution_helpers import NO_PENALTY, reviewers
    from review.tests.test_core import PENALTY_DRAFT, in_review

    case = in_review(draft={**PENALTY_DRAFT, **NO_PENALTY})
    people = Walkers(case.created_by, *reviewers(), head)
    day = working_days_before(timezone.localdate(), 2)
    case = walk_from_review(
        case,
        people,
        day=day,
        while_open=lambda open_case: _add_records(open_case, people.officer, tmp_path),
        closing=Closing(on=next_working_day(day), ending=Ending.NOTHING, opinion="同意结案。"),
    )
    assert case.state == CaseState.CONCLUDED
    return case


@pytest.fixture
def sealed_case(head: Any, archivist: Any, tmp_path: Path) -> Any:
    return seal(concluded_case_with_records(head, tmp_path), archivist, head)
