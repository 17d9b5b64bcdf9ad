"""Import benchmark: read and validate a 100,000-row CSV of synthetic reports.

    .venv/bin/python bench/importing.py                 # 100,000 rows, CSV
    .venv/bin/python bench/importing.py --rows 20000 --xlsx
    .venv/bin/python bench/importing.py --with-db        # and the whole `vigil import` into a fresh database

The table comes from ``vigil.lib.synthetic.link_rows`` (the ``vigil link`` columns, Belarusian and
Russian names), written as UTF-8 CSV in memory before timing. Timed: ``read_table`` (decode, sniff, parse),
``guess_mapping`` and ``validate`` (typing every cell, row ids). The target for a whole import, database
writes included, is at most 2 minutes for 100,000 rows; this measures the part without the database, and
with ``--with-db`` the whole command ``vigil import FILE --source NAME`` as a user runs it (process start,
keystore unlock, read, validate, store, commit) into a fresh encrypted (SQLCipher) data directory, then the
same file again (which must store nothing).
:func:`measure` returns the figures for callers that add the database part.
"""

from __future__ import annotations

import argparse
import io
import os
import resource
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from vigil.lib.importing import guess_mapping, read_table, validate
from vigil.lib.synthetic import link_rows

TARGET_SECONDS_WITH_DB = 120.0
# Issue 14: the same import with record linkage in the write path (an import of more than
# review.operations.ARRIVALS_BATCH identities runs a full link_persons once it has committed).
TARGET_SECONDS_WITH_LINKAGE = 180.0
# Figures measured before, printed beside a run's own (bench/README.md has the commands and the load).
PREVIOUS_WITH_DB = {
    20_000: [
        ("3 Dec 2026, `417643c`, one-by-one merges, load 8-17", 2057.0, 19.2),
        ("3 Dec 2026, `21ffd30`, bulk merges, load 17-20", 921.4, 199.2),
    ],
    100_000: [
        ("26 Nov 2026, `ca84ddd`, before linkage ran in the write path, quiet machine", 91.1, 18.7),
        ("3 Dec 2026, `21ffd30`, linkage in the write path, bulk merges, load 5-8", 266.3, 36.2),
    ],
}


def make_csv(n_rows: int, *, seed: int = 1) -> bytes:
    frame = link_rows(n_rows, seed=seed).drop(columns=["true_person_id"])
    return frame.to_csv(index=False).encode("utf-8")


def make_xlsx(n_rows: int, *, seed: int = 1) -> bytes:
    import openpyxl

    frame = link_rows(n_rows, seed=seed).drop(columns=["true_person_id"])
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("reports")
    sheet.append(list(frame.columns))
    for row in frame.itertuples(index=False):
        sheet.append(list(row))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def measure(data: bytes, *, filename: str, source_name: str = "bench") -> dict[str, Any]:
    c0 = time.process_time()
    t0 = time.perf_counter()
    table = read_table(data, filename=filename)
    t1 = time.perf_counter()
    plan = validate(table, guess_mapping(table.headers), source_name=source_name)
    t2 = time.perf_counter()
    return {
        "rows": len(plan.rows),
        "errors": len(plan.errors),
        "bytes": len(data),
        "read_s": t1 - t0,
        "validate_s": t2 - t1,
        "total_s": t2 - t0,
        "cpu_s": time.process_time() - c0,
        "plan": plan,
    }


ROOT = Path(__file__).resolve().parents[1]
PASSPHRASE = "benchmark passphrase: protects only synthetic benchmark data"


def vigil_command() -> list[str]:
    exe = Path(sys.executable).with_name("vigil")
    return [str(exe)] if exe.exists() else ["vigil"]


def measure_command(data: bytes, *, encrypt: bool = True) -> dict[str, Any]:
    """``vigil init`` then ``vigil import`` twice into a fresh data directory (deleted afterwards)."""
    root = Path(tempfile.mkdtemp(prefix="vigil-bench-import-"))
    try:
        csv_path = root / "reports.csv"
        csv_path.write_bytes(data)
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith("VIGIL_") and k != "DJANGO_SETTINGS_MODULE"
        }
        env.update(
            VIGIL_DATA_DIR=str(root / "data"),
            VIGIL_PASSPHRASE=PASSPHRASE,
            VIGIL_ENCRYPT="1" if encrypt else "0",
        )
        password = root / "coordinator-password"
        password.write_text(secrets.token_urlsafe(16))
        subprocess.run(
            [*vigil_command(), "init", "--coordinator", "bench", "--password-file", str(password)],
            env=env,
            check=True,
            cwd=ROOT,
            capture_output=True,
        )
        out: dict[str, Any] = {}
        for label in ("first", "again"):
            t0 = time.perf_counter()
            proc = subprocess.run(
                [*vigil_command(), "import", str(csv_path), "--source", "bench sheet"],
                env=env,
                capture_output=True,
                text=True,
                cwd=ROOT,
            )
            out[f"{label}_s"] = time.perf_counter() - t0
            if proc.returncode != 0:
                raise RuntimeError(f"vigil import failed:\n{proc.stdout[-2000:]}{proc.stderr[-4000:]}")
            out[f"{label}_output"] = proc.stdout.strip().splitlines()[-1] if proc.stdout.strip() else ""
        t0 = time.perf_counter()
        subprocess.run([*vigil_command(), "check", "-v0"], env=env, check=True, cwd=ROOT, capture_output=True)
        out["startup_s"] = time.perf_counter() - t0
        return out
    finally:
        shutil.rmtree(root, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--xlsx", action="store_true", help="also time the same rows as an XLSX file")
    parser.add_argument(
        "--with-db",
        action="store_true",
        help="also time the whole `vigil import` command into a fresh database",
    )
    parser.add_argument(
        "--plain", action="store_true", help="with --with-db: unencrypted SQLite, for comparison"
    )
    args = parser.parse_args(argv)

    t = time.perf_counter()
    data = make_csv(args.rows)
    print(
        f"generated {args.rows:,} rows as CSV ({len(data) / 1e6:.1f} MB) in {time.perf_counter() - t:.1f} s"
    )
    result = measure(data, filename="reports.csv")
    print(
        f"csv : read {result['read_s']:.2f} s + validate {result['validate_s']:.2f} s = {result['total_s']:.2f} s "
        f"(CPU {result['cpu_s']:.2f} s) for {result['rows']:,} rows ({result['rows'] / result['total_s']:,.0f} rows/s), {result['errors']} errors"
    )
    if args.xlsx:
        t = time.perf_counter()
        xlsx = make_xlsx(args.rows)
        print(
            f"generated the same rows as XLSX ({len(xlsx) / 1e6:.1f} MB) in {time.perf_counter() - t:.1f} s"
        )
        x = measure(xlsx, filename="reports.xlsx")
        print(
            f"xlsx: read {x['read_s']:.2f} s + validate {x['validate_s']:.2f} s = {x['total_s']:.2f} s "
            f"(CPU {x['cpu_s']:.2f} s) for {x['rows']:,} rows, {x['errors']} errors"
        )
    if args.with_db:
        db = measure_command(data, encrypt=not args.plain)
        kind = "SQLite (unencrypted)" if args.plain else "SQLCipher"
        verdict = "met" if db["first_s"] <= TARGET_SECONDS_WITH_DB * args.rows / 100_000 else "NOT met"
        print(
            f"vigil import into a fresh {kind} database: {db['first_s']:.1f} s for {args.rows:,} rows "
            f"({args.rows / db['first_s']:,.0f} rows/s; target <= {TARGET_SECONDS_WITH_DB * args.rows / 100_000:.0f} s: "
            f"{verdict}); the same file again {db['again_s']:.1f} s; a command that does nothing "
            f"(start-up and unlock) {db['startup_s']:.1f} s"
        )
        print(f"  first:  {db['first_output']}")
        print(f"  again:  {db['again_output']}")
        limit = TARGET_SECONDS_WITH_LINKAGE * args.rows / 100_000
        print(
            f"  issue 14 target with linkage in the write path: <= {limit:.0f} s: "
            + ("met" if db["first_s"] <= limit else "NOT met")
        )
        for when, first, again in PREVIOUS_WITH_DB.get(args.rows, []):
            print(f"  before ({when}): {first:.1f} s, the same file again {again:.1f} s")
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"peak resident memory {peak_mb:.0f} MB; target for the whole import with DB writes: "
        f"<= {TARGET_SECONDS_WITH_DB:.0f} s per 100,000 rows"
    )
    return 0 if result["errors"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
