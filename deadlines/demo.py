"""Demo: the deadlines come from the other apps' demo data (filing opens the 90-day period,
a filmed inspection expects its recording within 2 working days …). After every app has
seeded, one scan sends the reminders and escalations the periodic task would (the embedded
default runs no beat), so the bell and the red rows show. Idempotent (notifications dedupe)."""

from typing import Any

from .services import deadlines_scan


def seed(stdout: Any, users: dict[str, Any]) -> None:
    """Runs before the cases exist (INSTALLED_APPS order): nothing to do yet."""


def finish(stdout: Any, users: dict[str, Any]) -> None:
    counts = deadlines_scan()
    stdout.write(f"期限扫描：提醒 {counts['reminded']} 项，逾期督办 {counts['escalated']} 项。")
