"""Benchmarks of the core against the targets of issues 3 and 6: printed, never asserted.

    .venv/bin/python bench/core.py                    # everything, 100,000 detentions, PostgreSQL included
    .venv/bin/python bench/core.py --quick            # smoke run: 5,000 detentions, 5 s of load
    .venv/bin/python bench/core.py --sizes 20000,100000 --skip-postgres --skip-intake

1. ``vigil demo --no-serve`` wall time in a fresh data directory, SQLCipher and plain SQLite.
2. One event with N detentions, built from the demo generator scaled up (see ``--build``), then the event
   page (Django test client, logged in as a coordinator, median of 5 after a warm-up) and
   ``vigil figures EVENT --json`` (subprocess wall time, median of 3 after a warm-up) on SQLCipher, plain
   SQLite and PostgreSQL (database ``vigil_bench``, dropped and created afresh).
3. Intake under load: ``vigil serve`` (waitress) with a fresh data directory, concurrent logged-in clients
   (``bench/_load.py``) posting distinct forms at a fixed rate, then flat out; afterwards the database is
   checked against what the clients were told: every saved report stored exactly once, nothing else stored.

Every measurement runs in its own process with its own fresh ``VIGIL_DATA_DIR`` (settings are read from the
environment at start-up), which the script deletes afterwards; servers are stopped on exit.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

# The phases live in bench/corebench/; the names other scripts use (bench/intake_locust.py) are here too.
from corebench.demo import bench_demo  # noqa: E402
from corebench.env import (  # noqa: E402, F401
    OVERRIDES,
    Server,
    config_env,
    fresh_data_dir,
    note,
    postgres_available,
    run_worker,
)
from corebench.event import bench_event  # noqa: E402
from corebench.intake import bench_intake, intake_names  # noqa: E402, F401
from corebench.report import fmt_s, print_event_details, print_intake_details, summarise  # noqa: E402
from corebench.workers import worker_event, worker_intake_prepare, worker_intake_verify  # noqa: E402


# ------------------------------------------------------------------------------------------------ main
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="smoke run: 5,000 detentions, 5 s of paced load")
    parser.add_argument("--sizes", help="comma-separated event sizes in detentions (default 100000)")
    parser.add_argument("--skip-postgres", action="store_true")
    parser.add_argument("--skip-demo", action="store_true")
    parser.add_argument("--skip-event", action="store_true")
    parser.add_argument("--skip-intake", action="store_true")
    parser.add_argument(
        "--build",
        choices=("bulk", "operations"),
        default="bulk",
        help="bulk: the bulk write operations (record_detentions, open_cases, record_hearings, record_decisions; "
        "checked against the one-by-one operations first); operations: record_detention and the case "
        "operations one by one, a transaction per 2,000 reports",
    )
    parser.add_argument(
        "--check-size", type=int, default=150, help="persons in the bulk-path check (0: skip)"
    )
    parser.add_argument("--clients", type=int, default=10, help="concurrent intake clients")
    parser.add_argument("--rate", type=float, default=50.0, help="offered intake posts per second")
    parser.add_argument("--seconds", type=float, help="paced intake duration (default 20, quick 5)")
    parser.add_argument("--flat-seconds", type=float, help="flat-out intake duration (default 8, quick 3)")
    parser.add_argument("--json-out", help="also write every figure to this JSON file")
    parser.add_argument(
        "--conn-max-age",
        type=int,
        help="experiment: CONN_MAX_AGE for the database (the app's own setting otherwise)",
    )
    parser.add_argument(
        "--db-init",
        help="experiment: SQL appended to the SQLite/SQLCipher init_command, e.g. 'PRAGMA cache_size=-65536'",
    )
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--size", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--expect", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.worker:
        workers: dict[str, Callable[[], dict[str, Any]]] = {
            "event": lambda: worker_event(args.size, args.build, args.check_size),
            "intake-prepare": lambda: worker_intake_prepare(args.clients),
            "intake-verify": lambda: worker_intake_verify(args.expect),
        }
        print(json.dumps(workers[args.worker](), default=str))
        return 0

    if args.conn_max_age is not None:
        OVERRIDES["conn_max_age"] = str(args.conn_max_age)
    if args.db_init:
        OVERRIDES["db_init"] = args.db_init
    if OVERRIDES:
        note(f"Experiment: database settings changed for every run: {OVERRIDES}")
    sizes = [int(s) for s in args.sizes.split(",")] if args.sizes else ([5000] if args.quick else [100_000])
    seconds = args.seconds or (5.0 if args.quick else 20.0)
    flat_seconds = args.flat_seconds or (3.0 if args.quick else 8.0)
    configs = ["sqlcipher", "sqlite"]
    event_configs = configs + ([] if args.skip_postgres or not postgres_available() else ["postgres"])
    if not args.skip_postgres and "postgres" not in event_configs:
        note("PostgreSQL is not reachable on 127.0.0.1:5432: skipped")
    note(f"Vigil core benchmark: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}; sizes {sizes}")
    results: dict[str, Any] = {"demo": {}, "event": {}, "intake": {}}
    if not args.skip_demo:
        for config in configs:
            note(f"1. vigil demo --no-serve [{config}] ...")
            results["demo"][config] = r = bench_demo(config)
            note(f"   {fmt_s(r['seconds'])}: {r['summary']}")
    if not args.skip_event:
        for size in sizes:
            for config in event_configs:
                note(f"2. event with {size:,} detentions [{config}], {args.build} build ...")
                key = f"{size} [{config}]"
                results["event"][key] = r = bench_event(config, size, args.build, args.check_size)
                print_event_details(key, r)
    if not args.skip_intake:
        for config in configs:
            note(
                f"3. intake: {args.clients} clients at {args.rate:.0f}/s for {seconds:.0f} s, then flat out "
                f"{flat_seconds:.0f} s [{config}] ..."
            )
            results["intake"][config] = r = bench_intake(
                config, args.clients, args.rate, seconds, flat_seconds
            )
            print_intake_details(config, r)
    summarise(results)
    if args.json_out:
        Path(args.json_out).write_text(json.dumps(results, indent=2, default=str))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
