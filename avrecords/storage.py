"""The dedicated store for originals (第二十七条 "专用存储器，不得自行保管").

`settings.STORAGES["originals"]` names one of the two write-once backends below:

- `OriginalsS3Storage`: an S3 bucket created with Object Lock; every object is written
  with COMPLIANCE retention for ORIGINALS_RETENTION_DAYS, so not even the bucket's owner
  can delete or overwrite the locked version before then. Once the case is concluded or
  sealed, `avrecords.retention` extends it to the case file's retention (never shortens it).
- `OriginalsFileStorage`: the embedded default, read-only files (0o444) under ORIGINALS_ROOT.

Both refuse `delete()` and refuse to write a name that exists: the app has no path that
removes or replaces an original, the admin included. Keys come from one function,
`original_key(sha256)`, never from a user's filename, so the same content twice is one
object.
"""

import errno
import hashlib
import io
import os
from collections.abc import Iterator
from contextlib import closing, contextmanager
from datetime import timedelta
from pathlib import Path
from typing import IO, Any

from botocore.config import Config
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.files import File
from django.core.files.storage import FileSystemStorage, Storage, storages
from django.utils import timezone
from storages.backends.s3 import S3Storage
from storages.utils import clean_name

CHUNK = 1024 * 1024


class OriginalImmutable(PermissionError):
    """An attempt to delete or overwrite an original."""


class OriginalExists(FileExistsError):
    """The key is taken: the content is stored already (keys are content hashes)."""


class OriginalMismatch(ValueError):
    """No stored version of the key has the expected content hash (forged or damaged)."""


class _WriteOnce:
    """What both backends share: a name is written once, never deleted."""

    def get_available_name(self, name: str, max_length: int | None = None) -> str:
        # Storage.save() asks for a free name; FileSystemStorage asks again when its
        # exclusive create finds the file. Raising here is what stops either from ever
        # writing a second name (or, on S3, a second version).
        if self.exists(name):  # type: ignore[attr-defined]
            raise OriginalExists(name)
        return name

    def delete(self, name: str) -> None:
        raise OriginalImmutable(f"原件不可删除：{name}")


class OriginalsS3Storage(_WriteOnce, S3Storage):
    """Originals on S3 with Object Lock. AWS refuses a PUT with a retention period that
    carries no checksum (Content-MD5 or x-amz-checksum-*), and boto3 sends none when
    `request_checksum_calculation` is "when_required" (AWS_REQUEST_CHECKSUM_CALCULATION or
    ~/.aws/config may say so). So the client's setting is fixed here ("when_supported",
    whatever the environment says) and every write names its algorithm (ChecksumAlgorithm
    SHA256: each PutObject and each UploadPart carries x-amz-checksum-sha256)."""

    CHECKSUM_ALGORITHM = "SHA256"

    def __init__(self, **kwargs: Any) -> None:
        self.object_lock = kwargs.pop("object_lock", True)
        super().__init__(**kwargs)
        self.client_config: Config = self.client_config.merge(
            Config(request_checksum_calculation="when_supported", response_checksum_validation="when_supported")
        )

    def get_object_parameters(self, name: str) -> dict[str, Any]:
        params = super().get_object_parameters(name)
        params.setdefault("ChecksumAlgorithm", self.CHECKSUM_ALGORITHM)
        if self.object_lock:
            # 第二十七条: WORM. COMPLIANCE mode: no user, root included, can shorten or lift it.
            params["ObjectLockMode"] = "COMPLIANCE"
            params["ObjectLockRetainUntilDate"] = timezone.now() + timedelta(days=settings.ORIGINALS_RETENTION_DAYS)
        return params

    def store_file(self, path: Path, name: str) -> bool:
        """Upload the file at `path` as `name` unless it exists. True if written.

        By file name, not as a file object (what Storage.save() would hand boto3): boto3 then
        reads each part from the file as it sends it, where a file object's parts are read
        into memory, several at once (a worker grew by ~140 MB for a 2 GiB original)."""
        if self.exists(name):
            return False
        key = self._normalize_name(clean_name(name))
        self.bucket.Object(key).upload_file(
            str(path), ExtraArgs=self._get_write_parameters(key), Config=self.transfer_config
        )
        return True

    def versions_oldest_first(self, name: str) -> list[str]:
        """Every version id of `name` (delete markers excluded), oldest first. S3 lists a
        key's versions newest first."""
        key = self._normalize_name(name)
        pages = self.connection.meta.client.get_paginator("list_object_versions").paginate(
            Bucket=self.bucket_name, Prefix=key
        )
        newest_first = [v["VersionId"] for page in pages for v in page.get("Versions", []) if v["Key"] == key]
        return newest_first[::-1]

    def trusted_version(self, name: str, sha256: str, *, created: bool, known: str = "") -> str:
        """The version to record for `name`. Never simply the latest: anyone holding the
        bucket's keys can put a newer (forged) version on top of a locked one. The version
        already recorded for this content (`known`) comes first, else the oldest; unless it
        is our own write and the only version, its hash is checked first."""
        versions = self.versions_oldest_first(name)
        if created and len(versions) == 1:
            return versions[0]
        candidates = ([known] if known in versions else []) + [v for v in versions if v != known]
        for version in candidates:
            with closing(self.open_version(name, version)) as stream:
                if hash_stream(stream)[0] == sha256:
                    return version
        raise OriginalMismatch(f"专用存储中 {name} 没有与 SHA-256 {sha256} 一致的版本")

    def _version_params(self, name: str, version: str) -> dict[str, Any]:
        params: dict[str, Any] = {"Bucket": self.bucket_name, "Key": self._normalize_name(name)}
        if version:
            params["VersionId"] = version
        return params

    def open_version(self, name: str, version: str) -> IO[bytes]:
        return self.connection.meta.client.get_object(**self._version_params(name, version))["Body"]

    def open_seekable(self, name: str, version: str) -> IO[bytes]:
        client, params = self.connection.meta.client, self._version_params(name, version)
        return _RangedObject(client, params, client.head_object(**params)["ContentLength"])  # type: ignore[return-value]


class _RangedObject(io.RawIOBase):
    """One version of an S3 object, read-only and seekable: a read after a seek starts one
    ranged GET (`Range: bytes=<position>-`) that the following reads continue, so a player's
    byte range costs one request, not one per chunk."""

    def __init__(self, client: Any, params: dict[str, Any], size: int) -> None:
        self.client, self.params, self.size = client, params, size
        self.pos = 0
        self.body: Any = None  # the streaming body of the current ranged GET

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self.pos

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        new = {io.SEEK_SET: offset, io.SEEK_CUR: self.pos + offset, io.SEEK_END: self.size + offset}[whence]
        if new < 0:
            raise ValueError("negative seek position")
        if new != self.pos:
            self._drop()
        self.pos = new
        return new

    def readinto(self, buffer: Any) -> int:
        if self.pos >= self.size:
            return 0
        if self.body is None:
            self.body = self.client.get_object(**self.params, Range=f"bytes={self.pos}-")["Body"]
        data = self.body.read(len(buffer))
        buffer[: len(data)] = data
        self.pos += len(data)
        return len(data)

    def _drop(self) -> None:
        if self.body is not None:
            self.body.close()
            self.body = None

    def close(self) -> None:
        self._drop()
        super().close()


class OriginalsFileStorage(_WriteOnce, FileSystemStorage):
    def store_file(self, path: Path, name: str) -> bool:
        """Hard-link the staging file into place when both are on one filesystem: no second
        copy of the bytes, and link() refuses an existing name atomically. Else copy."""
        full = self.path(name)
        os.makedirs(os.path.dirname(full), exist_ok=True)
        try:
            os.link(path, full)
        except FileExistsError:
            return False
        except OSError as exc:
            if exc.errno not in (errno.EXDEV, errno.EPERM, errno.EMLINK):
                raise
            return self._copy_in(path, name)
        os.chmod(full, self.file_permissions_mode or 0o444)
        return True

    def _copy_in(self, path: Path, name: str) -> bool:
        try:
            with open(path, "rb") as fh:
                self.save(name, File(fh, name=name))
        except OriginalExists:
            return False
        return True

    def trusted_version(self, name: str, sha256: str, *, created: bool, known: str = "") -> str:
        return ""  # one read-only file per name: no versions

    def open_version(self, name: str, version: str) -> IO[bytes]:
        return self.open(name, "rb")

    def open_seekable(self, name: str, version: str) -> IO[bytes]:
        return self.open(name, "rb")


def originals() -> Storage:
    store = storages["originals"]
    if not isinstance(store, OriginalsS3Storage | OriginalsFileStorage):
        raise ImproperlyConfigured("STORAGES['originals'] must be a write-once backend from avrecords.storage")
    return store


def original_key(sha256: str) -> str:
    """The one place a storage key is made: from the content hash, never a filename."""
    sha256 = sha256.lower()
    if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
        raise ValueError("not a SHA-256 hex digest")
    return f"sha256/{sha256[:2]}/{sha256[2:4]}/{sha256}"


def hash_stream(stream: IO[bytes]) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    while chunk := stream.read(CHUNK):
        digest.update(chunk)
        size += len(chunk)
    return digest.hexdigest(), size


def hash_file(path: Path) -> tuple[str, int]:
    with open(path, "rb") as fh:
        return hash_stream(fh)


def sm3_hasher() -> Any:
    """A hashlib SM3 (GB/T 32905, OpenSSL's) or None where OpenSSL lacks it."""
    try:
        return hashlib.new("sm3")
    except ValueError:
        return None


def hash_stream_sm3(stream: IO[bytes]) -> tuple[str, str, int]:
    """(SHA-256 hex, SM3 hex — "" where OpenSSL has no SM3 —, size in bytes) of `stream`, read
    once in CHUNK pieces."""
    sha, sm3, size = hashlib.sha256(), sm3_hasher(), 0
    while chunk := stream.read(CHUNK):
        sha.update(chunk)
        if sm3 is not None:
            sm3.update(chunk)
        size += len(chunk)
    return sha.hexdigest(), sm3.hexdigest() if sm3 is not None else "", size


def original_put(path: Path, sha256: str, known_version: str = "") -> tuple[str, str, bool]:
    """Store the file at `path` (whose content hash is `sha256`) as an original.
    Returns (key, version, created); content already stored is not written again, and then
    the version returned is `known_version` (the one recorded for this content before) or
    the oldest, whichever first has the right hash (`trusted_version`)."""
    store = originals()
    key = original_key(sha256)
    created = store.store_file(path, key)  # type: ignore[attr-defined]
    version = store.trusted_version(key, sha256, created=created, known=known_version)  # type: ignore[attr-defined]
    return key, version, created


@contextmanager
def original_open(key: str, version: str = "") -> Iterator[IO[bytes]]:
    stream = originals().open_version(key, version)  # type: ignore[attr-defined]
    try:
        yield stream
    finally:
        stream.close()


def original_open_seekable(key: str, version: str = "") -> IO[bytes]:
    """The original, read-only and seekable (a player's byte ranges): the local file, or the
    S3 version read by ranged GETs. The caller closes it."""
    return originals().open_seekable(key, version)  # type: ignore[attr-defined]


def original_hash(key: str, version: str = "") -> tuple[str, int]:
    """Recompute the original's SHA-256 and size by streaming it from dedicated storage."""
    with original_open(key, version) as stream:
        return hash_stream(stream)


def original_digests(key: str, version: str = "") -> tuple[str, str, int]:
    """The original's SHA-256, SM3 ("" without OpenSSL SM3) and size, streamed once from
    dedicated storage (the fixity check; hash_stream_sm3)."""
    with original_open(key, version) as stream:
        return hash_stream_sm3(stream)


def original_size(key: str) -> int:
    return originals().size(key)


def original_local_path(key: str) -> str | None:
    """A filesystem path for the original when the store is local (for ffmpeg), else None."""
    store = originals()
    if isinstance(store, OriginalsFileStorage):
        return store.path(key)
    return None


def staging_dir() -> Path:
    """Where tus uploads accumulate. Web and worker processes must share it."""
    path = Path(getattr(settings, "AV_STAGING_DIR", "") or (Path(settings.VAR_DIR) / "av-staging"))
    path.mkdir(parents=True, exist_ok=True)
    return path


def staging_path(upload_id: Any) -> Path:
    return staging_dir() / f"{upload_id}.part"
