"""Streaming encryption of evidence files and uploads into a chunked AES-256-GCM container.

Container layout::

    header  = b"VGLF" | format (1) | key version (4) | chunk size (4) | file nonce (32)
    chunk_i = AES-256-GCM(file_key, nonce = prefix || i, chunk_plaintext, aad = header || final_flag)

``file_key`` and ``prefix`` come from HKDF over the file data key with the random file nonce as salt, so no
two files share a chunk key and a chunk counter can never repeat a nonce. The counter in the nonce stops
chunks being reordered or spliced from another file; the final flag in the associated data stops an attacker
cutting the file at a chunk boundary (the new last chunk was sealed as "not final" and fails to open); the
header in the associated data stops the key version or chunk size being altered.

Everything here works on file-like objects and never creates a file: plaintext exists only in the caller's
memory buffers. Uploads are encrypted as they arrive with :class:`EncryptingWriter`.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import struct
from collections.abc import Iterator
from dataclasses import dataclass
from types import TracebackType
from typing import Protocol

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from vigil.crypto.errors import DecryptionError
from vigil.crypto.material import KeySource, VersionedKey, as_source

MAGIC = b"VGLF"
FORMAT_VERSION = 1
DEFAULT_CHUNK_SIZE = 64 * 1024
MIN_CHUNK_SIZE = 1024
MAX_CHUNK_SIZE = 16 * 1024 * 1024
TAG_BYTES = 16
_HEADER = struct.Struct(">4sBII32s")
HEADER_BYTES = _HEADER.size
_MAX_CHUNKS = 2**32


class Writable(Protocol):
    def write(self, data: bytes, /) -> int | None: ...


class Readable(Protocol):
    def read(self, size: int = -1, /) -> bytes: ...


@dataclass(frozen=True)
class FileInfo:
    """What was learnt while encrypting or decrypting: the evidence fingerprint and sizes."""

    plaintext_sha256: str
    plaintext_size: int
    ciphertext_size: int
    key_version: int


def _chunk_cipher(key: VersionedKey, file_nonce: bytes) -> tuple[AESGCM, bytes]:
    okm = HKDF(algorithm=hashes.SHA256(), length=40, salt=file_nonce, info=b"vigil-file-v1").derive(
        key.material
    )
    return AESGCM(okm[:32]), okm[32:]


def _nonce(prefix: bytes, index: int) -> bytes:
    if index >= _MAX_CHUNKS:
        raise ValueError("file too large for this chunk size")
    return prefix + struct.pack(">I", index)


class EncryptingWriter:
    """A write-only file object: plaintext written to it reaches ``sink`` only as ciphertext.

    Call :meth:`close` (or leave a ``with`` block normally) to seal the final chunk. If the block is left by
    an exception the final chunk is deliberately *not* written, so a half-received upload can never pass as a
    complete file.
    """

    def __init__(
        self, sink: Writable, key: VersionedKey | KeySource, *, chunk_size: int = DEFAULT_CHUNK_SIZE
    ) -> None:
        if not MIN_CHUNK_SIZE <= chunk_size <= MAX_CHUNK_SIZE:
            raise ValueError(f"chunk size must be {MIN_CHUNK_SIZE}..{MAX_CHUNK_SIZE}")
        self._key = key if isinstance(key, VersionedKey) else key.current()
        self._sink = sink
        self._chunk_size = chunk_size
        self._header = _HEADER.pack(MAGIC, FORMAT_VERSION, self._key.version, chunk_size, os.urandom(32))
        self._aead, self._prefix = _chunk_cipher(self._key, self._header[-32:])
        self._buffer = bytearray()
        self._index = 0
        self._sha = hashlib.sha256()
        self._plain = 0
        self._cipher = 0
        self._info: FileInfo | None = None
        self._emit(self._header)

    def _emit(self, data: bytes) -> None:
        self._sink.write(data)
        self._cipher += len(data)

    def _seal(self, chunk: bytes, final: bool) -> None:
        aad = self._header + (b"\x01" if final else b"\x00")
        self._emit(self._aead.encrypt(_nonce(self._prefix, self._index), chunk, aad))
        self._index += 1

    def write(self, data: bytes | bytearray | memoryview) -> int:
        if self._info is not None:
            raise ValueError("write to a closed EncryptingWriter")
        self._sha.update(data)
        self._plain += len(data)
        self._buffer += data
        # Keep the last full chunk back: only close() knows whether it is the final one.
        while len(self._buffer) > self._chunk_size:
            self._seal(bytes(self._buffer[: self._chunk_size]), final=False)
            del self._buffer[: self._chunk_size]
        return len(data)

    def close(self) -> FileInfo:
        if self._info is None:
            self._seal(bytes(self._buffer), final=True)
            self._buffer[:] = bytes(len(self._buffer))
            self._buffer.clear()
            self._info = FileInfo(self._sha.hexdigest(), self._plain, self._cipher, self._key.version)
        return self._info

    def abort(self) -> None:
        """Drop buffered plaintext without sealing; the container stays incomplete and will not decrypt."""
        self._buffer[:] = bytes(len(self._buffer))
        self._buffer.clear()
        self._info = FileInfo("", self._plain, self._cipher, self._key.version)

    @property
    def info(self) -> FileInfo | None:
        return self._info

    def __enter__(self) -> EncryptingWriter:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if exc_type is None:
            self.close()
        else:
            self.abort()


def encrypt_stream(
    source: Readable, sink: Writable, key: VersionedKey | KeySource, *, chunk_size: int = DEFAULT_CHUNK_SIZE
) -> FileInfo:
    """Encrypt everything readable from ``source`` into ``sink``; returns the plaintext SHA-256 and sizes."""
    writer = EncryptingWriter(sink, key, chunk_size=chunk_size)
    while block := source.read(chunk_size):
        writer.write(block)
    return writer.close()


def _read_exact(source: Readable, size: int) -> bytes:
    parts = []
    remaining = size
    while remaining:
        block = source.read(remaining)
        if not block:
            break
        parts.append(block)
        remaining -= len(block)
    return b"".join(parts)


def read_header(source: Readable) -> tuple[bytes, int, int]:
    """Read and check the header; returns ``(header, key_version, chunk_size)``."""
    header = _read_exact(source, HEADER_BYTES)
    if len(header) != HEADER_BYTES:
        raise DecryptionError("not an encrypted Vigil file (too short)")
    magic, fmt, version, chunk_size, _ = _HEADER.unpack(header)
    if magic != MAGIC:
        raise DecryptionError("not an encrypted Vigil file")
    if fmt != FORMAT_VERSION:
        raise DecryptionError(f"unknown encrypted file format {fmt}")
    if not MIN_CHUNK_SIZE <= chunk_size <= MAX_CHUNK_SIZE:
        raise DecryptionError("encrypted file header has an impossible chunk size")
    return header, version, chunk_size


def decrypt_stream(source: Readable, keys: VersionedKey | KeySource) -> Iterator[bytes]:
    """Yield authenticated plaintext chunks.

    Each yielded chunk is authentic, but the file is only known to be *complete* when iteration ends without
    :class:`DecryptionError`; a consumer must not act on the content as a whole before that.
    """
    header, version, chunk_size = read_header(source)
    aead, prefix = _chunk_cipher(as_source(keys).get(version), header[-32:])
    block = chunk_size + TAG_BYTES
    index = 0
    current = _read_exact(source, block)
    while True:
        following = _read_exact(source, block)
        final = not following
        if len(current) < TAG_BYTES or (not final and len(current) != block):
            raise DecryptionError("encrypted file is truncated or has been altered")
        try:
            yield aead.decrypt(_nonce(prefix, index), current, header + (b"\x01" if final else b"\x00"))
        except InvalidTag:
            raise DecryptionError("encrypted file is truncated, altered, or under another key") from None
        if final:
            return
        index += 1
        current = following


def decrypt_to(
    source: Readable, sink: Writable, keys: VersionedKey | KeySource, *, expected_sha256: str | None = None
) -> FileInfo:
    """Decrypt into ``sink`` (which should be memory or a network response, never a plaintext file).

    With ``expected_sha256`` the plaintext is also checked against the fingerprint recorded at upload.
    """
    sha = hashlib.sha256()
    plain = 0
    counter = _CountingReader(source)
    for chunk in decrypt_stream(counter, keys):
        sha.update(chunk)
        plain += len(chunk)
        sink.write(chunk)
    digest = sha.hexdigest()
    if expected_sha256 is not None and not hmac.compare_digest(digest, expected_sha256.lower()):
        raise DecryptionError("plaintext SHA-256 does not match the recorded evidence fingerprint")
    return FileInfo(digest, plain, counter.consumed, counter.key_version)


def reencrypt_stream(
    source: Readable,
    sink: Writable,
    old_keys: VersionedKey | KeySource,
    new_key: VersionedKey,
    *,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
) -> FileInfo:
    """Move a container to ``new_key`` chunk by chunk, the plaintext passing only through memory."""
    writer = EncryptingWriter(sink, new_key, chunk_size=chunk_size)
    try:
        for chunk in decrypt_stream(source, old_keys):
            writer.write(chunk)
    except BaseException:
        writer.abort()
        raise
    return writer.close()


def container_key_version(source: Readable) -> int:
    """The key version of an encrypted file, read from its header without any key."""
    return read_header(source)[1]


class _CountingReader:
    """Counts bytes consumed and remembers the header's key version, for :func:`decrypt_to`'s report."""

    def __init__(self, inner: Readable) -> None:
        self._inner = inner
        self.consumed = 0
        self.key_version = -1

    def read(self, size: int = -1) -> bytes:
        data = self._inner.read(size)
        if self.consumed == 0 and len(data) >= HEADER_BYTES:
            self.key_version = _HEADER.unpack(data[:HEADER_BYTES])[2]
        self.consumed += len(data)
        return data
