"""The unlock page's other way in: the recovery shares and a new passphrase, for when the passphrase is lost.
It goes through the same gates as the passphrase (one at a time, a few a minute, a growing wait per address)
and is audited."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from vigil.audit.models import AuditEntry
from vigil.lib.crypto.errors import WrongPassphraseError
from vigil.protection import keys
from vigil.web.views import unlock as unlock_view

from ..clocks import FakeClock, throttles_on_a_fake_clock
from ..conftest import OLD_PASSPHRASE, Own

NEW = "the new passphrase typed on the page"


@pytest.fixture
def clock() -> Iterator[FakeClock]:
    with throttles_on_a_fake_clock(unlock_view.PER_CLIENT, unlock_view.GLOBAL) as fake:
        yield fake


def _shares(text: str, address: str = "198.51.100.1", again: str = NEW) -> Any:
    return Client().post(
        reverse("unlock"),
        {"method": "shares", "shares": text, "new_passphrase": NEW, "new_passphrase_again": again},
        REMOTE_ADDR=address,
    )


def _bad(own: Own) -> str:
    return own.shares[0]  # one share of a set that needs two


def test_the_page_offers_the_shares(own_keystore: Own, clock: FakeClock) -> None:
    page = Client().get(reverse("unlock")).content.decode()
    assert 'name="shares"' in page and 'value="shares"' in page and 'name="new_passphrase_again"' in page


def test_two_shares_and_a_new_passphrase_unlock_and_the_old_one_stops_working(
    own_keystore: Own, clock: FakeClock
) -> None:
    response = _shares("\n".join(own_keystore.shares[:2]))
    assert response.status_code == 302 and response["Location"] == reverse("home")
    assert keys.is_unlocked()
    own_keystore.store.unlock(NEW).lock()
    with pytest.raises(WrongPassphraseError):
        own_keystore.store.unlock(OLD_PASSPHRASE)
    entry = AuditEntry.objects.get(action="keys.recovered")
    assert entry.detail["via"] == "unlock page" and entry.actor_id is None


def test_wrong_shares_are_answered_on_the_shares_form_and_change_nothing(
    own_keystore: Own, clock: FakeClock
) -> None:
    keyfile = own_keystore.store.path.read_bytes()
    response = _shares(_bad(own_keystore))
    assert response.status_code == 400
    page = response.content.decode()
    assert "needs 2 different shares" in page and '<details class="card narrow" open>' in page
    assert own_keystore.store.path.read_bytes() == keyfile and not keys.is_unlocked()
    assert not AuditEntry.objects.filter(action="keys.recovered").exists()


def test_new_passphrases_that_differ_are_not_counted_as_a_guess(own_keystore: Own, clock: FakeClock) -> None:
    for _ in range(unlock_view.PER_CLIENT.free + 3):
        refused = _shares("\n".join(own_keystore.shares[:2]), again="something else")
        assert refused.status_code == 400 and "differ" in refused.content.decode()
    assert unlock_view.PER_CLIENT.wait(unlock_view.client_key("198.51.100.1")) == 0
    assert _shares("\n".join(own_keystore.shares[:2])).status_code == 302


def test_wrong_shares_meet_the_same_growing_wait_as_wrong_passphrases(
    own_keystore: Own, clock: FakeClock
) -> None:
    for n in range(unlock_view.PER_CLIENT.free + 1):
        clock.now += 61 if n else 0  # slower than the global rate
        assert _shares(_bad(own_keystore)).status_code == 400
    held = _shares("\n".join(own_keystore.shares[:2]))
    assert held.status_code == 429 and int(held["Retry-After"]) >= 1
    assert "Too many wrong passphrases" in held.content.decode()
    # The passphrase form is held up by them too: they are guesses at the same keys.
    passphrase = Client().post(reverse("unlock"), {"passphrase": OLD_PASSPHRASE}, REMOTE_ADDR="198.51.100.1")
    assert passphrase.status_code == 429
    assert not keys.is_unlocked()
    clock.now += unlock_view.PER_CLIENT.base + 0.1
    assert _shares("\n".join(own_keystore.shares[:2])).status_code == 302


def test_share_attempts_count_against_the_limit_for_all_addresses(
    own_keystore: Own, clock: FakeClock
) -> None:
    for n in range(unlock_view.GLOBAL.limit):
        assert _shares(_bad(own_keystore), f"192.0.2.{n}").status_code == 400
    refused = _shares("\n".join(own_keystore.shares[:2]), "192.0.2.200")
    assert refused.status_code == 429 and "Too many unlock attempts" in refused.content.decode()
    clock.now += unlock_view.GLOBAL.period
    assert _shares("\n".join(own_keystore.shares[:2]), "192.0.2.200").status_code == 302


def test_share_attempts_wait_for_the_one_being_checked(own_keystore: Own, clock: FakeClock) -> None:
    assert unlock_view.DERIVING.acquire(blocking=False)
    try:
        refused = _shares("\n".join(own_keystore.shares[:2]))
    finally:
        unlock_view.DERIVING.release()
    assert refused.status_code == 429 and "being checked" in refused.content.decode()
    assert not keys.is_unlocked()


def test_an_unlocked_instance_ignores_shares(own_keystore: Own, clock: FakeClock) -> None:
    keys.unlock(OLD_PASSPHRASE)
    keyfile = own_keystore.store.path.read_bytes()
    response = _shares("\n".join(own_keystore.shares[:2]))
    assert response.status_code == 302
    assert own_keystore.store.path.read_bytes() == keyfile
