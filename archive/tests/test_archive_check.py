"""The 检查人 checks the case file before sealing (第二十八条; trial defects 3, 23, 16, 17): an
ARCHIVE_CHECK sign-off bound to the catalogue it saw; seal() names its signer 检查人 and refuses
without it, when it is stale, when it was returned and when the 立卷人 signed it; 法规科 reads the
case file; the sealed 备考表 prints the checker, the check date and the head's override."""

from __future__ import annotations

import io
import re

import pytest
from django.urls import reverse
from pypdf import PdfReader

from accounts.models import Role
from accounts.tests.factories import UserFactory
from archive import sealing
from archive.casefile import assemble, date8
from archive.models import BACK_DESCRIPTION_LINES, OVERRIDE_REASON_MAX, ExportJob, Seal
from archive.tests.factories_export import _make_readable, concluded_case_with_records
from archive.tests.test_sealing import BACK, CHECKED, _veto, a_checker, checked, concluded_case, seal_checked
from archive.volume import render_volume
from audit.models import Entry
from cases.models import Level, SignOff, SignOffOutcome, SignOffStep
from cases.stages import TransitionDenied, TransitionError

pytestmark = pytest.mark.django_db


def _flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _arrange_swap(case, archivist):
    """The archivist swaps the first two items of the first volume (a real arrangement change)."""
    items = [i for i in assemble(case).items if i.source is not None]
    first, second = items[0], items[1]
    assert first.volume == second.volume
    entries = [(sealing.key_of(second), 0, ""), (sealing.key_of(first), 1, "")]
    sealing.arrangement_save(case_id=case.pk, by=archivist, entries=entries)


def test_seal_is_refused_without_a_check(head, archivist):
    case = concluded_case(head)
    assert sealing.review(case).may_seal and sealing.check_of(case).label == "待检查"
    with pytest.raises(TransitionError, match="请先由检查人审核案卷并签署检查意见"):
        sealing.seal(case_id=case.pk, by=archivist, **BACK)
    assert not Seal.objects.exists()


def test_the_checker_signs_and_seal_takes_the_checker_and_check_from_the_signoff(head, archivist):
    case = concluded_case(head)
    checker = a_checker()
    signoff = checked(case, checker)
    assert (signoff.step, signoff.level, signoff.outcome) == (SignOffStep.ARCHIVE_CHECK, Level.CHECK, "agree")
    assert signoff.digest == sealing.catalogue_digest(assemble(case)) and len(signoff.digest) == 64
    entry = Entry.objects.filter(case_id=case.pk, action="signoff.signed").order_by("-seq").first()
    assert (entry.actor_id, entry.data["step"], entry.data["digest"]) == (checker.pk, "archive_check", signoff.digest)
    assert sealing.check_of(case).label == "已检查"
    row = sealing.seal(case_id=case.pk, by=archivist, **BACK)
    assert (row.checked_by, row.checker, row.check_signoff) == (checker, checker.display_name, signoff)
    assert Entry.objects.get(case_id=case.pk, action="archive.sealed").data["check"] == signoff.pk


def test_a_check_goes_stale_when_the_arrangement_changes(head, archivist):
    case = concluded_case(head)
    checked(case)
    _arrange_swap(case, archivist)
    check = sealing.check_of(case)
    assert check.stale and not check.agreed and check.label == "待检查"
    with pytest.raises(TransitionError, match="请先由检查人审核案卷并签署检查意见.*须重新检查"):
        sealing.seal(case_id=case.pk, by=archivist, **BACK)
    # A check signed on the page read before the change is refused too (bound to what was seen).
    with pytest.raises(TransitionError, match="卷内排列或题名已变化"):
        sealing.check_sign(case_id=case.pk, by=a_checker(), agree=True, opinion=CHECKED, digest=check.signoff.digest)
    checked(case)  # checked again, on the file as it is now
    assert sealing.seal(case_id=case.pk, by=archivist, **BACK).checked_by == a_checker()


def test_the_compiler_may_not_check_their_own_file(head, archivist):
    case = concluded_case(head)
    _arrange_swap(case, archivist)  # `archivist` compiled the file
    with pytest.raises(TransitionDenied, match="检查人不能是立卷人本人"):
        checked(case, archivist)
    assert not sealing.may_check(archivist, case)
    # Another archivist checks; that one may then not seal it as 立卷人 of a file they checked.
    other = UserFactory(username="archivist2", roles=[Role.ARCHIVIST])
    checked(case, other)
    with pytest.raises(TransitionError, match="检查人不能是立卷人本人"):
        sealing.seal(case_id=case.pk, by=other, **BACK)
    assert not Seal.objects.exists()
    assert sealing.seal(case_id=case.pk, by=archivist, **BACK).checked_by == other


def test_a_returned_check_refuses_sealing_and_shows_its_reason(client, head, archivist):
    case = concluded_case(head)
    reason = "第3件题名与文书不符，请更正后再送检查。"
    checked(case, agree=False, opinion=reason)
    check = sealing.check_of(case)
    assert check.returned and check.label == "已退回" and check.signoff.outcome == SignOffOutcome.RETURN
    with pytest.raises(TransitionError, match=f"已退回（{reason}）"):
        sealing.seal(case_id=case.pk, by=archivist, **BACK)
    client.force_login(archivist)
    page = client.get(reverse("archive:seal", args=[case.pk])).content.decode()
    assert reason in page and "已退回" in page
    queue = client.get(reverse("archive:list")).content.decode()
    assert "已退回" in queue and reason in queue


def test_the_checker_signs_through_the_page(client, head, archivist, reviewer):
    case = concluded_case(head)
    url = reverse("archive:seal", args=[case.pk])
    client.force_login(reviewer)
    page = client.get(url)
    assert page.status_code == 200 and page.context["may_check"] and not page.context["may_act"]
    digest = page.context["digest"]
    empty = client.post(url, {"action": "check", "decision": "agree", "opinion": "", "digest": digest})
    assert empty.status_code == 400 and "请填写检查意见" in empty.content.decode()
    unread = client.post(url, {"action": "check", "decision": "agree", "opinion": CHECKED, "digest": digest})
    assert unread.status_code == 400 and "请先打开案卷PDF" in unread.content.decode()
    assert client.get(reverse("archive:volume_pdf", args=[case.pk])).status_code == 200  # reads the volume
    ok = client.post(url, {"action": "check", "decision": "agree", "opinion": CHECKED, "digest": digest})
    assert ok.status_code == 302
    row = SignOff.objects.get(case=case, step=SignOffStep.ARCHIVE_CHECK)
    assert (row.actor, row.opinion) == (reviewer, CHECKED)
    # The reviewer neither arranges nor seals.
    assert client.post(url, {"action": "seal", **BACK}).status_code == 302 and not Seal.objects.exists()
    client.force_login(archivist)
    page = client.get(url).content.decode()
    assert "已检查" in page and reviewer.display_name in page
    queue = client.get(reverse("archive:list")).content.decode()
    assert "已检查" in queue


def test_a_legal_reviewer_reads_the_case_file_an_unrelated_officer_does_not(client, head, archivist, reviewer):
    case = concluded_case(head)
    _make_readable(case)  # real PDFs for the stand-in receipts: the volume can be made
    stranger = UserFactory(username="stranger", roles=[Role.OFFICER])
    seal_url = reverse("archive:seal", args=[case.pk])
    volume_url = reverse("archive:volume_pdf", args=[case.pk])
    client.force_login(stranger)
    assert client.get(seal_url).status_code == 404 and client.get(volume_url).status_code == 404
    client.force_login(reviewer)
    assert client.get(seal_url).status_code == 200
    resp = client.get(volume_url)
    assert resp.status_code == 200 and resp["Content-Type"] == "application/pdf"
    panel = client.get(reverse("cases:section", args=[case.pk, "archive"])).content.decode()
    assert seal_url in panel and "检查案卷" in panel and volume_url in panel
    seal_checked(case, by=archivist)
    export_url = reverse("archive:export", args=[case.pk])
    assert client.get(export_url).status_code == 200  # reads the exports
    client.post(export_url)  # requesting one is the archivist's or the head's
    assert not ExportJob.objects.filter(case=case).exists()
    client.force_login(stranger)
    assert client.get(export_url).status_code == 404


def test_limits_that_keep_the_back_sheet_one_page(head, archivist):
    case = concluded_case(head)
    _veto(case)
    with pytest.raises(TransitionError, match=f"理由不能超过{OVERRIDE_REASON_MAX}字"):
        sealing.seal_override_sign(case_id=case.pk, by=head, agree=True, opinion="理" * (OVERRIDE_REASON_MAX + 1))
    sealing.seal_override_sign(case_id=case.pk, by=head, agree=True, opinion="理" * OVERRIDE_REASON_MAX)
    lines = "\n".join(["说明"] * (BACK_DESCRIPTION_LINES + 1))
    with pytest.raises(
        TransitionError, match=f"不能超过{BACK_DESCRIPTION_LINES}行（现为{BACK_DESCRIPTION_LINES + 1}行）"
    ):
        seal_checked(case, by=archivist, description=lines)
    assert not Seal.objects.exists()


def test_the_sealed_back_sheet_names_the_checker_check_date_and_override_on_one_page(head, archivist, tmp_path):
    """The 备考表 of a sealed volume with a 400-character description in BACK_DESCRIPTION_LINES
    lines, the head's override (its longest reason) and three approved addenda with the longest
    titles, rendered by WeasyPrint: one page, naming the 检查人, the check date and the override."""
    case = concluded_case_with_records(head, tmp_path)
    if sealing.review(case).may_seal:
        _veto(case)
    reason = "执法证已核实有效，" + "理" * (OVERRIDE_REASON_MAX - 9)
    override = sealing.seal_override_sign(case_id=case.pk, by=head, agree=True, opinion=reason)
    checker = a_checker()
    check = checked(case, checker)
    paragraphs = ["说" * 39] * (BACK_DESCRIPTION_LINES - 1)
    description = "\n".join([*paragraphs, "说" * (400 - 39 * len(paragraphs) - len(paragraphs))])
    assert len(description) == 400
    seal_checked(case, by=archivist, description=description)
    for n in range(3):
        row = sealing.addendum_request(case_id=case.pk, by=archivist, title=f"{n}" + "题" * 199, text="补充说明。")
        sealing.addendum_decide(addendum_id=row.pk, by=head, approve=True, opinion="同意补充。")

    reader = PdfReader(io.BytesIO(render_volume(case)))
    back, before = _flat(reader.pages[-1].extract_text()), _flat(reader.pages[-2].extract_text())
    assert "备考表" in back and "本卷情况说明" in back and "检查时间" in back  # head to foot on one page
    assert "本卷情况说明" not in before
    assert f"检查人：{checker.display_name}" in back and f"检查时间：{date8(check.signed_at)}" in back
    assert f"机关负责人{head}于{date8(override.signed_at)}签署准予归档意见" in back and reason in back
    assert "说" * 39 in back and back.count("题" * 199) == 3


def test_the_back_sheet_template_holds_its_bounds_on_one_page():
    """volume_back.html at its bounds (archive.models): the worst split of 400 characters into
    BACK_DESCRIPTION_LINES lines (each just over a line), the longest override reason, and
    ADDENDA_TITLED addenda with 200-character titles — then 30 addenda listed by 件号: one page."""
    import datetime as dt
    from types import SimpleNamespace

    from archive.models import TITLE_MAX
    from archive.volume import ADDENDA_TITLED
    from documents.rendering import render_html, render_pdf

    paragraphs = ["说" * 39] * (BACK_DESCRIPTION_LINES - 1)
    description = "\n".join([*paragraphs, "说" * (400 - 39 * len(paragraphs) - len(paragraphs))])
    override = SimpleNamespace(actor="赵局长", signed_at=dt.datetime(2026, 1, 1), opinion="理" * OVERRIDE_REASON_MAX)

    def pages(count: int) -> int:
        addenda = [
            {
                "item": SimpleNamespace(number=40 + n, title="题" * TITLE_MAX),
                "requested_by": "张三丰",
                "approved_by": "赵局长",
                "approved_on": "20260101",
            }
            for n in range(count)
        ]
        context = {
            "cf": SimpleNamespace(code_label="0001-XZZF·2026-D30-FGK-0001", item_count=70, page_count=999),
            "compiler": "王档案",
            "checker": "李检查",
            "description": description,
            "date": "20260101",
            "check_date": "20260101",
            "override": override,
            "addenda": addenda,
            "addenda_titled": count <= ADDENDA_TITLED,
            "draft_mark": "",
        }
        return len(PdfReader(io.BytesIO(render_pdf(render_html("archive/volume_back.html", context)).pdf)).pages)

    assert [pages(ADDENDA_TITLED), pages(30)] == [1, 1]
