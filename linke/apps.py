"""Application configs of the wiring: Linke's own (the admin's and the forms' Chinese empty
choice, a control character refused in every date/time field) and django-axes under a Chinese name."""

from typing import Any

from axes.apps import AppConfig as BaseAxesConfig
from django.apps import AppConfig

EMPTY_CHOICE = "请选择"


def chinese_empty_choice() -> None:
    """Replace Django's "---------" empty choice with 请选择 everywhere it is offered: the
    blank choice of a model field with choices (`BLANK_CHOICE_DASH`, the default argument of
    `Field.get_choices`, so it is changed in place) and the empty label of a foreign-key
    select (`ModelChoiceField(empty_label=...)`). Idempotent."""
    from django.db.models import fields
    from django.forms import models as form_models

    fields.BLANK_CHOICE_DASH[:] = [("", EMPTY_CHOICE)]
    defaults: dict[str, Any] = form_models.ModelChoiceField.__init__.__kwdefaults__ or {}
    defaults["empty_label"] = EMPTY_CHOICE
    form_models.ModelChoiceField.__init__.__kwdefaults__ = defaults


class LinkeConfig(AppConfig):
    """Listed first in INSTALLED_APPS so that its ready() runs before the admin and the apps
    build their forms."""

    name = "linke"
    verbose_name = "临科"

    def ready(self) -> None:
        from linke.validators import temporal_fields_refuse_control

        chinese_empty_choice()
        temporal_fields_refuse_control()


class AxesConfig(BaseAxesConfig):
    """django-axes (login failures and lock-out) under a Chinese name in the admin; its model
    and field names are translated in locale/zh_Hans (axes ships no Chinese catalogue)."""

    verbose_name = "登录失败与锁定"
