"""Fixed keys for three instances, so that every test (and every Hypothesis example) reuses them."""

from __future__ import annotations

import hashlib

import pytest

from vigil.sync.bundle import Keys


def fixed_keys(name: str) -> Keys:
    seed = hashlib.sha256(f"vigil sync test {name}".encode()).digest()
    return Keys.from_seeds(name, seed, hashlib.sha256(seed).digest())


@pytest.fixture(scope="session")
def three_keys() -> tuple[Keys, Keys, Keys]:
    return fixed_keys("minsk"), fixed_keys("vilnius"), fixed_keys("warsaw")
