"""A correcting report supersedes the detention of the report it corrects: through the operation, for its author
within the window, and on any replay of that report (sync), since the supersession is derived from the report."""

from __future__ import annotations

import uuid

import pytest

from vigil.figures.counting import event_figures
from vigil.records.models import Detention
from vigil.records.operations import (
    CORRECTS,
    CorrectionRefused,
    DetentionEntry,
    DetentionInput,
    correct_detention,
    record_detentions,
)

from ..factories import NOV8, detain, make_user


def test_a_correction_by_its_author_supersedes_the_first_and_counts_once(db):
    volunteer = make_user("volunteer")
    first = detain(volunteer, "Иван Иваноф", city="Minsk").detention
    result = correct_detention(
        first,
        data=DetentionInput(detained_on=NOV8, city="Minsk", full_name="Иван Иванов"),
        actor=volunteer,
        report_uuid=uuid.uuid4(),
    )
    first.refresh_from_db()
    assert first.superseded_by == result.detention
    assert list(Detention.objects.current()) == [result.detention]
    assert event_figures(None)["persons"] == 1


def test_another_user_cannot_correct_a_report(db):
    first = detain(make_user("volunteer"), "Иван Иваноф").detention
    with pytest.raises(CorrectionRefused):
        correct_detention(
            first,
            data=DetentionInput(detained_on=NOV8, city="Minsk", full_name="Иван Иванов"),
            actor=make_user("coordinator"),
            report_uuid=uuid.uuid4(),
        )
    assert Detention.objects.current().count() == 1 and Detention.objects.count() == 1


def test_a_correcting_report_replayed_in_bulk_supersedes_the_same_detention(db):
    first = detain(make_user("volunteer"), "Иван Иваноф").detention
    replayed = DetentionEntry(
        data=DetentionInput(
            detained_on=NOV8,
            city="Minsk",
            full_name="Иван Иванов",
            extra={CORRECTS: str(first.report.uuid)},
        ),
        source=first.report.source,
        report_uuid=uuid.uuid4(),
    )
    (result,) = record_detentions([replayed], actor=None, link=False)
    first.refresh_from_db()
    assert first.superseded_by_id == result.detention.pk  # type: ignore[union-attr]


def test_a_corrected_report_is_neither_listed_nor_a_linkage_candidate_any_more(db, client):
    from vigil.review.operations import _candidates

    from ..factories import login

    volunteer = make_user("volunteer")
    first = detain(volunteer, "Иван Иваноф", city="Minsk").detention
    result = correct_detention(
        first,
        data=DetentionInput(detained_on=NOV8, city="Minsk", full_name="Иван Иванов"),
        actor=volunteer,
        report_uuid=uuid.uuid4(),
    )
    later = detain(volunteer, "Иван Иванов", city="Minsk").detention
    candidates = _candidates(later.identity)
    assert result.detention.identity_id in candidates and first.identity_id not in candidates
    coordinator = make_user("coordinator")
    login(client, coordinator)
    listed = client.get("/detentions/").context["page"].paginator.count
    assert listed == Detention.objects.current().count() == 2
