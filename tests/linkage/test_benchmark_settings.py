"""The linkage benchmark measures what `vigil link` does by default."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from vigil.linkage import DEFAULT_THRESHOLD

BENCH = Path(__file__).resolve().parents[2] / "bench" / "linkage.py"


def test_the_benchmark_clusters_every_method_at_the_library_default_threshold() -> None:
    spec = importlib.util.spec_from_file_location("bench_linkage", BENCH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.THRESHOLD == DEFAULT_THRESHOLD
