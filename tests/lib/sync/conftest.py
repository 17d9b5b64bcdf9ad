"""Fixtures of the sync tests."""

from __future__ import annotations

import pytest
from sync_testkit import fixed_keys

from vigil.lib.sync.bundle import Keys


@pytest.fixture(scope="session")
def three_keys() -> tuple[Keys, Keys, Keys]:
    return fixed_keys("minsk"), fixed_keys("vilnius"), fixed_keys("warsaw")
