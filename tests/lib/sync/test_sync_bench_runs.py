"""The benchmark script runs end to end on a small bundle and reports success."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[3] / "bench" / "sync.py"


def test_the_benchmark_exports_and_imports_a_small_bundle_and_prints_its_times() -> None:
    done = subprocess.run(
        [sys.executable, str(BENCH), "--reports", "300"], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "reports: 300" in done.stdout
    assert "export + import:" in done.stdout
    assert "all reports arrived, replay changed nothing: True" in done.stdout
