"""The shipped configs agree with Vigil's own settings, and gunicorn with deploy/gunicorn.conf.py refuses to
start, in one line, where it could not serve: no instance, no passphrase for several workers, a wrong one."""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

from vigil.lib.crypto.keys import KdfParams, KeyStore

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
NGINX = (DEPLOY / "nginx" / "vigil.conf").read_text()
GUNICORN = Path(sys.executable).with_name("gunicorn")
CHEAP = KdfParams(time_cost=1, memory_cost_kib=KdfParams.MIN_MEMORY_KIB, parallelism=1)


def _directive(name: str) -> str:
    match = re.search(rf"^\s*{name}\s+([^;]+);", NGINX, re.MULTILINE)
    assert match, f"deploy/nginx/vigil.conf has no {name}"
    return match.group(1).strip()


def _bytes(size: str) -> int:
    units = {"k": 1024, "m": 1024**2, "g": 1024**3}
    return int(size[:-1]) * units[size[-1].lower()] if size[-1].isalpha() else int(size)


def test_nginx_lets_through_the_largest_body_django_takes_and_no_more():
    largest = max(settings.VIGIL_UPLOAD_MAX_BYTES, settings.VIGIL_SYNC_MAX_BYTES)
    assert _bytes(_directive("client_max_body_size")) == largest


def test_nginx_keeps_every_form_without_files_in_memory():
    assert _bytes(_directive("client_body_buffer_size")) >= settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    assert _directive("client_body_temp_path").startswith("/dev/shm/")
    assert _directive("proxy_max_temp_file_size") == "0"


def test_nginx_waits_longer_than_gunicorn_lets_a_request_run():
    gunicorn_timeout = int(
        re.search(r'"VIGIL_TIMEOUT", "(\d+)"', (DEPLOY / "gunicorn.conf.py").read_text())[1]
    )
    assert int(_directive("proxy_read_timeout").rstrip("s")) > gunicorn_timeout


def test_nginx_sets_the_forwarded_address_rather_than_appending_to_the_clients():
    assert "$proxy_add_x_forwarded_for" not in NGINX
    assert _directive("proxy_set_header X-Forwarded-For") == "$remote_addr"
    assert (
        "127.0.0.1:8001" in NGINX
        and '"VIGIL_BIND", "127.0.0.1:8001"' in (DEPLOY / "gunicorn.conf.py").read_text()
    )


def test_no_log_format_names_the_client():
    log_format = re.search(r"log_format vigil_noaddr ([^;]+);", NGINX)
    assert log_format and "$remote_addr" not in log_format[1] and "$request " not in log_format[1]
    access = re.search(r"access_log_format = '([^']+)'", (DEPLOY / "gunicorn.conf.py").read_text())
    assert access and not re.search(r"%\((h|q|a|f|r)\)s", access[1])


# --- gunicorn refuses to start where it could not serve ------------------------------------------------------


def _start(data_dir: Path, **extra: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("VIGIL_", "DJANGO_"))}
    env.update(
        VIGIL_ENV="production",
        VIGIL_SECRET_KEY=secrets.token_urlsafe(64),
        VIGIL_ALLOWED_HOSTS="127.0.0.1",
        VIGIL_DATA_DIR=str(data_dir),
        VIGIL_BIND="127.0.0.1:0",
        VIGIL_WORKERS="3",
        **extra,
    )
    return subprocess.run(
        [str(GUNICORN), "--config", str(DEPLOY / "gunicorn.conf.py"), "vigil.wsgi:application"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )


def _refusal(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode != 0, result.stderr[-2000:]
    assert "Traceback" not in result.stderr, result.stderr[-3000:]
    lines = [line for line in result.stderr.splitlines() if line.startswith("vigil: ")]
    assert len(lines) == 1, result.stderr[-2000:]
    return lines[0]


@pytest.mark.deploy
def test_gunicorn_refuses_a_data_directory_without_an_instance(tmp_path: Path) -> None:
    line = _refusal(_start(tmp_path, VIGIL_PASSPHRASE="anything"))
    assert line.startswith(f"vigil: no instance in {tmp_path}: run `vigil init` first")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.deploy
def test_gunicorn_refuses_several_workers_without_a_passphrase(tmp_path: Path) -> None:
    KeyStore(tmp_path / "keys").create("the right passphrase", kdf=CHEAP).lock()
    line = _refusal(_start(tmp_path))
    assert line.startswith("vigil: no passphrase for the workers: set VIGIL_PASSPHRASE_FILE")


@pytest.mark.deploy
def test_gunicorn_refuses_a_wrong_passphrase(tmp_path: Path) -> None:
    KeyStore(tmp_path / "keys").create("the right passphrase", kdf=CHEAP).lock()
    passphrase = tmp_path / "passphrase"
    passphrase.write_text("not the passphrase\n")
    line = _refusal(_start(tmp_path, VIGIL_PASSPHRASE_FILE=str(passphrase)))
    assert line == f"vigil: the passphrase does not unlock the keystore in {tmp_path / 'keys'}"
