from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest


@pytest.fixture(scope="session", autouse=True)
def _keystore(instance_keystore: None) -> None:
    """For tests that reach the keys without the database (the database's own setup asks for it too)."""


@pytest.fixture(autouse=True)
def _evidence_in_tmp(settings: Any, tmp_path: Path) -> None:
    settings.EVIDENCE_DIR = tmp_path / "evidence"
    settings.AUDIT_CHECKPOINT_FILE = tmp_path / "audit-checkpoints.jsonl"


@pytest.fixture(autouse=True)
def _quick_password_hashing(settings: Any) -> None:
    """Argon2 costs seconds per password on purpose; tests that are not about hashing use a cheap hasher
    (tests/app/accounts/test_password_storage.py checks that the product stores Argon2)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def coordinator(db: Any) -> Any:
    from tests.app.factories import make_user

    return make_user("coordinator")
