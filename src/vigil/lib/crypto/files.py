"""Streaming encryption of evidence files and uploads into a chunked AES-256-GCM container.

Container layout::

    header  = b"VGLF" | format (1) | key version (4) | chunk size (4) | file nonce (32)
    chunk_i = AES-256-GCM(file_key, nonce = prefix || i, chunk_plaintext,
                          aad = header || len(aad) (8) || aad || final_flag (1))

``file_key`` and ``prefix`` come from HKDF over the file data key with the random file nonce as salt, so no
two files share a chunk key and a chunk counter can never repeat a nonce. The counter in the nonce stops
chunks being reordered or spliced from another file; the final flag in the associated data stops an attacker
cutting the file at a chunk boundary (the new last chunk was sealed as "not final" and fails to open); the
header in the associated data stops the key version or chunk size being altered. The caller's ``aad`` (for
example ``b"evidence:1234"``) binds the container to the record it belongs to, so an encrypted file swapped
between two records fails to open.

Everything here works on file-like objects and never creates a file: plaintext exists only in the caller's
memory buffers. Uploads are encrypted as they arrive with :class:`EncryptingWriter`. Decryption writes each
chunk to the sink only after that chunk authenticated, but the file as a whole is known to be complete only
when :func:`decrypt_stream` returns; on :class:`~vigil.lib.crypto.errors.DecryptionError` the caller must discard
what the sink received.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import struct
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from types import TracebackType
from typing import Protocol

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from vigil.lib.crypto.errors import DecryptionError
from vigil.lib.crypto.material import KeySource, VersionedKey, as_source

MAGIC = b"VGLF"
FORMAT_VERSION = 1
DEFAULT_CHUNK_SIZE = 64 * 1024
MIN_CHUNK_SIZE = 1024
MAX_CHUNK_SIZE = 16 * 1024 * 1024
TAG_BYTES = 16
_HEADER = struct.Struct(">4sBII32s")
HEADER_BYTES = _HEADER.size
_MAX_CHUNKS = 2**32
_NOT_FINAL = b"\x00"
_FINAL = b"\x01"


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


def _aad_base(header: bytes, aad: bytes) -> bytes:
    # The caller's AAD is length-prefixed so that it cannot be confused with the final-flag byte after it.
    return header + struct.pack(">Q", len(aad)) + bytes(aad)


class EncryptingWriter:
    """A write-only file object: plaintext written to it reaches ``sink`` only as ciphertext.

    Call :meth:`close` (or leave a ``with`` block normally) to seal the final chunk. If the block is left by
    an exception the final chunk is deliberately *not* written, so a half-received upload can never pass as a
    complete file.
    """

    def __init__(
        self,
        sink: Writable,
        key: VersionedKey | KeySource,
        aad: bytes = b"",
        *,
        chunk_size: int = DEFAULT_CHUNK_SIZE,
    ) -> None:
        if not MIN_CHUNK_SIZE <= chunk_size <= MAX_CHUNK_SIZE:
            raise ValueError(f"chunk size must be {MIN_CHUNK_SIZE}..{MAX_CHUNK_SIZE}")
        self._key = key if isinstance(key, VersionedKey) else key.current()
        self._sink = sink
        self._chunk_size = chunk_size
        self._header = _HEADER.pack(MAGIC, FORMAT_VERSION, self._key.version, chunk_size, os.urandom(32))
        self._aad = _aad_base(self._header, aad)
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
        aad = self._aad + (_FINAL if final else _NOT_FINAL)
        self._emit(self._aead.encrypt(_nonce(self._prefix, self._index), chunk, aad))
        self._index += 1

    def write(self, data: bytes | bytearray | memoryview) -> int:
        if self._info is not None:
            raise ValueError("write to a closed EncryptingWriter")
        self._sha.update(data)
        self._plain += len(data)
        self._buffer += data
        # Keep the last full chunk back: only close() knows whether it is the final one.
        if len(self._buffer) > self._chunk_size:
            view = memoryview(self._buffer)
            start = 0
            try:
                while len(self._buffer) - start > self._chunk_size:
                    self._seal(bytes(view[start : start + self._chunk_size]), final=False)
                    start += self._chunk_size
            finally:
                view.release()
            self._wipe_prefix(start)
        return len(data)

    def _wipe_prefix(self, count: int) -> None:
        self._buffer[:count] = bytes(count)
        del self._buffer[:count]

    def close(self) -> FileInfo:
        if self._info is None:
            self._seal(bytes(self._buffer), final=True)
            self._wipe_prefix(len(self._buffer))
            self._info = FileInfo(self._sha.hexdigest(), self._plain, self._cipher, self._key.version)
        return self._info

    def abort(self) -> None:
        """Drop buffered plaintext without sealing; the container stays incomplete and will not decrypt."""
        self._wipe_prefix(len(self._buffer))
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


def encrypt_file(
    source: Readable,
    sink: Writable,
    key: VersionedKey | KeySource,
    aad: bytes = b"",
    *,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
) -> FileInfo:
    """Encrypt everything readable from ``source`` into ``sink``; returns the plaintext SHA-256 and sizes."""
    return _encrypt_blocks(iter(lambda: source.read(chunk_size), b""), sink, key, aad, chunk_size)


def _encrypt_blocks(
    blocks: Iterable[bytes], sink: Writable, key: VersionedKey | KeySource, aad: bytes, chunk_size: int
) -> FileInfo:
    """Write ``blocks`` into ``sink`` as one container; on any error (reading a block included) the
    container is left incomplete, so it never decrypts."""
    writer = EncryptingWriter(sink, key, aad, chunk_size=chunk_size)
    try:
        for block in blocks:
            writer.write(block)
    except BaseException:
        writer.abort()
        raise
    return writer.close()


def encrypt_stream(
    src: Readable,
    dst: Writable,
    key: VersionedKey | KeySource,
    aad: bytes = b"",
    *,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
) -> str:
    """Encrypt ``src`` into ``dst`` bound to ``aad``; returns the hex SHA-256 of the plaintext."""
    return encrypt_file(src, dst, key, aad, chunk_size=chunk_size).plaintext_sha256


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


class _Counter:
    """Counts the ciphertext bytes consumed, for the sizes in :class:`FileInfo`."""

    def __init__(self, inner: Readable) -> None:
        self._inner = inner
        self.consumed = 0

    def read(self, size: int = -1, /) -> bytes:
        data = self._inner.read(size)
        self.consumed += len(data)
        return data


def _chunks(
    source: Readable, header: bytes, version: int, chunk_size: int, keys: VersionedKey | KeySource, aad: bytes
) -> Iterator[bytes]:
    aead, prefix = _chunk_cipher(as_source(keys).get(version), header[-32:])
    base = _aad_base(header, aad)
    block = chunk_size + TAG_BYTES
    index = 0
    current = _read_exact(source, block)
    while True:
        following = _read_exact(source, block)
        final = not following
        if len(current) < TAG_BYTES or (not final and len(current) != block):
            raise DecryptionError("encrypted file is truncated or has been altered")
        try:
            yield aead.decrypt(_nonce(prefix, index), current, base + (_FINAL if final else _NOT_FINAL))
        except InvalidTag:
            raise DecryptionError(
                "encrypted file is truncated, altered, bound to another record, or under another key"
            ) from None
        if final:
            return
        index += 1
        current = following


def iter_decrypt(source: Readable, keys: VersionedKey | KeySource, aad: bytes = b"") -> Iterator[bytes]:
    """Yield authenticated plaintext chunks.

    Each yielded chunk is authentic, but the file is only known to be *complete* when iteration ends without
    :class:`DecryptionError`; a consumer must not act on the content as a whole before that.
    """
    header, version, chunk_size = read_header(source)
    yield from _chunks(source, header, version, chunk_size, keys, aad)


def decrypt_file(
    source: Readable,
    sink: Writable,
    keys: VersionedKey | KeySource,
    aad: bytes = b"",
    *,
    expected_sha256: str | None = None,
) -> FileInfo:
    """Decrypt into ``sink`` (which should be memory or a network response, never a plaintext file).

    With ``expected_sha256`` the plaintext is also checked against the fingerprint recorded at upload.
    """
    counter = _Counter(source)
    header, version, chunk_size = read_header(counter)
    sha = hashlib.sha256()
    plain = 0
    for chunk in _chunks(counter, header, version, chunk_size, keys, aad):
        sha.update(chunk)
        plain += len(chunk)
        sink.write(chunk)
    digest = sha.hexdigest()
    if expected_sha256 is not None and not hmac.compare_digest(digest, expected_sha256.lower()):
        raise DecryptionError("plaintext SHA-256 does not match the recorded evidence fingerprint")
    return FileInfo(digest, plain, counter.consumed, version)


def decrypt_stream(
    src: Readable,
    dst: Writable,
    keys: VersionedKey | KeySource,
    aad: bytes = b"",
    *,
    expected_sha256: str | None = None,
) -> str:
    """Decrypt ``src`` into ``dst`` checking ``aad``; returns the hex SHA-256 of the plaintext.

    Raises :class:`DecryptionError` on a wrong key or AAD, tampering, reordering or truncation; what ``dst``
    received before the error must then be discarded.
    """
    return decrypt_file(src, dst, keys, aad, expected_sha256=expected_sha256).plaintext_sha256


def reencrypt_stream(
    source: Readable,
    sink: Writable,
    old_keys: VersionedKey | KeySource,
    new_key: VersionedKey | KeySource,
    aad: bytes = b"",
    *,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
) -> FileInfo:
    """Move a container to ``new_key`` chunk by chunk, the plaintext passing only through memory."""
    return _encrypt_blocks(iter_decrypt(source, old_keys, aad), sink, new_key, aad, chunk_size)


def container_key_version(source: Readable) -> int:
    """The key version of an encrypted file, read from its header without any key."""
    return read_header(source)[1]
