"""The 副卷's recorded rows (issue 16 item 1; DOMAIN.md 第六章): case source, investigation-end
report, approvals, legal review, collective discussion and closing report are items of the case
file in the configured order, rendered as generated pages numbered with the merged documents,
and listed in the 卷内目录 with 8-digit dates."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.files.uploadedfile import SimpleUploadedFile
from pypdf import PdfReader

from accounts.models import Role
from accounts.tests.factories import UserFactory
from archive.casefile import MAIN, RECORD_KINDS, SUBSIDIARY, assemble, date8
from archive.record_pages import RECORD_PAGES
from archive.tests.test_casefile import _pdf, _top_right_text
from archive.volume import render_volume, write_volume
from cases.models import FilingRecord, Level, SignOff, SignOffOutcome, SignOffStep
from delivery.conclusion import conclude
from delivery.models import Ending
from delivery.tests import helpers as delivery_helpers
from delivery.tests.execution_helpers import NO_PENALTY, served_case
from documents.selectors import documents_of_case
from documents.services import document_render
from review.models import DecisionOutcome
from review.models_legal import CollectiveDiscussion, DiscussionOpinion, LegalFinding, LegalReview, LegalReviewPoint

pytestmark = pytest.mark.django_db

KINDS = ["case_source", "investigation_report", "review_approval", "legal_review", "collective_discussion"]


def concluded_case(head: Any) -> Any:
    """A no-penalty case decided, served and concluded (结案审批), with its filing record, one
    法制审核 and one 集体讨论 on record."""
    case = served_case(head, **NO_PENALTY)
    FilingRecord.objects.update_or_create(
        case=case, defaults={"cause": "监督检查中发现项目资金使用异常", "source": "inspection"}
    )
    reviewer: Any = UserFactory(roles=[Role.LEGAL_REVIEWER])
    signoff = SignOff.objects.create(
        case=case,
        step=SignOffStep.LEGAL_REVIEW,
        level=Level.LEGAL,
        actor=reviewer,
        outcome=SignOffOutcome.AGREE,
        opinion="经法制审核，程序合法，同意。",
    )
    LegalReview.objects.create(
        case=case,
        signoff=signoff,
        reviewer=reviewer,
        qualification_no="A20213701000001",
        findings={p.value: {"finding": LegalFinding.SOUND, "note": ""} for p in LegalReviewPoint},
    )
    discussion = CollectiveDiscussion.objects.create(
        case=case,
        held_at=signoff.signed_at,
        place="局第一会议室",
        chair=head,
        recorder="王芳",
        outcome=DecisionOutcome.NO_PENALTY_MINOR,
        conclusion="违法行为轻微并及时改正，不予行政处罚。",
        recorded_by=head,
    )
    DiscussionOpinion.objects.create(
        discussion=discussion, order=1, participant="李局长", position="局长", opinion="同意不予处罚。"
    )
    conclude(case_id=case.pk, by=head, ending=Ending.NOTHING, opinion="同意结案。")
    case.refresh_from_db()
    return case


def test_the_order_vocabulary_names_every_record_kind_and_the_shipped_order_uses_them():
    from django.conf import settings

    assert set(RECORD_PAGES) <= set(RECORD_KINDS) and "attachment" in RECORD_KINDS
    assert set(KINDS) | {"closing_report"} <= set(settings.ARCHIVE_VOLUME_ORDER["penalty"][SUBSIDIARY])


def test_records_are_items_of_the_subsidiary_volume_in_the_configured_order(head, settings):
    case = concluded_case(head)
    cf = assemble(case)
    records = [i for i in cf.items if i.record is not None]
    assert [i.record.kind for i in records] == [*KINDS, "closing_report"]
    assert all(i.volume == SUBSIDIARY and i.remarks == "据系统记录生成" for i in records)
    assert [i.number for i in cf.items] == list(range(1, len(cf.items) + 1))
    # Every 副卷 item comes after every 正卷 item, and the records keep the setting's order
    # around the documents of the 副卷 (none here besides them).
    volumes = [i.volume for i in cf.items]
    assert volumes == sorted(volumes, key=[MAIN, SUBSIDIARY].index)
    closing = records[-1]
    assert closing.title == "结案审批表" and closing.date == date8(closing.source.signoff.signed_at)
    assert all(re.fullmatch(r"\d{8}", i.date) for i in records)

    # The archivist's order: the closing report first in the 副卷, the approvals in the 正卷,
    # the case source left out (a record kind not named is no item).
    settings.ARCHIVE_VOLUME_ORDER = {
        "penalty": {
            MAIN: ["review_approval", "penalty_decision", "no_penalty_decision"],
            SUBSIDIARY: ["closing_report", "legal_review", "investigation_report"],
        }
    }
    cf = assemble(case)
    kinds = [(i.volume, i.record.kind) for i in cf.items if i.record is not None]
    assert kinds == [
        (MAIN, "review_approval"),
        (SUBSIDIARY, "closing_report"),
        (SUBSIDIARY, "legal_review"),
        (SUBSIDIARY, "investigation_report"),
    ]

    settings.ARCHIVE_VOLUME_ORDER = {"penalty": {MAIN: [], SUBSIDIARY: ["closing_reprot"]}}
    with pytest.raises(ImproperlyConfigured, match="closing_reprot"):
        assemble(case)


def _real_scan(name: str = "送达回证.pdf") -> SimpleUploadedFile:
    """A one-page PDF in place of delivery's test scans (bytes that only start like a PDF)."""
    return SimpleUploadedFile(name, _pdf(1), content_type="application/pdf")


def test_generated_pages_are_numbered_with_the_merged_ones_and_listed_in_the_catalogue(head, tmp_path, monkeypatch):
    monkeypatch.setattr(delivery_helpers, "scan", _real_scan)
    case = concluded_case(head)
    for doc in documents_of_case(case):
        document_render(document_id=doc.pk)

    path = tmp_path / "volume.pdf"
    with path.open("wb") as out:
        cf = write_volume(case, out, compiler="王芳")
    reader = PdfReader(str(path))
    content = cf.page_count
    assert content == sum(i.pages for i in cf.items) and all(i.pages >= 1 for i in cf.items)
    front = len(reader.pages) - content - 1
    numbers = [_top_right_text(p) for p in reader.pages]
    assert numbers[front : front + content] == [str(n) for n in range(1, content + 1)]
    assert all(n == "" for n in numbers[:front] + numbers[front + content :])

    # Each item starts where the previous ended; each generated page shows its title there.
    page = 1
    for item in cf.items:
        assert item.start_page == page, item.title
        page += item.pages
        if item.record is not None:
            text = re.sub(r"\s+", "", reader.pages[front + item.start_page - 1].extract_text())
            assert item.title in text, item.title
    assert [i.record.kind for i in cf.items if i.record is not None] == [*KINDS, "closing_report"]
    legal = next(i for i in cf.items if i.record is not None and i.record.kind == "legal_review")
    legal_text = reader.pages[front + legal.start_page - 1].extract_text()
    assert "A20213701000001" in legal_text and "经法制审核，程序合法，同意。" in legal_text

    # The 卷内目录: each record's row with its 8-digit date and its page numbers.
    catalogue = re.sub(r"\s+", "", "".join(p.extract_text() for p in reader.pages[:front]))
    for item in cf.items:
        if item.record is None:
            continue
        span = str(item.start_page) if item.pages == 1 else f"{item.start_page}-{item.start_page + item.pages - 1}"
        row = f"{item.number}副卷{cf.agency}{item.title}{item.date}{span}据系统记录生成"
        assert row in catalogue, row

    # The in-memory variant gives the same volume.
    again = PdfReader(io.BytesIO(render_volume(case, compiler="王芳")))
    assert len(again.pages) == len(reader.pages)
