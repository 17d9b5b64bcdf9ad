"""Ed25519 helpers, and the promise that the crypto library runs without Django."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from vigil.lib.crypto import fields, signing

SRC = Path(__file__).resolve().parents[3] / "src"


def test_the_same_seed_always_gives_the_same_key() -> None:
    seed = os.urandom(32)
    a, b = signing.private_key_from_seed(seed), signing.private_key_from_seed(seed)
    assert signing.encode_public_key(a) == signing.encode_public_key(b)
    assert signing.fingerprint(a) == signing.fingerprint(b)
    assert signing.encode_public_key(
        signing.private_key_from_seed(os.urandom(32))
    ) != signing.encode_public_key(a)


def test_public_keys_round_trip_through_text() -> None:
    key = signing.private_key_from_seed(os.urandom(32))
    text = signing.encode_public_key(key)
    assert text.startswith("ed25519:")
    decoded = signing.decode_public_key(text)
    assert signing.public_key_bytes(decoded) == signing.public_key_bytes(key)
    assert signing.fingerprint(decoded) == signing.fingerprint(key)


def test_signatures_verify_only_for_the_signed_message_and_key() -> None:
    key = signing.private_key_from_seed(os.urandom(32))
    other = signing.private_key_from_seed(os.urandom(32))
    signature = signing.sign(key, b"seq=10 head=abc")
    assert signing.verify(key.public_key(), b"seq=10 head=abc", signature)
    assert not signing.verify(key.public_key(), b"seq=11 head=abc", signature)
    assert not signing.verify(other.public_key(), b"seq=10 head=abc", signature)
    assert not signing.verify(key.public_key(), b"seq=10 head=abc", bytes(64))


@pytest.mark.parametrize("bad", ["rsa:AAAA", "ed25519:AAAA", "ed25519:" + "A" * 50])
def test_malformed_public_keys_are_refused(bad: str) -> None:
    with pytest.raises(ValueError):
        signing.decode_public_key(bad)


def test_seeds_must_be_32_bytes() -> None:
    with pytest.raises(ValueError):
        signing.private_key_from_seed(b"short")


def test_garbage_tokens_have_no_key_version() -> None:
    with pytest.raises(fields.DecryptionError):
        fields.token_key_version("#not base64#")
    with pytest.raises(fields.DecryptionError):
        fields.token_key_version("AA")


def test_the_crypto_library_never_imports_django() -> None:
    code = (
        "import sys, vigil.lib.crypto, vigil.lib.crypto.keys, vigil.lib.crypto.fields, vigil.lib.crypto.files, "
        "vigil.lib.crypto.shares, vigil.lib.crypto.signing, vigil.lib.crypto.chain, vigil.protection.sqlcipher.keying; "
        "print(sorted(m for m in sys.modules if m == 'django' or m.startswith('django.')))"
    )
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"
