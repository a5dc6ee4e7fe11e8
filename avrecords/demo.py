"""Demo devices: a recorder for each demo officer and one collection station (its token is
printed only when the station is created). Idempotent."""

from typing import Any

from .models import CollectionStation, Recorder
from .services import station_create

RECORDERS = [("DSJ-DEMO-0001", "officer"), ("DSJ-DEMO-0002", "officer2"), ("DSJ-DEMO-0003", "officer3")]


def seed(stdout: Any, users: dict[str, Any]) -> None:
    for serial, username in RECORDERS:
        Recorder.objects.get_or_create(serial=serial, defaults={"model": "演示型执法记录仪", "officer": users.get(username)})
    if not CollectionStation.objects.filter(name="演示采集站").exists():
        _, token = station_create(name="演示采集站", location="执法一科值班室")
        stdout.write(f"演示采集站令牌（仅显示这一次）：{token}")
    stdout.write(f"执法记录仪 {len(RECORDERS)} 台、采集站 1 个就绪（上传接口 /api/v1/uploads/，见 docs/stations.md）。")
