"""A row the record bounds refuse (vigil.records.bounds) is an error on its row and column, never a crash."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from vigil.records.models import Report


@pytest.mark.parametrize(
    ("header", "cell", "column"),
    [
        ("place", "p" * 500, "place"),
        ("birth_year", "2021", "birth_year"),
    ],
)
def test_a_row_outside_the_record_bounds_is_refused_naming_row_and_column(
    db, tmp_path: Path, header, cell, column
):
    path = tmp_path / "list.csv"
    path.write_text(f"full_name,city,detained_on,{header}\nИван Иванов,Minsk,2020-11-08,{cell}\n")
    err = io.StringIO()
    with pytest.raises(CommandError, match="refused, nothing imported"):
        call_command("import", str(path), "--source", "s", stdout=io.StringIO(), stderr=err)
    assert f"row 2, column '{column}'" in err.getvalue()
    assert not Report.objects.exists()
