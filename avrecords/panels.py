"""The case page's audio-visual panel: the case's records (player, hash, status), the
recordings it still expects (第二十七条) and the browser upload."""

from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from cases.panels import Panel, register

from . import selectors


def panel_context(case: Any, user: Any, request: HttpRequest) -> dict[str, Any] | None:
    from cases import policy

    if not user.is_authenticated:
        return None
    can_upload = policy.may_write(user, case)
    return {
        "av_records": list(selectors.records_of_case(case.pk)),
        "av_expected": list(selectors.expected_open_for_case(case.pk).select_related("officer")),
        "av_can_upload": can_upload,
        "av_upload_url": reverse("avrecords_api:uploads"),
    }


register(Panel(key="avrecords", title="音像记录", template="avrecords/_panel.html", context=panel_context, order=40))
