"""link_rows: a flat, fast table of named reports with the truth column, for linkage tests and benchmarks."""

from __future__ import annotations

import re
import subprocess
import sys
import textwrap

import pytest

from vigil.lib.linkage import LINK_COLUMNS
from vigil.lib.synthetic import SOURCE_KINDS, link_rows


@pytest.fixture(scope="module")
def rows():
    return link_rows(20_000, seed=3)


def test_link_rows_has_exactly_the_requested_rows_and_columns(rows) -> None:
    assert rows.shape == (20_000, len(LINK_COLUMNS) + 1)
    assert list(rows.columns) == [*LINK_COLUMNS, "true_person_id"]


def test_link_rows_record_ids_are_unique_uuid_strings(rows) -> None:
    assert not rows["record_id"].duplicated().any()
    assert (
        rows["record_id"]
        .str.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")
        .all()
    )


def test_link_rows_values_are_strings_with_empty_for_unknown(rows) -> None:
    for column in rows.columns:
        assert rows[column].map(type).eq(str).all(), column
    assert rows["birth_date"].str.fullmatch(r"(\d{4}-\d{2}-\d{2})?").all()
    assert rows["birth_year"].str.fullmatch(r"(\d{4})?").all()
    assert rows["detained_on"].str.fullmatch(r"\d{4}-\d{2}-\d{2}").all()
    assert set(rows["sex"]) == {"", "m", "f"}
    assert set(rows["source"]) <= set(SOURCE_KINDS)
    assert (rows["full_name"] != "").all()
    assert (rows["birth_date"] == "").mean() > 0.3  # many reports lack a birth date


def test_birth_year_agrees_with_birth_date_when_both_are_given(rows) -> None:
    both = rows[rows["birth_date"] != ""]
    assert (both["birth_date"].str[:4] == both["birth_year"]).all()


def test_most_true_persons_have_several_reports_from_different_sources(rows) -> None:
    per_person = rows.groupby("true_person_id").size()
    assert 1.6 < per_person.mean() < 3.5
    assert (per_person == 1).any() and (per_person >= 3).any()
    sources_per_person = rows.groupby("true_person_id")["source"].nunique()
    assert (sources_per_person >= 2).mean() > 0.3


def test_rows_are_shuffled_so_reports_of_one_person_are_not_adjacent(rows) -> None:
    same_as_next = (rows["true_person_id"].to_numpy()[1:] == rows["true_person_id"].to_numpy()[:-1]).mean()
    assert same_as_next < 0.01


def test_link_rows_mixes_scripts_like_the_world(rows) -> None:
    latin_only = rows["full_name"].str.fullmatch(r"[^А-Яа-яЁёІіЎў]+")
    belarusian = rows["full_name"].str.contains(r"[ІіЎў]")
    assert 0.03 < latin_only.mean() < 0.25
    assert belarusian.mean() > 0.03
    assert rows["city"].nunique() > 30


def test_link_rows_of_zero_is_an_empty_frame_with_the_columns() -> None:
    empty = link_rows(0)
    assert empty.shape == (0, len(LINK_COLUMNS) + 1)


def test_link_rows_is_fast_for_a_hundred_thousand_rows() -> None:
    import time

    start = time.perf_counter()
    frame = link_rows(100_000, seed=5)
    assert len(frame) == 100_000
    assert time.perf_counter() - start < 20  # about 3 s on one free core


@pytest.mark.slow
def test_a_million_link_rows_take_well_under_a_minute_and_under_two_gigabytes() -> None:
    script = textwrap.dedent(
        """
        import resource, time
        from vigil.lib.synthetic import link_rows
        start = time.perf_counter()
        frame = link_rows(1_000_000, seed=11)
        took = time.perf_counter() - start
        assert len(frame) == 1_000_000 and not frame["record_id"].duplicated().any()
        print(took, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
        """
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout
    took, maxrss_kb = out.split()
    assert float(took) < 60
    assert int(maxrss_kb) < 2 * 1024 * 1024
    assert re.fullmatch(r"[\d.]+", took)


def test_report_rows_gives_the_worlds_named_reports_in_the_same_format(world) -> None:
    from vigil.lib.synthetic import report_rows

    frame = report_rows(world)
    named = [r for r in world.reports if r.person_id]
    assert list(frame.columns) == [*LINK_COLUMNS, "true_person_id"]
    assert len(frame) == len(named)
    assert list(frame["true_person_id"]) == [r.person_id for r in named]
    assert frame["birth_date"].str.fullmatch(r"(\d{4}-\d{2}-\d{2})?").all()


def test_family_members_in_link_rows_are_not_all_charged(rows) -> None:
    court = set(rows.loc[rows["source"] == "court_list", "true_person_id"])
    persons = rows["true_person_id"].nunique()
    assert 0.1 < len(court) / persons < 0.4


def test_the_detention_calendar_keeps_the_single_day_figures_and_weights_sundays() -> None:
    import datetime

    from vigil.lib.synthetic import detention_calendar_2020
    from vigil.lib.synthetic.detention_calendar import _SUNDAY_WEIGHT

    days, expected = detention_calendar_2020()
    on = dict(zip(days, expected, strict=True))
    assert days[0] == datetime.date(2020, 5, 1) and days[-1] == datetime.date(2020, 12, 31)
    assert on[datetime.date(2020, 8, 9)] == 3000 and on[datetime.date(2020, 11, 8)] == 1053
    # October has no day of its own: its 3,000 are spread, a Sunday five times a weekday.
    assert sum(v for d, v in on.items() if d.month == 10) == pytest.approx(3000)
    assert on[datetime.date(2020, 10, 11)] == pytest.approx(_SUNDAY_WEIGHT * on[datetime.date(2020, 10, 13)])


def test_link_rows_spreads_detentions_over_2020_with_the_days_of_mass_detentions_first(rows) -> None:
    days = rows["detained_on"]
    assert days.min() >= "2020-04-30" and days.max() <= "2021-01-01"
    assert days.nunique() > 200
    busiest = list(days.value_counts().index[:3])
    assert busiest[0] == "2020-08-09" and "2020-08-10" in busiest


def test_reports_of_one_detention_give_its_day_or_a_day_next_to_it(rows) -> None:
    import pandas as pd

    dates = pd.to_datetime(rows["detained_on"])
    spread = dates.groupby(rows["true_person_id"]).agg(lambda d: (d.max() - d.min()).days)
    # Most persons are detained once: their reports lie within two days; the 3% detained again do not.
    assert (spread <= 2).mean() > 0.95
    assert (spread > 2).mean() > 0.005


def test_link_rows_spans_one_year_of_2020s_calendar_per_hundred_thousand_reports() -> None:
    from vigil.lib.synthetic import calendar_years

    assert [calendar_years(n) for n in (0, 10_000, 100_000, 149_999, 1_000_000)] == [1, 1, 1, 1, 10]
    years = link_rows(5_000, seed=2, years=3)["detained_on"].str[:4]
    assert set(years) <= {"2017", "2018", "2019", "2020", "2021"}
    assert {"2018", "2019", "2020"} <= set(years)
    assert set(link_rows(5_000, seed=2)["detained_on"].str[:4]) <= {"2020", "2021"}
