"""The per-record chain-of-custody report (PDF), as evidence systems give courts: every
audit entry about the record, from receipt onwards, with their chain hashes.

Read by people outside the system (第三条、第四条: the trail must be traceable by whoever checks
it): each entry is a row in Chinese — its time in the agency's local time (settings.TIME_ZONE,
Asia/Shanghai), the actor by name and 执法证号, the action's Chinese name and its content as
"项目：值" lines, never the stored JSON."""

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from accounts.models import User
from accounts.selectors import users_by_username
from audit import selectors as audit_selectors
from audit.models import Entry
from audit.vocabulary import action_label

from .audit_actions import AuditAction
from .models import AVRecord, AVRecordStatus, MediaKind
from .services import CONTENT_POINTS

# The payload keys of avrecords' audit entries, in Chinese. A key missing here falls back to
# the AVRecord field of that name (its verbose name).
_KEY_LABELS = {
    "sha256": "原件 SHA-256",
    "declared_sha256": "申报 SHA-256",
    "matches_declared": "与申报值一致",
    "size": "大小（字节）",
    "length": "文件大小（字节）",
    "offset": "已接收（字节）",
    "old_offset": "原已接收（字节）",
    "filename": "文件名",
    "station": "采集站",
    "recorder": "执法记录仪",
    "case_number": "案件编号",
    "number": "案件编号",
    "upload": "上传编号",
    "started_at": "开始录制时间",
    "ended_at": "结束录制时间",
    "key": "存储位置",
    "version": "存储版本",
    "new_object": "新存入的对象",
    "due": "存储期限",
    "late": "逾期存储",
    "kind": "类型",
    "duration": "时长（秒）",
    "width": "宽度（像素）",
    "height": "高度（像素）",
    "video_codec": "视频编码",
    "audio_codecs": "音频编码",
    "error": "错误信息",
    "reason": "原因",
    "status": "处理状态",
    "problems": "发现的问题",
    "made_at": "制作时间",
    "maker": "制作人",
    "owner": "执法人员",
    "proves": "证明对象",
    "method": "制作方法",
    "content_points": "重点记录内容",
    "ok": "核验结果",
    "expected": "应为",
    "computed": "实算",
    "source": "来源记录",
    "label": "说明",
    "record": "音像记录编号",
    "copy": "下载的文件",
    "viewing": "播放标识",
    "changes": "修改内容",
    "store_deadline_from": "存储期限起算",
    "concat": "分段上传",
    "parts": "分段",
    "detail": "技术细节",
    "code": "问题代码",
}
# Per action, where a key means something else there.
_ACTION_KEY_LABELS = {
    AuditAction.HASHED: {"method": "计算方式"},
    AuditAction.OWNER_SET: {"old": "原执法人员", "new": "执法人员"},
    AuditAction.LATE_EXPLAINED: {"old": "原说明"},
}
# Internal ids and codes that the Chinese fields beside them already say.
_SKIP = {"code", "from_case", "to_case"}
_VALUE_LABELS: dict[str, dict[str, str]] = {
    "kind": dict(MediaKind.choices),
    "status": dict(AVRecordStatus.choices),
    "content_points": dict(CONTENT_POINTS),
    "copy": {"proxy": "播放副本", "original": "原件"},
}
_ACTION_VALUE_LABELS = {AuditAction.HASHED: {"method": {"received": "接收时同步计算", "read": "读取文件计算"}}}
_PEOPLE = {"maker", "owner", "old", "new"}  # payload values that are usernames (of the people named)
_ISO_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")
_MAX = 300


def report_zone() -> ZoneInfo:
    """The agency's local time zone (settings.TIME_ZONE), whatever zone the request activated."""
    return ZoneInfo(settings.TIME_ZONE)


def local_time(value: dt.datetime | None) -> str:
    """'YYYY-MM-DD HH:MM:SS' in the agency's local time; '' for None."""
    if value is None:
        return ""
    return timezone.localtime(value, report_zone()).strftime("%Y-%m-%d %H:%M:%S")


def person(user: User | None, fallback: str = "系统") -> str:
    """A person as the report names them: '张伟（执法证号 37130000001）', or the name alone for
    someone without a 执法证号; `fallback` for no one (the system, a collection station)."""
    if user is None:
        return fallback
    return f"{user}（执法证号 {user.cert_no}）" if user.cert_no else str(user)


@dataclass
class CustodyRow:
    seq: int
    at: str  # local time
    actor: str
    action: str
    details: list[tuple[str, str]]
    hash: str


def custody_entries(record: AVRecord) -> list[Entry]:
    entries = list(audit_selectors.entries_about(record))
    for e in entries:
        e.label = action_label(e.action)  # type: ignore[attr-defined]
    return entries


def custody_rows(record: AVRecord) -> list[CustodyRow]:
    """The record's audit entries in order, as rows of the report (shapes above)."""
    entries = custody_entries(record)
    usernames = {v for e in entries for k, v in e.data.items() if k in _PEOPLE and isinstance(v, str) and v}
    for e in entries:
        for change in (e.data.get("changes") or {}).values():
            if isinstance(change, dict):
                usernames.update(str(v) for v in change.values() if isinstance(v, str) and v)
    people = {u.username: person(u) for u in users_by_username(usernames)}
    return [
        CustodyRow(
            seq=e.seq,
            at=local_time(e.created_at),
            actor=person(e.actor, e.actor_name or "系统"),
            action=e.label,  # type: ignore[attr-defined]
            details=_details(e.action, e.data, people),
            hash=e.hash,
        )
        for e in entries
    ]


def _label(action: str, key: str) -> str:
    special = _ACTION_KEY_LABELS.get(action, {})  # type: ignore[call-overload]
    if key in special:
        return str(special[key])
    if key in _KEY_LABELS:
        return _KEY_LABELS[key]
    try:
        field = AVRecord._meta.get_field(key)
    except FieldDoesNotExist:
        return f"其他（{key}）"  # a field no label names yet: shown, but never as an English heading
    return str(getattr(field, "verbose_name", key))


def _value(action: str, key: str, value: Any, people: dict[str, str]) -> str:
    if value is None or value == "" or value == [] or value == {}:
        return ""
    if isinstance(value, bool):
        if key == "ok":
            return "一致" if value else "不一致"
        return "是" if value else "否"
    if isinstance(value, list):
        return "、".join(filter(None, (_value(action, key, v, people) for v in value)))
    if isinstance(value, dict):
        if set(value) <= {"old", "new"}:  # a change: old → new
            old = _value(action, key, value.get("old"), people) or "（空）"
            new = _value(action, key, value.get("new"), people) or "（空）"
            return f"{old} → {new}"
        parts = ((_label(action, k), _value(action, k, v, people)) for k, v in value.items())
        return "；".join(f"{k}：{v}" for k, v in parts if v)
    text = str(value)
    names = {**_VALUE_LABELS.get(key, {}), **_ACTION_VALUE_LABELS.get(action, {}).get(key, {})}  # type: ignore[call-overload]
    if text in names:
        return names[text]
    if key in _PEOPLE and text in people:
        return people[text]
    if isinstance(value, str) and _ISO_TIME.match(value):
        parsed = parse_datetime(value)
        if parsed is not None:
            return local_time(parsed if parsed.tzinfo else timezone.make_aware(parsed, dt.UTC))
    return text if len(text) <= _MAX else text[:_MAX] + "…"


def _details(action: str, data: dict[str, Any], people: dict[str, str]) -> list[tuple[str, str]]:
    out = []
    for key, value in data.items():
        if key in _SKIP:
            continue
        if key == "changes" and isinstance(value, dict):
            for field, change in value.items():
                shown = _value(action, field, change, people)
                out.append((_label(action, field), shown))
            continue
        shown = _value(action, key, value, people)
        if shown:
            out.append((_label(action, key), shown))
    return out


def custody_pdf(record: AVRecord, user: Any) -> bytes:
    """The report as PDF bytes (A4, WeasyPrint), page numbers 第X页 共Y页."""
    from weasyprint import HTML

    html = render_to_string(
        "avrecords/custody.html",
        {
            "record": record,
            "rows": custody_rows(record),
            "owner": person(record.owner, "—"),
            "maker": person(record.maker, "—"),
            "by": person(user),
            "times": {
                "stored_at": local_time(record.stored_at),
                "started_at": local_time(record.started_at),
                "ended_at": local_time(record.ended_at),
                "now": local_time(timezone.now()),
            },
            "zone": settings.TIME_ZONE,
            "agency": settings.AGENCY_NAME,
        },
    )
    return HTML(string=html).write_pdf()
