from __future__ import annotations

import random

import pytest
from django.urls import reverse

from vigil.figures.estimation import NotEstimable, capture_rows
from vigil.figures.models import Estimate
from vigil.figures.operations import run_estimate
from vigil.review.operations import merge_persons

from ..factories import detain, login

pytestmark = pytest.mark.slow
FAST = {"chains": 2, "burnin": 2_000, "samples": 300, "thin": 5}


def _event_with_overlapping_sources(actor, n=80, seed=3):
    rng = random.Random(seed)
    kinds = {"hotline": 0.6, "lawyer": 0.4, "media": 0.3, "court_list": 0.3}
    for i in range(n):
        seen = [k for k, p in kinds.items() if rng.random() < p]
        first = None
        for kind in seen:
            d = detain(actor, f"Person{i} Testovich", event="2020-11-08-minsk", kind=kind).detention
            if first is None:
                first = d.person
            else:
                merge_persons(first, [d.person], actor=actor)


def test_lists_are_the_source_kinds_over_linked_persons(coordinator, rally):
    a = detain(coordinator, "Иван Иванов", event="2020-11-08-minsk", kind="hotline").detention
    b = detain(coordinator, "Ivan Ivanov", event="2020-11-08-minsk", kind="media").detention
    detain(coordinator, "Пётр Петров", event="2020-11-08-minsk", kind="media")
    merge_persons(a.person, [b.person], actor=coordinator)
    lists, counts = capture_rows(rally)
    assert lists == ["hotline", "media"]
    assert counts == {(1, 1): 1, (0, 1): 1}


def test_fewer_than_three_lists_is_refused_with_the_reason(coordinator, rally):
    detain(coordinator, "Иван Иванов", event="2020-11-08-minsk", kind="hotline")
    with pytest.raises(NotEstimable, match="three lists"):
        run_estimate(rally, actor=coordinator)


def test_the_estimate_page_gives_the_floor_the_total_and_its_interval(client, coordinator, rally):
    _event_with_overlapping_sources(coordinator)
    estimate = run_estimate(rally, actor=coordinator, seed=5, **FAST)
    documented = sum(capture_rows(rally)[1].values())
    e = estimate.summary["estimate"]
    assert estimate.summary["n_observed"] == documented
    assert documented <= e["lower"] <= e["median"] <= e["upper"]
    assert estimate.loglinear and estimate.loglinear[0]["model"]
    login(client, coordinator)
    body = client.get(reverse("event_estimate", args=[rally.slug])).content.decode()
    assert f"Documented: at least {documented}" in body and "Estimated total" in body and "<rect" in body
    # Plain words first, what the numbers mean; the statistician's detail below, folded away.
    assert "including people no list recorded" in body
    plain, detail = (
        body.index('id="estimate-plain"'),
        body.index('<details class="card" id="estimate-detail"'),
    )
    assert body.index('id="estimate-headline"') < plain < detail
    assert "R-hat" in body[detail:] and "R-hat" not in body[:detail]
    # The plots are for people who look rather than read: the posterior with its floor, up with the plain words.
    assert plain < body.index('id="posterior-plot"') < detail
    assert Estimate.objects.count() == 1
