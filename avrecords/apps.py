from django.apps import AppConfig


class AvrecordsConfig(AppConfig):
    # The audio-visual half of the records chapter (第十一、十二、二十六、二十七条): recorders,
    # collection stations, resumable ingestion into dedicated storage. Kept apart from the
    # written records of `records/` because its concerns (tus API, storage, ffmpeg) differ.
    name = "avrecords"
    verbose_name = "音像记录"

    def ready(self) -> None:
        from accounts.models import Role
        from accounts.roles import register
        from records.models import Record
        from records.signals import record_finalised

        from . import signals

        # records/ says an activity was recorded on audio/video: expect the recording (第二十七条).
        record_finalised.connect(
            signals.on_record_finalised, sender=Record, dispatch_uid="avrecords.expect_from_records"
        )
        # Issue 16 item 1: a case concluded or sealed keeps its originals as long as its file.
        from cases.models import Case
        from cases.signals import case_transitioned

        from .retention import on_case_transitioned

        case_transitioned.connect(on_case_transitioned, sender=Case, dispatch_uid="avrecords.retain_with_case_file")

        register(
            Role.ADMIN,
            "avrecords.add_recorder",
            "avrecords.change_recorder",
            "avrecords.view_recorder",
            "avrecords.add_collectionstation",
            "avrecords.change_collectionstation",
            "avrecords.view_collectionstation",
            "avrecords.view_avrecord",
            "avrecords.view_upload",
            "avrecords.view_expectedrecord",
            "avrecords.view_fixitycheck",
        )
