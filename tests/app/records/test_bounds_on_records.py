"""The record operations refuse text longer than its kind allows and dates a detention makes impossible, with
a one-line error naming the field, whatever edge the value came through."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from vigil.records.bounds import NAME_MAX, NOTE_MAX, REPORT_TEXT_MAX, FieldRefused
from vigil.records.models import Detention, Report, Whereabouts
from vigil.records.operations import DetentionInput, record_detention, record_release, record_whereabouts

from ..factories import NOV8, detain, source


def _at(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(12)))


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"injuries": "x" * (NOTE_MAX + 1)}, "injuries"),
        ({"full_name": "Я" * (NAME_MAX + 1)}, "full_name"),
        ({"place": "p" * 201}, "place"),
        ({"home_city": "h" * 201}, "home_city"),
        ({"birth_date": dt.date(1899, 12, 31)}, "birth_date"),
        ({"birth_date": dt.date(2020, 11, 9)}, "birth_date"),
        ({"birth_year": 2021}, "birth_year"),
        ({"birth_year": 1850}, "birth_year"),
    ],
)
def test_a_detention_outside_the_bounds_is_refused_naming_the_field(fields, field):
    with pytest.raises(FieldRefused) as refused:
        DetentionInput(detained_on=NOV8, city="Minsk", **fields)
    assert refused.value.field == field and "\n" not in str(refused.value)


@pytest.mark.parametrize("day", [dt.date(1899, 1, 1), dt.date.today() + dt.timedelta(days=30)])
def test_a_detention_date_of_another_century_or_the_future_is_refused(day):
    with pytest.raises(FieldRefused) as refused:
        DetentionInput(detained_on=day, city="Minsk")
    assert refused.value.field == "detained_on"


def test_text_at_its_limit_is_accepted(coordinator):
    result = detain(coordinator, "Я" * NAME_MAX, injuries="x" * NOTE_MAX)
    assert len(result.detention.injuries) == NOTE_MAX


def test_a_report_text_over_its_limit_stores_nothing(coordinator):
    with pytest.raises(FieldRefused) as refused:
        record_detention(
            data=DetentionInput(detained_on=NOV8, city="Minsk", full_name="A B"),
            source=source(coordinator),
            actor=coordinator,
            raw_text="x" * (REPORT_TEXT_MAX + 1),
        )
    assert refused.value.field == "raw_text"
    assert not Report.objects.exists()


@pytest.mark.parametrize(
    ("released_at", "words"),
    [
        (_at(dt.date(1900, 1, 1)), "before the detention"),
        (_at(dt.date(2020, 11, 7)), "before the detention"),
        (_at(dt.date(6222, 1, 1)), "in the future"),
    ],
)
def test_a_release_before_the_detention_or_in_the_future_is_refused(coordinator, released_at, words):
    detention = detain(coordinator, "A B").detention
    with pytest.raises(FieldRefused) as refused:
        record_release(detention, released_at=released_at, actor=coordinator)
    assert refused.value.field == "released_at" and words in refused.value.reason
    assert Detention.objects.get().released_at is None


def test_a_release_on_the_day_of_the_detention_is_accepted(coordinator):
    detention = detain(coordinator, "A B").detention
    record_release(detention, released_at=_at(NOV8), actor=coordinator)
    assert Detention.objects.get().released_at is not None


def test_whereabouts_before_the_detention_are_refused(coordinator):
    detention = detain(coordinator, "A B").detention
    before = Whereabouts.objects.count()
    with pytest.raises(FieldRefused) as refused:
        record_whereabouts(
            detention, facility="okrestina-tsip", since=_at(dt.date(2019, 1, 1)), actor=coordinator
        )
    assert refused.value.field == "since"
    assert Whereabouts.objects.count() == before
