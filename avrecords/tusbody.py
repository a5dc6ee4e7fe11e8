"""Receiving a PATCH body into the staging file through four preallocated 1 MiB buffers.

Portable path (runserver, the test server, any WSGI server): `wsgi.input` read into a
buffer. Under gunicorn the body is taken straight from the client socket with
`recv_into()`: gunicorn's own reader hands a body over through several intermediate
copies per MiB (its unreader's and its Body's BytesIO buffers), which capped an upload at
a few hundred MB/s. Before touching the socket, whatever gunicorn already holds of the
body (bytes that arrived with the headers) is taken first, exactly Content-Length bytes
are read, and gunicorn's reader is left consumed, so it finds the connection where the
next request starts (keep-alive) — or, when the client went away mid-body, marked
failed so the connection is closed rather than reused.
"""

import io
import os
import queue
import socket
import threading
from collections.abc import Callable, Sequence
from typing import Any

from django.conf import settings
from django.http import HttpRequest

BUFFER = 1024 * 1024  # each of the _Follower.RING buffers of a PATCH, whatever the body's size


class _Source:
    """Portable: whatever the WSGI server gives as `wsgi.input` (via Django's stream)."""

    def __init__(self, request: HttpRequest) -> None:
        self.request = request

    def readinto(self, view: memoryview) -> int:
        data = self.request.read(len(view))
        view[: len(data)] = data
        return len(data)

    def finish(self, complete: bool) -> None:
        pass


def _take_buffered(unreader: Any) -> bytes:
    """The read-ahead gunicorn's unreader holds (its own method where it has one)."""
    take = getattr(unreader, "take_buffered", None)
    if take is not None:
        return take()
    data = unreader.buf.getvalue()  # gunicorn before take_buffered(): the same BytesIO
    unreader.buf = io.BytesIO()
    return data


class _GunicornSource:
    """The client socket of a gunicorn worker, after gunicorn's buffered part of the body."""

    def __init__(self, body: Any, sock: socket.socket, length: int, idle: float | None = None) -> None:
        self.body, self.sock = body, sock
        # A link that goes silent (a dropped 4G/NAT connection leaves the socket open) must
        # not hold the upload's lock for good: a recv that waits longer than `idle` seconds
        # ends the body there, and the PATCH keeps what it received.
        self.saved_timeout = sock.gettimeout()
        if idle:
            sock.settimeout(idle)
        reader = body.reader
        # Body bytes gunicorn has already received: its Body's buffer, then the unreader's
        # read-ahead (which may run past this body into a pipelined request: give that back).
        held = body.buf.getvalue() + _take_buffered(reader.unreader)
        self.pending = memoryview(held[:length])
        if len(held) > length:
            reader.unreader.unread(held[length:])
        body.buf = io.BytesIO()
        reader.length = 0  # from here on, this object owns the rest of the body

    def readinto(self, view: memoryview) -> int:
        if self.pending:
            n = min(len(view), len(self.pending))
            view[:n] = self.pending[:n]
            self.pending = self.pending[n:]
            return n
        return self.sock.recv_into(view, len(view))

    def finish(self, complete: bool) -> None:
        self.sock.settimeout(self.saved_timeout)
        if not complete:
            # Where the next request starts is unknown: gunicorn must close, not reuse.
            self.body.failed = True


def _gunicorn_source(request: HttpRequest, length: int) -> _GunicornSource | None:
    """The direct path, only when gunicorn's reader is exactly where this body starts."""
    sock = request.META.get("gunicorn.socket")
    body = request.META.get("wsgi.input")
    if sock is None or body is None or getattr(request, "_read_started", True):
        return None
    try:
        from gunicorn.http.body import Body, LengthReader
        from gunicorn.http.unreader import SocketUnreader
    except ImportError:  # pragma: no cover - gunicorn.socket set by something else
        return None
    reader = getattr(body, "reader", None)
    if not (type(body) is Body and type(reader) is LengthReader and isinstance(reader.unreader, SocketUnreader)):
        return None  # chunked transfer encoding, or a gunicorn whose insides changed
    if reader.unreader.sock is not sock or body.buf.tell() + reader.length != length:
        return None
    if sock.gettimeout() == 0.0:  # a non-blocking socket (an async worker): not for us
        return None
    return _GunicornSource(body, sock, length, idle_timeout())


def idle_timeout() -> float:
    """Seconds a PATCH waits for the next bytes of its body before it ends with what it
    has (setting AV_UPLOAD_IDLE_TIMEOUT)."""
    return float(getattr(settings, "AV_UPLOAD_IDLE_TIMEOUT", 30))


def receive_into(
    request: HttpRequest,
    fd: int,
    offset: int,
    length: int,
    updates: Sequence[Callable[[memoryview], Any]] = (),
    checkpoint: Callable[[int], Any] | None = None,
    every: int | None = None,
) -> int:
    """Write up to `length` body bytes at `offset` of `fd`, feed every byte written, in
    order, to each of `updates` (the PATCH's checksum, the upload's running SHA-256), and
    return how many bytes arrived (fewer: the client went away) once they are durable.

    The request thread receives and writes; a second thread (`_Follower`) takes each written
    buffer, hashes it in OpenSSL without the GIL, and every `every` bytes (default
    AV_UPLOAD_CHECKPOINT) makes what was written durable, drops it from the page cache and
    calls `checkpoint(position)` (from that thread, with everything before `position`
    durable and fed to the updates). So the hash runs beside the socket and disk work instead
    of after it, a big upload neither fills the cache with bytes nobody reads again soon nor
    leaves gigabytes for one fsync at the end, and a process killed mid-body has recorded
    where it got to."""
    every = every or int(getattr(settings, "AV_UPLOAD_CHECKPOINT", 64 * 1024 * 1024))
    follower = _Follower(fd, offset, updates, checkpoint, every)
    source: _Source | _GunicornSource | None = None
    received = 0
    try:
        # Inside try: once the source has taken over gunicorn's reader, finish() must run.
        source = _gunicorn_source(request, length) or _Source(request)
        buf = follower.free()
        while received < length:
            want = min(len(buf), length - received)
            filled = _fill(source, buf[:want])
            written = 0
            while written < filled:
                written += os.pwrite(fd, buf[written:filled], offset + received + written)
            received += filled
            if filled:
                follower.put(buf[:filled])
                buf = follower.free()
            if filled < want:
                break  # the body ended early
    finally:
        if source is not None:
            source.finish(received == length)
        follower.close()
    return received


def _fill(source: _Source | _GunicornSource, view: memoryview) -> int:
    """Read until `view` is full or the body stops (end, reset, timeout)."""
    filled = 0
    while filled < len(view):
        try:
            n = source.readinto(view[filled:])
        except OSError:  # the client went away mid-body (reset, timeout)
            break
        if not n:
            break
        filled += n
    return filled


# Buffers kept for the next PATCH (fresh 1 MiB allocations cost page faults on every
# request), at most POOL of them.
_BUFFERS: list[memoryview] = []
POOL = 16


def _take_buffer() -> memoryview:
    try:
        return _BUFFERS.pop()  # list.pop and .extend are atomic under the GIL
    except IndexError:
        return memoryview(bytearray(BUFFER))


def _drop_cached(fd: int, start: int, length: int) -> None:
    if length > 0 and hasattr(os, "posix_fadvise"):
        os.posix_fadvise(fd, start, length, os.POSIX_FADV_DONTNEED)


class _Follower:
    """What follows the writes, in a thread of its own: the updates (hashes) and the
    flushing. A few buffers go round between the receiver and it."""

    RING = 4

    def __init__(
        self,
        fd: int,
        offset: int,
        updates: Sequence[Callable[[memoryview], Any]],
        checkpoint: Callable[[int], Any] | None,
        every: int,
    ) -> None:
        self.fd, self.updates, self.checkpoint, self.every = fd, updates, checkpoint, every
        self.flushed = self.done = offset  # file positions: durable up to, followed up to
        self._free: queue.Queue[memoryview] = queue.Queue()
        self._full: queue.Queue[memoryview | None] = queue.Queue()
        self._ring = [_take_buffer() for _ in range(self.RING)]
        for ring_buf in self._ring:
            self._free.put(ring_buf)
        self.error: BaseException | None = None
        self._thread = threading.Thread(target=self._follow, name="tus-follow", daemon=True)
        self._thread.start()

    def _follow(self) -> None:
        try:
            self._run()
        finally:
            if self.checkpoint is not None:
                from django.db import connections

                connections.close_all()  # this thread's own, opened by a checkpoint

    def _run(self) -> None:
        while (piece := self._full.get()) is not None:
            if self.error is None:
                try:
                    for update in self.updates:
                        update(piece)
                    self.done += len(piece)
                    if self.done - self.flushed >= self.every:
                        self._flush()
                        if self.checkpoint is not None:
                            self.checkpoint(self.flushed)
                except BaseException as exc:  # handed to the request thread in close()
                    self.error = exc
            self._free.put(memoryview(piece.obj))  # the whole buffer, for the next fill

    def _flush(self) -> None:
        os.fdatasync(self.fd)
        _drop_cached(self.fd, self.flushed, self.done - self.flushed)
        self.flushed = self.done

    def free(self) -> memoryview:
        return self._free.get()

    def put(self, piece: memoryview) -> None:
        self._full.put(piece)

    def close(self) -> None:
        """Wait until everything put is followed, make it durable (fsync: the file's size
        too), and re-raise what the thread hit."""
        self._full.put(None)
        self._thread.join()
        if len(_BUFFERS) < POOL:
            _BUFFERS.extend(self._ring)
        os.fsync(self.fd)
        _drop_cached(self.fd, self.flushed, self.done - self.flushed)
        if self.error is not None:
            raise self.error
