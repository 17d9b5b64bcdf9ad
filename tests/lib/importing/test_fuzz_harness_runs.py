"""bench/import_fuzz.py runs a short atheris session, and says so plainly when atheris is missing."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

HARNESS = Path(__file__).resolve().parents[3] / "bench" / "import_fuzz.py"


def test_without_atheris_the_harness_prints_why_and_exits_0() -> None:
    code = (
        "import runpy, sys\n"
        "sys.modules['atheris'] = None\n"  # makes 'import atheris' raise ImportError
        f"runpy.run_path({str(HARNESS)!r}, run_name='__main__')\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "atheris is not installed" in done.stdout


@pytest.mark.skipif(importlib.util.find_spec("atheris") is None, reason="atheris is not installed")
def test_a_short_atheris_run_finds_no_undeclared_exception() -> None:
    done = subprocess.run(
        [sys.executable, str(HARNESS), "-atheris_runs=300"], capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    assert "Done 300 runs" in done.stderr or "Done 300 " in done.stderr
