"""Field encryption is bound to its table, row and field, never reuses a nonce, and re-encrypts on rotation."""

from __future__ import annotations

import os

import pytest

from vigil.lib.crypto import fields
from vigil.lib.crypto.errors import DecryptionError, KeyRetiredError
from vigil.lib.crypto.fields import FieldContext
from vigil.lib.crypto.material import StaticKeys, VersionedKey

WHERE = {"table": "records_person", "row_id": 42, "field": "full_name"}


def test_a_field_decrypts_in_the_place_it_was_encrypted_for(key: VersionedKey) -> None:
    token = fields.encrypt_field(key, "Алесь Бяляцкі", **WHERE)
    assert fields.decrypt_field(key, token, **WHERE) == "Алесь Бяляцкі"


def test_the_token_does_not_contain_the_plaintext(key: VersionedKey) -> None:
    secret = "Марыя Калеснікава"
    token = fields.encrypt_field(key, secret, **WHERE)
    raw = fields.b64d(token)
    for encoding in ("utf-8", "utf-16-le", "cp1251"):
        assert secret.encode(encoding) not in raw
    assert secret not in token


@pytest.mark.parametrize(
    "moved",
    [
        {"table": "records_lawyer", "row_id": 42, "field": "full_name"},
        {"table": "records_person", "row_id": 43, "field": "full_name"},
        {"table": "records_person", "row_id": "42 ", "field": "full_name"},
        {"table": "records_person", "row_id": 42, "field": "phone"},
        # Length prefixing: shifting characters between the parts must not produce the same AAD.
        {"table": "records_person4", "row_id": 2, "field": "full_name"},
        {"table": "records_person", "row_id": 42, "field": "full_nam"},
    ],
)
def test_ciphertext_moved_to_another_row_or_field_fails(key: VersionedKey, moved: dict[str, object]) -> None:
    token = fields.encrypt_field(key, "+375 29 000 00 00", **WHERE)
    with pytest.raises(DecryptionError):
        fields.decrypt_field(key, token, **moved)  # type: ignore[arg-type]


def test_a_token_under_another_key_fails(key: VersionedKey) -> None:
    token = fields.encrypt_field(key, "x", **WHERE)
    with pytest.raises(DecryptionError):
        fields.decrypt_field(VersionedKey(1, os.urandom(32)), token, **WHERE)


def test_every_flipped_bit_of_a_token_is_detected(key: VersionedKey) -> None:
    raw = fields.encrypt_field_bytes(key, b"detained 2020-11-08", **WHERE)
    for bit in range(len(raw) * 8):
        tampered = bytearray(raw)
        tampered[bit // 8] ^= 1 << (bit % 8)
        with pytest.raises(DecryptionError):
            fields.decrypt_field_bytes(key, bytes(tampered), **WHERE)


def test_truncated_and_garbage_tokens_raise_decryption_error(key: VersionedKey) -> None:
    token = fields.encrypt_field(key, "x", **WHERE)
    for bad in (token[:10], "", "!!!not base64!!!", token[:-2]):
        with pytest.raises(DecryptionError):
            fields.decrypt_field(key, bad, **WHERE)


def test_no_nonce_is_reused_in_a_million_encryptions(key: VersionedKey) -> None:
    # The nonce sits at a fixed offset in every token; collect it from real encryptions.
    start = fields._HEADER.size
    end = start + fields.NONCE_BYTES
    count = 1_000_000
    seen = {
        fields.encrypt_field_bytes(key, b"", table="t", row_id=i, field="f")[start:end] for i in range(count)
    }
    assert len(seen) == count


def test_a_token_names_the_key_version_that_made_it() -> None:
    keys = StaticKeys(VersionedKey(3, os.urandom(32)), VersionedKey(7, os.urandom(32)))
    token = fields.encrypt_field(keys, "x", **WHERE)
    assert fields.token_key_version(token) == 7
    assert fields.decrypt_field(keys, token, **WHERE) == "x"


def test_a_token_under_a_retired_version_reports_it() -> None:
    old = VersionedKey(1, os.urandom(32))
    token = fields.encrypt_field(old, "x", **WHERE)
    with pytest.raises(KeyRetiredError):
        fields.decrypt_field(StaticKeys(VersionedKey(2, os.urandom(32))), token, **WHERE)


def test_reencrypt_leaves_only_current_version_ciphertexts_that_still_decrypt() -> None:
    v1, v2 = VersionedKey(1, os.urandom(32)), VersionedKey(2, os.urandom(32))
    plaintexts = {FieldContext("records_person", i, "full_name"): f"person {i}" for i in range(200)}
    items = [
        (
            ctx,
            fields.encrypt_field(
                v1 if i % 3 else v2, text, table=ctx.table, row_id=ctx.row_id, field=ctx.field
            ),
        )
        for i, (ctx, text) in enumerate(plaintexts.items())
    ]
    both = StaticKeys(v1, v2)
    out = list(fields.reencrypt(both, items))

    assert [ctx for ctx, _ in out] == [ctx for ctx, _ in items]
    assert {fields.token_key_version(token) for _, token in out} == {2}
    assert fields.contexts_under_version(out, 1) == []
    only_new = StaticKeys(v2)  # the old version retired: everything must still open
    for ctx, token in out:
        assert (
            fields.decrypt_field(only_new, token, table=ctx.table, row_id=ctx.row_id, field=ctx.field)
            == (plaintexts[ctx])
        )
    # Nothing decrypts under the old key any more.
    for ctx, token in out:
        with pytest.raises(DecryptionError):
            fields.decrypt_field(v1, token, table=ctx.table, row_id=ctx.row_id, field=ctx.field)


def test_reencrypt_refuses_a_token_moved_to_another_row() -> None:
    v1, v2 = VersionedKey(1, os.urandom(32)), VersionedKey(2, os.urandom(32))
    token = fields.encrypt_field(v1, "x", table="t", row_id=1, field="f")
    with pytest.raises(DecryptionError):
        list(fields.reencrypt(StaticKeys(v1, v2), [(FieldContext("t", 2, "f"), token)]))


def test_blind_index_matches_trivially_different_spellings_of_the_same_value(key: VersionedKey) -> None:
    a = fields.blind_index(key, "Ivan  PETROV ", "full_name")
    b = fields.blind_index(key, "ivan petrov", "full_name")
    assert a == b
    assert len(a) == 32  # 16 bytes as hex


def test_blind_index_differs_by_value_field_and_key(key: VersionedKey) -> None:
    base = fields.blind_index(key, "Ivan Petrov", "full_name")
    assert fields.blind_index(key, "Ivan Petrova", "full_name") != base
    assert fields.blind_index(key, "Ivan Petrov", "lawyer_name") != base
    assert fields.blind_index(VersionedKey(1, os.urandom(32)), "Ivan Petrov", "full_name") != base


def test_blind_index_does_not_fold_transliterations(key: VersionedKey) -> None:
    # Exact look-up only; fuzzy matching across scripts belongs to linkage on decrypted data.
    assert fields.blind_index(key, "Іван", "full_name") != fields.blind_index(key, "Иван", "full_name")


def test_blind_index_length_is_bounded(key: VersionedKey) -> None:
    with pytest.raises(ValueError):
        fields.blind_index(key, "x", "f", length=4)
