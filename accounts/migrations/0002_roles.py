"""Create the role groups (DESIGN.md: who uses it). Their permissions are applied by
accounts.roles after every migrate, since later apps bring new permissions."""

from django.db import migrations

ROLE_LABELS = ["执法人员", "法规科", "机关负责人", "档案管理员", "系统管理员"]


def create_groups(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for name in ROLE_LABELS:
        Group.objects.get_or_create(name=name)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial"), ("auth", "0012_alter_user_first_name_max_length")]
    operations = [migrations.RunPython(create_groups, migrations.RunPython.noop)]
