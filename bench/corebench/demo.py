"""1. ``vigil demo --no-serve``."""

from __future__ import annotations

from typing import Any

from .env import VIGIL, config_env, fresh_data_dir, timed


# ------------------------------------------------------------------------------------------ 1. the demo
def bench_demo(config: str) -> dict[str, Any]:
    with fresh_data_dir(f"demo-{config}") as data_dir:
        env = config_env(config, data_dir)
        seconds, proc = timed([VIGIL, "demo", "--no-serve"], env)
        if proc.returncode != 0:
            raise RuntimeError(f"vigil demo failed: {proc.stderr[-2000:]}")
        built = next(
            (ln for ln in proc.stdout.splitlines() if ln.startswith("SYNTHETIC demo data built")), ""
        )
        return {"seconds": seconds, "summary": built}
