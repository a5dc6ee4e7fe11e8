from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from avrecords.models import CollectionStation
from avrecords.services import station_create


class Command(BaseCommand):
    help = "登记一个采集站并打印其上传令牌（令牌只显示这一次，系统只保存其摘要）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name", help="采集站名称")
        parser.add_argument("--location", default="", help="安放位置")

    def handle(self, *args: Any, **options: Any) -> None:
        if CollectionStation.objects.filter(name=options["name"]).exists():
            raise CommandError(f"采集站“{options['name']}”已存在；如需新令牌，请在管理后台重新生成。")
        station, token = station_create(name=options["name"], location=options["location"])
        self.stderr.write(f"已登记采集站“{station.name}”（#{station.pk}）。令牌只显示这一次：")
        self.stdout.write(token)
