"""Ed25519 signing keys derived from 32-byte seeds, with a stable text encoding for public keys."""

from __future__ import annotations

import hashlib

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from vigil.lib.crypto._encoding import b64d, b64e

_PREFIX = "ed25519:"


def private_key_from_seed(seed: bytes) -> Ed25519PrivateKey:
    """The Ed25519 key whose RFC 8032 seed is ``seed``; the same seed always gives the same key."""
    if len(seed) != 32:
        raise ValueError("an Ed25519 seed is exactly 32 bytes")
    return Ed25519PrivateKey.from_private_bytes(bytes(seed))


def public_key_bytes(key: Ed25519PrivateKey | Ed25519PublicKey) -> bytes:
    public = key.public_key() if isinstance(key, Ed25519PrivateKey) else key
    return public.public_bytes(Encoding.Raw, PublicFormat.Raw)


def encode_public_key(key: Ed25519PrivateKey | Ed25519PublicKey) -> str:
    """``ed25519:<base64url>``: short enough to print on paper next to a checkpoint."""
    return _PREFIX + b64e(public_key_bytes(key))


def decode_public_key(text: str) -> Ed25519PublicKey:
    if not text.startswith(_PREFIX):
        raise ValueError("not an ed25519: public key")
    raw = b64d(text[len(_PREFIX) :])
    if len(raw) != 32:
        raise ValueError("an Ed25519 public key is exactly 32 bytes")
    return Ed25519PublicKey.from_public_bytes(raw)


def fingerprint(key: Ed25519PrivateKey | Ed25519PublicKey) -> str:
    """First 16 hex digits of SHA-256 over the raw public key, for people comparing keys by eye."""
    return hashlib.sha256(public_key_bytes(key)).hexdigest()[:16]


def sign(key: Ed25519PrivateKey, message: bytes) -> bytes:
    return key.sign(message)


def verify(public_key: Ed25519PublicKey | str, message: bytes, signature: bytes) -> bool:
    """True only when ``signature`` is a valid signature of ``message``; never raises on a bad signature."""
    key = decode_public_key(public_key) if isinstance(public_key, str) else public_key
    try:
        key.verify(signature, message)
    except InvalidSignature:
        return False
    return True
