"""Each record kind issues the document type of the same code (documents.registry.DocTypeCode)."""

from documents import registry
from documents.registry import DocTypeCode
from records.models import RecordKind


def test_every_record_kind_is_a_registered_document_type():
    for kind in RecordKind:
        code = DocTypeCode(kind.value)
        assert registry.get(code).code == kind.value
