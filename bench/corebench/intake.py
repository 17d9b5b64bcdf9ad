"""3. Intake under load."""

from __future__ import annotations

import json
from typing import Any

from .env import Server, config_env, fresh_data_dir, note, run_worker


# ------------------------------------------------------------------------------------------ 3. intake
def intake_names(count: int) -> list[str]:
    """Realistic names, as callers give them, from the demo generator."""
    from vigil.lib.synthetic import generate_world

    names: list[str] = []
    seed = 1
    while len(names) < count:
        world = generate_world(max(200, count // 2), seed=seed)
        names.extend(r.full_name for r in world.reports if r.full_name)
        seed += 1
    return names[:count]


def bench_intake(
    config: str, clients: int, rate: float, seconds: float, flat_seconds: float
) -> dict[str, Any]:

    import _load

    names = intake_names(int(rate * seconds) + 4000)
    with fresh_data_dir(f"intake-{config}") as data_dir:
        env = config_env(config, data_dir)
        prepared = run_worker("intake-prepare", env, "--clients", str(clients))
        note(f"   database settings: {prepared['db']}")
        server = Server(env, data_dir / "serve.log")
        try:
            server.wait_ready()
            users = [(u, p) for u, p in prepared["logins"]]
            sessions = _load.log_in_all(server.url, users)
            counter = {"n": 0}

            def make_form(_: int) -> dict[str, str]:
                i = counter["n"]
                counter["n"] += 1
                return _load.intake_form(i, event=prepared["event"], names=names, caller="bench")

            warm = _load.paced(sessions, make_form, rate=10, seconds=1)
            cpu0, server_cpu0 = _load.cpu_seconds(), server.cpu_seconds()
            paced = _load.paced(sessions, make_form, rate=rate, seconds=seconds)
            cpu1, server_cpu1 = _load.cpu_seconds(), server.cpu_seconds()
            sample = [o.form for o in paced.saved[:: max(1, len(paced.saved) // 25)]][:25]
            resent = _load.resubmit_twice(sessions, sample)
            flat = _load.flat_out(sessions, make_form, seconds=flat_seconds)
            server_cpu2 = server.cpu_seconds()
        finally:
            server.stop()
        everything = warm.outcomes + paced.outcomes + flat.outcomes
        expect = {
            "saved": sorted({o.form["report_uuid"] for o in everything if o.saved}),
            "attempted": sorted({o.form["report_uuid"] for o in everything}),
            "resent": sorted({f["report_uuid"] for f in sample}),
        }
        expect_file = data_dir / "expect.json"
        expect_file.write_text(json.dumps(expect))
        checked = run_worker("intake-verify", env, "--expect", str(expect_file))
        errors: dict[str, int] = {}
        for o in everything + resent:
            if not o.saved:
                key = f"HTTP {o.status}" + (f" {o.error[:60]}" if o.error else "")
                errors[key] = errors.get(key, 0) + 1
        return {
            "clients": clients,
            "offered_rate": rate,
            "paced_posts": len(paced.outcomes),
            "paced_saved": len(paced.saved),
            "paced_rate": paced.rate(),
            "p50": paced.latency(50),
            "p95": paced.latency(95),
            "p99": paced.latency(99),
            "max": paced.latency(100),
            "late_p95": paced.lateness(95),
            "generator_cpu_share": (cpu1 - cpu0) / paced.seconds if paced.seconds else 0.0,
            "server_cpu_share": (server_cpu1 - server_cpu0) / paced.seconds if paced.seconds else 0.0,
            "resent": len(resent),
            "resent_saved": sum(o.saved for o in resent),
            "flat_rate": flat.rate(),
            "flat_p95": flat.latency(95),
            "flat_server_cpu_share": (server_cpu2 - server_cpu1) / flat.seconds if flat.seconds else 0.0,
            "errors": errors,
            "db": checked,
        }
