"""The 检查人 agrees only to a file they have read (第二十八条): an agreeing check needs the
signer's read of the volume PDF of the catalogue as it is now (sealing.volume_read_by), as the
head approves an addendum only after opening its scan."""

from __future__ import annotations

import pytest
from django.urls import reverse

from archive import sealing
from archive.casefile import assemble
from archive.models import Seal
from archive.tests.test_archive_check import _arrange_swap
from archive.tests.test_sealing import BACK, CHECKED, a_checker, concluded_case
from cases.models import SignOff, SignOffStep
from cases.stages import TransitionError

pytestmark = pytest.mark.django_db


def _digest(case):
    return sealing.catalogue_digest(assemble(case))


def test_an_agreement_without_opening_the_volume_is_refused_a_return_is_not(head):
    case = concluded_case(head)
    with pytest.raises(TransitionError, match="请先打开案卷PDF"):
        sealing.check_sign(case_id=case.pk, by=a_checker(), agree=True, opinion=CHECKED, digest=_digest(case))
    assert not SignOff.objects.filter(case=case, step=SignOffStep.ARCHIVE_CHECK).exists()
    # Returning the file for changes needs no read of the whole volume.
    row = sealing.check_sign(
        case_id=case.pk, by=a_checker(), agree=False, opinion="缺少送达回证。", digest=_digest(case)
    )
    assert row.step == SignOffStep.ARCHIVE_CHECK


def test_the_checker_opens_the_volume_pdf_then_agrees_and_the_archivist_seals(client, head, archivist):
    case = concluded_case(head)
    checker = a_checker()
    client.force_login(checker)
    page = client.get(reverse("archive:seal", args=[case.pk])).content.decode()
    assert "您尚未打开当前排列的案卷PDF" in page
    resp = client.get(reverse("archive:volume_pdf", args=[case.pk]))
    assert resp.status_code == 200 and resp["Content-Type"] == "application/pdf"
    assert sealing.volume_read_by(case, checker, _digest(case))
    assert "您已打开当前排列的案卷PDF" in client.get(reverse("archive:seal", args=[case.pk])).content.decode()
    resp = client.post(
        reverse("archive:seal", args=[case.pk]),
        {"action": "check", "digest": _digest(case), "decision": "agree", "opinion": CHECKED},
    )
    assert resp.status_code == 302
    assert sealing.check_of(case).agreed
    assert sealing.seal(case_id=case.pk, by=archivist, **BACK).checked_by == checker
    assert Seal.objects.filter(case=case).exists()


def test_a_read_of_an_earlier_arrangement_does_not_count(client, head, archivist):
    case = concluded_case(head)
    checker = a_checker()
    client.force_login(checker)
    assert client.get(reverse("archive:volume_pdf", args=[case.pk])).status_code == 200
    _arrange_swap(case, archivist)  # the file changed after the read
    with pytest.raises(TransitionError, match="请先打开案卷PDF"):
        sealing.check_sign(case_id=case.pk, by=checker, agree=True, opinion=CHECKED, digest=_digest(case))
    assert client.get(reverse("archive:volume_pdf", args=[case.pk])).status_code == 200  # read again
    sealing.check_sign(case_id=case.pk, by=checker, agree=True, opinion=CHECKED, digest=_digest(case))
    assert sealing.check_of(case).agreed
