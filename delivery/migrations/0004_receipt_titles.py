"""A delivery file stored before its 题名 named the document it proves (delivery.methods.file_title)
is titled as a new one is: "送达回证（行政处罚决定书 临科罚决〔2026〕3号）" instead of the element's
label "签收的送达回证（扫描件）" — two receipts of one case told apart in the 卷内目录 (第十八、二十一条).
A sealed case (已归档) keeps its titles: its file is fixed as sealed (第二十八条). Only a
description still equal to the label it was stored under is changed. The labels and titles are
frozen here as delivery.methods had them."""

from django.db import migrations

# The file elements' labels (what the description was) and their titles (file_title's "what").
TITLES = {
    "签收的送达回证（扫描件）": "送达回证",
    "邮寄送达登记（扫描件）": "邮寄送达登记",
    "付邮凭证（扫描件）": "付邮凭证",
    "邮寄清单（扫描件）": "邮寄清单",
    "邮件回执（扫描件）": "邮件回执",
    "委托函或转交函（扫描件）": "委托函或转交函",
    "公告文本（文件）": "公告文本",
    "在受送达人住所张贴公告的照片或视频": "在受送达人住所张贴公告的照片或视频",
    "送达成功记录（系统回执或截图）": "送达成功记录（系统回执或截图）",
}
DESCRIPTION_MAX = 255  # cases.Attachment.description


def retitle(apps, schema_editor):
    DeliveryFile = apps.get_model("delivery", "DeliveryFile")
    Attachment = apps.get_model("cases", "Attachment")
    rows = DeliveryFile.objects.select_related("attachment", "attempt__document").exclude(
        attachment__case__state="archived"
    )
    for row in rows.filter(attachment__description__in=list(TITLES)):
        doc = row.attempt.document
        about = f"{doc.title} {doc.number}".strip()
        what = TITLES[row.attachment.description]
        title = f"{what}（{about}）" if about else what
        Attachment.objects.filter(pk=row.attachment_id).update(description=title[:DESCRIPTION_MAX])


class Migration(migrations.Migration):
    dependencies = [
        ("delivery", "0003_execution_enforcement_conclusion"),
        ("cases", "0023_archive_check"),
        ("documents", "0005_document_masked_rendition"),
    ]

    operations = [migrations.RunPython(retitle, migrations.RunPython.noop)]
