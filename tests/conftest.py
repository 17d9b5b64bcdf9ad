"""Defaults for every test run; no Django here, so the pure-library suites can run with -p no:django."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from typing import Any

import pytest

# Tests never touch a user's real data directory, and unlock their throw-away keystore non-interactively.
os.environ.setdefault("VIGIL_DATA_DIR", tempfile.mkdtemp(prefix="vigil-test-"))
os.environ.setdefault("VIGIL_PASSPHRASE", "test passphrase: protects only throw-away test data")


@pytest.fixture(scope="session")
def instance_keystore() -> None:
    """The keystore of the tests' data directory, made once per run as `vigil init` would make it: no command
    makes one by side effect. Requested (autouse) by the conftests of the suites that use the database."""
    from vigil.protection import keys

    if not keys.keystore().exists():
        keys.create(os.environ["VIGIL_PASSPHRASE"])


@pytest.fixture(scope="session")
def django_db_setup(instance_keystore: None, django_db_setup: None) -> None:
    """pytest-django's, after the keystore: the test database is encrypted with a key from it. (An autouse
    fixture alone does not come first when a test's django_db mark brings in the database.)"""


def _append_only_triggers(django_db_blocker: Any, *steps: str) -> None:
    from importlib import import_module

    from django.db import connection

    migration = import_module("vigil.audit.migrations.0002_append_only")
    with django_db_blocker.unblock(), connection.schema_editor() as editor:
        for step in steps:
            getattr(migration, step)(None, editor)


# Set when a transactional test dropped the append-only triggers for its final flush.
_triggers_dropped: list[bool] = []


@pytest.fixture(autouse=True)
def _audit_triggers_back(request: pytest.FixtureRequest) -> None:
    """Put the append-only triggers back before the next test, outside its transaction."""
    if _triggers_dropped:
        _append_only_triggers(request.getfixturevalue("django_db_blocker"), "backwards", "forwards")
        _triggers_dropped.clear()


@pytest.fixture
def audit_log_flushable(transactional_db: None, django_db_blocker: Any) -> Iterator[None]:
    """For a transactional test (threads, a live server). Such a test ends with a flush of every table, which
    the append-only audit triggers refuse: they are in force while the test runs, dropped only for that
    flush, and put back before the next test."""
    _append_only_triggers(django_db_blocker, "backwards", "forwards")
    yield
    _append_only_triggers(django_db_blocker, "backwards")
    _triggers_dropped.append(True)
