"""A seized laptop reveals nothing: every byte Vigil leaves on disk is searched for the names it stored."""

from __future__ import annotations

import json
import os
import shutil
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
        env=_env(data_dir, VIGIL_PASSPHRASE=PASSPHRASE),
        check=True,
        capture_output=True,
        timeout=300,
    )
    return data_dir


def test_the_demo_leaves_no_name_readable_on_disk(demo_dir: Path) -> None:
    from vigil.lib.synthetic import generate_world

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
    locked = subprocess.run(
        [VIGIL, "figures", "--json"], env=_env(demo_dir), capture_output=True, text=True, timeout=120
    )
    assert locked.returncode != 0 and "locked" in (locked.stderr + locked.stdout).lower()
    wrong = subprocess.run(
        [VIGIL, "figures", "--json"],
        env=_env(demo_dir, VIGIL_PASSPHRASE="not the passphrase"),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert wrong.returncode != 0 and "passphrase" in wrong.stderr.lower()
    right = subprocess.run(
        [VIGIL, "figures", "--json"],
        env=_env(demo_dir, VIGIL_PASSPHRASE=PASSPHRASE),
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert json.loads(right.stdout)["persons"] > 0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _form_post(opener, url: str, fields: dict[str, str]) -> int:
    import http.cookiejar  # noqa: F401  (the opener carries the cookie jar)
    import re
    import urllib.parse

    page = opener.open(url, timeout=30).read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    data = dict(fields)
    if token:
        data["csrfmiddlewaretoken"] = token.group(1)
    uuid_field = re.search(r'name="report_uuid" value="([^"]+)"', page)
    if uuid_field and "report_uuid" not in data:
        data["report_uuid"] = uuid_field.group(1)
    request = urllib.request.Request(
        url, data=urllib.parse.urlencode(data).encode(), headers={"Referer": url}
    )
    with opener.open(request, timeout=30) as response:
        return int(response.status)


@pytest.mark.parametrize("stop", ["sigterm", "sigkill"])
def test_nothing_written_through_any_path_is_readable_after_the_server_stops(
    demo_dir: Path, stop: str
) -> None:
    import http.cookiejar

    env = _env(demo_dir, VIGIL_PASSPHRASE=PASSPHRASE)
    marker = f"{MARKER_NAME} {stop}"
    # Import: a spreadsheet with the marker goes through `vigil import`.
    sheet = demo_dir / "tmp" / "sheet.csv"
    sheet.write_text(
        f"full_name,city,detained_on,injuries\n{marker} импорт,Minsk,08.11.2020,{marker} рана\n",
        encoding="utf-8",
    )
    subprocess.run(
        [VIGIL, "import", str(sheet), "--source", f"{marker} ліст"],
        env=env,
        check=True,
        capture_output=True,
        timeout=120,
    )
    sheet.unlink()
    # Attachments: an evidence file whose content and name carry the marker, through attach_evidence.
    script = (
        "import io; from vigil.abuse.operations import record_allegation, attach_evidence; "
        "from vigil.records.models import Detention; d = Detention.objects.exclude(identity=None).first(); "
        f"a = record_allegation(d, violation_type='Beating', actor=None, narrative='{marker} наратыў'); "
        f"attach_evidence(a, stream=io.BytesIO('{marker} доказ'.encode('utf-16-le')), original_name='{marker}.txt', "
        "media_type='text/plain', actor=None)"
    )
    subprocess.run([VIGIL, "shell", "-c", script], env=env, check=True, capture_output=True, timeout=120)
    token = subprocess.run(
        [VIGIL, "tokens", "create", "demo-coordinator"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    ).stdout.strip()
    port = _free_port()
    log = (demo_dir / "tmp" / "server.log").open("wb")
    server = subprocess.Popen(
        [VIGIL, "serve", "--port", str(port)], env=env, stdout=log, stderr=subprocess.STDOUT
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.3)
        # API.
        body = {
            "report_uuid": str(uuid.uuid4()),
            "full_name": f"{marker} апі",
            "detained_on": "2020-11-08",
            "city": "Minsk",
            "raw_text": f"caller said {marker} was beaten",
            "source": {"kind": "relative", "contact": MARKER_CONTACT},
        }
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/api/detentions/",
            data=json.dumps(body).encode(),
            method="POST",
            headers={"Authorization": f"Token {token}", "Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            assert response.status == 201
        # Forms and sessions: a volunteer signs in and sends the intake form.
        password = "a volunteer password for the seized laptop test"
        subprocess.run(
            [
                VIGIL,
                "shell",
                "-c",
                "from vigil.accounts.models import User; u = User.objects.get(username='demo-volunteer'); "
                f"u.set_password('{password}'); u.save()",
            ],
            env=env,
            check=True,
            capture_output=True,
            timeout=120,
        )
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        base = f"http://127.0.0.1:{port}"
        assert (
            _form_post(opener, f"{base}/login/", {"username": "demo-volunteer", "password": password}) == 200
        )
        status = _form_post(
            opener,
            f"{base}/intake/",
            {
                "full_name": f"{marker} форма",
                "detained_on": "2020-11-08",
                "city": "Minsk",
                "source_kind": "relative",
                "reliability": "D",
                "source_contact": MARKER_CONTACT,
                "raw_text": f"{marker} сказаў",
            },
        )
        assert status == 200
    finally:
        server.send_signal(signal.SIGTERM if stop == "sigterm" else signal.SIGKILL)
        server.wait(timeout=30)
        log.close()
    assert _hits(demo_dir, [marker, MARKER_NAME, MARKER_CONTACT, "маркерконтакт"]) == []
    counted = subprocess.run(
        [
            VIGIL,
            "shell",
            "-c",
            "from vigil.records.models import Identity; "
            "print(sum('маркерэвіч' in i.full_name.lower() for i in Identity.objects.all()))",
        ],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    assert (
        int(counted.stdout.strip().splitlines()[-1]) >= 3
    )  # the marker really was stored (import, API, form), encrypted


def _shares(env: dict[str, str], path: Path) -> Path:
    """A set of recovery shares as `vigil keys shares` prints it, kept (as a trustee would) in ``path``."""
    printed = subprocess.run(
        [VIGIL, "keys", "shares"], env=env, capture_output=True, text=True, check=True, timeout=120
    ).stdout
    path.write_text(printed, encoding="utf-8")
    return path


def _figures(env: dict[str, str]) -> dict[str, object]:
    done = subprocess.run(
        [VIGIL, "figures", "--json"], env=env, capture_output=True, text=True, check=True, timeout=120
    )
    return dict(json.loads(done.stdout))


# Until December 2026 a backup carried the passphrase-wrapped keyfile and restored with the passphrase alone,
# so a passphrase forced out of whoever carried it opened it, even after the laptop's keys were destroyed.
def test_a_backup_reveals_nothing_and_restores_with_the_shares_only(demo_dir: Path, tmp_path: Path) -> None:
    from vigil.lib.synthetic import generate_world

    env = _env(demo_dir, VIGIL_PASSPHRASE=PASSPHRASE)
    archive = tmp_path / "out" / "vigil-backup.tar"
    archive.parent.mkdir()
    subprocess.run(
        [VIGIL, "backup", "-o", str(archive)], env=env, check=True, capture_output=True, timeout=120
    )
    names = sorted(
        {r.full_name for r in generate_world(60, seed=11).reports if r.person_id and len(r.full_name) >= 8}
    )
    assert archive.stat().st_size > 100_000
    assert _hits(archive.parent, names + [MARKER_CONTACT]) == []
    restored = tmp_path / "restored"
    with_passphrase = subprocess.run(
        [VIGIL, "backup", "--restore", str(archive), "--into", str(restored)],
        env=_env(tmp_path, VIGIL_PASSPHRASE=PASSPHRASE, VIGIL_NEW_PASSPHRASE=PASSPHRASE),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert with_passphrase.returncode != 0 and "Traceback" not in with_passphrase.stderr
    assert "opens with the recovery shares" in with_passphrase.stderr
    assert not restored.exists()
    shares = _shares(env, tmp_path / "trustees.txt")
    subprocess.run(
        [VIGIL, "backup", "--restore", str(archive), "--into", str(restored), "--shares-file", str(shares)],
        env=_env(tmp_path, VIGIL_NEW_PASSPHRASE="the restored passphrase"),
        check=True,
        capture_output=True,
        timeout=120,
    )
    after = _figures(_env(restored, VIGIL_PASSPHRASE="the restored passphrase"))
    assert after == _figures(env)


def test_after_destroy_nothing_on_the_laptop_opens_anything_and_only_the_shares_open_the_backup(
    demo_dir: Path, tmp_path: Path
) -> None:
    laptop = tmp_path / "laptop"
    shutil.copytree(demo_dir, laptop, ignore=shutil.ignore_patterns("tmp", "run"))
    env = _env(laptop, VIGIL_PASSPHRASE=PASSPHRASE)
    before = _figures(env)
    shares = _shares(env, tmp_path / "trustees.txt")  # held by trustees, away from the laptop
    usb = tmp_path / "usb"
    usb.mkdir()
    subprocess.run(
        [VIGIL, "backup", "-o", str(usb / "vigil.tar")], env=env, check=True, capture_output=True, timeout=120
    )
    destroyed = subprocess.run(
        [VIGIL, "keys", "destroy", "--yes"], env=env, capture_output=True, text=True, timeout=120
    )
    assert destroyed.returncode == 0, destroyed.stderr
    assert "also shredded: secret_key" in destroyed.stdout
    # On the laptop: no keyfile, no temporary copy of it, no local secret; only the record of the destruction.
    left = {p.relative_to(laptop).as_posix() for p in laptop.rglob("*") if p.is_file()}
    assert {"keys/DESTROYED", "vigil.sqlite3"} <= left
    assert not [n for n in left if n.startswith("keys/") and n != "keys/DESTROYED"]
    assert "secret_key" not in left
    # The forced passphrase opens nothing: no command runs, none makes a keystore, and the backup refuses it.
    for command in (["figures"], ["keys", "status"], ["keys", "recover", "--shares-file", str(shares)]):
        refused = subprocess.run([VIGIL, *command], env=env, capture_output=True, text=True, timeout=120)
        assert refused.returncode != 0 and "were destroyed" in refused.stderr, command
    assert not (laptop / "keys" / "vigil.keyfile.json").exists()
    forced = subprocess.run(
        [VIGIL, "backup", "--restore", str(usb / "vigil.tar"), "--into", str(tmp_path / "seized")],
        env=_env(tmp_path, VIGIL_PASSPHRASE=PASSPHRASE, VIGIL_NEW_PASSPHRASE="x"),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert forced.returncode != 0 and not (tmp_path / "seized").exists()
    # The shares, brought back by the trustees, restore everything elsewhere.
    restored = tmp_path / "restored"
    subprocess.run(
        [
            VIGIL,
            "backup",
            "--restore",
            str(usb / "vigil.tar"),
            "--into",
            str(restored),
            "--shares-file",
            str(shares),
        ],
        env=_env(tmp_path, VIGIL_NEW_PASSPHRASE="after the raid"),
        check=True,
        capture_output=True,
        timeout=120,
    )
    assert _figures(_env(restored, VIGIL_PASSPHRASE="after the raid")) == before
