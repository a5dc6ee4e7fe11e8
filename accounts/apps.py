from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "用户与角色"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from . import roles

        # Later apps add permissions; keep the role groups' permissions in step with them.
        post_migrate.connect(roles.sync_role_permissions_signal, dispatch_uid="accounts.sync_roles")
