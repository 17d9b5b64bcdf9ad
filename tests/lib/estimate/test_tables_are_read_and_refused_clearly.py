"""Reading capture-history tables and one-row-per-person tables, and the errors for malformed ones."""

from __future__ import annotations

import io

import pytest

from vigil.lib.estimate import CaptureTable, TableError, read_table


def read(text: str) -> CaptureTable:
    table = read_table(io.StringIO(text))
    assert isinstance(table, CaptureTable)
    return table


def test_a_capture_history_table_aggregates_patterns_and_counts():
    table = read("a,b,c,count\n1,0,0,5\n0,1,1,2\n1,0,0,1\n0,0,1,0\n")
    assert table.n_observed == 8
    assert table.list_totals() == {"a": 6, "b": 2, "c": 2}


def test_one_row_per_person_counts_each_row_once():
    table = read("a,b,c\n1,0,0\n1,0,0\n0,1,1\n")
    assert table.n_observed == 3
    assert table.list_totals() == {"a": 2, "b": 1, "c": 1}


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("a,b,c,count\n1,0,0,5\n1,2,0,3\n", "row 3, column 'b'"),
        ("a,b,c,count\n1,0,0,x\n", "row 2, column 'count'"),
        ("a,b,c,count\n1,0,0,-1\n", "negative count"),
        ("a,b,c,count\n0,0,0,4\n", "row 2: the all-zero pattern"),
        ("a,b,c\n1,0,0\n0,0,0\n", "row 3: every list column is 0"),
        ("a,b,count\n1,0,3\n", "at least 3 list columns"),
        ("a,b,c,count\n1,0,0\n", "row 2: 3 cells"),
        ("", "the file is empty"),
    ],
)
def test_malformed_tables_name_the_row_and_column_at_fault(text, fragment):
    with pytest.raises(TableError, match=fragment.replace("(", r"\(")):
        read(text)


def test_dropping_a_list_removes_people_seen_only_on_it():
    table = read("a,b,c,count\n1,0,0,5\n0,1,1,2\n1,1,0,1\n")
    reduced = table.drop_list("a")
    assert reduced.lists == ("b", "c")
    assert reduced.n_observed == 3
