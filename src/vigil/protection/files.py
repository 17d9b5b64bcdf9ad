"""Files encrypted at rest with the instance's file key (:mod:`vigil.lib.crypto.files`): evidence files and
job files are written through :func:`sealed_file`, so that every such file is created the same way."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from vigil.lib.crypto.files import EncryptingWriter
from vigil.protection import keys


@contextmanager
def sealed_file(target: Path, aad: bytes) -> Iterator[EncryptingWriter]:
    """Create ``target`` (it must not exist yet; owner-only) and yield the writer its plaintext goes into,
    encrypted with the current file key and bound to ``aad``. When the block ends normally the container is
    closed (the writer's ``info`` then holds the plaintext's size and SHA-256), synced to disk and made
    read-only; when it is left by an exception the file is removed."""
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as out:
            writer = EncryptingWriter(out, keys.file_key(), aad=aad)
            yield writer
            writer.close()
            out.flush()
            os.fsync(out.fileno())
        os.chmod(target, 0o400)
    except BaseException:
        target.unlink(missing_ok=True)
        raise
