"""An event whose lists cannot be estimated from gets the library's reason on the estimate page, in one line,
and nothing is stored or sampled."""

from __future__ import annotations

import pytest
from django.urls import reverse

from vigil.figures.estimation import NotEstimable
from vigil.figures.models import Estimate
from vigil.figures.operations import run_estimate
from vigil.review.operations import merge_persons

from ..factories import detain, login


def _three_kinds_that_never_overlap(actor):
    detain(actor, "Иван Иванов", event="2020-11-08-minsk", kind="hotline")
    detain(actor, "Пётр Петров", event="2020-11-08-minsk", kind="lawyer")
    detain(actor, "Анна Смирнова", event="2020-11-08-minsk", kind="media")


def test_sources_that_never_document_the_same_person_are_refused_naming_them(coordinator, rally):
    _three_kinds_that_never_overlap(coordinator)
    with pytest.raises(NotEstimable) as caught:
        run_estimate(rally, actor=coordinator)
    assert caught.value.reason == "no_overlap"
    assert "no record is on two lists (hotline, lawyer, media)" in str(caught.value)
    assert Estimate.objects.count() == 0


def test_a_source_holding_everyone_is_refused(coordinator, rally):
    first = detain(coordinator, "Иван Иванов", event="2020-11-08-minsk", kind="hotline").detention
    for i, kind in enumerate(("lawyer", "media")):
        other = detain(coordinator, "Ivan Ivanov", event="2020-11-08-minsk", kind=kind).detention
        merge_persons(first.person, [other.person], actor=coordinator)
        extra = detain(
            coordinator, f"Person{i} Testovich", event="2020-11-08-minsk", kind="hotline"
        ).detention
        again = detain(coordinator, f"Person{i} Testovich", event="2020-11-08-minsk", kind=kind).detention
        merge_persons(extra.person, [again.person], actor=coordinator)
    with pytest.raises(NotEstimable) as caught:
        run_estimate(rally, actor=coordinator)
    assert caught.value.reason == "list_contains_everyone"
    assert "list hotline holds every one of the 3 documented people" in str(caught.value)


def test_the_estimate_page_shows_the_reason_instead_of_a_number(client, coordinator, rally):
    _three_kinds_that_never_overlap(coordinator)
    login(client, coordinator)
    response = client.post(reverse("event_estimate", args=[rally.slug]))
    body = response.content.decode()
    assert response.status_code == 400
    assert 'role="alert">Cannot estimate: no record is on two lists (hotline, lawyer, media)' in body
    assert "Estimated total" not in body and "Traceback" not in body
    assert Estimate.objects.count() == 0
