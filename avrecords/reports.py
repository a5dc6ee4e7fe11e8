"""The per-record chain-of-custody report (PDF), as evidence systems give courts: every
audit entry about the record, from receipt onwards, with their chain hashes."""

from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone

from audit.models import Entry

from .models import AVRecord

ACTION_LABELS = {
    "av.received": "接收上传",
    "av.hashed": "计算摘要",
    "av.stored": "存入专用存储",
    "av.probed": "媒体探测",
    "av.flagged": "标记问题",
    "av.processed": "处理完成",
    "av.viewed": "查看",
    "av.played": "播放",
    "av.downloaded": "下载原件",
    "av.integrity_checked": "完整性核验",
    "av.assigned": "归入案件",
    "av.owner_set": "分派",
    "av.described": "修改记录信息",
    "av.late_explained": "逾期说明",
    "av.finalised": "定稿",
    "av.custody_report": "生成保管链报告",
}


def custody_entries(record: AVRecord) -> list[Entry]:
    entries = list(Entry.objects.filter(object_type="avrecords.avrecord", object_id=str(record.pk)).order_by("seq"))
    for e in entries:
        e.label = ACTION_LABELS.get(e.action, e.action)  # type: ignore[attr-defined]
    return entries


def custody_pdf(record: AVRecord, user: Any) -> bytes:
    from weasyprint import HTML

    html = render_to_string(
        "avrecords/custody.html",
        {
            "record": record,
            "entries": custody_entries(record),
            "user": user,
            "now": timezone.now(),
            "agency": settings.AGENCY_NAME,
        },
    )
    return HTML(string=html).write_pdf()
