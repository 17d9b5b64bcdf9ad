"""Dates on every form, in every language: rendered as the ISO that <input type="date"> accepts, and parsed from
ISO (what the browser sends) or the language's own way of writing a date (typed where the picker is missing)."""

from __future__ import annotations

import datetime as dt

import pytest
from django import forms
from django.utils import translation

from vigil.web.forms import (
    AllegationForm,
    DecisionForm,
    HearingForm,
    IntakeForm,
    ReleaseForm,
    WhereaboutsForm,
)

LANGUAGES = ("be", "ru", "en")
DAY = dt.date(2026, 12, 3)
MOMENT = dt.datetime(2026, 12, 3, 14, 30)


def _widgets(form: forms.Form, kind: type[forms.Widget]) -> list[str]:
    return [name for name, f in form.fields.items() if type(f.widget) is kind]


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize(
    "form_class", [IntakeForm, DecisionForm, HearingForm, ReleaseForm, WhereaboutsForm, AllegationForm]
)
def test_every_date_and_time_input_is_rendered_in_iso_whatever_the_language(language, form_class):
    probe = form_class()
    dates, times = _widgets(probe, forms.DateInput), _widgets(probe, forms.TimeInput)
    moments = _widgets(probe, forms.DateTimeInput)
    initial = {n: DAY for n in dates} | {n: dt.time(14, 30) for n in times} | {n: MOMENT for n in moments}
    assert initial, f"{form_class.__name__} has no date field to check"
    with translation.override(language):
        form = form_class(initial=initial)
        for name in dates:
            assert 'value="2026-12-03"' in str(form[name])
        for name in times:
            assert 'value="14:30"' in str(form[name])
        for name in moments:
            assert 'value="2026-12-03T14:30"' in str(form[name])


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_intake_date_is_today_in_iso_in_every_language(language, db):
    from django.utils import timezone

    with translation.override(language):
        rendered = str(IntakeForm()["detained_on"])
    assert f'value="{timezone.localdate().isoformat()}"' in rendered


@pytest.mark.parametrize("language", LANGUAGES)
def test_an_iso_date_is_understood_in_every_language(language):
    with translation.override(language):
        form = HearingForm(data={"held_on": "2026-12-03"})
        assert form.is_valid(), form.errors
    assert form.cleaned_data["held_on"] == DAY


@pytest.mark.parametrize("language", ["be", "ru"])
@pytest.mark.parametrize("typed", ["03.12.2026", "03.12.26"])
def test_a_date_typed_the_belarusian_or_russian_way_is_day_first(language, typed):
    with translation.override(language):
        form = HearingForm(data={"held_on": typed})
        assert form.is_valid(), form.errors
    assert form.cleaned_data["held_on"] == DAY


def test_a_belarusian_date_with_slashes_is_not_read_as_american_month_first():
    with translation.override("be"):
        form = HearingForm(data={"held_on": "12/03/2026"})
        assert not form.is_valid()


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_browsers_datetime_local_value_is_understood_in_every_language(language):
    with translation.override(language):
        form = ReleaseForm(data={"released_at": "2026-12-03T14:30"})
        assert form.is_valid(), form.errors
    assert form.cleaned_data["released_at"].replace(tzinfo=None) == MOMENT
