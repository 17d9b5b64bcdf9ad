"""The master key as the keyfile holds it: wrapped under the passphrase's key-encryption key, the keyfile's
metadata sealed with a MAC keyed from it, recovered from printed shares; and wiping key material held in
``bytearray`` objects."""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Mapping, Sequence
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from vigil.lib.crypto import shares
from vigil.lib.crypto._encoding import b64d, b64e, canonical_json
from vigil.lib.crypto.errors import WrongPassphraseError
from vigil.lib.crypto.passphrase import KdfParams, derive_kek

MASTER_KEY_BYTES = 32


def _wipe(buffer: bytearray | None) -> None:
    if buffer is not None:
        for i in range(len(buffer)):
            buffer[i] = 0


def _hkdf(master: bytearray, salt: bytes, info: bytes) -> bytearray:
    return bytearray(HKDF(algorithm=hashes.SHA256(), length=32, salt=salt, info=info).derive(bytes(master)))


def _mac_key(master: bytearray) -> bytearray:
    return _hkdf(master, b"", b"vigil/keyfile-mac/v1")


def _wrap_aad(key_id: str) -> bytes:
    return b"vigil-master-wrap-v1|" + key_id.encode("ascii")


def _master_from_shares(doc: Mapping[str, Any], printed_shares: Sequence[str]) -> bytearray:
    parsed = [shares.parse_share(s) for s in printed_shares]
    master = bytearray(shares.combine(parsed))
    if len(master) != MASTER_KEY_BYTES or not _check_metadata(doc, master):
        _wipe(master)
        raise WrongPassphraseError("these shares do not recover this keystore's master key")
    return master


def _wrap_master(
    master: bytearray, passphrase: str, params: KdfParams, key_id: str
) -> tuple[dict[str, Any], dict[str, str]]:
    salt = secrets.token_bytes(16)
    kek = derive_kek(passphrase, salt, params)
    try:
        nonce = secrets.token_bytes(12)
        wrapped = AESGCM(bytes(kek)).encrypt(nonce, bytes(master), _wrap_aad(key_id))
    finally:
        _wipe(kek)
    kdf = {
        "alg": "argon2id",
        "argon2_version": 19,
        "time_cost": params.time_cost,
        "memory_cost_kib": params.memory_cost_kib,
        "parallelism": params.parallelism,
        "salt": b64e(salt),
    }
    return kdf, {"alg": "A256GCM", "nonce": b64e(nonce), "ciphertext": b64e(wrapped)}


def _metadata_for_mac(doc: Mapping[str, Any]) -> bytes:
    return canonical_json(
        {"key_id": doc["key_id"], "keys": doc["keys"], "current": doc["current"], "created": doc["created"]}
    )


def _seal_metadata(doc: dict[str, Any], master: bytearray) -> dict[str, Any]:
    mac_key = _mac_key(master)
    try:
        doc["mac"] = b64e(hmac.digest(bytes(mac_key), _metadata_for_mac(doc), "sha256"))
    finally:
        _wipe(mac_key)
    return doc


def _check_metadata(doc: Mapping[str, Any], master: bytearray) -> bool:
    mac_key = _mac_key(master)
    try:
        expected = hmac.digest(bytes(mac_key), _metadata_for_mac(doc), "sha256")
        stored = b64d(str(doc.get("mac", "")))
    except (KeyError, TypeError, ValueError):
        return False
    finally:
        _wipe(mac_key)
    return hmac.compare_digest(expected, stored)
