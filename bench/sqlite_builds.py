"""Where SQLCipher's cost lies when nothing is read from disk: the same counting queries on the same
100,000 rows, in Debian's SQLite (Python's ``sqlite3``) and in the SQLite that the installed ``sqlcipher3``
distribution bundles (``sqlcipher3-wheels``), unkeyed and keyed, in memory and in a file with a page cache
large enough to hold it all.

    .venv/bin/python bench/sqlite_builds.py
    .venv/bin/python bench/sqlite_builds.py --also /tmp/other-venv/bin/python

``--also PYTHON`` runs the bundled-SQLite measurements a second time in another interpreter, whose
``sqlcipher3`` comes from another distribution, in the same run. Vigil used ``sqlcipher3-binary`` 0.6.0
until November 2026; its SQLite is compiled without optimisation (every local variable goes through the
stack), which made counting about twice as slow. To compare:
``python3 -m venv /tmp/binary && /tmp/binary/bin/pip install sqlcipher3-binary==0.6.0``.

If the unkeyed bundled build is as slow as the keyed one, the cost is the build (compiler, options,
version), not encryption: pages are decrypted once into the cache, and these queries then only compute.

Then what SQLCipher's memory wiping (``PRAGMA cipher_memory_security``) costs: 60,000 inserts in one
transaction and opening a keyed connection, with it on and off, each in a child process (SQLCipher keeps it
on for the whole process once it is on).
"""

from __future__ import annotations

import json
import os
import random
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from types import ModuleType
from typing import Any

from sqlcipher3 import dbapi2 as sqlcipher

QUERIES = {
    "persons and episodes per city": (
        "SELECT city, COUNT(DISTINCT person_id), COUNT(*) FROM (SELECT DISTINCT city, person_id, detained_on "
        "FROM d WHERE event_id IN ({ids}) AND person_id IS NOT NULL) GROUP BY city"
    ),
    "persons and reports": (
        "SELECT COUNT(DISTINCT person_id), COUNT(DISTINCT report_id) FROM d "
        "WHERE event_id IN ({ids}) AND person_id IS NOT NULL"
    ),
}


def run(module: ModuleType, *, key: bool, in_memory: bool) -> dict[str, float]:
    path = ":memory:" if in_memory else os.path.join(tempfile.mkdtemp(prefix="vigil-bench-"), "x.db")
    conn: Any = module.connect(path, isolation_level=None)
    if key:
        conn.execute("PRAGMA key = \"x'" + "ab" * 32 + "'\"")
    conn.execute("PRAGMA cache_size = -65536")
    conn.execute("PRAGMA temp_store = MEMORY")
    conn.execute(
        "CREATE TABLE d (id INTEGER PRIMARY KEY, event_id INT, person_id INT, detained_on TEXT, city TEXT, "
        "report_id INT, head_count INT, is_synthetic INT)"
    )
    conn.execute(
        "CREATE INDEX d_figures ON d (event_id, person_id, detained_on, city, report_id, head_count, is_synthetic)"
    )
    rnd = random.Random(1)
    conn.execute("BEGIN")
    conn.executemany(
        "INSERT INTO d (event_id, person_id, detained_on, city, report_id, head_count, is_synthetic) "
        "VALUES (?, ?, ?, ?, ?, 1, 1)",
        [
            (rnd.randrange(18), i, f"2020-11-0{rnd.randrange(8, 10)}", f"City{rnd.randrange(60)}", i)
            for i in range(100_000)
        ],
    )
    conn.execute("COMMIT")
    ids = ",".join(str(i) for i in range(18))
    out = {}
    for name, sql in QUERIES.items():
        query = sql.format(ids=ids)
        conn.execute(query).fetchall()  # warm the page cache
        times = []
        for _ in range(5):
            start = time.perf_counter()
            conn.execute(query).fetchall()
            times.append(time.perf_counter() - start)
        out[name] = statistics.median(times)
    conn.close()
    return out


def memory_security_child(on: bool) -> dict[str, float]:
    """In this (child) process: 60,000 inserts, then the median time to open a keyed connection and read."""
    import uuid

    directory = tempfile.mkdtemp(prefix="vigil-bench-")
    path = os.path.join(directory, "x.db")
    key = "PRAGMA key = \"x'" + "ab" * 32 + "'\""

    def connect() -> Any:
        conn = sqlcipher.connect(path, isolation_level=None)
        conn.execute(key)
        if on:
            conn.execute("PRAGMA cipher_memory_security = ON")
        # As vigil.settings opens every connection.
        conn.execute("PRAGMA cache_size = -65536")
        conn.execute("PRAGMA temp_store = MEMORY")
        return conn

    conn = connect()
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, uid TEXT UNIQUE, a TEXT, b TEXT, c INT)")
    rows = [(str(uuid.uuid4()), "x" * 200, "y" * 50, i % 100) for i in range(60_000)]
    start = time.perf_counter()
    conn.execute("BEGIN IMMEDIATE")
    for first in range(0, len(rows), 70):
        chunk = rows[first : first + 70]
        conn.execute(
            "INSERT INTO t (uid, a, b, c) VALUES " + ",".join(["(?, ?, ?, ?)"] * len(chunk)),
            [value for row in chunk for value in row],
        )
    conn.execute("COMMIT")
    inserts = time.perf_counter() - start
    conn.close()
    opens = []
    for _ in range(20):
        start = time.perf_counter()
        again = connect()
        again.execute("SELECT count(*) FROM sqlite_master").fetchone()
        opens.append(time.perf_counter() - start)
        again.close()
    return {"inserts": inserts, "open": statistics.median(opens)}


def memory_security() -> None:
    result = {}
    for state in ("off", "on"):
        out = subprocess.run(
            [sys.executable, __file__, "--memory-security-child", state],
            capture_output=True,
            text=True,
            check=True,
        )
        result[state] = json.loads(out.stdout)
    off, on = result["off"], result["on"]
    print(
        f"cipher_memory_security: 60,000 inserts {off['inserts']:.2f} s off, {on['inserts']:.2f} s on "
        f"({on['inserts'] / off['inserts']:.1f}x); open a keyed connection and read "
        f"{off['open'] * 1000:.1f} ms off, {on['open'] * 1000:.1f} ms on"
    )


def build() -> str:
    """Which distribution provides ``sqlcipher3`` here, and how its SQLite was built."""
    from importlib import metadata

    names = metadata.packages_distributions().get("sqlcipher3", ["?"])
    conn = sqlcipher.connect(":memory:")
    compiler = next(
        (row[0] for row in conn.execute("PRAGMA compile_options") if row[0].startswith("COMPILER=")), "?"
    )
    cipher = conn.execute("PRAGMA cipher_version").fetchone()[0]
    conn.close()
    dists = ", ".join(f"{name} {metadata.version(name)}" for name in names)
    return f"{dists}: SQLite {sqlcipher.sqlite_version}, SQLCipher {cipher}, {compiler}"


def bundled_runs() -> dict[str, dict[str, float]]:
    return {
        "unkeyed, file": run(sqlcipher, key=False, in_memory=False),
        "keyed (SQLCipher), file": run(sqlcipher, key=True, in_memory=False),
        "in memory": run(sqlcipher, key=False, in_memory=True),
    }


def main() -> int:
    if len(sys.argv) == 3 and sys.argv[1] == "--memory-security-child":
        print(json.dumps(memory_security_child(sys.argv[2] == "on")))
        return 0
    if sys.argv[1:] == ["--bundled-child"]:
        print(json.dumps({"build": build(), "runs": bundled_runs()}))
        return 0
    others = []
    if len(sys.argv) == 3 and sys.argv[1] == "--also":
        out = subprocess.run(
            [sys.argv[2], __file__, "--bundled-child"], capture_output=True, text=True, check=True
        )
        others.append(json.loads(out.stdout))
    print(f"Debian SQLite {sqlite3.sqlite_version}")
    builds = [{"build": build(), "runs": bundled_runs()}, *others]
    runs = {
        "Debian SQLite, file": run(sqlite3, key=False, in_memory=False),
        "Debian SQLite, in memory": run(sqlite3, key=False, in_memory=True),
    }
    for number, each in enumerate(builds, 1):
        print(f"bundled build {number}: {each['build']}")
        for label, result in each["runs"].items():
            runs[f"build {number}, {label}"] = result
    base = runs["Debian SQLite, file"]
    for label, result in runs.items():
        cells = "; ".join(
            f"{name} {seconds * 1000:.0f} ms ({seconds / base[name] - 1:+.0%})"
            for name, seconds in result.items()
        )
        print(f"{label:42s} {cells}")
    memory_security()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
