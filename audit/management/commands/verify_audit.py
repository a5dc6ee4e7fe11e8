from typing import Any

from django.core.management.base import BaseCommand, CommandError

from audit.services import verify_chain, verify_from_checkpoint


class Command(BaseCommand):
    help = "重新计算审计哈希链；完整时退出码为 0，否则指出第一条不一致的记录并以非零退出。"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--since-checkpoint", action="store_true", help="只核验最近一个已签名检查点之后的记录（并核对该检查点）"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        result = verify_from_checkpoint() if options["since_checkpoint"] else verify_chain()
        if not result.ok:
            raise CommandError(result.describe())
        self.stdout.write(result.describe())
