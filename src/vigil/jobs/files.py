"""A job's file, encrypted at rest as evidence files are (:mod:`vigil.lib.crypto.files`, the instance's file
key): the upload an import job reads, the package a package job writes. Plaintext never touches disk: an
upload is encrypted from memory, a package is zipped straight into the encrypting writer.

Each file is bound to its name (the AAD), so a file swapped for another fails to decrypt.
"""

from __future__ import annotations

import io
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from django.conf import settings

from vigil.lib.crypto.files import EncryptingWriter, decrypt_stream
from vigil.protection import keys
from vigil.protection.files import sealed_file


def jobs_dir() -> Path:
    path = Path(settings.JOBS_DIR)
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


def _aad(name: str) -> bytes:
    return f"vigil-job-file:{name}".encode()


def _path(name: str) -> Path:
    if not name or not all(c in "0123456789abcdef" for c in name):
        raise ValueError("not a job file name")
    return jobs_dir() / name


@dataclass(frozen=True)
class StoredFile:
    name: str
    size: int
    sha256: str


@contextmanager
def writing() -> Iterator[tuple[str, EncryptingWriter]]:
    """A new job file and the writer its plaintext goes into; sealed when the block ends normally, removed if
    it is left by an exception. Yields the file's name and the writer (whose ``info`` then has its size and
    SHA-256)."""
    name = secrets.token_hex(16)
    with sealed_file(jobs_dir() / name, _aad(name)) as writer:
        yield name, writer


def store(stream: IO[bytes]) -> StoredFile:
    """Encrypt ``stream`` into a new job file."""
    with writing() as (name, writer):
        while chunk := stream.read(1 << 16):
            writer.write(chunk)
    info = writer.info
    assert info is not None
    return StoredFile(name, info.plaintext_size, info.plaintext_sha256)


def read(name: str, *, sha256: str | None = None) -> bytes:
    """The file's plaintext, in memory only; raises DecryptionError if it was altered (or, with ``sha256``,
    is not the file that was stored)."""
    plain = io.BytesIO()
    with _path(name).open("rb") as fh:
        decrypt_stream(fh, plain, keys.file_keys(), _aad(name), expected_sha256=sha256)
    return plain.getvalue()


def remove(name: str) -> None:
    if name:
        _path(name).unlink(missing_ok=True)
