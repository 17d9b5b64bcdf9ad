"""An analyst narrows the detentions list by date range, unit, facility, article, outcome and status; the
exports carry the same rows, and a filter that cannot apply is said on the page."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

import pytest
from django.test import Client

from vigil.cases.operations import add_charge, open_case, record_decision
from vigil.records.operations import record_release, record_whereabouts

from ..factories import NOV8, detain, login, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(coordinator: Any) -> dict[str, int]:
    """Four detentions: two on 8 November (OMON; one held at Akrestsina, charged, fined, released), one on
    9 November (charged under 23.34 and 23.4, no decision yet) and one on 20 December with no case."""
    a = detain(coordinator, "Сяргей Ціханоўскі", unit="omon").detention
    b = detain(coordinator, "Марыя Калеснікава", unit="omon").detention
    c = detain(coordinator, "Ігар Лосік", day=NOV8 + dt.timedelta(days=1)).detention
    d = detain(coordinator, "Павел Севярынец", day=dt.date(2020, 12, 20)).detention
    moment = dt.datetime(2020, 11, 8, 22, 0, tzinfo=dt.UTC)
    record_whereabouts(a, facility="by-minsk-cip-akrestsina", since=moment, actor=coordinator)
    case = open_case(a, kind="admin", article="23.34", actor=coordinator)
    record_decision(
        case, decided_on=NOV8 + dt.timedelta(days=1), outcome="fine", fine_base_units=20, actor=coordinator
    )
    record_release(a, released_at=moment + dt.timedelta(days=1), actor=coordinator)
    later = open_case(c, kind="admin", article="23.34", actor=coordinator)
    add_charge(later, article="23.4", actor=coordinator)
    return {"a": a.pk, "b": b.pk, "c": c.pk, "d": d.pk}


@pytest.fixture
def analyst_client() -> Client:
    client = Client()
    login(client, make_user("analyst"))
    return client


def _ids(client: Client, query: str) -> set[int]:
    response = client.get(f"/detentions/export.csv?{query}")
    assert response.status_code == 200
    return {int(row["detention_id"]) for row in csv.DictReader(io.StringIO(response.content.decode()))}


def _total(client: Client, query: str) -> int:
    page = client.get(f"/detentions/?{query}").content.decode()
    return int(page.split('<span id="total">', 1)[1].split("<", 1)[0])


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("since=2020-11-09", {"c", "d"}),
        ("since=2020-11-08&until=2020-11-09", {"a", "b", "c"}),
        ("unit=omon", {"a", "b"}),
        ("facility=by-minsk-cip-akrestsina", {"a"}),
        ("article=23.4", {"c"}),
        ("outcome=fine", {"a"}),
        ("status=released", {"a"}),
        ("status=held", {"b", "c", "d"}),
        ("status=awaiting_trial", {"c"}),
        ("status=charged&since=2020-11-09", {"c"}),
    ],
)
def test_each_filter_narrows_the_list_and_its_export_to_the_same_rows(
    world: dict[str, int], analyst_client: Client, query: str, expected: set[str]
) -> None:
    want = {world[k] for k in expected}
    assert _ids(analyst_client, query) == want
    assert _total(analyst_client, query) == len(want)


def test_reference_choices_are_labelled_in_the_users_language(
    world: dict[str, int], analyst_client: Client
) -> None:
    analyst_client.cookies["django_language"] = "ru"
    page = analyst_client.get("/detentions/").content.decode()
    assert "ОМОН" in page and "Окрестина" in page


def test_a_period_that_ends_before_it_starts_is_an_error_on_the_page(
    world: dict[str, int], analyst_client: Client
) -> None:
    page = analyst_client.get("/detentions/?since=2020-11-10&until=2020-11-01").content.decode()
    assert 'id="id_until-error"' in page and "before its start" in page


def test_an_unknown_choice_is_shown_as_an_error_not_ignored(
    world: dict[str, int], analyst_client: Client
) -> None:
    page = analyst_client.get("/detentions/?status=vanished").content.decode()
    assert 'id="id_status-error"' in page


@pytest.mark.parametrize("typed", ["Minsk", "Минск", "Мінск", " minsk "])
def test_a_city_typed_in_any_of_its_spellings_finds_its_records(
    world: dict[str, int], analyst_client: Client, coordinator: Any, typed: str
) -> None:
    detain(coordinator, "Андрэй Пачобут", city="Grodno")
    minsk = set(world.values())
    assert _ids(analyst_client, f"city={typed}") == minsk
    assert _total(analyst_client, f"city={typed}") == len(minsk)
