"""A seized laptop reveals nothing: every byte Vigil leaves on disk is searched for the names it stored."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

VIGIL = str(Path(sys.executable).with_name("vigil"))
PASSPHRASE = "a long passphrase for a seized laptop test"
MARKER_NAME = "Маркерэвіч Тэставы Зянонавіч"
MARKER_CONTACT = "+375 29 7654321 маркерконтакт"


def _env(data_dir: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("VIGIL_")}
    env.update(VIGIL_DATA_DIR=str(data_dir), VIGIL_DB="sqlite", TMPDIR=str(data_dir / "tmp"), **extra)
    (data_dir / "tmp").mkdir(parents=True, exist_ok=True)
    return env


def _encodings(text: str) -> list[bytes]:
    forms = [text.encode("utf-8"), text.encode("utf-16-le")]
    try:
        forms.append(text.encode("cp1251"))
    except UnicodeEncodeError:
        pass
    return forms


def _hits(directory: Path, markers: list[str]) -> list[tuple[str, str]]:
    blobs = [(p, p.read_bytes()) for p in directory.rglob("*") if p.is_file()]
    return [(str(p), m) for m in markers for form in _encodings(m) for p, blob in blobs if form in blob]


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data_dir = tmp_path_factory.mktemp("seized")
    subprocess.run(
        [VIGIL, "demo", "--no-serve", "--size", "60", "--seed", "11", "--no-link"],
        env=_env(data_dir, VIGIL_PASSPHRASE=PASSPHRASE), check=True, capture_output=True, timeout=300,
    )
    return data_dir


def test_the_demo_leaves_no_name_readable_on_disk(demo_dir: Path) -> None:
    from vigil.demo.generator import generate_world

    world = generate_world(60, seed=11)
    names = sorted({r.full_name for r in world.reports if r.person_id and len(r.full_name) >= 8})
    assert len(names) > 50
    assert (demo_dir / "vigil.sqlite3").stat().st_size > 100_000
    assert _hits(demo_dir, names) == []


def test_the_search_would_find_a_name_in_a_plain_file(tmp_path: Path) -> None:
    # The control: the same search does find a marker where it is stored in the clear.
    (tmp_path / "plain.txt").write_bytes(MARKER_NAME.encode("utf-16-le"))
    assert _hits(tmp_path, [MARKER_NAME])


def test_without_the_passphrase_the_database_does_not_open(demo_dir: Path) -> None:
    locked = subprocess.run([VIGIL, "figures", "--json"], env=_env(demo_dir), capture_output=True, text=True, timeout=120)
    assert locked.returncode != 0 and "locked" in (locked.stderr + locked.stdout).lower()
    wrong = subprocess.run(
        [VIGIL, "figures", "--json"], env=_env(demo_dir, VIGIL_PASSPHRASE="not the passphrase"),
        capture_output=True, text=True, timeout=120,
    )
    assert wrong.returncode != 0 and "passphrase" in wrong.stderr.lower()
    right = subprocess.run(
        [VIGIL, "figures", "--json"], env=_env(demo_dir, VIGIL_PASSPHRASE=PASSPHRASE),
        capture_output=True, text=True, timeout=120, check=True,
    )
    assert json.loads(right.stdout)["persons"] > 0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.parametrize("stop", ["sigterm", "sigkill"])
def test_a_report_written_through_the_api_is_not_readable_after_the_server_stops(demo_dir: Path, stop: str) -> None:
    env = _env(demo_dir, VIGIL_PASSPHRASE=PASSPHRASE)
    token = subprocess.run(
        [VIGIL, "drf_create_token", "demo-coordinator"], env=env, capture_output=True, text=True, check=True, timeout=120
    ).stdout.split()[2]
    port = _free_port()
    server = subprocess.Popen([VIGIL, "serve", "--port", str(port)], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.3)
        marker = f"{MARKER_NAME} {stop}"
        body = {
            "report_uuid": str(uuid.uuid4()), "full_name": marker, "detained_on": "2020-11-08", "city": "Minsk",
            "raw_text": f"caller said {marker} was beaten", "source": {"kind": "relative", "contact": MARKER_CONTACT},
        }
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/api/detentions/", data=json.dumps(body).encode(), method="POST",
            headers={"Authorization": f"Token {token}", "Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            assert response.status == 201
    finally:
        server.send_signal(signal.SIGTERM if stop == "sigterm" else signal.SIGKILL)
        server.wait(timeout=30)
    assert _hits(demo_dir, [marker, MARKER_CONTACT, "маркерконтакт"]) == []


def test_a_backup_reveals_nothing_and_restores_with_the_passphrase(demo_dir: Path, tmp_path: Path) -> None:
    from vigil.demo.generator import generate_world

    env = _env(demo_dir, VIGIL_PASSPHRASE=PASSPHRASE)
    archive = tmp_path / "out" / "vigil-backup.tar"
    archive.parent.mkdir()
    subprocess.run([VIGIL, "backup", "-o", str(archive)], env=env, check=True, capture_output=True, timeout=120)
    names = sorted({r.full_name for r in generate_world(60, seed=11).reports if r.person_id and len(r.full_name) >= 8})
    assert archive.stat().st_size > 100_000
    assert _hits(archive.parent, names + [MARKER_CONTACT]) == []
    restored = tmp_path / "restored"
    subprocess.run([VIGIL, "backup", "--restore", str(archive), "--into", str(restored)], env=env, check=True,
                   capture_output=True, timeout=120)
    before = subprocess.run([VIGIL, "figures", "--json"], env=env, capture_output=True, text=True, check=True, timeout=120)
    after = subprocess.run([VIGIL, "figures", "--json"], env=_env(restored, VIGIL_PASSPHRASE=PASSPHRASE),
                           capture_output=True, text=True, check=True, timeout=120)
    assert json.loads(after.stdout) == json.loads(before.stdout)
