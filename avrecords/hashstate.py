"""A SHA-256 whose running state can be saved between tus PATCH requests.

The bytes of an upload arrive in several requests, possibly in different web processes, and
hashlib's objects cannot be saved. This drives OpenSSL's SHA-256 (the one hashlib and
`openssl dgst` use, with the CPU's SHA extensions) through its SHA256_CTX, whose 112 bytes
are the whole state: saved with the upload's offset, the next PATCH goes on from them, and
the receiving web process ends up with the digest of the whole file without anybody reading
it again (`ingest.received_digest`). PyPI has no maintained package for this on OpenSSL 3
(`rehash` refuses OpenSSL 3; `resumablesha256` is a portable C SHA-256, seven times slower
here).

ctypes releases the GIL during each call, so a thread can hash while another receives.
Where libcrypto or its SHA256_* functions are missing, `available()` is False and uploads
fall back to the worker reading the staging file once (the result is the same).
"""

import ctypes
import struct
from functools import cache
from typing import Any

_CTX_SIZE = 112  # SHA256_CTX: h[8], Nl, Nh, data[16], num, md_len as 32-bit words
_TAG = b"S256v1"  # stored states carry a version tag and the native byte order
_ORDER = "<" if struct.pack("=I", 1) == struct.pack("<I", 1) else ">"


_Ctx = ctypes.c_uint32 * (_CTX_SIZE // 4)  # word-aligned, as OpenSSL's struct is


@cache
def _lib() -> Any:
    """OpenSSL's SHA256_* as hashlib's own module resolves them (so the same libcrypto, not
    another copy some package bundles), else the system's libcrypto."""
    import _hashlib
    import ctypes.util

    for name in (getattr(_hashlib, "__file__", None), ctypes.util.find_library("crypto")):
        if not name:
            continue
        try:
            lib = ctypes.CDLL(name)  # dlsym on _hashlib searches the libraries it links
            init, update, final = lib.SHA256_Init, lib.SHA256_Update, lib.SHA256_Final
        except (OSError, AttributeError):
            continue
        init.argtypes, init.restype = [ctypes.c_void_p], ctypes.c_int
        update.argtypes, update.restype = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_size_t], ctypes.c_int
        final.argtypes, final.restype = [ctypes.c_void_p, ctypes.c_void_p], ctypes.c_int
        if _self_test(lib):
            return lib
    return None


def _self_test(lib: Any) -> bool:
    """The right digest, and a context that fits in _CTX_SIZE bytes: run in a bigger buffer
    filled with a pattern, the bytes past _CTX_SIZE must come out untouched."""
    import hashlib

    room = (ctypes.c_uint32 * 64)(*([0xA5A5A5A5] * 64))
    out = (ctypes.c_ubyte * 32)()
    data = b"linke" * 100
    ok = lib.SHA256_Init(room) == 1 and lib.SHA256_Update(room, data, len(data)) == 1
    fits = bytes(room)[_CTX_SIZE:] == b"\xa5" * (256 - _CTX_SIZE)
    ok = ok and lib.SHA256_Final(out, room) == 1
    return ok and fits and bytes(out) == hashlib.sha256(data).digest()


def available() -> bool:
    return _lib() is not None


class InvalidState(ValueError):
    """Saved bytes that are not a SHA-256 state of this kind."""


class ResumableSHA256:
    """hashlib-like (`update`, `digest`, `hexdigest`) plus `state()` / `from_state()` and
    `length`, the number of bytes hashed so far."""

    def __init__(self) -> None:
        lib = _lib()
        if lib is None:
            raise RuntimeError("OpenSSL SHA256_* not available")
        self._ctx = _Ctx()
        lib.SHA256_Init(self._ctx)

    def update(self, data: Any) -> None:
        view = memoryview(data).cast("B")
        if not view.nbytes:
            return
        if isinstance(data, bytes):
            buf: Any = data  # ctypes passes a bytes object's own memory
        elif view.readonly:
            buf = bytes(view)  # a read-only view of something else: rare, copied
        else:
            buf = (ctypes.c_char * view.nbytes).from_buffer(view)
        if _lib().SHA256_Update(self._ctx, buf, view.nbytes) != 1:  # pragma: no cover - OpenSSL never fails here
            raise RuntimeError("SHA256_Update failed")

    @property
    def length(self) -> int:
        low, high = struct.unpack_from(_ORDER + "II", bytes(self._ctx), 32)
        return ((high << 32) | low) // 8  # Nl/Nh count bits

    def digest(self) -> bytes:
        ctx = _Ctx.from_buffer_copy(self._ctx)  # finalising a copy: go on after
        out = (ctypes.c_ubyte * 32)()
        _lib().SHA256_Final(out, ctx)
        return bytes(out)

    def hexdigest(self) -> str:
        return self.digest().hex()

    def state(self) -> bytes:
        return _TAG + _ORDER.encode() + bytes(self._ctx)

    @classmethod
    def from_state(cls, state: bytes) -> "ResumableSHA256":
        state = bytes(state)
        head = len(_TAG) + 1
        if len(state) != head + _CTX_SIZE or state[: len(_TAG)] != _TAG or state[len(_TAG) : head] != _ORDER.encode():
            raise InvalidState("not a saved SHA-256 state")
        low, _high = struct.unpack_from(_ORDER + "II", state, head + 32)
        num, md_len = struct.unpack_from(_ORDER + "II", state, head + _CTX_SIZE - 8)
        # Whole bytes counted, and the pending block holds what the count says.
        if md_len != 32 or num >= 64 or low % 8 or (low // 8) % 64 != num:
            raise InvalidState("not a SHA-256 state")
        obj = cls()
        ctypes.memmove(obj._ctx, state[head:], _CTX_SIZE)
        return obj


def resume(state: bytes | None, offset: int) -> ResumableSHA256 | None:
    """The running hash of an upload at `offset`: fresh at 0, else the saved state if it is
    exactly there. None when there is none to go on from (the worker will read the file)."""
    if not available():
        return None
    if offset == 0:
        return ResumableSHA256()
    if not state:
        return None
    try:
        running = ResumableSHA256.from_state(state)
    except InvalidState:
        return None
    return running if running.length == offset else None
