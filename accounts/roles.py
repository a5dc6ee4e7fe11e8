"""Which permissions each role's group holds.

The groups themselves are created by a data migration (accounts 0002). Apps added later
bring new permissions, so the post_migrate signal re-applies this table: it is idempotent
and only ever adds what is listed (permissions an admin granted by hand stay).
Entries are "app_label.codename", or "app_label.view_*"-style patterns (every permission of
that app whose codename starts with the part before "*"); missing ones (an app not migrated
yet) are skipped. The services check roles for each transition; these permissions are
what the same people may see and do through Django admin and permission checks.
"""

from typing import Any

from .models import Role

_CASE_APPS = ("cases", "records", "avrecords", "documents", "deadlines", "review", "delivery", "archive")

ROLE_PERMISSIONS: dict[str, list[str]] = {
    # Officers record cases: they see and add/change the records of their cases.
    Role.OFFICER: [f"{app}.{verb}_*" for app in _CASE_APPS for verb in ("view", "add", "change")],
    # 承办机构负责人 signs the unit's opinion on the cases of the department: sees their records.
    Role.SECTION_CHIEF: [f"{app}.view_*" for app in _CASE_APPS],
    # 法规科 reviews every case (第十三条): sees all records, works the review queue.
    Role.LEGAL_REVIEWER: [f"{app}.view_*" for app in _CASE_APPS],
    # 机关负责人 approves (第八条、第十六条、第二十九条): sees all records.
    Role.HEAD: [f"{app}.view_*" for app in _CASE_APPS],
    # 档案管理员 (第二十八条 专人) assembles and keeps case files.
    Role.ARCHIVIST: [f"{app}.view_*" for app in _CASE_APPS] + ["archive.add_*", "archive.change_*"],
    Role.ADMIN: [
        "accounts.add_user",
        "accounts.change_user",
        "accounts.view_user",
        "accounts.add_department",
        "accounts.change_department",
        "accounts.view_department",
        "auth.view_group",
        "auth.change_group",
        "audit.view_entry",
        "audit.view_checkpoint",
    ],
}


def register(role: Role, *perms: str) -> None:
    """Apps call this from their AppConfig.ready() to give a role their permissions."""
    bucket = ROLE_PERMISSIONS.setdefault(role, [])
    bucket.extend(p for p in perms if p not in bucket)


def sync_role_permissions() -> None:
    from django.contrib.auth.models import Group, Permission

    for role, perms in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=Role(role).label)
        wanted: list[Permission] = []
        for dotted in perms:
            app_label, codename = dotted.split(".", 1)
            qs = Permission.objects.filter(content_type__app_label=app_label)
            if codename.endswith("*"):
                wanted.extend(qs.filter(codename__startswith=codename[:-1]))
            else:
                wanted.extend(qs.filter(codename=codename))
        group.permissions.add(*wanted)


def sync_role_permissions_signal(sender: Any, **kwargs: Any) -> None:
    # Run once, after the post_migrate of the last app that has models: by then every
    # app's permissions have been created.
    from django.apps import apps

    with_models = [c for c in apps.get_app_configs() if c.models_module is not None]
    if with_models and sender is with_models[-1]:
        sync_role_permissions()
