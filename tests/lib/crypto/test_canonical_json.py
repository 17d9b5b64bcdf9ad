"""The two forms of canonical JSON, byte for byte: data already signed, MACed and hashed depends on them."""

from __future__ import annotations

import pytest

from vigil.lib.crypto import chain
from vigil.lib.crypto._encoding import canonical_json

VALUE = {"name": "Мінск", "n": [1, 2.5, None, True], "a": {"z": "ё", "b": ""}}


def test_the_utf8_form_keeps_non_ascii_characters() -> None:
    expected = '{"a":{"b":"","z":"ё"},"n":[1,2.5,null,true],"name":"Мінск"}'.encode()
    assert canonical_json(VALUE) == expected


def test_the_ascii_form_escapes_non_ascii_characters() -> None:
    expected = (
        b'{"a":{"b":"","z":"\\u0451"},"n":[1,2.5,null,true],"name":"\\u041c\\u0456\\u043d\\u0441\\u043a"}'
    )
    assert canonical_json(VALUE, ascii=True) == expected


@pytest.mark.parametrize("ascii", [False, True])
def test_values_without_a_json_form_are_refused(ascii: bool) -> None:
    with pytest.raises(ValueError):
        canonical_json({"x": float("nan")}, ascii=ascii)
    with pytest.raises(ValueError):
        canonical_json({"x": float("inf")}, ascii=ascii)


def test_audit_checkpoints_sign_the_ascii_form() -> None:
    message = chain.checkpoint_message(12, "ab" * 32, "2021-03-25T06:00:00+00:00")
    assert message == (
        b'{"domain":"vigil-chain-checkpoint-v1","head_hash":"' + b"ab" * 32 + b'","seq":12,'
        b'"time":"2021-03-25T06:00:00+00:00"}'
    )
