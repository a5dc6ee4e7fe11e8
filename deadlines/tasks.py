"""Periodic scan and e-mail of notifications."""

from __future__ import annotations

from celery import Task, shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.utils import timezone

from .models import Notification
from .services import calendar_missing_warn, deadlines_scan


@shared_task(bind=True, acks_late=True)
def deadlines_scan_task(self: Task, batch: int | None = None) -> dict[str, int]:
    """Beat runs this every 15 minutes (CELERY_BEAT_SCHEDULE "deadlines-scan"). Bounded
    batches; when one was full it queues itself again, on the queue it was consumed from
    (a worker's own app config may name another default queue). Safe to run twice at once."""
    result = deadlines_scan(batch=batch)
    calendar_missing_warn()
    if result["more"]:
        queue = (self.request.delivery_info or {}).get("routing_key")
        self.apply_async((batch,), **({"queue": queue} if queue else {}))
    return result


@shared_task(acks_late=True)
def notifications_email_task(dedupe_keys: list[str]) -> int:
    """E-mail notifications to users with an address. Each is claimed by a conditional
    UPDATE (emailed_at IS NULL) before sending: at most once, even if run twice."""
    if not settings.EMAIL_ENABLED:
        return 0
    sent = 0
    rows = Notification.objects.filter(dedupe_key__in=dedupe_keys, emailed_at__isnull=True).select_related("user")
    for note in rows:
        if not note.user.email:
            continue
        if not Notification.objects.filter(pk=note.pk, emailed_at__isnull=True).update(emailed_at=timezone.now()):
            continue
        # SITE_URL (e.g. https://linke.example.gov.cn), when set, makes the link absolute.
        link = f"{getattr(settings, 'SITE_URL', '').rstrip('/')}{note.link}" if note.link else ""
        send_mail("临科 · 期限提醒", f"{note.text}\n{link}", None, [note.user.email])
        sent += 1
    return sent
