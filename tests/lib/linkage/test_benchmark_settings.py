"""The linkage benchmark measures what `vigil link` does by default."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from vigil.lib.linkage import DEFAULT_THRESHOLD

BENCH = Path(__file__).resolve().parents[3] / "bench" / "linkage.py"


def test_the_benchmark_clusters_every_method_at_the_library_default_threshold() -> None:
    spec = importlib.util.spec_from_file_location("bench_linkage", BENCH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.THRESHOLD == DEFAULT_THRESHOLD


def _bench() -> object:
    spec = importlib.util.spec_from_file_location("bench_linkage", BENCH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_breakdown_counts_missed_pairs_by_form_and_birth_data_and_wrong_pairs_by_kind() -> None:
    import pandas as pd

    frame = pd.DataFrame(
        {
            "record_id": ["a", "b", "c"],
            "true_person_id": ["P1", "P1", "P2"],
            "person_id": ["a", "b", "b"],  # a and b split, b and c (namesakes) joined
            "form": ["ru_fio", "ru_given_sur+typo", "ru_given_sur"],
            "relation": ["", "", "namesake"],
            "identity": ["Иванов Иван Петрович"] * 2 + ["Иванов Иван Сергеевич"],
            "birth_date": ["1990-03-12", "", ""],
            "birth_year": ["1990", "", "1971"],
        }
    )
    result = _bench().breakdown(frame)  # type: ignore[attr-defined]
    assert result["missed pairs by name forms"] == {"ru_fio & ru_given_sur+typo": [1, 1]}
    assert result["missed pairs by birth data"] == {"date & none": [1, 1]}
    assert result["wrong pairs by kind"] == {"namesakes (same surname and given name), related": [1, 1]}
