"""第二十七条 coupling with the written records (records/): when an investigation record
that says the activity was also recorded on audio/video (`with_av`) is finalised, that
recording is expected in dedicated storage within 2 working days of the activity's end.
One receiver, no import of records/ at module level: records/ knows nothing of this app."""

from typing import Any

from django.apps import apps


def on_record_saved(sender: Any, instance: Any, created: bool = False, **kwargs: Any) -> None:
    try:
        record_model = apps.get_model("records", "Record")
    except LookupError:
        return
    if not isinstance(instance, record_model) or getattr(instance, "status", "") != "final":
        return
    if not getattr(instance, "with_av", False):
        return
    from .services import expected_record_sync

    officers = list(instance.officers.all()[:1]) if instance.pk else []
    expected_record_sync(
        source=instance,
        case=instance.case,
        made=True,
        ended_at=instance.ended_at or instance.started_at or instance.created_at,
        officer=instance.maker if instance.maker_id else (officers[0] if officers else None),
        label=f"{instance.get_kind_display()}（#{instance.pk}）载明的同步音像记录",
    )
