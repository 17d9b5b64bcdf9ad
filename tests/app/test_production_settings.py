from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

VIGIL = str(Path(sys.executable).with_name("vigil"))


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {
        k: v for k, v in os.environ.items() if not k.startswith("VIGIL_") and k != "DJANGO_ALLOW_ASYNC_UNSAFE"
    }
    env.update(
        VIGIL_ENV="production", VIGIL_DATA_DIR=str(tmp_path), VIGIL_PASSPHRASE="production test passphrase"
    )
    env.update(extra)
    return env


def test_check_deploy_is_clean_with_production_settings(tmp_path: Path) -> None:
    env = _env(tmp_path, VIGIL_SECRET_KEY=secrets.token_urlsafe(64), VIGIL_ALLOWED_HOSTS="vigil.example.org")
    result = subprocess.run(
        [VIGIL, "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr


def test_production_refuses_to_start_without_a_secret_key(tmp_path: Path) -> None:
    result = subprocess.run(
        [VIGIL, "check"],
        env=_env(tmp_path, VIGIL_ALLOWED_HOSTS="x"),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0 and "VIGIL_SECRET_KEY must be set" in result.stderr


def test_production_refuses_an_unencrypted_database(tmp_path: Path) -> None:
    env = _env(
        tmp_path, VIGIL_SECRET_KEY=secrets.token_urlsafe(64), VIGIL_ALLOWED_HOSTS="x", VIGIL_ENCRYPT="0"
    )
    result = subprocess.run([VIGIL, "check"], env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode != 0 and "VIGIL_ENCRYPT=0 is refused" in result.stderr


def test_a_trusted_proxy_that_is_not_an_address_is_refused_in_one_line(tmp_path: Path) -> None:
    env = _env(
        tmp_path,
        VIGIL_SECRET_KEY=secrets.token_urlsafe(64),
        VIGIL_ALLOWED_HOSTS="x",
        VIGIL_TRUSTED_PROXY="127.0.0.1,nginx",
    )
    result = subprocess.run([VIGIL, "check"], env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 2
    assert result.stderr == "vigil: VIGIL_TRUSTED_PROXY: 'nginx' is not an IP address\n"
