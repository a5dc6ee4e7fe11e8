"""Reads and access checks for audio-visual records. As for cases, anything a user may not
see is a 404 (第二十九条)."""

import datetime as dt

from django.db.models import Q, QuerySet
from django.http import Http404

from accounts.models import Role, User
from cases.selectors import cases_visible_to, refuse_if_sealed

from .models import AVRecord, ExpectedRecord, MediaKind

# The admin inbox: nobody could be matched, or the recorder is not registered (a device
# that must be checked: lost, swapped, or not yet entered in the admin).
_UNMATCHED = Q(owner__isnull=True) | (Q(recorder__isnull=True) & ~Q(recorder_serial=""))


def _is_admin(user: User) -> bool:
    # The 系统管理员 role (checks devices and unmatched uploads); being a superuser grants nothing.
    return user.has_role(Role.ADMIN)


def records_visible_to(user: User) -> QuerySet[AVRecord]:
    """Records on a case the user sees, the user's own inbox, and (for admins) the admin
    inbox of records nobody could be matched to."""
    if not user.is_authenticated or not user.is_active:
        return AVRecord.objects.none()
    cond = (
        Q(case__in=cases_visible_to(user)) | Q(case__isnull=True, owner=user) | Q(case__isnull=True, uploaded_by=user)
    )
    if _is_admin(user):
        cond |= Q(case__isnull=True) & _UNMATCHED
    return AVRecord.objects.filter(cond)


def record_for_user(user: User, pk: int, *, write: bool = False) -> AVRecord:
    """The record if `user` sees it (else Http404); with write=True, also only if `user` may edit
    it (may_edit; else Http404, or stages.CaseSealed on a sealed case they see: 409)."""
    record = (
        records_visible_to(user)
        .filter(pk=pk)
        .select_related("case", "owner", "maker", "recorder", "station", "uploaded_by", "finalised_by")
        .first()
    )
    if record is None:
        raise Http404("音像记录不存在")
    if write and not may_edit(user, record):
        if record.case is not None:
            refuse_if_sealed(user, record.case)  # a sealed case: 409 naming the 档号 (第二十八条)
        raise Http404("音像记录不存在")
    return record


def may_edit(user: User, record: AVRecord) -> bool:
    """Officers edit their inbox records and the records of cases they may write to."""
    if record.case_id is None:
        return (
            record.owner_id == user.pk
            or record.uploaded_by_id == user.pk
            or (record.owner_id is None and _is_admin(user))
        )
    from cases import policy

    return record.case is not None and policy.may_write(user, record.case)


def inbox_for(user: User) -> QuerySet[AVRecord]:
    """The officer's records waiting for a case (newest first)."""
    return AVRecord.objects.filter(case__isnull=True, owner=user).select_related("recorder", "station")


def admin_inbox() -> QuerySet[AVRecord]:
    """Records without a case that nobody could be matched to, or from an unregistered recorder."""
    return AVRecord.objects.filter(Q(case__isnull=True) & _UNMATCHED).select_related("recorder", "station")


def details_missing(record: AVRecord) -> list[str]:
    """第二十六条: the description a record lacks, one Chinese line each ("第二十六条：制作方法", …):
    制作方法, 制作时间, 制作人, 证明对象, and for sound the text of what is said. Empty: described.
    One rule for finalising (avrecords.services.finalise_missing) and the quality review
    (archive.checks av_described)."""
    out = []
    if not record.method.strip():
        out.append("第二十六条：制作方法")
    if record.made_at is None:
        out.append("第二十六条：制作时间")
    if record.maker_id is None:
        out.append("第二十六条：制作人")
    if not record.proves.strip():
        out.append("第二十六条：证明对象")
    if record.kind == MediaKind.AUDIO and not record.transcript.strip():
        out.append("第二十六条：声音资料的文字记录")
    return out


def records_of_case(case_id: int) -> QuerySet[AVRecord]:
    return AVRecord.objects.filter(case_id=case_id).select_related("owner", "maker", "recorder")


def records_not_stored(case_id: int) -> QuerySet[AVRecord]:
    """The case's AV records received but whose original is not in dedicated storage yet
    (第二十七条; no original_key): not items of its case file until stored."""
    return AVRecord.objects.filter(case_id=case_id, original_key="").order_by("created_at", "pk")


def expected_open_for_case(case_id: int) -> QuerySet[ExpectedRecord]:
    return ExpectedRecord.objects.filter(case_id=case_id, fulfilled_at__isnull=True, withdrawn_at__isnull=True)


def expected_overdue(now: dt.datetime) -> QuerySet[ExpectedRecord]:
    """Expected records still missing after their 2 working days (第二十七条)."""
    from deadlines.models import DeadlineKind
    from deadlines.selectors import overdue_target_ids

    late = overdue_target_ids(DeadlineKind.AV_EXPECTED, now)
    return ExpectedRecord.objects.filter(pk__in=late, fulfilled_at__isnull=True, withdrawn_at__isnull=True)
