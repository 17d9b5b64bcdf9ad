"""The timing script runs on a small sample and its synthetic cells are distinct and parse."""

from __future__ import annotations

import pytest

from vigil.lib.names import features_frame
from vigil.lib.names.bench import main, synthetic_cells


def test_synthetic_cells_are_distinct_and_every_one_gets_a_surname_and_a_birth_date() -> None:
    cells = synthetic_cells(300)
    assert len(set(cells)) == 300
    frame = features_frame(cells)
    assert all(frame["surname_key"])
    assert all(frame["birth_date_in_text"])


def test_the_bench_prints_its_timings(capsys: pytest.CaptureFixture[str]) -> None:
    main(["bench", "200"])
    out = capsys.readouterr().out
    assert "features_frame, 200 distinct cells" in out
    assert "search_keys" in out
