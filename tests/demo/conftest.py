"""Shared fixtures: the default demo world is built once per test session (it takes a fraction of a second)."""

from __future__ import annotations

import pytest

from vigil.demo.generator import World, generate_world


@pytest.fixture(scope="session")
def world() -> World:
    return generate_world()
