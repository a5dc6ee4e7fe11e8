"""Receiving a PATCH body into the staging file through one preallocated buffer.

Portable path (runserver, the test server, any WSGI server): `wsgi.input` read into the
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
import socket
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest

BUFFER = 1024 * 1024  # the one buffer a PATCH uses, whatever the body's size


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

    def __init__(self, body: Any, sock: socket.socket, length: int) -> None:
        self.body, self.sock = body, sock
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
    return _GunicornSource(body, sock, length)


def receive_into(request: HttpRequest, fd: int, offset: int, length: int,
                 update: Callable[[memoryview], Any] | None = None) -> int:
    """Write up to `length` body bytes at `offset` of `fd`; feed each piece to `update`
    (a checksum). Returns how many bytes arrived (fewer: the client went away)."""
    source = _gunicorn_source(request, length) or _Source(request)
    buf = memoryview(bytearray(min(BUFFER, max(length, 1))))
    received = 0
    try:
        while received < length:
            try:
                n = source.readinto(buf[: min(len(buf), length - received)])
            except OSError:  # the client went away mid-body (reset, timeout)
                break
            if not n:
                break
            piece = buf[:n]
            written = 0
            while written < n:
                written += os.pwrite(fd, piece[written:], offset + received + written)
            if update is not None:
                update(piece)
            received += n
    finally:
        source.finish(received == length)
    return received
