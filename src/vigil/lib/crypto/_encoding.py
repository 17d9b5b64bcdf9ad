"""Small encodings shared by the modules of this package and :mod:`vigil.lib.sync`, among them the canonical
JSON bytes that Vigil signs, MACs and hashes."""

from __future__ import annotations

import base64
import json
import struct
from typing import Any


def b64e(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64d(text: str) -> bytes:
    # Reject anything outside the alphabet: a silently ignored character would hide corruption.
    padded = text + "=" * (-len(text) % 4)
    return base64.urlsafe_b64decode(padded.encode("ascii"))


def length_prefixed(*parts: bytes) -> bytes:
    """Join parts so that no two different tuples encode alike (``"a|b", "c"`` vs ``"a", "b|c"``)."""
    return b"".join(struct.pack(">I", len(p)) + p for p in parts)


def canonical_json(value: Any, *, ascii: bool = False) -> bytes:
    """Deterministic JSON, the one definition of canonical bytes in Vigil: sorted keys, no whitespace, and no
    NaN/Infinity, which have no JSON form (``ValueError``). One JSON value, one byte string.

    Two byte forms exist because both are already signed, MACed or hashed in stored data, and a changed byte
    would make that data fail to verify:

    - ``ascii=False`` (default): UTF-8, non-ASCII characters as themselves. The key store's metadata MAC
      (:mod:`vigil.lib.crypto.keys`), replicated change hashes and data checks (:mod:`vigil.lib.sync.state`)
      and sync bundle headers and contents, whose header must be exactly this form (:mod:`vigil.lib.sync.bundle`).
    - ``ascii=True``: every non-ASCII character as a ``\\uXXXX`` escape, so the bytes are pure ASCII. The audit
      hash chain and its signed checkpoints (:mod:`vigil.lib.crypto.chain`): every audit entry hash stored
      since the first release was computed over this form.

    ``tools/verify_package.py`` needs neither: it checks a signature over the manifest's bytes as stored.
    ``vigil.records.operations.content_hash`` predates this function and keeps its own ``json.dumps``: it
    accepts NaN, which sealed (encrypted) report payloads may hold, and its keyed hashes are stored.
    """
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=ascii, allow_nan=False)
    return text.encode("ascii" if ascii else "utf-8")
