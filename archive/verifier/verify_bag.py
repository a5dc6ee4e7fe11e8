#!/usr/bin/env python3
"""Offline verifier of a Linke case-file export (BagIt bag), needing only Python 3.11+ and the
`cryptography` package (pip install cryptography). Usage:

    python3 verify_bag.py BAG_DIR [--key TRUSTED_PUBLIC_KEY.pem]

Checks, and prints one line per failure (Chinese), exit status 0 when all pass, 1 otherwise:

1. bagit.txt and both payload manifests, SHA-256 (manifest-sha256.txt) and SM3, GB/T 32905
   (manifest-sm3.txt): every listed file is present with that digest, every file under data/
   is listed in both; the tag manifests (tagmanifest-*.txt) likewise for the tag files.
2. The audit entries (data/audit/entries.json): each entry's hash is recomputed as Linke's
   audit/chain.py defines it: sha256 over prev_hash followed by the compact JSON array
   [seq, created_at, actor_id, actor_name, action, case_id, object_type, object_id, data],
   strings encoded as Python's json module does with ensure_ascii=False, `data` being the
   entry's `payload` text byte for byte.
3. The signed checkpoint (data/audit/checkpoint.json): its message is rebuilt from the entries
   (case id, count, SHA-256 of the entries' hashes joined by newlines, the chain head) and its
   Ed25519 signature checked with data/audit/public_key.pem, or with --key (a key obtained
   from the agency, which proves the bag was not re-signed by someone else).

SM3 uses OpenSSL through hashlib.new("sm3"); where OpenSSL lacks it, the SM3 check fails.
"""

import argparse
import base64
import hashlib
import json
import os
import sys
from json.encoder import encode_basestring
from pathlib import Path
from typing import Any

ALGORITHMS = ("sha256", "sm3")
CHUNK = 1024 * 1024


def new_hash(alg: str) -> Any:
    """hashlib object for "sha256" or "sm3" (GB/T 32905, through OpenSSL). ValueError if absent."""
    return hashlib.new(alg)


def stream_digests(fh: Any, algorithms: tuple[str, ...] = ALGORITHMS) -> dict[str, str]:
    """{alg: hex digest} of what `fh` (a binary file object) holds from its current position
    to its end, read once in 1 MiB chunks."""
    hashers = {alg: new_hash(alg) for alg in algorithms}
    while chunk := fh.read(CHUNK):
        for h in hashers.values():
            h.update(chunk)
    return {alg: h.hexdigest() for alg, h in hashers.items()}


def file_digests(path: Path, algorithms: tuple[str, ...] = ALGORITHMS) -> dict[str, str]:
    """{alg: hex digest} of the file at `path`, read once in 1 MiB chunks."""
    with open(path, "rb") as fh:
        return stream_digests(fh, algorithms)


def decode_name(name: str) -> str:
    """A manifest path as BagIt writes it (%0D, %0A, %25 escaped) back to the file name."""
    return name.replace("%0D", "\r").replace("%0A", "\n").replace("%25", "%")


def read_manifest(path: Path) -> dict[str, str]:
    """{relative path: hex digest} of a BagIt manifest ("DIGEST PATH" per line)."""
    out: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        digest, _, name = line.strip().partition(" ")
        out[decode_name(name.strip().lstrip("*"))] = digest.lower()
    return out


def _files_under(root: Path, sub: str) -> set[str]:
    base = root / sub
    found = set()
    for dirpath, _dirs, files in os.walk(base):
        for f in files:
            found.add(Path(dirpath, f).relative_to(root).as_posix())
    return found


def check_manifests(bag: Path, known: dict[str, dict[str, str]] | None = None, *, tags: bool = True) -> list[str]:
    """Failures (Chinese lines) of the payload manifests and (with `tags`) the tag manifests, in
    both algorithms. `known`: digests already computed for some files ({path: {alg: hex}}),
    not read again."""
    errors: list[str] = []
    if not (bag / "bagit.txt").is_file():
        errors.append("缺少 bagit.txt")
    payload = _files_under(bag, "data")
    tag_files = {
        p.relative_to(bag).as_posix()
        for p in bag.rglob("*")
        if p.is_file() and not p.relative_to(bag).as_posix().startswith(("data/", "tagmanifest-"))
    }
    manifests: dict[str, dict[str, str]] = {}
    for alg in ALGORITHMS:
        kinds = (("manifest", payload), ("tagmanifest", tag_files)) if tags else (("manifest", payload),)
        for kind, expected in kinds:
            mpath = bag / f"{kind}-{alg}.txt"
            if not mpath.is_file():
                errors.append(f"缺少清单 {mpath.name}")
                continue
            listed = read_manifest(mpath)
            manifests[f"{kind}-{alg}"] = listed
            if kind == "tagmanifest":
                expected = {t for t in expected if t != mpath.name}
            for name in sorted(set(listed) - expected):
                errors.append(f"{mpath.name} 列出的文件不存在：{name}")
            for name in sorted(expected - set(listed)):
                errors.append(f"文件未列入 {mpath.name}：{name}")
    digests: dict[str, dict[str, str]] = {}
    for mname, listed in manifests.items():
        alg = mname.split("-", 1)[1]
        for name, digest in listed.items():
            if not (bag / name).is_file():
                continue
            if name not in digests:
                have = (known or {}).get(name)
                digests[name] = have if have and set(ALGORITHMS) <= set(have) else file_digests(bag / name)
            if digests[name][alg] != digest:
                errors.append(f"{alg.upper()} 摘要不符（文件被改动）：{name}")
    return errors


def entry_hash(entry: dict[str, Any]) -> str:
    """The audit entry's hash, recomputed (audit/chain.py of Linke)."""

    def num(v: Any) -> str:
        return "null" if v is None else str(int(v))

    s = encode_basestring
    text = (
        f"{entry['prev_hash']}[{int(entry['seq'])},{s(entry['created_at'])},{num(entry['actor_id'])},"
        f"{s(entry['actor_name'])},{s(entry['action'])},{num(entry['case_id'])},{s(entry['object_type'])},"
        f"{s(entry['object_id'])},{entry['payload']}]"
    )
    return hashlib.sha256(text.encode()).hexdigest()


def checkpoint_message(case_id: int, hashes: list[str], head_seq: int, head_hash: str) -> bytes:
    """The signed text: it commits to every exported entry's hash, in order, and the chain head."""
    digest = hashlib.sha256("\n".join(hashes).encode()).hexdigest()
    return f"linke-case-export:{case_id}:{len(hashes)}:{digest}:{head_seq}:{head_hash}".encode()


def check_audit(bag: Path, trusted_key_pem: bytes | None = None) -> list[str]:
    """Failures of the audit entries and the signed checkpoint (Chinese lines)."""
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
    from cryptography.hazmat.primitives.serialization import load_pem_public_key

    errors: list[str] = []
    audit = bag / "data" / "audit"
    try:
        entries = json.loads((audit / "entries.json").read_text(encoding="utf-8"))
        checkpoint = json.loads((audit / "checkpoint.json").read_text(encoding="utf-8"))
        pem = trusted_key_pem or (audit / "public_key.pem").read_bytes()
    except (OSError, ValueError) as exc:
        return [f"审计记录或检查点无法读取：{exc}"]
    for entry in entries:
        try:
            ok = entry_hash(entry) == entry["hash"]
        except (KeyError, TypeError, ValueError):
            ok = False
        if not ok:
            errors.append(f"审计记录 #{entry.get('seq')} 的哈希与内容不符（记录被改动）")
    hashes = [str(e.get("hash", "")) for e in entries]
    try:
        message = checkpoint_message(
            int(checkpoint["case_id"]), hashes, int(checkpoint["head_seq"]), str(checkpoint["head_hash"])
        )
    except (KeyError, TypeError, ValueError):
        return [*errors, "检查点格式不正确"]
    if message.decode() != checkpoint.get("message"):
        errors.append("检查点与审计记录不一致（记录被增删或改动）")
    try:
        key = load_pem_public_key(pem)
        if not isinstance(key, Ed25519PublicKey):
            raise ValueError("not Ed25519")
        key.verify(base64.b64decode(checkpoint.get("signature", "")), message)
    except (InvalidSignature, ValueError, TypeError):
        errors.append("检查点签名无效")
    return errors


def public_key_id(pem: bytes) -> str:
    """First 16 hex digits of SHA-256 of the raw Ed25519 public key (Linke's key id)."""
    from cryptography.hazmat.primitives import serialization

    key = serialization.load_pem_public_key(pem)
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def verify(bag: Path, trusted_key_pem: bytes | None = None) -> list[str]:
    """All failures of the bag at `bag` (empty: it verifies)."""
    return check_manifests(bag) + check_audit(bag, trusted_key_pem)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="核验 Linke 导出的电子案卷（BagIt）")
    parser.add_argument("bag", type=Path)
    parser.add_argument("--key", type=Path, help="机关公布的审计签名公钥（PEM）")
    args = parser.parse_args(argv)
    trusted = args.key.read_bytes() if args.key else None
    errors = verify(args.bag, trusted)
    pem = trusted or (args.bag / "data" / "audit" / "public_key.pem").read_bytes()
    try:
        print(f"签名公钥指纹：{public_key_id(pem)}")
    except ValueError:
        print("签名公钥无法读取")
    for line in errors:
        print(f"不通过：{line}")
    print("核验通过" if not errors else f"核验不通过，共 {len(errors)} 项")
    return 0 if not errors else 1


if __name__ == "__main__":
    sys.exit(main())
