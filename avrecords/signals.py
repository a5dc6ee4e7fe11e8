"""第二十七条 coupling with the written records (records/): when an investigation record
that says the activity was also recorded on audio/video (`with_av`) is finalised, that
recording is expected in dedicated storage within 2 working days of the activity's end.
records/ announces the finalisation (records.signals.record_finalised); it knows nothing of
this app."""

from typing import Any


def on_record_finalised(sender: Any, record: Any, by: Any = None, **kwargs: Any) -> None:
    """Receiver of records.signals.record_finalised (sender: records.models.Record)."""
    if not record.with_av:
        return
    from .services import expected_record_sync

    officers = list(record.officers.all()[:1])
    expected_record_sync(
        source=record,
        case=record.case,
        made=True,
        ended_at=record.ended_at or record.started_at or record.created_at,
        officer=record.maker if record.maker_id else (officers[0] if officers else None),
        label=f"{record.get_kind_display()}（#{record.pk}）载明的同步音像记录",
    )
