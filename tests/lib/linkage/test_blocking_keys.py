"""Blocking keys: a name too common to pair up everywhere still pairs up within the week of the detention."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from vigil.lib.linkage.prepare import NAME_BLOCK_CAP, add_block_keys


def _prepared(days: list[dt.date | None]) -> pd.DataFrame:
    n = len(days)
    return pd.DataFrame(
        {
            "surname_key": ["ivanov"] * n,
            "surname_phon": ["IFNF"] * n,
            "given_initial": ["i"] * n,
            "detained_on": pd.to_datetime(pd.Series(days, dtype=object)),
        }
    )


def test_a_name_borne_by_more_reports_than_the_cap_gets_no_name_block() -> None:
    keys = add_block_keys(_prepared([dt.date(2020, 8, 9)] * (NAME_BLOCK_CAP + 1)))
    assert keys["name_block"].isna().all() and keys["phon_block"].isna().all()


def test_reports_of_a_common_name_in_one_week_share_a_week_block_and_other_weeks_do_not() -> None:
    start = dt.date(2020, 5, 1)
    # One report a day for a year: far over the cap for the name, at most seven in any week.
    days: list[dt.date | None] = [start + dt.timedelta(days=k) for k in range(365)]
    keys = add_block_keys(_prepared([*days, None]))

    assert keys["name_block"].isna().all()
    week = keys["name_week_block"]
    # 2020-08-09 (Sunday) and 2020-08-10 fall in one seven-day period counted from 1970-01-01 (a Thursday).
    sunday, monday, later = (days.index(dt.date(2020, 8, d)) for d in (9, 10, 20))
    assert week[sunday] == week[monday] != week[later]
    assert week.iloc[-1] is None or pd.isna(week.iloc[-1])
    assert week.iloc[:-1].notna().all()


def test_a_week_with_more_reports_of_the_name_than_the_cap_gets_no_week_block() -> None:
    keys = add_block_keys(_prepared([dt.date(2020, 8, 9)] * (NAME_BLOCK_CAP + 1) + [dt.date(2020, 9, 1)]))
    assert keys["name_week_block"].iloc[:-1].isna().all()
    assert keys["name_week_block"].iloc[-1] is not None
