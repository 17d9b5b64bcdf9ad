"""Shared helpers of the sync tests: fixed keys, so that every test and Hypothesis example reuses them."""

from __future__ import annotations

import hashlib

from vigil.lib.sync.bundle import Keys


def fixed_keys(name: str) -> Keys:
    seed = hashlib.sha256(f"vigil sync test {name}".encode()).digest()
    return Keys.from_seeds(name, seed, hashlib.sha256(seed).digest())
