from __future__ import annotations

import pytest

from vigil.audit.models import AuditEntry
from vigil.figures.counting import event_figures
from vigil.records.models import Identity, Person, Report
from vigil.review.operations import LinkError, merge_persons, split_person, undo_operation

from ..factories import detain


def test_merging_moves_every_report_and_loses_none(coordinator, rally):
    a = detain(coordinator, "Сяргей Ціханоўскі", event="2020-11-08-minsk").detention
    b = detain(coordinator, "Тихановский Сергей", event="2020-11-08-minsk").detention
    reports = Report.objects.count()
    merge_persons(a.person, [b.person], actor=coordinator, reason="same man")
    assert set(Identity.objects.values_list("person_id", flat=True)) == {a.person_id}
    assert Person.objects.get(pk=b.person_id).merged_into_id == a.person_id
    assert Report.objects.count() == reports
    assert event_figures(rally)["persons"] == 1
    assert AuditEntry.objects.filter(action="person.merge").count() == 1


def test_a_merge_can_be_undone_and_the_counts_come_back(coordinator, rally):
    a = detain(coordinator, "Иван Иванов", event="2020-11-08-minsk").detention
    b = detain(coordinator, "Иван Иванов", event="2020-11-08-minsk", kind="lawyer").detention
    op = merge_persons(a.person, [b.person], actor=coordinator)
    undo_operation(op, actor=coordinator)
    assert event_figures(rally)["persons"] == 2
    b.refresh_from_db()
    assert b.identity.person_id == b.person_id != a.person_id


def test_a_split_moves_chosen_reports_to_a_new_person_and_can_be_undone(coordinator):
    a = detain(coordinator, "Иван Иванов").detention
    b = detain(coordinator, "Иван Иванов", kind="lawyer").detention
    merge_persons(a.person, [b.person], actor=coordinator)
    person = Person.objects.get(pk=a.person_id)
    op = split_person(person, [b.identity], actor=coordinator, reason="namesakes")
    b.refresh_from_db()
    assert b.person_id != a.person_id
    undo_operation(op, actor=coordinator)
    b.refresh_from_db()
    assert b.person_id == a.person_id


def test_a_split_must_leave_the_person_something(coordinator):
    a = detain(coordinator, "Иван Иванов").detention
    with pytest.raises(LinkError):
        split_person(a.person, [a.identity], actor=coordinator)


def test_an_operation_cannot_be_undone_twice(coordinator):
    a = detain(coordinator, "Иван Иванов").detention
    b = detain(coordinator, "Иван Иванов", kind="lawyer").detention
    op = merge_persons(a.person, [b.person], actor=coordinator)
    undo_operation(op, actor=coordinator)
    with pytest.raises(LinkError):
        undo_operation(op, actor=coordinator)
