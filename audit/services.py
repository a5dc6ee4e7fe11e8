"""Writing to and verifying the audit trail."""

import logging
import queue
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import Model
from django.utils import timezone

from .chain import canonical_json, entry_hash, format_time
from .models import GENESIS_HASH, Checkpoint, Entry
from .signing import sign, verify_signature
from .vocabulary import require_declared

log = logging.getLogger(__name__)

# Any constant; all appenders take this PostgreSQL advisory lock, so the chain head is read
# and extended by one transaction at a time and the chain never forks.
_PG_LOCK_KEY = 0x4C494E4B45  # "LINKE"
_local_lock = threading.Lock()


def _actor_name(actor: Any) -> str:
    if actor is None:
        return "系统"
    username = actor.get_username()
    shown = str(actor)
    return shown if shown == username else f"{shown}（{username}）"


def _case_id(target: Any, case: Any) -> int | None:
    if case is not None:
        return case if isinstance(case, int) else case.pk
    if target is None:
        return None
    if target._meta.label_lower == "cases.case":
        return target.pk
    return getattr(target, "case_id", None)


def entry_append(
    target: Model | None, action: str, *, actor: Any = None, case: Any = None, data: dict[str, Any] | None = None
) -> Entry:
    """Append one entry. Call it inside the transaction that made the change, so the
    change and its record commit or roll back together.

    Raises UndeclaredAuditAction (before anything is written) for an action that no app's
    `audit_actions.AuditAction` declares."""
    require_declared(action)
    payload = canonical_json(data or {})
    actor = actor if actor is not None and getattr(actor, "pk", None) else None  # anonymous: system
    fields = {
        "actor": actor,
        "actor_name": _actor_name(actor),
        "action": action,
        "case_id": _case_id(target, case),
        "object_type": target._meta.label_lower if target is not None else "",
        "object_id": str(target.pk) if target is not None and target.pk is not None else "",
        "payload": payload,
    }
    entry = Entry(**fields)
    pending = _pending.get()
    if pending is not None:
        pending.append(entry)  # appended when the appends_deferred() block ends
        return entry
    _append([entry])
    return entry


# Entries recorded inside an appends_deferred() block, in order; None outside one.
_pending: ContextVar[list[Entry] | None] = ContextVar("audit_pending", default=None)


@contextmanager
def appends_deferred() -> Iterator[None]:
    """Entries recorded in this block are appended to the chain together when it ends, in the
    order they were recorded: the chain's one lock is taken then, last, and held only from
    there to the caller's commit (not through the block's other writes). Use it inside a
    transaction, around code that does not swallow a failed savepoint (an entry recorded in
    a savepoint that rolls back would still be appended). An exception leaving the block
    appends nothing (the transaction rolls back anyway). Entries returned by `record` in the
    block have no seq or hash until it ends. Nested blocks append with the outermost."""
    if _pending.get() is not None:
        yield
        return
    if not connection.in_atomic_block:
        raise RuntimeError("appends_deferred() needs a transaction: the entries commit with the change")
    pending: list[Entry] = []
    token = _pending.set(pending)
    try:
        yield
    finally:
        _pending.reset(token)
    if pending:
        _append(pending)


def _append(entries: list[Entry]) -> None:
    """Chain `entries` (unsaved, without seq and hash) after the head and insert them."""
    if connection.vendor == "postgresql":
        # No savepoint: the lock is held to the end of the caller's transaction anyway, and
        # a failure here fails that transaction. Saves two round trips per entry.
        with transaction.atomic(savepoint=False):
            with connection.cursor() as cur:
                cur.execute("SELECT pg_advisory_xact_lock(%s)", [_PG_LOCK_KEY])
            _append_after_head(entries)
        return
    # SQLite (the embedded default) has no advisory locks: serialise threads here, and if
    # another process won the race the primary key refuses the duplicate seq; retry.
    with _local_lock:
        for attempt in range(5):
            try:
                with transaction.atomic():
                    _append_after_head(entries)
                return
            except IntegrityError:
                if attempt == 4:
                    raise


def _append_after_head(entries: list[Entry]) -> None:
    head = Entry.objects.order_by("-seq").values_list("seq", "hash").first()
    seq, prev = (head[0] + 1, head[1]) if head else (1, GENESIS_HASH)
    now = timezone.now()
    for entry in entries:
        entry.seq, entry.created_at, entry.prev_hash = seq, now, prev
        entry.hash = entry_hash(
            prev,
            seq,
            format_time(now),
            entry.actor_id,
            entry.actor_name,
            entry.action,
            entry.case_id,
            entry.object_type,
            entry.object_id,
            entry.payload,
        )
        seq, prev = seq + 1, entry.hash
    if len(entries) == 1:
        entries[0].save(force_insert=True)
    else:
        Entry.objects.bulk_create(entries)


@dataclass
class VerifyResult:
    ok: bool
    verified: int  # entries checked in this run
    last_seq: int  # the last entry that verified (0: none)
    last_hash: str
    bad_seq: int | None = None
    reason: str = ""

    def describe(self) -> str:
        if self.ok:
            return f"已核验 {self.verified} 条审计记录，哈希链完整（截至 #{self.last_seq}）。"
        return f"审计记录 #{self.bad_seq} 不一致：{self.reason}（此前 {self.verified} 条核验通过）"


_COLUMNS = "seq, {time}, actor_id, actor_name, action, case_id, object_type, object_id, payload, prev_hash, hash"
# On PostgreSQL the server formats the time exactly as chain.format_time() does: text is
# read far faster than timestamptz through Django's tz-aware loader.
_PG_TIME = """to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')"""


def verify_chain(
    *, after_seq: int = 0, after_hash: str = GENESIS_HASH, limit: int | None = None, fetch_size: int = 10_000
) -> VerifyResult:
    """Recompute the chain from the entry after `after_seq` (whose hash is `after_hash`).

    Checks, for each entry: its seq follows the previous one (no gap), its prev_hash is the
    previous entry's hash (no fork, no removal) and its hash matches its content.
    Reads with a server-side cursor, so memory stays flat over millions of rows; a reader
    thread fetches the next batch while this one hashes (psycopg and sha256 release the GIL
    while they wait or digest), which is what takes verification past 200,000 entries/s.
    """
    expected_seq, expected_prev = after_seq + 1, after_hash
    verified = 0
    pg = connection.vendor == "postgresql"
    columns = _COLUMNS.format(time=_PG_TIME if pg else "created_at")
    sql = f"SELECT {columns} FROM audit_entry WHERE seq > %s ORDER BY seq"
    params: list[Any] = [after_seq]
    if limit is not None:
        sql += " LIMIT %s"
        params.append(limit)
    with transaction.atomic(), _prefetched(sql, params, fetch_size) as batches:
        for rows in batches:
            for seq, created, actor_id, actor_name, action, case_id, otype, oid, payload, prev, stored in rows:
                if seq != expected_seq:
                    return VerifyResult(
                        False,
                        verified,
                        expected_seq - 1,
                        expected_prev,
                        expected_seq,
                        f"序号不连续：应为 #{expected_seq}，实为 #{seq}（记录缺失）",
                    )
                if prev != expected_prev:
                    return VerifyResult(
                        False, verified, seq - 1, expected_prev, seq, "前一条哈希与链不符（记录被删除、插入或篡改）"
                    )
                computed = entry_hash(
                    prev,
                    seq,
                    created if pg else format_time(created),
                    actor_id,
                    actor_name,
                    action,
                    case_id,
                    otype,
                    oid,
                    payload,
                )
                if computed != stored:
                    return VerifyResult(False, verified, seq - 1, expected_prev, seq, "内容与哈希不符（记录被篡改）")
                expected_seq, expected_prev = seq + 1, stored
                verified += 1
    return VerifyResult(True, verified, expected_seq - 1, expected_prev)


@contextmanager
def _prefetched(sql: str, params: list[Any], fetch_size: int) -> Iterator[Iterator[list[tuple]]]:
    """Yield batches of rows fetched by a reader thread, at most 4 batches ahead.

    The reader uses this thread's connection and open transaction (so it sees exactly what
    the caller sees, test transactions included); nothing else touches the connection
    until the reader has finished."""
    done = object()
    out: queue.Queue = queue.Queue(maxsize=4)
    stop = threading.Event()
    cur = connection.chunked_cursor()
    cur.execute(sql, params)

    def reader() -> None:
        try:
            while not stop.is_set():
                rows = cur.fetchmany(fetch_size)
                if not rows:
                    break
                while not stop.is_set():
                    try:
                        out.put(rows, timeout=0.1)
                        break
                    except queue.Full:
                        continue
        except BaseException as exc:  # handed to the consumer, raised there
            out.put(exc)
        finally:
            out.put(done)

    def batches() -> Iterator[list[tuple]]:
        while (item := out.get()) is not done:
            if isinstance(item, BaseException):
                raise item
            yield item

    connection.inc_thread_sharing()
    thread = threading.Thread(target=reader, name="audit-verify-reader", daemon=True)
    thread.start()
    try:
        yield batches()
    finally:
        stop.set()
        while thread.is_alive():
            try:
                out.get(timeout=0.1)
            except queue.Empty:
                pass
        thread.join()
        connection.dec_thread_sharing()
        cur.close()


def verify_from_checkpoint() -> VerifyResult:
    """Verify the entries after the last checkpoint, after checking the checkpoint itself:
    its signature, and that the entry it names still has the hash it signed."""
    cp = Checkpoint.objects.order_by("-seq").first()
    if cp is None:
        return verify_chain()
    if not verify_signature(cp.message, cp.signature):
        return VerifyResult(False, 0, 0, GENESIS_HASH, cp.seq, f"检查点 #{cp.seq} 的签名无效")
    stored = Entry.objects.filter(seq=cp.seq).values_list("hash", flat=True).first()
    if stored != cp.hash:
        return VerifyResult(False, 0, 0, GENESIS_HASH, cp.seq, f"记录 #{cp.seq} 的哈希与已签名检查点不符")
    return verify_chain(after_seq=cp.seq, after_hash=cp.hash)


def checkpoint_create() -> tuple[VerifyResult, Checkpoint | None]:
    """Verify incrementally and, when entries were added and all verified, sign a checkpoint."""
    result = verify_from_checkpoint()
    if not result.ok:
        log.error("audit chain broken: %s", result.describe())
        return result, None
    if result.verified == 0:
        return result, None
    signature, key_id = sign(Checkpoint(seq=result.last_seq, hash=result.last_hash).message)
    try:
        with transaction.atomic():
            cp = Checkpoint.objects.create(
                seq=result.last_seq,
                hash=result.last_hash,
                entries_verified=result.verified,
                key_id=key_id,
                signature=signature,
            )
    except IntegrityError:
        # Two runs overlapped and the other one signed this seq already.
        cp = Checkpoint.objects.get(seq=result.last_seq)
    return result, cp
