"""2. A big event: built in a worker, then the page and ``vigil figures``."""

from __future__ import annotations

import json
import statistics
from typing import Any

from .env import EVENT, VIGIL, Server, config_env, fresh_data_dir, fresh_postgres, run_worker, timed


# --------------------------------------------------------------------------------- 2. a big event
def bench_event(config: str, size: int, build: str, check_size: int) -> dict[str, Any]:
    with fresh_data_dir(f"event-{config}") as data_dir:
        if config == "postgres":
            fresh_postgres()
        env = config_env(config, data_dir)
        result = run_worker(
            "event", env, "--size", str(size), "--build", build, "--check-size", str(check_size)
        )
        # `vigil figures` as a user runs it: a fresh process (start-up, unlock, connect, count, print).
        cmd = [VIGIL, "figures", EVENT, "--json"]
        walls = []
        for i in range(4):
            seconds, proc = timed(cmd, env)
            if proc.returncode != 0:
                raise RuntimeError(f"vigil figures failed: {proc.stderr[-2000:]}")
            if i == 0:
                printed = json.loads(proc.stdout)
                if printed["persons"] != result["figures"]["persons"]:
                    raise RuntimeError("vigil figures disagrees with the in-process figures")
            else:
                walls.append(seconds)
        # The same command on an unknown event: start-up, unlock and one tiny query, without the counting.
        startups = [timed([VIGIL, "figures", "no-such-event"], env)[0] for _ in range(2)]
        result["figures_cli"] = statistics.median(walls)
        result["figures_cli_runs"] = walls
        result["cli_startup"] = min(startups)
        # The same command while `vigil serve` runs on this data directory: it answers over its Unix socket.
        server = Server(env, data_dir / "serve.log")
        try:
            server.wait_ready()
            served = []
            for i in range(4):
                seconds, proc = timed(cmd, env)
                if proc.returncode != 0:
                    raise RuntimeError(f"vigil figures (server running) failed: {proc.stderr[-2000:]}")
                if json.loads(proc.stdout) != printed:
                    raise RuntimeError("vigil figures from the server disagrees with the command's own count")
                if i:
                    served.append(seconds)
        finally:
            server.stop()
        result["figures_cli_served"] = statistics.median(served)
        result["figures_cli_served_runs"] = served
        return result
