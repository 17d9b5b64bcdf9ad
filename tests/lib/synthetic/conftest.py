"""Shared fixtures: the default demo world is built once per test session (it takes a fraction of a second).

Set VIGIL_TEST_DEMO_SEED to run the same checks on another seed (the rates asserted are not tuned to one seed).
"""

from __future__ import annotations

import os

import pytest

from vigil.lib.synthetic import World, generate_world


@pytest.fixture(scope="session")
def world() -> World:
    seed = os.environ.get("VIGIL_TEST_DEMO_SEED")
    return generate_world() if seed is None else generate_world(seed=int(seed))
