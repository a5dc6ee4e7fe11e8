"""Seed the quality rule sheet with every item Linke checks from its own records. Points are
the Beijing 2016 sheet's example values (鲁司〔2023〕33号 gives none); the legal-affairs
section changes them in the admin."""

from django.db import migrations

SD = "鲁司〔2023〕33号"
BJ = "北京市2016评查标准（示例）"
RULES = [
    # code, source, kind, points, check, message, order
    ("officers.two", f"《行政处罚法》第四十二条；{SD}", "veto", 0, "two_officers", "执法人员少于两人", 10),
    (
        "officers.certified",
        f"《行政处罚法》第四十二条；{SD}",
        "veto",
        0,
        "officers_certified",
        "有执法人员未登记执法证号",
        20,
    ),
    (
        "decision.performance",
        f"《行政处罚法》第五十九条；{BJ}",
        "points",
        5,
        "decision_performance",
        "处罚决定书未载明履行方式和期限",
        30,
    ),
    (
        "decision.basis",
        f"《行政处罚法》第五十九条；{BJ}",
        "points",
        2,
        "decision_basis_cited",
        "法律依据未引用到条、款、项",
        40,
    ),
    (
        "party.details",
        f"《行政处罚法》第五十九条；{BJ}",
        "points",
        2,
        "party_details",
        "当事人基本情况不全（自然人：姓名、身份证件号码、住址；单位：名称、统一社会信用代码、法定代表人、住所）",
        50,
    ),
    ("delivery.decision", f"第五章；{BJ}", "points", 10, "decision_served", "无处罚决定书送达凭证", 60),
    ("delivery.notice", f"第十四条；{BJ}", "points", 10, "notice_served", "无行政处罚事先告知书送达凭证", 70),
    (
        "delivery.hearing_notice",
        f"第十五条；《行政处罚法》第六十四条；{BJ}",
        "points",
        10,
        "hearing_notice_served",
        "无听证通知书送达凭证",
        80,
    ),
]


def seed(apps, schema_editor):
    seed_rules(apps, RULES)


def seed_rules(apps, rules):
    """Create or update each rule row (code, source, kind, points, check, message, order); later
    seed migrations call it with their own rows."""
    QualityRule = apps.get_model("archive", "QualityRule")
    for code, source, kind, points, check_name, message, order in rules:
        QualityRule.objects.update_or_create(
            code=code,
            defaults={
                "source": source,
                "kind": kind,
                "points": points,
                "check_name": check_name,
                "message": message,
                "order": order,
            },
        )


def unseed(apps, schema_editor):
    apps.get_model("archive", "QualityRule").objects.filter(code__in=[r[0] for r in RULES]).delete()


class Migration(migrations.Migration):
    dependencies = [("archive", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
