"""Every figure links to a list of what it counts, whose length is the figure (issue 14: figures reconcile)."""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal

import pytest
from django.urls import reverse

from vigil.cases.operations import open_case, record_decision
from vigil.figures import FIGURES
from vigil.figures.counting import detentions_for, event_figures, figure_total
from vigil.review.operations import merge_persons

from ..factories import NOV9, detain, login


@pytest.fixture
def event_with_duplicates(coordinator, rally):
    """Three people in Minsk, one of them reported by three sources and detained again the next day; one in
    Grodno, fined; two unnamed groups (5 and 3 people)."""
    a = [
        detain(coordinator, "Иван Иванов", event="2020-11-08-minsk", kind=kind).detention
        for kind in ("hotline", "relative", "lawyer")
    ]
    merge_persons(a[0].person, [a[1].person, a[2].person], actor=coordinator, reason="same man")
    again = detain(coordinator, "Иван Иванов", event="2020-11-08-minsk", day=NOV9, kind="media").detention
    merge_persons(a[0].person, [again.person], actor=coordinator, reason="same man")
    detain(coordinator, "Пётр Петров", event="2020-11-08-minsk")
    detain(coordinator, "Олег Сидоров", event="2020-11-08-minsk")
    fined = detain(coordinator, "Анна Смирнова", event="2020-11-08-grodno", city="Grodno").detention
    case = open_case(fined, kind="admin", article="23.34", actor=coordinator)
    record_decision(case, decided_on=NOV9, outcome="fine", fine_base_units=Decimal(10), actor=coordinator)
    detain(coordinator, event="2020-11-08-minsk", head_count=5)
    detain(coordinator, event="2020-11-08-grodno", city="Grodno", head_count=3)
    return rally


def _listed(client, **params):
    response = client.get(reverse("figure_list"), params)
    assert response.status_code == 200
    return response.context


@pytest.mark.parametrize("figure", FIGURES)
def test_each_figures_list_has_the_figures_length(client, coordinator, event_with_duplicates, figure):
    figures = event_figures(event_with_duplicates)
    login(client, coordinator)
    ctx = _listed(client, event=event_with_duplicates.slug, figure=figure)
    assert ctx["total"] == figures[figure]
    if figure != "unnamed_head_count":
        assert ctx["page"].paginator.count == figures[figure]
    assert figure_total(detentions_for(event_with_duplicates, figure), figure) == figures[figure]


def test_the_known_figures_of_the_worked_example(event_with_duplicates):
    f = event_figures(event_with_duplicates)
    assert (f["persons"], f["detentions"], f["unnamed_head_count"]) == (4, 5, 8)
    assert (f["charged"], f["decided"], f["punished_by_next_day"]) == (1, 1, 1)


def test_a_city_figure_lists_that_citys_persons(client, coordinator, event_with_duplicates):
    figures = event_figures(event_with_duplicates)
    minsk = next(c for c in figures["by_city"] if c["city"] == "Minsk")
    login(client, coordinator)
    assert _listed(client, event=event_with_duplicates.slug, figure="persons", city="Minsk")["total"] == 3
    assert minsk["persons"] == 3
    ctx = _listed(client, event=event_with_duplicates.slug, figure="detentions", city="Minsk")
    assert ctx["total"] == minsk["detentions"] == 4


def test_each_row_opens_onto_the_records_behind_it(client, coordinator, event_with_duplicates):
    login(client, coordinator)
    rows = _listed(client, event=event_with_duplicates.slug, figure="persons")["rows"]
    assert sorted(r["reports"] for r in rows) == [1, 1, 1, 4]
    for row in rows:
        records = client.get(row["records_url"]).context["page"].paginator.count
        assert records == row["reports"]


def test_the_event_page_links_each_figure_to_its_list(client, coordinator, event_with_duplicates):
    login(client, coordinator)
    body = client.get(reverse("event_detail", args=[event_with_duplicates.slug])).content.decode()
    for figure in FIGURES:
        assert f'data-figure="{figure}" href="{reverse("figure_list")}?event=' in body


def test_the_lists_export_as_csv_and_json_with_the_figures_length(client, coordinator, event_with_duplicates):
    login(client, coordinator)
    params = {"event": event_with_duplicates.slug, "figure": "detentions"}
    rows = list(
        csv.DictReader(
            io.StringIO(client.get(reverse("figure_list_export", args=["csv"]), params).content.decode())
        )
    )
    assert len(rows) == 5 and {r["unit"] for r in rows} == {"episode"}
    assert all(r["person"].startswith("P-") for r in rows)
    params["figure"] = "unnamed_head_count"
    data = json.loads(client.get(reverse("figure_list_export", args=["json"]), params).content)
    assert sum(r["head_count"] for r in data["rows"]) == 8 and len(data["rows"]) == 2


def test_an_unknown_figure_or_format_is_not_found(client, coordinator, event_with_duplicates):
    login(client, coordinator)
    assert client.get(reverse("figure_list"), {"figure": "everyone"}).status_code == 404
    assert client.get(reverse("figure_list_export", args=["xml"])).status_code == 404


def test_a_volunteer_cannot_list_what_figures_count(client, event_with_duplicates):
    from ..factories import make_user

    volunteer = make_user("volunteer")
    login(client, volunteer)
    assert client.get(reverse("figure_list"), {"figure": "persons"}).status_code in (302, 403)
