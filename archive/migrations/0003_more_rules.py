"""The rest of the quality rule sheet (issue 16 item 3): every further item Linke checks from its
own records. Points are the Beijing 2016 sheet's example values (鲁司〔2023〕33号 gives none);
procedure-unlawful items are vetoes (鲁司〔2023〕33号 基本标准: 程序合法). The legal-affairs section
changes points and switches items in the admin. Items Linke cannot check are listed in
archive/README.md ("manual items")."""

from importlib import import_module

from django.db import migrations

SD = "鲁司〔2023〕33号"
BJ = "北京市2016评查标准（示例）"
RULES = [
    # code, source, kind, points, check, message, order
    (
        "party.details",
        f"《行政处罚法》第五十九条；{BJ}",
        "points",
        2,
        "party_details",
        "当事人基本情况不全（自然人：姓名、身份证件号码、住址、联系电话；单位：名称、统一社会信用代码、法定代表人、住所、联系电话）",
        50,
    ),
    (
        "decision.remedies",
        f"《行政处罚法》第五十九条第一款第（五）项；{BJ}",
        "points",
        2,
        "remedies_named",
        "决定书未写明行政复议机关或人民法院的全称",
        42,
    ),
    ("decision.dates", f"《行政处罚法》第五十九条第一款第（六）项；{BJ}", "points", 2, "dates_present", "决定书未载明日期", 44),
    (
        "review.investigation_report",
        f"第十三条；{BJ}",
        "points",
        3,
        "investigation_report",
        "无调查终结报告（承办人拟定的事实、证据、依据和处理意见）",
        46,
    ),
    (
        "review.defence",
        f"第十四条第二款；《行政处罚法》第四十五条第一款；{BJ}",
        "points",
        2,
        "defence_rechecked",
        "当事人提出的陈述、申辩或听证意见未逐项复核",
        48,
    ),
    (
        "delivery.decision_late",
        f"《行政处罚法》第六十一条；{BJ}",
        "points",
        10,
        "decision_served_in_time",
        "处罚决定书未在法定期限内送达",
        62,
    ),
    (
        "delivery.lien_av",
        f"第二十条；{BJ}",
        "points",
        10,
        "lien_recorded",
        "留置送达无音像记录（送达过程未记录）",
        64,
    ),
    (
        "procedure.notice",
        f"第十四条；《行政处罚法》第四十四条、第四十五条第二款、第六十二条；{SD}",
        "veto",
        0,
        "party_notified_and_heard",
        "程序违法：未事先告知并听取当事人陈述、申辩，或处罚重于告知内容",
        12,
    ),
    (
        "procedure.hearing",
        f"第十五条；《行政处罚法》第六十三条、第六十四条；{SD}",
        "veto",
        0,
        "hearing_held",
        "程序违法：当事人申请的听证未举行或无听证报告即作出处罚",
        14,
    ),
    (
        "procedure.legal_review",
        f"第十六条；《行政处罚法》第五十八条；{SD}",
        "veto",
        0,
        "legal_review_done",
        "程序违法：应当法制审核而未审核或审核未通过即作出决定",
        16,
    ),
    (
        "procedure.discussion",
        f"第十六条；《行政处罚法》第五十七条第二款；{SD}",
        "veto",
        0,
        "discussion_done",
        "程序违法：应当集体讨论而未讨论，或决定与集体讨论结论不一致",
        18,
    ),
]


def seed(apps, schema_editor):
    import_module("archive.migrations.0002_seed_rules").seed_rules(apps, RULES)


def unseed(apps, schema_editor):
    new = [r[0] for r in RULES if r[0] != "party.details"]  # party.details is 0002's (message updated)
    apps.get_model("archive", "QualityRule").objects.filter(code__in=new).delete()


class Migration(migrations.Migration):
    dependencies = [("archive", "0002_seed_rules")]

    operations = [migrations.RunPython(seed, unseed)]
