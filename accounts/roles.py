"""Which permissions each role's group holds.

The groups themselves are created by a data migration (accounts 0002). Apps added later
bring new permissions, so the post_migrate signal re-applies this table: it is idempotent
and only ever adds what is listed (permissions an admin granted by hand stay).
Entries are "app_label.codename"; missing ones (an app not migrated yet) are skipped.
"""

from typing import Any

from .models import Role

ROLE_PERMISSIONS: dict[str, list[str]] = {
    Role.OFFICER: [],
    Role.LEGAL_REVIEWER: [],
    Role.HEAD: [],
    Role.ARCHIVIST: [],
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
        wanted = []
        for dotted in perms:
            app_label, codename = dotted.split(".", 1)
            perm = Permission.objects.filter(content_type__app_label=app_label, codename=codename).first()
            if perm is not None:
                wanted.append(perm)
        group.permissions.add(*wanted)


def sync_role_permissions_signal(sender: Any, **kwargs: Any) -> None:
    # Run once, after the last app's post_migrate (permissions exist by then).
    from django.apps import apps

    if sender is list(apps.get_app_configs())[-1]:
        sync_role_permissions()
