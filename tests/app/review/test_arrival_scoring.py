"""How an arrival is scored (issue 14): against every report of a candidate person, explained per field."""

from __future__ import annotations

import datetime as dt

import pytest

from vigil.figures.counting import detentions_for
from vigil.records.models import Identity
from vigil.review.models import CandidatePair

from ..factories import NOV8, detain

pytestmark = pytest.mark.slow


def _persons() -> int:
    return detentions_for(None).values("person_id").distinct().count()


def test_a_report_contradicting_any_report_of_a_person_stays_apart(
    coordinator, django_capture_on_commit_callbacks
):
    detain(coordinator, "Ганна Каваленка", kind="hotline")
    with django_capture_on_commit_callbacks(execute=True):
        detain(coordinator, "Каваленка Ганна", kind="lawyer", birth_date=dt.date(1961, 4, 2))
    assert _persons() == 1
    # Agrees with the vague first report, but the person's other report gives a birth date 30 years off.
    with django_capture_on_commit_callbacks(execute=True):
        detain(coordinator, "Анна Коваленко", kind="relative", birth_date=dt.date(1991, 9, 14))
    assert _persons() == 2


def test_a_queued_pair_is_explained_field_by_field(coordinator, django_capture_on_commit_callbacks):
    detain(coordinator, "Сяргей Ціханоўскі", kind="relative")
    with django_capture_on_commit_callbacks(execute=True):
        detain(
            coordinator, "Siarhei Tsikhanouski", kind="media", city="Brest", day=NOV8 + dt.timedelta(days=1)
        )
    (pair,) = CandidatePair.objects.filter(verdict="")
    fields = {f["field"]: f for f in pair.explanation}
    assert set(fields) >= {"surname", "given_name", "city", "detained_on", "source"}
    assert fields["city"]["weight"] < 0 < fields["surname"]["weight"]
    assert all(set(f) == {"field", "level", "weight"} for f in pair.explanation)
    assert Identity.objects.count() == 2
