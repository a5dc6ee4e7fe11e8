"""`next` after a case action or an upload only ever leads back into this site."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cases.tests.factories import CaseFactory

pytestmark = pytest.mark.django_db

OFFSITE = ["//evil.com", "/\\evil.com", "\\\\evil.com", "https://evil.com/", "http://testserver.evil.com/"]


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def case(officer, officer2):
    return CaseFactory(officers=[officer, officer2], department=officer.department, created_by=officer)


@pytest.mark.parametrize("target", OFFSITE)
def test_offsite_next_falls_back_to_the_case(client, officer, case, target):
    client.force_login(officer)
    resp = client.post(reverse("cases:action", args=[case.pk, "submit_for_review"]), {"next": target})
    assert resp.status_code == 302 and resp["Location"] == case.get_absolute_url()
    resp = client.post(
        reverse("cases:attachment_upload", args=[case.pk]), {"file": SimpleUploadedFile("a.txt", b"a"), "next": target}
    )
    assert resp.status_code == 302 and resp["Location"] == case.get_absolute_url()


def test_local_next_is_followed(client, officer, case):
    client.force_login(officer)
    back = reverse("cases:list") + "?state=investigating"
    resp = client.post(reverse("cases:action", args=[case.pk, "submit_for_review"]), {"next": back})
    assert resp["Location"] == back
    resp = client.post(
        reverse("cases:attachment_upload", args=[case.pk]), {"file": SimpleUploadedFile("a.txt", b"a"), "next": back}
    )
    assert resp["Location"] == back
