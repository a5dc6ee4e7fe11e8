"""The sealed volume, made once (第二十八条; issue 16, export performance).

    volume_store(case_id) -> SealedVolume | None     render, hash, store; one row per version
    latest_volume(case) -> SealedVolume | None       the version served and exported

Rendering the volume (archive.volume.write_volume: every item's PDF merged, page numbers
stamped) is the costly step of an export and of the volume page; the file as sealed is also the
legal record. So after sealing commits a task renders it once and stores it immutable
(content-addressed, read-only, like the documents' PDFs); an approved addendum stores the next
version (the earlier ones are kept). archive.views.volume_pdf and archive.export.build_bag use
the latest stored version and render only while none exists.
"""

from __future__ import annotations

import logging
import tempfile
from typing import IO, Any

from django.core.files import File
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction

import audit
from cases import stages
from documents.services import make_read_only

from .audit_actions import AuditAction
from .fourprops import pdf_pages
from .models import Addendum
from .models_volume import SealedVolume
from .selectors import is_sealed
from .verifier import verify_bag
from .volume import VolumeIncomplete, write_volume

log = logging.getLogger(__name__)


def storage_key(sha256: str) -> str:
    """Content-addressed, like documents.services.storage_key: the same volume twice is one object."""
    return f"archive/volumes/{sha256[:2]}/{sha256}.pdf"


def _digests(fh: IO[bytes]) -> tuple[str, str]:
    """(SHA-256, SM3) hex of the whole file, read once from its start (the export copies the
    volume with SHA-256 only and takes this SM3 when the SHA-256 matches)."""
    fh.seek(0)
    digests = verify_bag.stream_digests(fh, ("sha256", "sm3"))
    return digests["sha256"], digests["sm3"]


def latest_volume(case: Any) -> SealedVolume | None:
    """The latest stored version of the case's sealed volume, or None (not sealed, or the task
    has not run yet)."""
    return SealedVolume.objects.filter(case_id=case.pk).order_by("-version").first()


def volume_store(case_id: int) -> SealedVolume | None:
    """Render the sealed case's volume to a temporary file (write_volume), store it read-only
    under its SHA-256 and record a SealedVolume row (SHA-256 and SM3 from one read) (audited `archive.volume_stored`). Returns
    the row; the existing one when a version with the same approved addenda exists already (a
    redelivered task); None for a case not sealed or whose volume cannot be made
    (VolumeIncomplete, logged: the volume is then rendered on demand as before)."""
    from cases.selectors import case_of

    case = case_of(case_id)
    if not is_sealed(case):
        return None
    with tempfile.TemporaryFile() as fh:  # on disk: memory stays flat with the volume's size
        try:
            casefile = write_volume(case, fh)
        except VolumeIncomplete as exc:
            log.warning("case %s: sealed volume not stored: %s", case.pk, "；".join(exc.missing))
            return None
        addenda = sum(isinstance(i.source, Addendum) for i in casefile.items)
        done = SealedVolume.objects.filter(case_id=case.pk, addenda=addenda).first()
        if done is not None:
            return done
        size = fh.tell()
        sha, sm3 = _digests(fh)
        fh.seek(0)
        pages = pdf_pages(fh)
        key = storage_key(sha)
        # Stored before the row that records its key (STYLE.md: files first).
        if not default_storage.exists(key):
            fh.seek(0)
            key = default_storage.save(key, File(fh, name=key))
            make_read_only(key)
    try:
        with transaction.atomic():
            stages.lock(case.pk)  # versions numbered one at a time
            latest = latest_volume(case)
            version = (latest.version if latest is not None else 0) + 1
            row = SealedVolume.objects.create(
                case=case, version=version, addenda=addenda, pdf=key, sha256=sha, sm3=sm3, size=size, pages=pages
            )
            audit.record(row, AuditAction.VOLUME_STORED, case=case, version=version, sha256=sha, size=size, pages=pages)
    except IntegrityError:  # a concurrent run stored it first
        return SealedVolume.objects.get(case_id=case.pk, addenda=addenda)
    return row


def current_volume(case: Any) -> SealedVolume | None:
    """The latest stored version when it includes every approved addendum, else None (not
    stored yet, or an addendum approved since: the caller renders, as before sealing)."""
    from .models import AddendumStatus

    latest = latest_volume(case)
    if latest is None:
        return None
    approved = Addendum.objects.filter(case_id=case.pk, status=AddendumStatus.APPROVED).count()
    return latest if latest.addenda == approved else None
