"""Shamir recovery shares: any two of three recover the key, one alone reveals nothing, typos are caught."""

from __future__ import annotations

import itertools
import os
import random
import re

import pytest
from crypto_testkit import FAST_KDF, PASSPHRASE

from vigil.lib.crypto import shares
from vigil.lib.crypto.errors import ShareError, WrongPassphraseError
from vigil.lib.crypto.keys import Keyring, KeyStore, Purpose


def test_every_pair_of_three_shares_recovers_the_secret() -> None:
    secret = os.urandom(32)
    parts = shares.split(secret, threshold=2, count=3)
    for pair in itertools.permutations(parts, 2):
        assert shares.combine(list(pair)) == secret
    assert shares.combine(parts) == secret


def test_no_single_share_recovers_the_secret() -> None:
    secret = os.urandom(32)
    for share in shares.split(secret):
        with pytest.raises(ShareError):
            shares.combine([share])
        with pytest.raises(ShareError):
            shares.combine([share, share])  # the same share twice is still one point
        assert share.y != secret


@pytest.mark.parametrize("x", [1, 2, 3])
def test_a_single_share_is_equally_consistent_with_every_secret(x: int) -> None:
    # Perfect secrecy, checked exhaustively for one byte: as the random coefficient runs over all 256 values,
    # the share's byte runs over all 256 values whatever the secret, so the share says nothing about it.
    for secret in (b"\x00", b"\x5a", b"\xff"):
        seen = set()
        for coefficient in range(256):
            fixed = iter([b"\x00\x00\x00\x00", bytes([coefficient])])
            share = shares.split(secret, random_bytes=lambda n, it=fixed: next(it))[x - 1]
            seen.add(share.y[0])
        assert seen == set(range(256))


def test_k_of_n_splits_need_exactly_k_shares() -> None:
    rng = random.Random(1053)
    for threshold, count in [(2, 2), (3, 5), (4, 7)]:
        secret = rng.randbytes(17)
        parts = shares.split(secret, threshold=threshold, count=count)
        for subset in itertools.combinations(parts, threshold):
            assert shares.combine(list(subset)) == secret
        with pytest.raises(ShareError):
            shares.combine(parts[: threshold - 1])


def test_shares_from_different_splits_do_not_combine() -> None:
    a = shares.split(os.urandom(32))
    b = shares.split(os.urandom(32))
    with pytest.raises(ShareError):
        shares.combine([a[0], b[1]])


def test_printed_shares_are_base32_groups_that_parse_back() -> None:
    parts = shares.split(os.urandom(32))
    for share in parts:
        text = shares.format_share(share)
        assert re.fullmatch(r"[A-Z2-7]{5}(-[A-Z2-7]{1,5})+", text)
        assert shares.parse_share(text) == share
        # People copy by hand: lower case, spaces, line breaks and look-alike digits are tolerated.
        sloppy = text.lower().replace("-", " ").replace("o", "0").replace("i", "1")
        assert shares.parse_share(sloppy[:20] + "\n" + sloppy[20:]) == share


def test_every_single_typing_mistake_is_caught_by_the_checksum() -> None:
    text = shares.format_share(shares.split(os.urandom(32))[0])
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
    for position, char in enumerate(text):
        if char == "-":
            continue
        for other in alphabet:
            if other == char:
                continue
            typo = text[:position] + other + text[position + 1 :]
            try:
                parsed = shares.parse_share(typo)
            except ShareError:
                continue
            # Only the padding bits of the last character may change without changing the share.
            assert parsed == shares.parse_share(text)


def test_swapping_neighbouring_characters_is_caught() -> None:
    text = shares.format_share(shares.split(os.urandom(32))[1]).replace("-", "")
    for i in range(len(text) - 2):
        if text[i] == text[i + 1]:
            continue
        swapped = text[:i] + text[i + 1] + text[i] + text[i + 2 :]
        with pytest.raises(ShareError):
            shares.parse_share(swapped)


def test_a_share_missing_a_group_is_refused() -> None:
    groups = shares.format_share(shares.split(os.urandom(32))[0]).split("-")
    with pytest.raises(ShareError):
        shares.parse_share("-".join(groups[:3] + groups[4:]))
    with pytest.raises(ShareError):
        shares.parse_share("not a share at all!")


def test_keystore_shares_reset_a_forgotten_passphrase(store: KeyStore, ring: Keyring) -> None:
    printed = ring.recovery_shares()
    assert len(printed) == 3
    field_key = ring.key(Purpose.FIELD)
    for pair in itertools.combinations(printed, 2):
        with store.unlock_with_shares(list(pair)) as recovered:
            assert recovered.key(Purpose.FIELD) == field_key
    with store.unlock_with_shares(printed[1:]) as recovered:
        recovered.change_passphrase("a new passphrase", kdf=FAST_KDF)
    with store.unlock("a new passphrase") as again:
        assert again.key(Purpose.FIELD) == field_key
    with pytest.raises(WrongPassphraseError):
        store.unlock(PASSPHRASE)


def test_a_single_keystore_share_does_not_unlock(store: KeyStore, ring: Keyring) -> None:
    printed = ring.recovery_shares()
    for share in printed:
        with pytest.raises(ShareError):
            store.unlock_with_shares([share])


def test_shares_of_another_keystore_do_not_unlock(store: KeyStore, ring: Keyring) -> None:
    other = KeyStore(store.directory.parent / "other")
    with other.create("x", kdf=FAST_KDF) as other_ring:
        foreign = other_ring.recovery_shares()
    with pytest.raises(WrongPassphraseError):
        store.unlock_with_shares(foreign[:2])
