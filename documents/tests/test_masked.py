"""The masked rendition (副本): generated with the original, the same number, marked as a
copy, identifiers masked; served to who may not see identifiers (an archivist, an officer of
the department who does not handle the case); every download audited with its rendition."""

import io

import pytest
from pypdf import PdfReader

from accounts.models import Role
from accounts.tests.factories import UserFactory
from audit.models import Entry
from cases.models import mask_id
from cases.tests.factories import CaseFactory
from documents.masking import mask_context
from documents.models import Document, DocumentStatus
from documents.services import document_issue
from linke.idnumbers import id_check_digit, uscc_check_char

pytestmark = pytest.mark.django_db

ID_NO = "37130219800101123" + id_check_digit("37130219800101123")
USCC = "91371300MA3C8XY01" + uscc_check_char("91371300MA3C8XY01")


def _text(data: bytes) -> str:
    return "".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages).replace(" ", "")


def _doc(case, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        doc = document_issue(
            case=case,
            doc_type="inquiry",
            by=case.created_by,
            context={
                "person": {"name": "王某", "gender": "男", "id_no": ID_NO},
                "transcript": f"问：单位？\n答：我在统一社会信用代码为{USCC}的公司工作。",
            },
        )
    doc.refresh_from_db()
    assert doc.status == DocumentStatus.FINAL
    return doc


def test_mask_context_masks_identifiers_by_key_and_in_free_text():
    ctx = {"party_id": f"{ID_NO}；{USCC}", "note": f"见{ID_NO}，另 ABCDEFGHJKLMNPQRTU 不是代码", "n": 3}
    out = mask_context(ctx)
    assert out["party_id"] == f"{mask_id(ID_NO)}；{mask_id(USCC)}"
    assert ID_NO not in out["note"] and mask_id(ID_NO) in out["note"]
    assert "ABCDEFGHJKLMNPQRTU" in out["note"] and out["n"] == 3  # not a valid code: left alone


def test_original_and_masked_copy_are_rendered_together(django_capture_on_commit_callbacks):
    case = CaseFactory()
    doc = _doc(case, django_capture_on_commit_callbacks)
    assert doc.masked_pdf and doc.masked_sha256 and doc.masked_sha256 != doc.sha256
    with doc.pdf.open("rb") as fh:
        original = _text(fh.read())
    with doc.masked_pdf.open("rb") as fh:
        copy = _text(fh.read())
    assert ID_NO in original and USCC in original and "副本" not in original
    assert ID_NO not in copy and USCC not in copy
    assert mask_id(ID_NO) in copy and mask_id(USCC) in copy
    assert doc.number in copy and "副本" in copy
    finalised = Entry.objects.get(action="document.finalised", object_id=str(doc.pk))
    assert finalised.data["masked_sha256"] == doc.masked_sha256


def test_who_may_not_see_identifiers_gets_the_masked_copy(client, officer, officer2, archivist, reviewer):
    from django.test import TestCase

    case = CaseFactory(officers=[officer, officer2], department=officer.department, created_by=officer)
    with TestCase.captureOnCommitCallbacks(execute=True):
        doc = document_issue(
            case=case,
            doc_type="inquiry",
            by=officer,
            context={"person": {"name": "王某", "gender": "男", "id_no": ID_NO}},
        )
    doc = Document.objects.get(pk=doc.pk)
    colleague = UserFactory(department=officer.department, roles=[Role.OFFICER])  # sees the case, does not handle it
    url = f"/documents/{doc.pk}/download/"
    served = {}
    for user in (officer, reviewer, archivist, colleague):
        client.force_login(user)
        resp = client.get(url)
        assert resp.status_code == 200, user
        served[user.username] = _text(b"".join(resp.streaming_content))
    for name in (officer.username, reviewer.username):
        assert ID_NO in served[name], name
    for name in (archivist.username, colleague.username):
        assert ID_NO not in served[name] and mask_id(ID_NO) in served[name] and "副本" in served[name], name
    # A handling officer may ask for the copy (to hand out) too.
    client.force_login(officer)
    assert ID_NO not in _text(b"".join(client.get(url + "?rendition=masked").streaming_content))

    entries = Entry.objects.filter(action="document.downloaded", object_id=str(doc.pk)).order_by("seq")
    got = [(e.actor_id, e.data["rendition"], e.data["sha256"]) for e in entries]
    assert got == [
        (officer.pk, "original", doc.sha256),
        (reviewer.pk, "original", doc.sha256),
        (archivist.pk, "masked", doc.masked_sha256),
        (colleague.pk, "masked", doc.masked_sha256),
        (officer.pk, "masked", doc.masked_sha256),
    ]
