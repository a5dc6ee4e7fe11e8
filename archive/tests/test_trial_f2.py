"""Defects of the second fresh-user trial of the archive chapter (issue 16), each with the
behaviour it must have now."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.models import Role
from accounts.tests.factories import UserFactory
from archive import record_pages, sealing
from archive.casefile import assemble
from archive.forms_consultation import DecisionForm
from archive.models_consultation import ItemTreatment
from archive.selectors import head_pending_approvals
from archive.tests.test_addenda_trial import _request as _addendum_request
from archive.tests.test_archive_check import _arrange_swap
from archive.tests.test_casefile import _pdf
from archive.tests.test_consultation import _request as _consult_request
from archive.tests.test_consultation import case, items  # noqa: F401  (fixtures)
from archive.tests.test_consultation_av import _av
from archive.tests.test_scan_trial_i import TRUNCATED
from archive.tests.test_sealing import concluded_case, sealed_case
from linke import validators

pytestmark = pytest.mark.django_db


def _check(case, by, opinion="经检查，案卷完整，同意归档。", agree=True):
    digest = sealing.catalogue_digest(assemble(case))
    sealing.volume_read(case=case, by=by, digest=digest, size=0)
    return sealing.check_sign(case_id=case.pk, by=by, agree=agree, opinion=opinion, digest=digest)


def test_an_archivist_who_signed_the_check_sees_that_they_cannot_also_seal(client, head, archivist):
    """F2-3: the page looked ready to seal for the archivist who had signed the check."""
    case = concluded_case(head)
    other = UserFactory(username="archivist2", roles=[Role.ARCHIVIST])  # not the only one: may check
    _check(case, archivist)
    client.force_login(archivist)
    page = client.get(reverse("archive:seal", args=[case.pk]))
    html = page.content.decode()
    assert page.context["own_check"] and 'id="own-check"' in html and "检查人与立卷人须为两人" in html
    assert '<button type="submit" disabled>归档</button>' in html
    client.force_login(other)  # another seals on it
    page = client.get(reverse("archive:seal", args=[case.pk]))
    assert not page.context["own_check"] and 'id="own-check"' not in page.content.decode()


def test_a_stale_checks_opinion_ending_in_a_full_stop_is_not_doubled(client, head, archivist):
    """F2-6: "同意归档。。此后…"."""
    case = concluded_case(head)
    _check(case, head)
    _arrange_swap(case, archivist)
    client.force_login(archivist)
    html = client.get(reverse("archive:seal", args=[case.pk])).content.decode()
    assert "同意归档。</span>此后卷内排列或题名已调整" in html and "。。" not in html


def test_an_av_item_offers_no_redaction(case, archivist, head, settings, tmp_path):
    """F2-4: 遮蔽后提供 was offered for an AV record and then refused."""
    settings.MEDIA_ROOT = str(tmp_path)
    req = _consult_request(case, archivist, [_av(case)])
    (item,) = req.items.all()
    choices = [value for value, _ in DecisionForm(items=[item]).fields[f"t_{item.pk}"].choices]
    assert ItemTreatment.REDACTED not in choices and ItemTreatment.FULL in choices


def test_a_broken_pdf_message_names_no_exception_class():
    """F2-5: "无法读取（PdfStreamError）"."""
    with pytest.raises(ValidationError) as exc:
        validators.validate_scan(SimpleUploadedFile("回证.pdf", TRUNCATED))
    message = exc.value.messages[0]
    assert "不是有效的PDF文件" in message and "Error" not in message and "（" not in message


def test_pending_consultations_name_their_number_and_requester(case, items, archivist, head):
    """F2-7: two requests on one case were two identical lines in 待我审批."""
    first = _consult_request(case, archivist, [items["plain"]])
    second = _consult_request(case, archivist, [items["doc"]])
    _, shown = head_pending_approvals(head, 10)
    labels = [p.label for p in shown if p.label.startswith("查阅申请审批")]
    assert labels == [
        f"查阅申请审批（第{first.round}号，查阅人{first.requester_name}）",
        f"查阅申请审批（第{second.round}号，查阅人{second.requester_name}）",
    ]
    assert first.round != second.round


def test_the_addendum_page_names_the_scan_as_uploaded(head, archivist):
    """F2-8: the volume's addendum page printed the stored name without its brackets."""
    case = sealed_case(head, archivist)
    row = _addendum_request(case, archivist, title="更正", scan=SimpleUploadedFile("更正说明（第3页）.pdf", _pdf(1)))
    page = record_pages.addendum_page(row, 1)
    assert page.context["scan_name"] == "更正说明（第3页）.pdf"
