"""The public unlock page cannot be used to stall the server or to guess the passphrase quickly: no key
derivation once unlocked, one derivation at a time, a few a minute, and a growing wait after wrong ones."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from vigil.lib.crypto.errors import WrongPassphraseError
from vigil.web.views import unlock as unlock_view

from ..clocks import FakeClock, throttles_on_a_fake_clock

RIGHT = "the right passphrase"


class Derivations:
    """Stands in for ``keys.unlock`` (Argon2id, 2 s and 256 MiB each): counts the derivations asked for."""

    def __init__(self) -> None:
        self.count = 0
        self.unlocked = False

    def unlock(self, passphrase: str) -> None:
        self.count += 1
        if passphrase != RIGHT:
            raise WrongPassphraseError("wrong passphrase")
        self.unlocked = True


@pytest.fixture
def clock() -> Iterator[FakeClock]:
    with throttles_on_a_fake_clock(unlock_view.PER_CLIENT, unlock_view.GLOBAL) as fake:
        yield fake


@pytest.fixture
def locked(monkeypatch: pytest.MonkeyPatch, clock: FakeClock) -> Derivations:
    derivations = Derivations()
    monkeypatch.setattr("vigil.protection.keys.unlock", derivations.unlock)
    monkeypatch.setattr("vigil.protection.keys.is_unlocked", lambda: derivations.unlocked)
    return derivations


def _try(passphrase: str, address: str = "198.51.100.1") -> Any:
    return Client().post(reverse("unlock"), {"passphrase": passphrase}, REMOTE_ADDR=address)


@pytest.mark.django_db
def test_an_unlocked_instance_derives_no_key_and_says_so(monkeypatch, clock):
    derivations = Derivations()
    monkeypatch.setattr("vigil.protection.keys.unlock", derivations.unlock)
    monkeypatch.setattr("vigil.protection.keys.is_unlocked", lambda: True)
    response = Client().post(reverse("unlock"), {"passphrase": "anything"}, follow=False)
    assert response.status_code == 302 and response["Location"] == reverse("home")
    assert derivations.count == 0
    messages = [str(m) for m in response.wsgi_request._messages]
    assert messages == ["Vigil is already unlocked."]


@pytest.mark.django_db
def test_wrong_passphrases_from_one_address_meet_a_growing_wait(locked, clock):
    for _ in range(unlock_view.PER_CLIENT.free):
        assert _try("wrong").status_code == 400
        clock.now += 61  # slower than the global rate
    assert _try("wrong").status_code == 400  # the first failure past the free ones sets a wait
    refused = _try(RIGHT)
    assert refused.status_code == 429
    assert "Too many wrong passphrases" in refused.content.decode()
    assert int(refused["Retry-After"]) >= 1
    asked = locked.count
    clock.now += unlock_view.PER_CLIENT.base + 0.1
    assert _try("wrong").status_code == 400
    clock.now += unlock_view.PER_CLIENT.base + 0.1
    assert _try(RIGHT).status_code == 429, "the wait doubles after each further failure"
    clock.now += unlock_view.PER_CLIENT.base
    assert _try(RIGHT).status_code == 302
    assert locked.count == asked + 2


@pytest.mark.django_db
def test_another_address_is_not_held_up_by_someone_elses_failures(locked, clock):
    for _ in range(unlock_view.PER_CLIENT.free + 1):
        clock.now += 61
        assert _try("wrong", "203.0.113.9").status_code == 400
    assert _try("wrong", "203.0.113.9").status_code == 429
    assert _try(RIGHT, "198.51.100.1").status_code == 302


@pytest.mark.django_db
def test_only_a_few_derivations_a_minute_from_all_addresses_together(locked, clock):
    limit = unlock_view.GLOBAL.limit
    for n in range(limit):
        assert _try("wrong", f"192.0.2.{n}").status_code == 400
    refused = _try(RIGHT, "192.0.2.200")
    assert refused.status_code == 429 and "Too many unlock attempts" in refused.content.decode()
    assert locked.count == limit
    clock.now += unlock_view.GLOBAL.period
    assert _try(RIGHT, "192.0.2.200").status_code == 302


@pytest.mark.django_db
def test_only_one_derivation_at_a_time(locked, clock):
    assert unlock_view.DERIVING.acquire(blocking=False)
    try:
        refused = _try(RIGHT)
    finally:
        unlock_view.DERIVING.release()
    assert refused.status_code == 429 and "being checked" in refused.content.decode()
    assert locked.count == 0
    assert _try(RIGHT).status_code == 302
