"""Application-level encryption of individual database fields, and blind indexes for exact look-up.

A token is ``base64url(format || key_version || nonce || AES-256-GCM(ciphertext || tag))``. The associated data
binds the ciphertext to its table, row and field (and to the header), so a value copied into another row or
column fails to decrypt instead of silently showing the wrong person's details.

Nonces are 96 random bits from the OS. With random nonces a single key should protect well under 2^32
encryptions (NIST SP 800-38D); Vigil's volumes are orders of magnitude below that, and key rotation resets it.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import struct
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from vigil.lib.crypto._encoding import b64d, b64e, length_prefixed
from vigil.lib.crypto.errors import DecryptionError
from vigil.lib.crypto.material import KeySource, VersionedKey, as_source

FORMAT_VERSION = 1
NONCE_BYTES = 12
_HEADER = struct.Struct(">BI")  # format version, key version
_MIN_TOKEN = _HEADER.size + NONCE_BYTES + 16
_DOMAIN = b"vigil-field-v1"


def new_nonce() -> bytes:
    """The nonce source for every field encryption (kept separate so its uniqueness can be tested directly)."""
    return os.urandom(NONCE_BYTES)


def field_aad(header: bytes, table: str, row_id: object, field: str) -> bytes:
    return length_prefixed(_DOMAIN, header, table.encode(), str(row_id).encode(), field.encode())


def encrypt_field_bytes(
    key: VersionedKey, plaintext: bytes, *, table: str, row_id: object, field: str
) -> bytes:
    header = _HEADER.pack(FORMAT_VERSION, key.version)
    nonce = new_nonce()
    sealed = AESGCM(key.material).encrypt(nonce, plaintext, field_aad(header, table, row_id, field))
    return header + nonce + sealed


def decrypt_field_bytes(
    keys: VersionedKey | KeySource, token: bytes, *, table: str, row_id: object, field: str
) -> bytes:
    if len(token) < _MIN_TOKEN:
        raise DecryptionError("field token is too short")
    header = token[: _HEADER.size]
    fmt, version = _HEADER.unpack(header)
    if fmt != FORMAT_VERSION:
        raise DecryptionError(f"unknown field token format {fmt}")
    key = as_source(keys).get(version)
    nonce = token[_HEADER.size : _HEADER.size + NONCE_BYTES]
    try:
        return AESGCM(key.material).decrypt(
            nonce, token[_HEADER.size + NONCE_BYTES :], field_aad(header, table, row_id, field)
        )
    except InvalidTag:
        raise DecryptionError("field does not decrypt in this table/row/field with this key") from None


def encrypt_field(
    key: VersionedKey | KeySource, plaintext: str, *, table: str, row_id: object, field: str
) -> str:
    """Encrypt a text value for storage in ``table``/``row_id``/``field``; returns an ASCII token."""
    current = key if isinstance(key, VersionedKey) else key.current()
    return b64e(
        encrypt_field_bytes(current, plaintext.encode("utf-8"), table=table, row_id=row_id, field=field)
    )


def decrypt_field(
    keys: VersionedKey | KeySource, token: str, *, table: str, row_id: object, field: str
) -> str:
    try:
        raw = b64d(token)
    except ValueError:
        raise DecryptionError("field token is not base64url") from None
    return decrypt_field_bytes(keys, raw, table=table, row_id=row_id, field=field).decode("utf-8")


def token_key_version(token: str | bytes) -> int:
    """The key version a token was made with (readable without any key, for rotation bookkeeping)."""
    try:
        raw = b64d(token) if isinstance(token, str) else token
    except ValueError:
        raise DecryptionError("field token is not base64url") from None
    if len(raw) < _HEADER.size:
        raise DecryptionError("field token is too short")
    return int(_HEADER.unpack(raw[: _HEADER.size])[1])


@dataclass(frozen=True)
class FieldContext:
    """Where a field ciphertext lives: the table, row and field it is bound to by its associated data."""

    table: str
    row_id: object
    field: str


def reencrypt(
    keys: KeySource, items: Iterable[tuple[FieldContext, str]]
) -> Iterator[tuple[FieldContext, str]]:
    """Yield ``(context, token)`` for every item, every token under the current key version of ``keys``.

    Tokens under an older live version are decrypted and sealed again under the current one (with a fresh
    nonce, bound to the same context); tokens already current pass through unchanged, so an interrupted pass
    can simply be run again. Lazy, so the caller can stream rows from the database and write them back in
    batches. A token that fails to authenticate raises :class:`DecryptionError` rather than being skipped.
    """
    current = keys.current()
    for context, token in items:
        if token_key_version(token) == current.version:
            yield context, token
            continue
        table, row_id, field = context.table, context.row_id, context.field
        raw = decrypt_field_bytes(keys, b64d(token), table=table, row_id=row_id, field=field)
        yield context, b64e(encrypt_field_bytes(current, raw, table=table, row_id=row_id, field=field))


def contexts_under_version(items: Iterable[tuple[FieldContext, str]], version: int) -> list[FieldContext]:
    """The contexts whose tokens are still under ``version``; must be empty before that version is retired."""
    return [context for context, token in items if token_key_version(token) == version]


_SPACES = re.compile(r"\s+")


def normalise_for_index(value: str) -> str:
    """Compatibility-normalise, case-fold and collapse whitespace, so trivially different inputs match.

    Deliberately no transliteration or spelling folding: the blind index answers "exactly this value";
    fuzzy linkage across Belarusian/Russian/Latin spellings is the linkage library's job on decrypted data.
    """
    return _SPACES.sub(" ", unicodedata.normalize("NFKC", value).casefold()).strip()


def blind_index(
    key: bytes | VersionedKey,
    value: str,
    field: str,
    *,
    length: int = 16,
    normalise: Callable[[str], str] = normalise_for_index,
) -> str:
    """HMAC-SHA256 over the field name and the normalised value, truncated to ``length`` bytes, as hex.

    The field name is part of the MAC input so that equal values in different columns do not share an index
    (which would let someone with the database link, say, a phone number to a lawyer's contact field).
    """
    if not 8 <= length <= 32:
        raise ValueError("blind index length must be 8..32 bytes")
    material = key.material if isinstance(key, VersionedKey) else key
    mac = hmac.new(
        material,
        length_prefixed(b"vigil-blind-index-v1", field.encode(), normalise(value).encode()),
        hashlib.sha256,
    )
    return mac.digest()[:length].hex()
