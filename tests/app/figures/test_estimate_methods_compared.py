"""The estimate page puts graphical-model averaging (dga) beside LCMCR and the log-linear models, and says so
plainly when they disagree."""

from __future__ import annotations

import random

import pytest
from django.urls import reverse
from django.utils import timezone

from vigil.figures.models import Estimate
from vigil.figures.operations import run_estimate
from vigil.review.operations import merge_persons

from ..factories import detain, login

FAST = {"chains": 2, "burnin": 500, "samples": 200, "thin": 5}


def _figures(median: float, lower: float, upper: float) -> dict[str, float]:
    return {"mean": median, "median": median, "lower": lower, "upper": upper}


def _stored(
    rally,
    coordinator,
    *,
    dga_median: float,
    capture_table: list | None = None,
    dga_posterior: dict | None = None,
) -> Estimate:
    """An estimate as run_estimate stores it, with LCMCR at 1,000 and dga at ``dga_median`` (and dga's posterior
    on its grid if given; estimates stored before it was kept have none)."""
    from vigil.lib.estimate import compare_methods

    lcmcr = {"n_observed": 400, "method": "lcmcr", "estimate": _figures(1000, 800, 1300), "diagnostics": {}}
    dga = {
        "n_observed": 400,
        "method": "dga",
        "estimate": _figures(dga_median, dga_median * 0.9, dga_median * 1.1),
        "diagnostics": {
            "delta": 0.0625,
            "models_averaged": 61,
            "best_models": [{"model": "[12,3,4]", "weight": 0.7}],
        },
    }
    if dga_posterior is not None:
        dga["posterior"] = dga_posterior
    comparison = compare_methods({"lcmcr": lcmcr, "dga": dga})
    summary = {
        **lcmcr,
        "diagnostics": {"warnings": [], "settings": {"K": 10, "seed": 1}},
        "methods": {"lcmcr": lcmcr, "dga": dga},
        "comparison": comparison,
        "note": comparison["note"],
    }
    return Estimate.objects.create(
        event=rally,
        created_at=timezone.now(),
        created_by=coordinator,
        lists=["hotline", "lawyer", "media", "court_list"],
        capture_table=capture_table or [],
        summary=summary,
        histogram={"edges": [400.0, 900.0, 1400.0], "counts": [3, 5]},
        loglinear=[],
    )


def test_the_page_shows_dga_beside_lcmcr_and_warns_when_they_disagree(client, coordinator, rally):
    _stored(rally, coordinator, dga_median=2_100)
    login(client, coordinator)
    body = client.get(reverse("event_estimate", args=[rally.slug])).content.decode()
    assert "The methods side by side" in body and "Graphical-model averaging (dga)" in body
    assert "2,100" in body and 'id="methods-disagree"' in body and "2.1 times the smallest" in body
    assert "[12,3,4]" in body


def test_agreeing_methods_are_shown_without_a_warning(client, coordinator, rally):
    _stored(rally, coordinator, dga_median=1_100)
    login(client, coordinator)
    body = client.get(reverse("event_estimate", args=[rally.slug])).content.decode()
    assert "Graphical-model averaging (dga)" in body and 'id="methods-disagree"' not in body


@pytest.mark.slow
def test_an_event_with_four_lists_is_estimated_by_every_method(coordinator, rally):
    rng = random.Random(3)
    kinds = {"hotline": 0.6, "lawyer": 0.4, "media": 0.3, "court_list": 0.3}
    for i in range(40):
        first = None
        for kind in (k for k, p in kinds.items() if rng.random() < p):
            d = detain(coordinator, f"Person{i} Testovich", event="2020-11-08-minsk", kind=kind).detention
            if first is None:
                first = d.person
            else:
                merge_persons(first, [d.person], actor=coordinator)
    summary = run_estimate(rally, actor=coordinator, seed=5, **FAST).summary
    assert summary["method"] == "lcmcr" and set(summary["methods"]) == {"lcmcr", "loglinear", "dga"}
    dga = summary["methods"]["dga"]
    assert dga["diagnostics"]["models_averaged"] == 61
    assert summary["n_observed"] <= dga["estimate"]["lower"] <= dga["estimate"]["upper"]
    assert [r["method"] for r in summary["comparison"]["rows"]] == ["lcmcr", "loglinear", "dga"]
    posterior = dga["posterior"]  # as computed on dga's grid, for the page's plot
    assert posterior["totals"][0] >= summary["n_observed"] and len(posterior["totals"]) <= 200
    assert posterior["totals"] == sorted(posterior["totals"]) and 0 < max(posterior["probabilities"]) < 1


def test_the_page_draws_the_posterior_above_its_floor_and_how_the_lists_overlap(client, coordinator, rally):
    table = [{"pattern": [1, 0, 0, 0], "count": 250}, {"pattern": [1, 1, 0, 0], "count": 100}]
    table.append({"pattern": [0, 0, 1, 1], "count": 50})
    _stored(rally, coordinator, dga_median=1_100, capture_table=table)
    login(client, coordinator)
    client.cookies["django_language"] = "ru"
    body = client.get(reverse("event_estimate", args=[rally.slug])).content.decode()
    posterior = body.split('id="posterior-plot"', 1)[1].split("</figure>", 1)[0]
    assert "задокументировано: 400" in posterior  # the floor, in the page's language
    overlaps = body.split('id="overlaps-plot"', 1)[1].split("</figure>", 1)[0]
    assert overlaps.count("<rect") == 3 and ">350<" in overlaps  # three combinations; the hotline's own total


def test_the_page_draws_dgas_posterior_beside_lcmcrs_in_the_readers_language(client, coordinator, rally):
    totals = list(range(900, 1300, 10))
    posterior = {
        "totals": totals,
        "probabilities": [0.001 if t != 1100 else 0.004 for t in totals],
        "grid_step": 1,
        "n_observed": 400,
        "mean": 1100.0,
        "median": 1100.0,
        "lower": 990.0,
        "upper": 1210.0,
    }
    _stored(rally, coordinator, dga_median=1_100, dga_posterior=posterior)
    login(client, coordinator)
    client.cookies["django_language"] = "be"
    body = client.get(reverse("event_estimate", args=[rally.slug])).content.decode()
    plot = body.split('id="dga-posterior-plot"', 1)[1].split("</figure>", 1)[0]
    assert "Усярэдненне графічных мадэляў (dga)" in plot and "задакументавана: 400" in plot
    assert plot.count("<circle") == len(totals)  # one stem per total computed on the grid
    assert "медыяна 1,100" in plot or "медыяна 1 100" in plot or "медыяна 1100" in plot


def test_an_estimate_stored_before_dgas_posterior_was_kept_shows_lcmcrs_alone(client, coordinator, rally):
    _stored(rally, coordinator, dga_median=1_100)
    login(client, coordinator)
    body = client.get(reverse("event_estimate", args=[rally.slug])).content.decode()
    assert 'id="posterior-plot"' in body and 'id="dga-posterior-plot"' not in body
