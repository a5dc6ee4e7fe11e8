"""Dedicated storage (第二十七条): originals are write-once, keyed by content hash, and on
S3 locked with Object Lock COMPLIANCE retention. Against a real SeaweedFS on loopback."""

import hashlib
from pathlib import Path

import pytest
from botocore.exceptions import ClientError
from django.contrib.admin.sites import site
from django.core.files.base import ContentFile

from avrecords.models import AVRecord, AVRecordStatus
from avrecords.storage import (
    OriginalExists,
    OriginalImmutable,
    OriginalMismatch,
    original_hash,
    original_key,
    original_put,
    originals,
)

from .conftest import receive

pytestmark = pytest.mark.django_db


def _file(tmp_path: Path, content: bytes) -> tuple[Path, str]:
    path = tmp_path / "original.bin"
    path.write_bytes(content)
    return path, hashlib.sha256(content).hexdigest()


def test_s3_original_is_locked_and_stored_once(s3_originals, seaweedfs, tmp_path):
    path, digest = _file(tmp_path, b"body-worn recorder bytes " * 1000)
    key, version, created = original_put(path, digest)
    assert created and key == original_key(digest) and version

    again = original_put(path, digest)
    assert again == (key, version, False)  # same content: no second object, no second version
    versions = s3_originals.list_object_versions(Bucket=seaweedfs["bucket"], Prefix=key).get("Versions", [])
    assert len(versions) == 1

    retention = s3_originals.get_object_retention(Bucket=seaweedfs["bucket"], Key=key, VersionId=version)
    assert retention["Retention"]["Mode"] == "COMPLIANCE"
    assert original_hash(key, version) == (digest, path.stat().st_size)


def test_s3_locked_version_cannot_be_deleted_or_overwritten(s3_originals, seaweedfs, tmp_path):
    path, digest = _file(tmp_path, b"evidence that must survive")
    key, version, _ = original_put(path, digest)
    bucket = seaweedfs["bucket"]

    # The app has no way to do it ...
    with pytest.raises(OriginalImmutable):
        originals().delete(key)
    with pytest.raises(OriginalExists):
        originals().save(key, ContentFile(b"forged"))
    # ... and the server refuses it to anyone holding the bucket's keys: the locked version stays.
    with pytest.raises(ClientError) as refused:
        s3_originals.delete_object(Bucket=bucket, Key=key, VersionId=version)
    assert refused.value.response["Error"]["Code"] == "AccessDenied"
    s3_originals.put_object(Bucket=bucket, Key=key, Body=b"forged")  # a new version on top ...
    assert original_hash(key, version)[0] == digest  # ... leaves the recorded version intact
    body = s3_originals.get_object(Bucket=bucket, Key=key, VersionId=version)["Body"].read()
    assert body == b"evidence that must survive"


def test_s3_content_stored_again_records_the_verified_old_version_not_a_forged_newer_one(
    s3_originals, seaweedfs, tmp_path
):
    path, digest = _file(tmp_path, b"the real recording")
    key, first, _ = original_put(path, digest)
    bucket = seaweedfs["bucket"]
    s3_originals.put_object(Bucket=bucket, Key=key, Body=b"forged")  # newer version on top
    key, version, created = original_put(path, digest)
    assert not created and version == first
    # The version already recorded for this content wins, once its hash is checked.
    again = s3_originals.put_object(Bucket=bucket, Key=key, Body=b"the real recording")["VersionId"]
    assert original_put(path, digest, known_version=again)[1] == again
    s3_originals.put_object(Bucket=bucket, Key=key, Body=b"forged again")
    assert original_put(path, digest, known_version=again)[1] == again


def test_s3_no_version_with_the_right_hash_is_refused(s3_originals, seaweedfs, tmp_path):
    path, digest = _file(tmp_path, b"content someone raced to forge")
    s3_originals.put_object(Bucket=seaweedfs["bucket"], Key=original_key(digest), Body=b"forged first")
    with pytest.raises(OriginalMismatch):
        original_put(path, digest)


def test_pipeline_end_to_end_on_s3(s3_originals, seaweedfs, officer, media):
    record = receive(media["video"], user=officer, ended_at="2026-11-20T16:30:00+08:00")
    record.refresh_from_db()
    assert record.status == AVRecordStatus.READY, record.problems
    assert record.original_version
    head = s3_originals.head_object(Bucket=seaweedfs["bucket"], Key=record.original_key)
    assert head["ObjectLockMode"] == "COMPLIANCE" and head["ContentLength"] == record.size


def test_local_originals_are_read_only_and_never_replaced(tmp_path):
    path, digest = _file(tmp_path, b"local original")
    key, version, created = original_put(path, digest)
    assert created and version == ""
    stored = Path(originals().path(key))
    assert stored.stat().st_mode & 0o777 == 0o444
    assert original_put(path, digest)[2] is False
    with pytest.raises(OriginalImmutable):
        originals().delete(key)
    with pytest.raises(OriginalExists):
        originals().save(key, ContentFile(b"forged"))
    assert stored.read_bytes() == b"local original"


def test_local_originals_on_another_filesystem_are_copied_read_only(tmp_path, monkeypatch):
    """Staging and originals on different disks: no hard link is possible (EXDEV), so the
    bytes are copied, still read-only and still written once."""
    import errno
    import os

    from avrecords import storage

    def cross_device(src, dst):
        raise OSError(errno.EXDEV, "Invalid cross-device link")

    monkeypatch.setattr(storage.os, "link", cross_device)
    path, digest = _file(tmp_path, b"copied original")
    key, _version, created = original_put(path, digest)
    stored = Path(originals().path(key))
    assert created and stored.read_bytes() == b"copied original"
    assert not os.path.samefile(stored, path)
    assert stored.stat().st_mode & 0o777 == 0o444
    assert original_put(path, digest)[2] is False


def test_admin_cannot_delete_or_change_records(rf, admin_user):
    request = rf.get("/")
    request.user = admin_user
    model_admin = site._registry[AVRecord]
    assert not model_admin.has_delete_permission(request)
    assert not model_admin.has_change_permission(request)


def _checksummed(headers) -> bool:
    """A checksum AWS accepts for an Object Lock PUT: a x-amz-checksum-* header, or (a
    streamed body over HTTPS) a trailer naming one, or Content-MD5."""
    names = {k.lower(): v for k, v in headers.items()}
    trailer = names.get("x-amz-trailer", b"")
    trailer = trailer.decode() if isinstance(trailer, bytes) else trailer
    return (
        any(k.startswith("x-amz-checksum-") for k in names)
        or trailer.startswith("x-amz-checksum-")
        or "content-md5" in names
    )


def test_every_put_of_an_original_carries_a_checksum(s3_originals, seaweedfs, settings, tmp_path, monkeypatch):
    """AWS refuses a PUT to an Object Lock bucket without a checksum. A common boto3 setting
    (request_checksum_calculation=when_required) turns boto3's own checksums off; the
    storage must send one anyway, for a single PUT and for every part of a multipart one."""
    from boto3.s3.transfer import TransferConfig

    monkeypatch.setenv("AWS_REQUEST_CHECKSUM_CALCULATION", "when_required")
    settings.STORAGES = {
        **settings.STORAGES,
        "originals": {
            **settings.STORAGES["originals"],
            "OPTIONS": {
                **settings.STORAGES["originals"]["OPTIONS"],
                # 5 MiB: the smallest part S3 accepts; a 6 MiB original goes in two parts.
                "transfer_config": TransferConfig(multipart_threshold=5 * 1024**2, multipart_chunksize=5 * 1024**2),
            },
        },
    }
    store = originals()
    sent: list[tuple[str, bool]] = []

    def capture(request, event_name, **kwargs):
        operation = event_name.rsplit(".", 1)[-1]
        if operation in ("PutObject", "UploadPart"):
            sent.append((operation, _checksummed(request.headers)))

    store.connection.meta.client.meta.events.register("before-send.s3", capture)

    small, small_digest = _file(tmp_path, b"a small original " * 100)
    original_put(small, small_digest)
    big = tmp_path / "big.bin"
    big.write_bytes(b"\x00\x01" * (3 * 1024**2) + b"tail")
    big_digest = hashlib.sha256(big.read_bytes()).hexdigest()
    key, version, created = original_put(big, big_digest)
    assert created and original_hash(key, version) == (big_digest, big.stat().st_size)
    # Through Storage.save() too (the admin and any other caller).
    store.save(original_key(hashlib.sha256(b"saved").hexdigest()), ContentFile(b"saved"))

    assert [op for op, _ in sent] == ["PutObject", "UploadPart", "UploadPart", "PutObject"]
    assert all(ok for _, ok in sent), sent


@pytest.fixture
def s3_media(s3_originals, seaweedfs, settings):
    """The default storage (browser copies, posters) on S3 as well, in a bucket of its own on
    the same SeaweedFS (linke.settings: S3_BUCKET, no Object Lock); returns its name."""
    import uuid

    bucket = f"linke-media-{uuid.uuid4().hex[:8]}"
    s3_originals.create_bucket(Bucket=bucket)
    options = settings.STORAGES["originals"]["OPTIONS"]
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": {**options, "bucket_name": bucket}},
    }
    return bucket


@pytest.mark.parametrize("kind", ["video", "photo"])
def test_served_path_streams_the_browser_copy_from_s3(s3_media, s3_originals, officer, media, kind):
    """avrecords.ingest.served_path with a default storage that has no local files (S3): the
    browser copy (a video's proxy, a photo's poster) is streamed to a temporary file, the same
    bytes as stored, and the file is gone afterwards."""
    import os

    from django.core.files.storage import default_storage

    from avrecords.ingest import served_path

    record = receive(media[kind], user=officer, ended_at="2026-11-20T16:30:00+08:00")
    record.refresh_from_db()
    assert record.status == AVRecordStatus.READY, record.problems
    name = record.poster if kind == "photo" else record.proxy
    assert name and not record.plays_original
    stored = s3_originals.get_object(Bucket=s3_media, Key=name)["Body"].read()  # really on S3
    with pytest.raises(NotImplementedError):
        default_storage.path(name)
    with served_path(record) as path:
        assert Path(path).read_bytes() == stored and Path(path).suffix == Path(name).suffix
    assert not os.path.exists(path)
