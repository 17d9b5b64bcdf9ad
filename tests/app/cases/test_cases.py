from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from vigil.cases.operations import open_case, record_decision
from vigil.lib.reference import UnknownArticle

from ..factories import NOV8, NOV9, detain


def test_a_fine_is_stored_in_base_units_and_in_roubles_at_the_decision_date(coordinator):
    d = detain(coordinator, "Иван Иванов").detention
    case = open_case(d, kind="admin", article="23.34", actor=coordinator)
    decision = record_decision(
        case, decided_on=NOV9, outcome="fine", fine_base_units=Decimal(20), actor=coordinator
    )
    # 27 BYN per base unit from 1 January 2020 (base_unit_by.csv).
    assert decision.fine_byn == Decimal("540.00")


def test_article_23_34_is_refused_after_it_was_replaced_by_24_23(coordinator):
    d = detain(coordinator, "Иван Иванов", day=dt.date(2021, 3, 25)).detention
    with pytest.raises(UnknownArticle, match="24.23"):
        open_case(d, kind="admin", article="23.34", actor=coordinator)
    case = open_case(d, kind="admin", article="24.23", actor=coordinator)
    assert case.charges.get().article == "24.23"


def test_a_criminal_article_needs_a_criminal_case(coordinator):
    d = detain(coordinator, "Иван Иванов").detention
    with pytest.raises(ValueError, match="criminal"):
        open_case(d, kind="admin", article="342", actor=coordinator)


def test_consecutive_arrests_are_separate_decisions_in_order(coordinator):
    d = detain(coordinator, "Иван Иванов").detention
    case = open_case(d, kind="admin", article="23.34", actor=coordinator)
    record_decision(case, decided_on=NOV9, outcome="administrative_arrest", arrest_days=15, actor=coordinator)
    record_decision(
        case,
        decided_on=dt.date(2020, 11, 24),
        outcome="administrative_arrest",
        arrest_days=15,
        actor=coordinator,
    )
    assert [(x.sequence, x.arrest_days) for x in case.decisions.all()] == [(1, 15), (2, 15)]


def test_a_decision_before_the_detention_is_refused(coordinator):
    d = detain(coordinator, "Иван Иванов").detention
    case = open_case(d, kind="admin", article="23.34", actor=coordinator)
    with pytest.raises(ValueError, match="precede"):
        record_decision(case, decided_on=NOV8 - dt.timedelta(days=1), outcome="warning", actor=coordinator)


def test_every_fact_carries_the_report_it_came_from(coordinator):
    d = detain(coordinator, "Иван Иванов").detention
    case = open_case(d, kind="admin", article="23.34", actor=coordinator)
    decision = record_decision(
        case, decided_on=NOV9, outcome="fine", fine_base_units=Decimal(10), actor=coordinator
    )
    assert decision.report.payload["outcome"] == "fine"
    assert case.reports.count() == 2
