from django.apps import AppConfig


class AvrecordsConfig(AppConfig):
    # The audio-visual half of the records chapter (第十一、十二、二十六、二十七条): recorders,
    # collection stations, resumable ingestion into dedicated storage. Kept apart from the
    # written records of `records/` because its concerns (tus API, storage, ffmpeg) differ.
    name = "avrecords"
    verbose_name = "音像记录"
