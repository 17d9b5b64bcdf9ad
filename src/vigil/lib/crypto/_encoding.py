"""Small encodings shared by the modules of this package."""

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


def canonical_json(value: Any) -> bytes:
    """Deterministic JSON: sorted keys, no whitespace, UTF-8, and no NaN/Infinity which have no JSON form."""
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")
