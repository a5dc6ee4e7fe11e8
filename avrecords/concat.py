"""tus concatenation (https://tus.io/protocols/resumable-upload#concatenation): the bytes of
a final upload's parts copied into its staging file, streamed through one 1 MiB buffer and
hashed once on the way (the parts themselves are not hashed as they arrive)."""

import fcntl
import logging
import os

from . import hashstate
from .models import Upload, UploadState
from .services import upload_assembled
from .storage import staging_path

log = logging.getLogger(__name__)

BUFFER = 1024 * 1024


class PartMissing(Exception):
    """A part's staging file is gone or shorter than the part (should never happen)."""


def assemble(final: Upload) -> Upload:
    """Copy the parts of `final` (an UploadConcat.FINAL upload, RECEIVING) into its staging
    file in order, make it durable, and complete it (it becomes a record, 第二十七条 as any
    upload). Idempotent: a copy a killed process left half-done is started again; while
    another request is copying, returns at once. Then the parts' staging files go. Raises
    PartMissing when a part's bytes are not all there (the final stays RECEIVING)."""
    path = staging_path(final.pk)
    with open(path, "a+b") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return final
        final.refresh_from_db()
        if final.state != UploadState.RECEIVING:
            return final
        fd = fh.fileno()
        os.ftruncate(fd, 0)
        running = hashstate.resume(None, 0)
        buf = memoryview(bytearray(BUFFER))
        position = 0
        parts = list(Upload.objects.filter(pk__in=final.parts).only("pk", "length"))
        lengths = {str(p.pk): p.length for p in parts}
        for pk in final.parts:
            try:
                src = open(staging_path(pk), "rb")  # noqa: SIM115 - closed by the `with src` below
            except FileNotFoundError as exc:
                raise PartMissing(f"part {pk} of upload {final.pk}: staging file missing") from exc
            with src:
                remaining = lengths[pk]
                while remaining:
                    n = src.readinto(buf[: min(BUFFER, remaining)])
                    if not n:
                        raise PartMissing(f"part {pk} of upload {final.pk}: {remaining} bytes short")
                    written = 0
                    while written < n:
                        written += os.pwrite(fd, buf[written:n], position + written)
                    if running is not None:
                        running.update(buf[:n])
                    position += n
                    remaining -= n
        os.fsync(fd)
        final = upload_assembled(upload_id=final.pk, hash_state=running.state() if running is not None else None)
    for pk in final.parts:
        staging_path(pk).unlink(missing_ok=True)  # copied into the final upload's file
    return final
