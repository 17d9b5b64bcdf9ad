"""Streamed file encryption: round trips, and truncation, reordering, splicing and swaps are all detected."""

from __future__ import annotations

import hashlib
import io
import os

import pytest

from vigil.lib.crypto import files
from vigil.lib.crypto.errors import DecryptionError
from vigil.lib.crypto.material import StaticKeys, VersionedKey

CHUNK = files.MIN_CHUNK_SIZE
AAD = b"evidence:1053"


def encrypt(key: VersionedKey, data: bytes, aad: bytes = AAD, chunk_size: int = CHUNK) -> bytes:
    out = io.BytesIO()
    files.encrypt_stream(io.BytesIO(data), out, key, aad, chunk_size=chunk_size)
    return out.getvalue()


def decrypt(key: VersionedKey | StaticKeys, blob: bytes, aad: bytes = AAD) -> bytes:
    out = io.BytesIO()
    files.decrypt_stream(io.BytesIO(blob), out, key, aad)
    return out.getvalue()


def chunks_of(blob: bytes, chunk_size: int = CHUNK) -> tuple[bytes, list[bytes]]:
    body = blob[files.HEADER_BYTES :]
    step = chunk_size + files.TAG_BYTES
    return blob[: files.HEADER_BYTES], [body[i : i + step] for i in range(0, len(body), step)]


@pytest.mark.parametrize("size", [0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 3 * CHUNK, 5 * CHUNK + 17])
def test_encrypt_then_decrypt_returns_the_same_bytes_and_sha256(key: VersionedKey, size: int) -> None:
    data = os.urandom(size)
    out = io.BytesIO()
    digest = files.encrypt_stream(io.BytesIO(data), out, key, AAD, chunk_size=CHUNK)
    assert digest == hashlib.sha256(data).hexdigest()
    back = io.BytesIO()
    assert files.decrypt_stream(io.BytesIO(out.getvalue()), back, key, AAD) == digest
    assert back.getvalue() == data


def test_the_container_does_not_contain_the_plaintext(key: VersionedKey) -> None:
    text = "Пратакол затрымання: Акрэсціна, 8 лістапада 2020 " * 200
    for encoding in ("utf-8", "utf-16-le", "cp1251"):
        blob = encrypt(key, text.encode(encoding))
        assert "Акрэсціна".encode(encoding) not in blob


def test_dropping_the_last_chunk_is_detected(key: VersionedKey) -> None:
    header, chunks = chunks_of(encrypt(key, os.urandom(4 * CHUNK + 100)))
    with pytest.raises(DecryptionError):
        decrypt(key, header + b"".join(chunks[:-1]))


def test_cutting_inside_a_chunk_or_to_the_header_is_detected(key: VersionedKey) -> None:
    blob = encrypt(key, os.urandom(3 * CHUNK))
    for cut in (len(blob) - 1, len(blob) - 20, files.HEADER_BYTES + 5, files.HEADER_BYTES, 10, 0):
        with pytest.raises(DecryptionError):
            decrypt(key, blob[:cut])


def test_reordering_chunks_is_detected(key: VersionedKey) -> None:
    header, chunks = chunks_of(encrypt(key, os.urandom(4 * CHUNK + 100)))
    swapped = [chunks[1], chunks[0], *chunks[2:]]
    with pytest.raises(DecryptionError):
        decrypt(key, header + b"".join(swapped))


def test_a_chunk_spliced_from_another_file_is_detected(key: VersionedKey) -> None:
    header_a, chunks_a = chunks_of(encrypt(key, os.urandom(3 * CHUNK)))
    _, chunks_b = chunks_of(encrypt(key, os.urandom(3 * CHUNK)))
    with pytest.raises(DecryptionError):
        decrypt(key, header_a + chunks_a[0] + chunks_b[1] + chunks_a[2])


def test_a_duplicated_chunk_is_detected(key: VersionedKey) -> None:
    header, chunks = chunks_of(encrypt(key, os.urandom(3 * CHUNK)))
    with pytest.raises(DecryptionError):
        decrypt(key, header + chunks[0] + chunks[0] + chunks[1] + chunks[2])


def test_appending_bytes_is_detected(key: VersionedKey) -> None:
    blob = encrypt(key, os.urandom(2 * CHUNK))
    with pytest.raises(DecryptionError):
        decrypt(key, blob + b"\x00" * 16)


def test_a_file_bound_to_one_record_does_not_open_for_another(key: VersionedKey) -> None:
    blob = encrypt(key, b"photo", aad=b"evidence:1")
    with pytest.raises(DecryptionError):
        decrypt(key, blob, aad=b"evidence:2")
    with pytest.raises(DecryptionError):
        decrypt(key, blob, aad=b"")


def test_the_wrong_key_is_detected(key: VersionedKey) -> None:
    blob = encrypt(key, b"photo")
    with pytest.raises(DecryptionError):
        decrypt(VersionedKey(1, os.urandom(32)), blob)


def test_flipping_any_header_or_body_byte_is_detected(key: VersionedKey) -> None:
    blob = encrypt(key, os.urandom(2 * CHUNK + 5))
    keys = StaticKeys(key, VersionedKey(key.version + 1, os.urandom(32)))
    for position in range(0, len(blob), 7):
        tampered = bytearray(blob)
        tampered[position] ^= 0x01
        with pytest.raises(DecryptionError):
            decrypt(keys, bytes(tampered))


def test_a_mismatched_expected_fingerprint_is_reported(key: VersionedKey) -> None:
    blob = encrypt(key, b"photo")
    with pytest.raises(DecryptionError):
        files.decrypt_stream(io.BytesIO(blob), io.BytesIO(), key, AAD, expected_sha256="00" * 32)
    good = hashlib.sha256(b"photo").hexdigest().upper()
    assert files.decrypt_stream(io.BytesIO(blob), io.BytesIO(), key, AAD, expected_sha256=good)


def test_an_upload_left_by_an_exception_never_becomes_a_valid_file(key: VersionedKey) -> None:
    sink = io.BytesIO()
    with pytest.raises(RuntimeError), files.EncryptingWriter(sink, key, AAD, chunk_size=CHUNK) as writer:
        writer.write(os.urandom(3 * CHUNK))
        raise RuntimeError("connection dropped")
    with pytest.raises(DecryptionError):
        decrypt(key, sink.getvalue())


def test_writes_of_any_size_give_a_container_that_decrypts(key: VersionedKey) -> None:
    data = os.urandom(7 * CHUNK + 3)
    sink = io.BytesIO()
    with files.EncryptingWriter(sink, key, AAD, chunk_size=CHUNK) as writer:
        position = 0
        for size in [1, CHUNK - 1, 2 * CHUNK + 5, 0, 13, 4 * CHUNK]:
            writer.write(data[position : position + size])
            position += size
        writer.write(data[position:])
    assert writer.info is not None and writer.info.plaintext_size == len(data)
    assert writer.info.ciphertext_size == len(sink.getvalue())
    assert decrypt(key, sink.getvalue()) == data


def test_reencrypting_a_file_moves_it_to_the_new_key(key: VersionedKey) -> None:
    data = os.urandom(3 * CHUNK)
    new = VersionedKey(key.version + 1, os.urandom(32))
    out = io.BytesIO()
    info = files.reencrypt_stream(io.BytesIO(encrypt(key, data)), out, key, new, AAD, chunk_size=CHUNK)
    assert info.key_version == new.version
    assert files.container_key_version(io.BytesIO(out.getvalue())) == new.version
    assert decrypt(new, out.getvalue()) == data
    with pytest.raises(DecryptionError):
        decrypt(key, out.getvalue())


def test_decrypt_file_reports_sizes_and_key_version(key: VersionedKey) -> None:
    data = os.urandom(CHUNK + 1)
    blob = encrypt(key, data)
    info = files.decrypt_file(io.BytesIO(blob), io.BytesIO(), key, AAD)
    assert (info.plaintext_size, info.ciphertext_size, info.key_version) == (
        len(data),
        len(blob),
        key.version,
    )


def test_streaming_never_opens_a_file(key: VersionedKey, monkeypatch: pytest.MonkeyPatch) -> None:
    opened: list[object] = []

    def refuse(file: object, *args: object, **kwargs: object) -> None:
        opened.append(file)
        raise AssertionError(f"file opened: {file!r}")

    monkeypatch.setattr("builtins.open", refuse)
    monkeypatch.setattr(os, "open", refuse)
    data = os.urandom(2 * CHUNK)
    assert decrypt(key, encrypt(key, data)) == data
    assert opened == []
