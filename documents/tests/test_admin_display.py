"""Documents in admin: the type by its Chinese name, the content as labelled rows, not JSON."""

import pytest
from django.urls import reverse

from documents.models import Document
from records.tests.factories import make_case

pytestmark = pytest.mark.django_db


def test_document_admin_speaks_chinese(client, admin_user):
    case = make_case()
    doc = Document.objects.create(
        case=case,
        doc_type="inquiry",
        number="临科询〔2026〕1号",
        year=2026,
        seq=1,
        title="询问笔录",
        context={"party_name": "临沂某某公司", "place": "办公室"},
        issued_by=case.created_by,
    )
    client.force_login(admin_user)
    page = client.get(reverse("admin:documents_document_change", args=[doc.pk])).content.decode()
    assert "询问笔录" in page and "临沂某某公司" in page
    assert "{&quot;" not in page and '{"party_name"' not in page
    listing = client.get(reverse("admin:documents_document_changelist")).content.decode()
    assert '<td class="field-doc_type_name">询问笔录</td>' in listing
