"""The case page's audio-visual panel: the case's records (player, hash, status), the
recordings it still expects (第二十七条) and the browser upload."""

from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from cases.models import CaseState
from cases.panels import Panel, register

from . import selectors


def panel_context(case: Any, user: Any, request: HttpRequest) -> dict[str, Any] | None:
    from cases import policy

    if not user.is_authenticated:
        return None
    can_upload = policy.may_write(user, case)
    # An archived case file is closed (第二十八条): it accepts no more recordings.
    archived = case.state == CaseState.ARCHIVED
    return {
        "av_records": list(selectors.records_of_case(case.pk)),
        "av_expected": list(selectors.expected_open_for_case(case.pk).select_related("officer")),
        "av_can_upload": can_upload and not archived,
        "av_archived": archived,
        "av_upload_url": reverse("avrecords_api:uploads"),
    }


register(Panel(key="avrecords", title="音像记录", template="avrecords/_panel.html", context=panel_context, order=40))
