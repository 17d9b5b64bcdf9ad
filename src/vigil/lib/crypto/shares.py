"""Shamir secret sharing over GF(2^8) with printable, checksummed shares.

Used to split the master key into recovery shares (2-of-3 by default) that people print and keep apart. Any
``k`` shares recover the secret; fewer reveal nothing about it, because for every candidate secret there is
exactly one polynomial of degree ``k-1`` through the given points.

The printable form is RFC 4648 base32 in groups of five characters. A CRC-32 over the share guards against
typing mistakes: CRC-32 detects every error burst of up to 32 bits, so every single mistyped character (5 bits)
and every swap of two neighbouring characters (10 bits) is caught before any arithmetic is attempted.

Table look-ups in GF(256) are not constant-time; that is acceptable for a recovery step run once on the
operator's own machine, not for anything an attacker can time remotely.
"""

from __future__ import annotations

import base64
import secrets
import struct
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from vigil.lib.crypto.errors import ShareError

_FORMAT_VERSION = 1
_HEADER = struct.Struct(">BBBB4s")  # version, threshold k, share count n, x coordinate, split id
_GROUP = 5

# Exponent and logarithm tables for GF(2^8) with the AES polynomial x^8+x^4+x^3+x+1 and generator 3.
_EXP = [0] * 512
_LOG = [0] * 256


def _build_tables() -> None:
    value = 1
    for power in range(255):
        _EXP[power] = value
        _LOG[value] = power
        # multiply by the generator 3 = x + 1
        doubled = value << 1
        if doubled & 0x100:
            doubled ^= 0x11B
        value = doubled ^ value
    for power in range(255, 512):
        _EXP[power] = _EXP[power - 255]


_build_tables()


def gf_mul(a: int, b: int) -> int:
    if a == 0 or b == 0:
        return 0
    return _EXP[_LOG[a] + _LOG[b]]


def gf_div(a: int, b: int) -> int:
    if b == 0:
        raise ZeroDivisionError("division by zero in GF(256)")
    if a == 0:
        return 0
    return _EXP[(_LOG[a] - _LOG[b]) % 255]


@dataclass(frozen=True)
class Share:
    """One share: the point ``x`` and the polynomial values at ``x`` for every byte of the secret."""

    threshold: int
    count: int
    x: int
    split_id: bytes
    y: bytes

    def __repr__(self) -> str:  # the y values are secret-bearing; keep them out of logs and tracebacks
        return f"Share(threshold={self.threshold}, count={self.count}, x={self.x}, split_id={self.split_id.hex()})"


RandomBytes = Callable[[int], bytes]


def split(
    secret: bytes, *, threshold: int = 2, count: int = 3, random_bytes: RandomBytes = secrets.token_bytes
) -> list[Share]:
    """Split ``secret`` into ``count`` shares of which any ``threshold`` recover it.

    ``random_bytes`` exists so that statistical tests can use a seeded source; production uses the OS CSPRNG.
    """
    if not secret:
        raise ValueError("cannot split an empty secret")
    if not 2 <= threshold <= count <= 255:
        raise ValueError("need 2 <= threshold <= count <= 255")
    split_id = random_bytes(4)
    # coefficients[j][i]: coefficient of x^(j+1) for secret byte i
    coefficients = [random_bytes(len(secret)) for _ in range(threshold - 1)]
    shares = []
    for x in range(1, count + 1):
        ys = bytearray(len(secret))
        for i, s in enumerate(secret):
            # Horner's rule from the highest coefficient down to the secret byte (the constant term).
            acc = 0
            for coeff in reversed(coefficients):
                acc = gf_mul(acc, x) ^ coeff[i]
            ys[i] = gf_mul(acc, x) ^ s
        shares.append(Share(threshold=threshold, count=count, x=x, split_id=split_id, y=bytes(ys)))
    return shares


def combine(shares: Sequence[Share]) -> bytes:
    """Recover the secret from at least ``threshold`` shares of the same split (Lagrange interpolation at 0)."""
    if not shares:
        raise ShareError("no shares given")
    first = shares[0]
    for share in shares[1:]:
        if (share.split_id, share.threshold, share.count, len(share.y)) != (
            first.split_id,
            first.threshold,
            first.count,
            len(first.y),
        ):
            raise ShareError("these shares come from different splits")
    distinct = {share.x: share for share in shares}
    if len(distinct) < first.threshold:
        raise ShareError(f"need {first.threshold} different shares, got {len(distinct)}")
    points = list(distinct.values())[: first.threshold]
    secret = bytearray(len(first.y))
    for j, share_j in enumerate(points):
        # Lagrange basis polynomial for point j evaluated at 0; subtraction is XOR in characteristic 2.
        basis = 1
        for m, share_m in enumerate(points):
            if m != j:
                basis = gf_mul(basis, gf_div(share_m.x, share_m.x ^ share_j.x))
        for i, yi in enumerate(share_j.y):
            secret[i] ^= gf_mul(yi, basis)
    return bytes(secret)


def _to_bytes(share: Share) -> bytes:
    body = _HEADER.pack(_FORMAT_VERSION, share.threshold, share.count, share.x, share.split_id) + share.y
    return body + struct.pack(">I", zlib.crc32(body))


def format_share(share: Share) -> str:
    """Printable form: base32 in dash-separated groups of five characters, e.g. ``AEBAG-...``."""
    text = base64.b32encode(_to_bytes(share)).decode("ascii").rstrip("=")
    return "-".join(text[i : i + _GROUP] for i in range(0, len(text), _GROUP))


# Characters outside the base32 alphabet that people write for letters that look alike.
_CONFUSABLE = str.maketrans({"0": "O", "1": "I", "8": "B"})


def parse_share(text: str) -> Share:
    """Parse a printed share, tolerating case, spaces, dashes, line breaks and 0/O, 1/I, 8/B confusion."""
    cleaned = "".join(ch for ch in text.upper() if not ch.isspace() and ch != "-").translate(_CONFUSABLE)
    try:
        raw = base64.b32decode(cleaned + "=" * (-len(cleaned) % 8))
    except ValueError as exc:
        raise ShareError("share contains characters that are not base32") from exc
    if len(raw) < _HEADER.size + 1 + 4:
        raise ShareError("share is too short; a group may be missing")
    body, checksum = raw[:-4], raw[-4:]
    if struct.unpack(">I", checksum)[0] != zlib.crc32(body):
        raise ShareError("share checksum does not match; check each group for a typing mistake")
    version, threshold, count, x, split_id = _HEADER.unpack_from(body)
    if version != _FORMAT_VERSION:
        raise ShareError(f"unknown share format version {version}")
    if not (2 <= threshold <= count and 1 <= x <= count):
        raise ShareError("share header is inconsistent")
    return Share(threshold=threshold, count=count, x=x, split_id=split_id, y=body[_HEADER.size :])
