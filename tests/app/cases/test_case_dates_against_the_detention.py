"""Hearings and decisions cannot precede the detention nor lie in the future; case texts have bounds."""

from __future__ import annotations

import datetime as dt

import pytest

from vigil.cases.models import Decision, Hearing
from vigil.cases.operations import open_case, record_decision, record_hearing
from vigil.records.bounds import LABEL_MAX, FieldRefused

from ..factories import NOV8, NOV9, detain


@pytest.fixture
def case(coordinator):
    return open_case(
        detain(coordinator, "Иван Иванов").detention, kind="admin", article="23.34", actor=coordinator
    )


@pytest.mark.parametrize("held_on", [dt.date(1900, 1, 1), dt.date(2020, 11, 7), dt.date(6222, 1, 1)])
def test_a_hearing_before_the_detention_or_in_the_future_is_refused(coordinator, case, held_on):
    with pytest.raises(FieldRefused) as refused:
        record_hearing(case, held_on=held_on, actor=coordinator)
    assert refused.value.field == "held_on"
    assert not Hearing.objects.exists()


def test_a_hearing_on_the_day_of_the_detention_is_accepted(coordinator, case):
    record_hearing(case, held_on=NOV8, actor=coordinator)
    assert Hearing.objects.count() == 1


def test_a_decision_in_the_future_is_refused(coordinator, case):
    with pytest.raises(FieldRefused) as refused:
        record_decision(case, decided_on=dt.date(6222, 1, 1), outcome="warning", actor=coordinator)
    assert refused.value.field == "decided_on"
    assert not Decision.objects.exists()


def test_a_decision_before_the_detention_names_its_field(coordinator, case):
    with pytest.raises(FieldRefused) as refused:
        record_decision(case, decided_on=dt.date(2020, 11, 1), outcome="warning", actor=coordinator)
    assert refused.value.field == "decided_on" and "precede" in str(refused.value)


def test_a_court_name_over_its_limit_is_refused(coordinator, case):
    with pytest.raises(FieldRefused) as refused:
        record_hearing(case, held_on=NOV9, court="c" * (LABEL_MAX + 1), actor=coordinator)
    assert refused.value.field == "court"
    with pytest.raises(FieldRefused):
        open_case(case.detention, kind="admin", article="23.34", judge="j" * 201, actor=coordinator)


@pytest.mark.parametrize("field", ["prison_months", "community_service_hours"])
def test_an_absurd_sentence_is_refused_before_it_reaches_the_database(coordinator, case, field):
    with pytest.raises(FieldRefused) as refused:
        record_decision(case, decided_on=NOV9, outcome="warning", actor=coordinator, **{field: 10**20})
    assert refused.value.field == field
    assert not Decision.objects.exists()
