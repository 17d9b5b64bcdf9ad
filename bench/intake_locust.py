"""Intake under load from locust: 50 form posts a second from concurrent volunteers, 95th percentile, and
whether every report answered "saved" is stored exactly once. The issue's target: 50/s, p95 < 300 ms, none
lost or stored twice, on the embedded database (SQLCipher, and plain SQLite beside it).

    .venv/bin/python bench/intake_locust.py                       # SQLCipher and plain SQLite, 10 users, 50/s, 30 s
    .venv/bin/python bench/intake_locust.py --configs sqlcipher --users 20 --rate 60 --seconds 60
    .venv/bin/python bench/intake_locust.py --configs sqlcipher --users 25 --threads 8   # the old default

Per configuration: a fresh data directory, ``vigil serve`` on a free port of 127.0.0.1 (the same set-up as
``bench/core.py``, whose workers prepare the volunteers and check the database afterwards), then
``locust --headless`` with the users of ``bench/locustfile_intake.py``, each logging in once and posting at
``rate / users`` posts a second (locust's ``constant_throughput``). Latency percentiles and the achieved rate
are computed from every post's own outcome, over the posts sent after the first ``--warm-up`` seconds
(logins happen then); locust's own summary is printed too.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import core  # noqa: E402  (bench/core.py: the same instance set-up and database check)
from _load import percentile  # noqa: E402

LOCUST = str(Path(sys.executable).with_name("locust"))


def run(
    config: str, users: int, rate: float, seconds: float, warm_up: float, threads: int | None = None
) -> dict[str, Any]:
    names = core.intake_names(int(rate * (seconds + warm_up)) + 1000)
    with core.fresh_data_dir(f"locust-{config}") as data_dir:
        env = core.config_env(config, data_dir)
        prepared = core.run_worker("intake-prepare", env, "--clients", str(users))
        serve_args = ("--threads", str(threads)) if threads else ()
        server = core.Server(env, data_dir / "serve.log", *serve_args)
        try:
            server.wait_ready()
            outcomes_file = data_dir / "outcomes.jsonl"
            params = data_dir / "locust.json"
            params.write_text(
                json.dumps(
                    {
                        "logins": prepared["logins"],
                        "event": prepared["event"],
                        "names": names,
                        "rate_per_user": rate / users,
                        "outcomes": str(outcomes_file),
                    }
                )
            )
            locust_env = dict(os.environ, VIGIL_LOCUST_PARAMS=str(params))
            cpu0 = server.cpu_seconds()
            started = time.time()
            done = subprocess.run(
                [
                    LOCUST,
                    "-f",
                    str(Path(__file__).with_name("locustfile_intake.py")),
                    "--headless",
                    "--host",
                    server.url,
                    "-u",
                    str(users),
                    "-r",
                    str(users),
                    "-t",
                    f"{int(seconds + warm_up)}s",
                    "--only-summary",
                    "--stop-timeout",
                    "30",
                ],
                env=locust_env,
                capture_output=True,
                text=True,
                timeout=seconds + warm_up + 120,
            )
            server_cpu = server.cpu_seconds() - cpu0
        finally:
            server.stop()
        summary = [line for line in (done.stdout + done.stderr).splitlines() if "intake post" in line]
        outcomes = [json.loads(line) for line in outcomes_file.read_text().splitlines()]
        window = [o for o in outcomes if o["sent"] >= started + warm_up]
        saved = [o for o in window if o["saved"]]
        span = max(o["sent"] for o in window) - min(o["sent"] for o in window) if len(window) > 1 else 0.0
        latencies = [o["seconds"] for o in window]
        expect = {
            "saved": sorted({o["uuid"] for o in outcomes if o["saved"]}),
            "attempted": sorted({o["uuid"] for o in outcomes}),
            "resent": [],
        }
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as fh:
            json.dump(expect, fh)
        try:
            checked = core.run_worker("intake-verify", env, "--expect", fh.name)
        finally:
            os.unlink(fh.name)
    return {
        "config": config,
        "locust_exit": done.returncode,
        "locust_summary": summary,
        "posts": len(window),
        "saved": len(saved),
        "failed": len(window) - len(saved),
        "achieved_per_s": (len(saved) - 1) / span if span else 0.0,
        "p50": percentile(latencies, 50),
        "p95": percentile(latencies, 95),
        "p99": percentile(latencies, 99),
        "server_cpu_share": server_cpu / (seconds + warm_up),
        "database": checked,
        "all_posts": len(outcomes),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--configs", default="sqlcipher,sqlite", help="sqlcipher, sqlite and/or postgres")
    parser.add_argument("--users", type=int, default=10)
    parser.add_argument(
        "--rate", type=float, default=50.0, help="posts per second offered, all users together"
    )
    parser.add_argument("--seconds", type=float, default=30.0, help="measured seconds, after the warm-up")
    parser.add_argument("--warm-up", type=float, default=5.0, help="seconds for logging in, not measured")
    parser.add_argument("--threads", type=int, help="vigil serve --threads (default: the server's own)")
    args = parser.parse_args(argv)
    print(f"locust intake: {args.users} users, {args.rate:g} posts/s offered, {args.seconds:g} s measured")
    failed_target = False
    for config in (c for c in args.configs.split(",") if c):
        r = run(config, args.users, args.rate, args.seconds, args.warm_up, args.threads)
        db = r["database"]
        lost = db["saved_but_missing"]
        twice = db["duplicate_uuids"]
        ok = (
            r["achieved_per_s"] >= 0.99 * args.rate
            and r["p95"] < 0.3
            and lost == 0
            and twice == 0
            and not r["failed"]
        )
        failed_target |= not ok
        print(
            f"[{config}] {r['saved']}/{r['posts']} saved at {r['achieved_per_s']:.1f}/s; "
            f"p50 {r['p50'] * 1000:.0f} ms, p95 {r['p95'] * 1000:.0f} ms, p99 {r['p99'] * 1000:.0f} ms; "
            f"server CPU {r['server_cpu_share']:.0%} of a core; database: {db['reports']} reports of "
            f"{r['all_posts']} posts, {lost} answered saved but missing, {twice} stored twice, "
            f"{db['stored_but_never_sent']} never sent, audit problems {db['audit_problems']}; "
            f"target (>= {args.rate:g}/s, p95 < 300 ms, none lost or doubled): {'ok' if ok else 'MISSED'}"
        )
        for line in r["locust_summary"]:
            print(f"    locust: {' '.join(line.split())}")
        if r["locust_exit"] not in (0, 1):  # 1: some requests failed, reported above
            print(f"    locust exited {r['locust_exit']}")
    return 0 if not failed_target else 1


if __name__ == "__main__":
    raise SystemExit(main())
