import hashlib

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import Role
from accounts.tests.factories import UserFactory
from audit.models import Entry
from cases import services
from cases.models import Attachment, CaseState
from cases.tests.factories import CaseFactory, ComplaintFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path  # FileSystemStorage follows the setting_changed signal


class CountingFile(ContentFile):
    """Fails the test if anything reads the whole file at once."""

    def read(self, size=-1):
        assert size is not None and size > 0, "the upload must be streamed in chunks"
        return super().read(size)


def test_attachment_is_hashed_and_stored_by_content(officer, officer2):
    case = CaseFactory(officers=[officer, officer2], department=officer.department, created_by=officer)
    data = b"scan of the inspection record " * 100_000  # ~3 MB: more than one chunk
    att = services.attachment_add(
        case=case, file=CountingFile(data, name="现场检查笔录.pdf"), by=officer, confidentiality="privacy"
    )

    assert att.sha256 == hashlib.sha256(data).hexdigest()
    assert att.size == len(data)
    assert att.original_name == "现场检查笔录.pdf"
    assert att.file.name == f"attachments/{att.sha256[:2]}/{att.sha256[2:4]}/{att.sha256}"
    with default_storage.open(att.file.name) as fh:
        assert hashlib.sha256(fh.read()).hexdigest() == att.sha256
    assert Entry.objects.filter(case_id=case.pk, action="attachment.added").exists()

    again = services.attachment_add(case=case, file=SimpleUploadedFile("copy.pdf", data), by=officer2)
    assert again.file.name == att.file.name  # same bytes, one object


def test_attachment_links_to_its_record(officer, officer2):
    complaint = ComplaintFactory(
        case__officers=[officer, officer2], case__department=officer.department, case__created_by=officer
    )
    att = services.attachment_add(
        case=complaint.case, file=SimpleUploadedFile("举报信.jpg", b"jpeg"), by=officer, owner=complaint
    )
    assert att.owner == complaint
    other = CaseFactory()
    with pytest.raises(services.TransitionError, match="不属于本案"):
        services.attachment_add(case=other, file=SimpleUploadedFile("x.jpg", b"x"), by=officer, owner=complaint)


def test_outsider_cannot_add(officer, officer2):
    case = CaseFactory(officers=[officer, officer2], department=officer.department, created_by=officer)
    outsider = UserFactory(roles=[Role.OFFICER])
    with pytest.raises(services.TransitionDenied):
        services.attachment_add(case=case, file=SimpleUploadedFile("x.pdf", b"x"), by=outsider)
    assert not Attachment.objects.exists()


def test_archived_case_takes_no_attachment(officer, officer2):
    from django.utils import timezone

    case = CaseFactory(
        officers=[officer, officer2],
        department=officer.department,
        created_by=officer,
        state=CaseState.ARCHIVED,
        concluded_at=timezone.now(),
    )
    with pytest.raises(services.TransitionError, match="已归档"):
        services.attachment_add(case=case, file=SimpleUploadedFile("x.pdf", b"x"), by=officer)


# --- owners are the case's own records; refusals store nothing (issue 12) -------------------


def _stored_files(root):
    return sorted(p for p in root.rglob("*") if p.is_file())


def test_view_refuses_a_finalised_record_as_owner(client, officer, officer2, settings):
    from records.models import RecordKind
    from records.tests.factories import make_record

    case = CaseFactory(officers=[officer, officer2], department=officer.department, created_by=officer)
    rec = make_record(RecordKind.INSPECTION, case=case, finalise=True)
    client.force_login(officer)
    resp = client.post(
        f"/cases/{case.pk}/attachments/",
        {"file": SimpleUploadedFile("补充.pdf", b"%PDF later"), "owner": f"records.record:{rec.pk}"},
    )
    assert resp.status_code == 400  # the case page again, the refusal at the upload form
    assert "已定稿" in resp.content.decode()
    assert not Attachment.objects.exists()
    assert _stored_files(settings.MEDIA_ROOT) == []


def test_view_refuses_an_owner_that_is_not_a_record_of_the_case(client, officer, officer2, settings):
    case = CaseFactory(officers=[officer, officer2], department=officer.department, created_by=officer)
    import audit

    entry = audit.record(case, "admin.other", actor=officer, case=case.pk)
    client.force_login(officer)
    for ref in (f"audit.entry:{entry.pk}", f"accounts.user:{officer.pk}"):
        resp = client.post(
            f"/cases/{case.pk}/attachments/",
            {"file": SimpleUploadedFile("x.pdf", b"%PDF x"), "owner": ref},
        )
        assert resp.status_code == 400, ref
        assert "附件只能属于本案的记录" in resp.content.decode(), ref
    assert not Attachment.objects.exists()
    assert _stored_files(settings.MEDIA_ROOT) == []


def test_service_refuses_foreign_owner_types_and_finalised_records(officer, officer2, settings):
    import audit
    from records.models import RecordKind
    from records.tests.factories import make_record

    case = CaseFactory(officers=[officer, officer2], department=officer.department, created_by=officer)
    entry = audit.record(case, "admin.other", actor=officer, case=case.pk)
    with pytest.raises(services.TransitionError, match="只能属于本案的记录"):
        services.attachment_add(case=case, file=SimpleUploadedFile("x.pdf", b"x"), by=officer, owner=entry)
    rec = make_record(RecordKind.INSPECTION, case=case, finalise=True)
    with pytest.raises(services.TransitionError, match="已定稿"):
        services.attachment_add(case=case, file=SimpleUploadedFile("x.pdf", b"x"), by=officer, owner=rec.base())
    draft = make_record(RecordKind.INSPECTION, case=case)
    att = services.attachment_add(
        case=case, file=SimpleUploadedFile("草图.pdf", b"%PDF"), by=officer, owner=draft.base()
    )
    assert att.owner == draft.base()
    assert Attachment.objects.count() == 1


@pytest.mark.parametrize("who", ["archivist", "outsider", "officer_archived"])
def test_refused_upload_stores_no_byte(client, officer, officer2, archivist, settings, who):
    from django.utils import timezone

    archived = who == "officer_archived"
    case = CaseFactory(
        officers=[officer, officer2],
        department=officer.department,
        created_by=officer,
        **({"state": CaseState.ARCHIVED, "concluded_at": timezone.now()} if archived else {}),
    )
    user = {"archivist": archivist, "outsider": UserFactory(roles=[Role.OFFICER]), "officer_archived": officer}[who]
    with pytest.raises((services.TransitionError, services.TransitionDenied)):
        services.attachment_add(case=case, file=SimpleUploadedFile("x.pdf", b"%PDF refused"), by=user)
    if who != "outsider":  # an outsider gets 404 from the view before the service runs
        client.force_login(user)
        client.post(f"/cases/{case.pk}/attachments/", {"file": SimpleUploadedFile("y.pdf", b"%PDF refused 2")})
    assert not Attachment.objects.exists()
    assert _stored_files(settings.MEDIA_ROOT) == []
