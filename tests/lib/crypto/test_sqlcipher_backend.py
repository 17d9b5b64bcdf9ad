"""The SQLCipher database: nothing readable on disk, the wrong key refused clearly, the right key reads back.

Raw checks use :mod:`vigil.protection.sqlcipher.keying` (no Django); the Django backend runs in fresh interpreters with
the small project in ``sqlcipher_django/``, so these tests work with or without pytest-django loaded.
"""

from __future__ import annotations

import json
import os
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from vigil.protection.sqlcipher import keying
from vigil.protection.sqlcipher.keying import WRONG_KEY_MESSAGE, WrongKeyError

HERE = Path(__file__).resolve().parent
SRC = HERE.parents[2] / "src"
KEY = "0f" * 32
OTHER_KEY = "a5" * 32
MARKERS = ["Акрэсціна-1053-маркер", "Zmicier-QWERTY-marker", "Ліпень Жнівень Лістапад"]
ENCODINGS = ("utf-8", "utf-16-le", "cp1251")


def hits(paths: list[Path], markers: list[str]) -> list[tuple[str, str, str]]:
    found = []
    for path in paths:
        if not path.exists():
            continue
        data = path.read_bytes()
        for marker in markers:
            for encoding in ENCODINGS:
                if marker.encode(encoding, errors="ignore") in data:
                    found.append((path.name, marker, encoding))
    return found


def database_files(db: Path) -> list[Path]:
    return [
        db,
        db.with_name(db.name + "-wal"),
        db.with_name(db.name + "-shm"),
        db.with_name(db.name + "-journal"),
    ]


def fill(conn: Any, markers: list[str]) -> None:
    conn.execute("CREATE TABLE person (id INTEGER PRIMARY KEY, name TEXT, raw BLOB)")
    for marker in markers:
        raw = b"".join(marker.encode(e, errors="ignore") for e in ENCODINGS)
        conn.execute("INSERT INTO person (name, raw) VALUES (?, ?)", (marker, raw))
    conn.commit()


def test_the_marker_search_finds_markers_in_an_unencrypted_database(tmp_path: Path) -> None:
    # Control: the same search on plain SQLite must find every marker, or the zero-hit checks prove nothing.
    db = tmp_path / "plain.db"
    conn = sqlite3.connect(db)
    fill(conn, MARKERS)
    conn.close()
    assert len(hits([db], MARKERS)) == len(MARKERS) * len(ENCODINGS)


def test_no_marker_is_readable_in_the_database_or_its_wal(tmp_path: Path) -> None:
    db = tmp_path / "vigil.db"
    conn = keying.connect(str(db), KEY)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    conn.execute("PRAGMA wal_autocheckpoint = 0")
    fill(conn, MARKERS)
    wal = db.with_name(db.name + "-wal")
    assert wal.exists() and wal.stat().st_size > 0
    assert stat.S_IMODE(wal.stat().st_mode) == 0o600
    assert hits(database_files(db), MARKERS) == []  # while the pages are only in the WAL
    conn.close()
    assert hits(database_files(db), MARKERS) == []  # after the checkpoint into the main file
    assert not db.read_bytes().startswith(b"SQLite format 3")


def test_the_database_file_is_readable_by_its_owner_only(tmp_path: Path) -> None:
    db = tmp_path / "vigil.db"
    conn = keying.connect(str(db), KEY)
    fill(conn, MARKERS[:1])
    conn.close()
    assert stat.S_IMODE(db.stat().st_mode) == 0o600


def test_the_wrong_key_gives_a_clear_error(tmp_path: Path) -> None:
    db = tmp_path / "vigil.db"
    conn = keying.connect(str(db), KEY)
    fill(conn, MARKERS[:1])
    conn.close()
    with pytest.raises(WrongKeyError, match=WRONG_KEY_MESSAGE):
        keying.connect(str(db), OTHER_KEY)


def test_a_plain_sqlite_file_is_not_taken_for_a_vigil_database(tmp_path: Path) -> None:
    db = tmp_path / "plain.db"
    plain = sqlite3.connect(db)
    fill(plain, MARKERS[:1])
    plain.close()
    with pytest.raises(WrongKeyError, match="not a Vigil database"):
        keying.connect(str(db), KEY)


def test_the_right_key_reads_the_data_back(tmp_path: Path) -> None:
    db = tmp_path / "vigil.db"
    conn = keying.connect(str(db), bytes.fromhex(KEY))  # raw bytes and hex are the same key
    fill(conn, MARKERS)
    conn.close()
    again = keying.connect(str(db), KEY.upper())
    assert [row[0] for row in again.execute("SELECT name FROM person ORDER BY id")] == MARKERS
    again.close()


def test_plain_sqlite_cannot_read_a_vigil_database(tmp_path: Path) -> None:
    db = tmp_path / "vigil.db"
    conn = keying.connect(str(db), KEY)
    fill(conn, MARKERS[:1])
    conn.close()
    plain = sqlite3.connect(db)
    with pytest.raises(sqlite3.DatabaseError):
        plain.execute("SELECT count(*) FROM sqlite_master").fetchone()
    plain.close()


def test_rekeying_moves_the_database_to_the_new_key(tmp_path: Path) -> None:
    db = tmp_path / "vigil.db"
    conn = keying.connect(str(db), KEY)
    fill(conn, MARKERS)
    keying.rekey(conn, OTHER_KEY)
    conn.close()
    with pytest.raises(WrongKeyError):
        keying.connect(str(db), KEY)
    again = keying.connect(str(db), OTHER_KEY)
    assert again.execute("SELECT count(*) FROM person").fetchone()[0] == len(MARKERS)
    again.close()
    assert hits(database_files(db), MARKERS) == []


@pytest.mark.parametrize("bad", ["", "00" * 31, "zz" * 32, "00" * 32 + "'; DROP TABLE x; --", b"\x00" * 31])
def test_malformed_keys_are_refused_before_reaching_sqlcipher(bad: str | bytes) -> None:
    with pytest.raises(ValueError):
        keying.key_pragma(bad)  # type: ignore[arg-type]


def test_key_provider_paths_are_resolved_and_checked() -> None:
    assert keying.resolve_key_provider("os.path:basename")("/a/b") == "b"  # type: ignore[call-arg]
    for bad in ("os.path", ":x", "os.path:"):
        with pytest.raises(ValueError):
            keying.resolve_key_provider(bad)
    with pytest.raises(TypeError):
        keying.resolve_key_provider("os:sep")


# -- the Django backend, in fresh interpreters ------------------------------------------------------------


def run_django(
    args: list[str], db: Path | None, key: str, extra_env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        **(extra_env or {}),
        "PYTHONPATH": os.pathsep.join([str(SRC), str(HERE)]),
        "DJANGO_SETTINGS_MODULE": "sqlcipher_django.settings",
        "VIGIL_TEST_KEY": key,
        "VIGIL_TEST_MARKERS": json.dumps(MARKERS),
    }
    if db is not None:
        env["VIGIL_TEST_DB"] = str(db)
    return subprocess.run(
        [sys.executable, *args], env=env, capture_output=True, text=True, timeout=120, cwd=HERE, check=False
    )


def test_the_django_backend_encrypts_migrated_tables_and_orm_rows(tmp_path: Path) -> None:
    db = tmp_path / "vigil.db"
    written = run_django(["-m", "sqlcipher_django.scenario", "write"], db, KEY)
    assert written.returncode == 0, written.stderr
    assert json.loads(written.stdout)["journal_mode"] == "wal"
    assert hits(database_files(db), MARKERS + ["auth_user", "django_content_type"]) == []
    assert stat.S_IMODE(db.stat().st_mode) == 0o600

    wrong = run_django(["-m", "sqlcipher_django.scenario", "read"], db, OTHER_KEY)
    assert wrong.returncode != 0
    assert f"django.db.utils.DatabaseError: {WRONG_KEY_MESSAGE}" in wrong.stderr

    right = run_django(["-m", "sqlcipher_django.scenario", "read"], db, KEY)
    assert right.returncode == 0, right.stderr
    result = json.loads(right.stdout)
    assert result["texts"] == MARKERS
    assert result["user"] == [MARKERS[0], MARKERS[-1]]
    assert result["cipher_memory_security"] == "0"
    assert (result["vendor"], result["display_name"]) == ("sqlite", "SQLCipher")


def test_sqlcipher_wipes_its_buffers_only_when_the_database_options_ask_for_it(tmp_path: Path) -> None:
    # In a child process: once on, SQLCipher keeps memory security on for the whole process.
    db = tmp_path / "vigil.db"
    assert run_django(["-m", "sqlcipher_django.scenario", "write"], db, KEY).returncode == 0
    on = run_django(
        ["-m", "sqlcipher_django.scenario", "read"], db, KEY, extra_env={"VIGIL_TEST_MEMORY_SECURITY": "1"}
    )
    assert on.returncode == 0, on.stderr
    assert json.loads(on.stdout)["cipher_memory_security"] == "1"
    off = run_django(["-m", "sqlcipher_django.scenario", "read"], db, KEY)
    assert json.loads(off.stdout)["cipher_memory_security"] == "0"


def test_the_django_backend_wal_holds_no_plaintext_before_checkpoint(tmp_path: Path) -> None:
    db = tmp_path / "vigil.db"
    held = run_django(["-m", "sqlcipher_django.scenario", "write"], db, KEY, {"VIGIL_TEST_HOLD_WAL": "1"})
    assert held.returncode == 0, held.stderr
    wal = db.with_name(db.name + "-wal")
    assert wal.exists() and wal.stat().st_size > 0
    assert hits(database_files(db), MARKERS) == []


def test_djangos_test_runner_works_on_a_keyed_in_memory_database(tmp_path: Path) -> None:
    result = run_django(
        ["-m", "django", "test", "sqlcipher_django.checks", "--parallel", "2", "-v", "2"], None, KEY
    )
    assert result.returncode == 0, result.stderr
    assert "Ran 4 tests" in result.stderr and "OK" in result.stderr
    assert "memorydb_default" in result.stderr


def test_the_django_backend_refuses_a_missing_key(tmp_path: Path) -> None:
    result = run_django(["-m", "sqlcipher_django.scenario", "read"], tmp_path / "x.db", "not-hex")
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and "64 hexadecimal digits" in result.stderr
    assert "not-hex" not in result.stderr.split("ImproperlyConfigured")[-1]
