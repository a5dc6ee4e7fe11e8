"""The case page's audio-visual panel: the case's records (player, hash, status), the
recordings it still expects (第二十七条) and the browser upload."""

from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from cases.panels import Panel, register
from linke.pagination import page_of

from . import selectors
from .services import av_refusal


def panel_context(case: Any, user: Any, request: HttpRequest) -> dict[str, Any] | None:
    from cases import policy

    if not user.is_authenticated:
        return None
    # Offered exactly when the upload would put the record on this case (services.av_refusal):
    # to who may write the case's records, in a stage that takes recordings. An officer is
    # told why when it is not offered; the others were never going to upload here.
    refused = av_refusal(user, case)
    officer = policy.may_write(user, case)
    page = page_of(selectors.records_of_case(case.pk).order_by("-created_at", "-pk"), request)
    return {
        "av_records": list(page.object_list),
        "page": page,
        "av_expected": list(selectors.expected_open_for_case(case.pk).select_related("officer")),
        "av_can_upload": refused is None,
        "av_why_not": f"{refused[1]}。" if refused and officer else "",
        "av_upload_url": reverse("avrecords_api:uploads"),
    }


register(
    Panel(
        key="avrecords",
        title="音像记录",
        template="avrecords/_panel.html",
        context=panel_context,
        order=40,
        section="av",
        count=lambda case: selectors.records_of_case(case.pk),
    )
)
