"""records announces a finalisation with a named domain signal whose sender is the record
model (DESIGN.md, how apps talk), once, inside the action's transaction."""

import pytest

from records.models import Record, RecordKind
from records.services import record_finalise
from records.signals import record_finalised
from records.tests.factories import make_record

pytestmark = pytest.mark.django_db


def test_finalising_sends_record_finalised_once_with_the_record_model_as_sender():
    calls = []

    def receiver(sender, record, by, **kwargs):
        calls.append((sender, record.pk, record.status, by))

    record_finalised.connect(receiver, dispatch_uid="test.record_finalised")
    try:
        rec = make_record(RecordKind.OTHER)  # a draft, saved more than once: no finalisation
        assert calls == []
        record_finalise(record_id=rec.pk, by=rec.maker)
    finally:
        record_finalised.disconnect(dispatch_uid="test.record_finalised")
    assert calls == [(Record, rec.pk, "final", rec.maker)]


def test_avrecords_listens_to_the_named_signal_with_a_sender():
    from django.db.models.signals import post_save

    assert record_finalised.has_listeners(Record)
    # No app listens to post_save of every model (a sender-less receiver ran for every row saved).
    senderless = []
    for entry in post_save.receivers:
        (_, sender_key), ref = entry[0], entry[1]
        fn = ref() if callable(ref) and not hasattr(ref, "__module__") else ref
        if sender_key == id(None):
            senderless.append(getattr(fn, "__module__", repr(fn)))
    assert senderless == []
