from django.apps import AppConfig


class ArchiveConfig(AppConfig):
    name = "archive"
    verbose_name = "案卷归档"

    def ready(self) -> None:
        # Statistics (archive.stats): a case reaching 已决定/已结案/已归档 gets its stored score.
        from cases.models import Case
        from cases.signals import case_transitioned

        from . import stats

        case_transitioned.connect(stats.on_case_transitioned, sender=Case, dispatch_uid="archive.stats_score")
        # The 归档 transition (已结案 → 已归档) and the read-only guard of sealed cases.
        from . import actions, guard  # noqa: F401

        guard.install()
        # The head's 待我审批 on the dashboard: addenda, veto overrides, consultation requests.
        from cases.selectors import register_pending_approvals

        from .selectors import head_pending_approvals

        register_pending_approvals("archive", head_pending_approvals)
        # 第二十八条: the files awaiting a 检查人 (another archivist, 法规科, the head), theirs to check.
        from .check_pending import check_pending_approvals

        register_pending_approvals("archive.check", check_pending_approvals)
