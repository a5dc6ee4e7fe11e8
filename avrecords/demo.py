"""Demo devices and one demo recording: a recorder for each demo officer, a collection
station (its token is printed only when it is created), and a short generated video on the
officer's case under investigation, ingested like any upload. Idempotent."""

import shutil
import subprocess
import tempfile
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.utils import timezone

from cases.models import CaseState
from cases.selectors import cases_of_officer

from .models import AVRecord, CollectionStation, Recorder
from .services import station_create, upload_advance, upload_create
from .storage import staging_path

RECORDERS = [("DSJ-DEMO-0001", "officer"), ("DSJ-DEMO-0002", "officer2"), ("DSJ-DEMO-0003", "officer3")]


def seed(stdout: Any, users: dict[str, Any]) -> None:
    for serial, username in RECORDERS:
        Recorder.objects.get_or_create(
            serial=serial, defaults={"model": "演示型执法记录仪", "officer": users.get(username)}
        )
    station = CollectionStation.objects.filter(name="演示采集站").first()
    if station is None:
        station, token = station_create(name="演示采集站", location="执法一科值班室")
        stdout.write(f"演示采集站令牌（仅显示这一次）：{token}")
    stdout.write(f"执法记录仪 {len(RECORDERS)} 台、采集站 1 个就绪（上传接口 /api/v1/uploads/，见 docs/stations.md）。")
    _demo_recording(stdout, users, station)


def _demo_recording(stdout: Any, users: dict[str, Any], station: CollectionStation) -> None:
    officer = users.get("officer")
    # On the case under investigation (the one with the written records), else the officer's first.
    case = (
        (cases_of_officer(officer, CaseState.INVESTIGATING).first() or cases_of_officer(officer).first())
        if officer
        else None
    )
    if case is None or AVRecord.objects.exists() or not shutil.which("ffmpeg"):
        return
    ended = timezone.localtime().replace(microsecond=0)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "20261127_现场检查.mp4"
        subprocess.run(
            [
                "ffmpeg",
                "-v",
                "error",
                "-f",
                "lavfi",
                "-i",
                "testsrc2=size=640x360:rate=25:duration=3",
                "-f",
                "lavfi",
                "-i",
                "sine=frequency=500:duration=3",
                "-c:v",
                "libx264",
                "-pix_fmt",
                "yuv420p",
                "-c:a",
                "aac",
                str(path),
            ],
            check=True,
        )
        upload = upload_create(
            length=path.stat().st_size,
            station=station,
            metadata={
                "filename": path.name,
                "recorder": "DSJ-DEMO-0001",
                "officer": (officer.cert_no if officer else "") or "",
                "case": case.ref,
                "started_at": (ended - timedelta(seconds=3)).isoformat(),
                "ended_at": ended.isoformat(),
            },
        )
        shutil.copyfile(path, staging_path(upload.pk))
    upload_advance(upload_id=upload.pk, offset=upload.length)  # ingested after this seed's commit
    stdout.write(f"演示音像记录已上传至案件 {case.ref}。")
