from django.apps import AppConfig


class RecordsConfig(AppConfig):
    name = "records"
    verbose_name = "调查取证记录"
