from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "documents"
    verbose_name = "执法文书"

    def ready(self) -> None:
        from accounts.models import Role
        from accounts.roles import register

        register(Role.ADMIN, "documents.view_document", "documents.view_counter")
