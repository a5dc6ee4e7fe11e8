from typing import Any

from django.apps import AppConfig


def _refuse_officers_change_when_final(sender: Any, instance: Any, action: str, reverse: bool, **kwargs: Any) -> None:
    # The officers of a finalised record are part of it (第十条: who inquired/inspected).
    if action not in ("pre_add", "pre_remove", "pre_clear"):
        return
    from .models import Record, RecordImmutable, RecordStatus

    if reverse:
        ids = kwargs.get("pk_set") or set()
        if (
            Record.objects.filter(pk__in=ids, status=RecordStatus.FINAL).exists()
            or action == "pre_clear"
            and Record.objects.filter(officers=instance, status=RecordStatus.FINAL).exists()
        ):
            raise RecordImmutable("已定稿记录的执法人员不得修改")
    elif instance.pk and Record.objects.filter(pk=instance.pk, status=RecordStatus.FINAL).exists():
        raise RecordImmutable("已定稿记录的执法人员不得修改")


class RecordsConfig(AppConfig):
    name = "records"
    verbose_name = "调查取证记录"

    def ready(self) -> None:
        from django.db.models.signals import m2m_changed

        from accounts.models import Role
        from accounts.roles import register

        from .models import Record

        m2m_changed.connect(
            _refuse_officers_change_when_final,
            sender=Record.officers.through,
            dispatch_uid="records.officers_final_guard",
        )
        register(Role.ADMIN, "records.view_record", "records.view_recorditem")
