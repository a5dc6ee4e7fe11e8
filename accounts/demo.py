"""Demo users for the embedded default: one per role, all with the printed password."""

from typing import Any

from django.contrib.auth.models import Group

from .models import Department, Role, User

DEMO_PASSWORD = "linke-demo-2026"

DEMO_USERS: list[dict[str, Any]] = [
    {
        "username": "officer",
        "last_name": "张",
        "first_name": "伟",
        "role": Role.OFFICER,
        "cert_no": "37130020190001",
        "dept": "ZF1",
    },
    {
        "username": "officer2",
        "last_name": "李",
        "first_name": "娜",
        "role": Role.OFFICER,
        "cert_no": "37130020190002",
        "dept": "ZF1",
    },
    {
        "username": "officer3",
        "last_name": "孙",
        "first_name": "强",
        "role": Role.OFFICER,
        "cert_no": "37130020190003",
        "dept": "ZF2",
    },
    {"username": "chief", "last_name": "周", "first_name": "敏", "role": Role.SECTION_CHIEF, "dept": "ZF1"},
    # 《行政处罚法》第五十八条第二款: the demo's first reviewer holds the national legal qualification
    # (a made-up number), so the 法制审核 sheet can be tried; reviewer2 shows the refusal without it.
    {
        "username": "reviewer",
        "last_name": "王",
        "first_name": "芳",
        "role": Role.LEGAL_REVIEWER,
        "dept": "FG",
        "legal_qualification_no": "A20183713020001",
    },
    # 第十三条: 审理 and 审核 are signed by two people of 法规科.
    {"username": "reviewer2", "last_name": "吴", "first_name": "倩", "role": Role.LEGAL_REVIEWER, "dept": "FG"},
    {"username": "head", "last_name": "刘", "first_name": "洋", "role": Role.HEAD, "dept": None},
    {"username": "archivist", "last_name": "陈", "first_name": "静", "role": Role.ARCHIVIST, "dept": "BGS"},
    {"username": "admin", "last_name": "赵", "first_name": "磊", "role": Role.ADMIN, "dept": "BGS", "superuser": True},
]
DEPARTMENTS = {"ZF1": "执法一科", "ZF2": "执法二科", "FG": "法规科", "BGS": "办公室"}


def seed(stdout: Any) -> dict[str, User]:
    depts = {
        code: Department.objects.get_or_create(code=code, defaults={"name": name})[0]
        for code, name in DEPARTMENTS.items()
    }
    users: dict[str, User] = {}
    for spec in DEMO_USERS:
        user, created = User.objects.get_or_create(
            username=spec["username"],
            defaults={
                "last_name": spec["last_name"],
                "first_name": spec["first_name"],
                "cert_no": spec.get("cert_no"),
                "legal_qualification_no": spec.get("legal_qualification_no", ""),
                "department": depts.get(spec["dept"] or ""),
            },
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            if spec.get("superuser"):
                user.is_staff = user.is_superuser = True
            user.save()
        user.groups.add(Group.objects.get_or_create(name=spec["role"].label)[0])
        users[spec["username"]] = user
        stdout.write(
            f"  {spec['role'].label:　<6} {spec['username']:<10} 密码 {DEMO_PASSWORD}{'' if created else '（已存在）'}"
        )
    return users
