"""An allegation's texts and date have bounds; refused ones store nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from vigil.abuse.models import Allegation
from vigil.abuse.operations import record_allegation
from vigil.records.bounds import NOTE_MAX, FieldRefused

from ..factories import detain


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"injuries": "x" * (NOTE_MAX + 1)}, "injuries"),
        ({"narrative": "x" * (NOTE_MAX + 1)}, "narrative"),
        ({"place": "x" * 201}, "place"),
        ({"occurred_at": timezone.make_aware(dt.datetime(1900, 1, 1, 12))}, "occurred_at"),
        ({"occurred_at": timezone.make_aware(dt.datetime(6222, 1, 1, 12))}, "occurred_at"),
    ],
)
def test_an_allegation_outside_the_bounds_is_refused(coordinator, fields, field):
    detention = detain(coordinator, "Иван Иванов").detention
    with pytest.raises(FieldRefused) as refused:
        record_allegation(detention, violation_type="Beating", actor=coordinator, **fields)
    assert refused.value.field == field
    assert not Allegation.objects.exists()


def test_injuries_at_the_limit_are_kept(coordinator):
    detention = detain(coordinator, "Иван Иванов").detention
    allegation = record_allegation(
        detention, violation_type="Beating", actor=coordinator, injuries="x" * NOTE_MAX
    )
    assert len(allegation.injuries) == NOTE_MAX
