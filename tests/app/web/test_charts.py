"""The SVG chart geometry of the event page: bars scaled to the largest value, one bar for the rows left out."""

from __future__ import annotations

from vigil.web import charts


def test_the_largest_bar_is_full_width_and_the_others_in_proportion() -> None:
    rows = [{"city": "Minsk", "n": 955}, {"city": "Brest", "n": 191}, {"city": "Lida", "n": 0}]
    drawn = charts.bars(rows, "n", "city")
    assert [b["label"] for b in drawn] == ["Minsk", "Brest", "Lida"]
    assert [b["width"] for b in drawn] == [charts.BAR_MAX_WIDTH, 60, 0]
    assert [b["y"] for b in drawn] == [0, charts.BAR_ROW, 2 * charts.BAR_ROW]
    assert charts.bars_height(drawn) == 3 * charts.BAR_ROW


def test_an_empty_or_all_zero_chart_draws_without_dividing_by_zero() -> None:
    assert charts.bars([], "n", "city") == []
    assert charts.bars_height([]) == charts.BAR_ROW
    assert charts.bars([{"c": "x", "n": 0}], "n", "c")[0]["width"] == 0


def test_rows_left_out_are_one_last_bar_that_says_how_many_it_stands_for() -> None:
    rows = [{"city": "Minsk", "n": 100}, {"city": "Brest", "n": 50}]
    drawn = charts.bars(rows, "n", "city", other=(7, 25))
    assert [(b["label"], b["value"], b["other"]) for b in drawn] == [
        ("Minsk", 100, 0),
        ("Brest", 50, 0),
        ("", 25, 7),
    ]
    assert drawn[-1]["width"] == charts.BAR_MAX_WIDTH // 4 and drawn[-1]["y"] == 2 * charts.BAR_ROW
    assert charts.bars(rows, "n", "city", other=(0, 0)) == charts.bars(rows, "n", "city")
