"""Hostile or absurd input to the API gets a 4xx with a JSON error, never a 500 or an HTML page."""

from __future__ import annotations

import pytest
from django.test import override_settings
from rest_framework.test import APIClient

from vigil.records.bounds import NOTE_MAX
from vigil.records.models import Detention, Report

from ..factories import api_report_body as _body


def _json_error(response, status):
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith("application/json")
    return response.json()


def test_json_nested_ten_thousand_deep_is_a_400(api):
    body = b'{"a":' * 10_000 + b"1" + b"}" * 10_000
    response = api.post("/api/detentions/", body, content_type="application/json")
    error = _json_error(response, 400)
    assert error["error"] == "invalid" and "nested" in str(error["detail"])


def test_json_nested_a_little_too_deep_is_a_400(api):
    body = b"[" * 100 + b"]" * 100
    error = _json_error(api.post("/api/detentions/", body, content_type="application/json"), 400)
    assert "nested" in str(error["detail"])


def test_a_body_over_the_request_limit_is_a_413(api):
    with override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1000):
        response = api.post("/api/detentions/", _body(raw_text="x" * 2000), format="json")
    error = _json_error(response, 413)
    assert error["error"] == "too_large" and "1000" in str(error["detail"])
    assert not Report.objects.exists()


@pytest.mark.parametrize(
    ("query", "param"),
    [
        ("offset=100000000000000000000", "offset"),
        ("offset=-1", "offset"),
        ("limit=-1", "limit"),
        ("limit=0", "limit"),
        ("limit=ten", "limit"),
        ("offset=1e3", "offset"),
        ("limit=" + "9" * 5000, "limit"),
    ],
)
def test_absurd_paging_is_a_400_naming_the_parameter(api, query, param):
    error = _json_error(api.get("/api/detentions/?" + query), 400)
    assert error["error"] == "invalid" and param in error["detail"]


def test_paging_within_bounds_still_works(api):
    api.post("/api/detentions/", _body(), format="json")
    data = api.get("/api/detentions/?limit=5000&offset=0").json()
    assert (data["count"], data["limit"], data["offset"]) == (1, 1000, 0)
    assert api.get("/api/detentions/?offset=999999999").json()["results"] == []


def test_an_unknown_api_address_is_a_json_404(api):
    error = _json_error(api.get("/api/no-such-thing/"), 404)
    assert error["error"] == "not_found"


def test_an_unknown_api_address_is_a_json_404_without_credentials(db):
    error = _json_error(APIClient().get("/api/no-such-thing/"), 404)
    assert error["error"] == "not_found"


def test_a_wrong_method_is_a_json_405(api):
    error = _json_error(api.delete("/api/detentions/"), 405)
    assert error["error"] == "method_not_allowed"


def test_a_server_error_under_the_api_is_a_json_500(api, monkeypatch):
    from vigil.api import views

    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(views, "event_figures", broken)
    api.raise_request_exception = False
    error = _json_error(api.get("/api/figures/"), 500)
    assert error == {"error": "server_error", "detail": "the server failed to answer; the failure is logged"}


def test_a_server_error_outside_the_api_is_still_html(client, db, monkeypatch):
    from vigil.web.views import home

    monkeypatch.setattr(home, "render", lambda *a, **k: 1 / 0)
    client.raise_request_exception = False
    response = client.get("/public/")
    assert response.status_code == 500 and not response["Content-Type"].startswith("application/json")


def test_twenty_megabytes_of_injuries_are_refused_with_the_limit(api):
    response = api.post("/api/detentions/", _body(injuries="x" * (NOTE_MAX + 1)), format="json")
    error = _json_error(response, 400)
    assert "injuries" in error["detail"] and str(NOTE_MAX) in str(error["detail"]["injuries"])
    assert not Detention.objects.exists()


@pytest.mark.parametrize(
    ("override", "field"),
    [
        ({"birth_date": "1899-12-31"}, "birth_date"),
        ({"birth_date": "2020-11-09"}, "birth_date"),
        ({"birth_year": 2021}, "birth_year"),
        ({"detained_on": "1899-01-01"}, "detained_on"),
        ({"raw_text": "x" * 100_001}, "raw_text"),
        ({"home_city": "x" * 201}, "home_city"),
    ],
)
def test_implausible_detention_values_are_a_400_naming_the_field(api, override, field):
    error = _json_error(api.post("/api/detentions/", _body(**override), format="json"), 400)
    assert field in error["detail"]


@pytest.mark.parametrize(
    "released_at", ["1900-01-01T12:00:00Z", "6222-01-01T12:00:00Z", "2020-11-07T12:00:00Z"]
)
def test_a_release_outside_the_detention_is_a_400_naming_the_field(api, released_at):
    created = api.post("/api/detentions/", _body(), format="json").json()
    response = api.post(
        f"/api/detentions/{created['id']}/release/", {"released_at": released_at}, format="json"
    )
    error = _json_error(response, 400)
    assert error["error"] == "invalid" and "released_at" in error["detail"]
    assert Detention.objects.get().released_at is None


def test_whereabouts_and_hearings_before_the_detention_are_a_400_naming_the_field(api):
    created = api.post("/api/detentions/", _body(), format="json").json()
    response = api.post(
        f"/api/detentions/{created['id']}/whereabouts/",
        {"facility": "okrestina", "since": "1900-01-01T00:00:00Z"},
        format="json",
    )
    assert "since" in _json_error(response, 400)["detail"]
    case = api.post(
        "/api/cases/", {"detention": created["id"], "kind": "admin", "article": "23.34"}, format="json"
    )
    response = api.post(f"/api/cases/{case.json()['id']}/hearings/", {"held_on": "6222-01-01"}, format="json")
    assert "held_on" in _json_error(response, 400)["detail"]


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1000)
def test_the_json_parser_reads_no_more_than_the_limit_whatever_the_declared_length():
    import io

    from vigil.api.parsers import BoundedJSONParser, RequestTooLarge

    stream = io.BytesIO(b"[" + b"1," * 5000 + b"1]")
    with pytest.raises(RequestTooLarge):
        BoundedJSONParser().parse(stream)
    assert stream.tell() == 1001


@pytest.mark.parametrize("field", ["prison_months", "community_service_hours", "arrest_days"])
def test_an_absurd_number_in_a_decision_is_a_400_naming_it(api, field):
    created = api.post("/api/detentions/", _body(), format="json").json()
    case = api.post(
        "/api/cases/", {"detention": created["id"], "kind": "admin", "article": "23.34"}, format="json"
    ).json()
    response = api.post(
        f"/api/cases/{case['id']}/decisions/",
        {"decided_on": "2020-11-09", "outcome": "warning", field: 10**20},
        format="json",
    )
    assert field in _json_error(response, 400)["detail"]


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("get", "/api/detentions/100000000000000000000/", None),
        ("post", "/api/cases/", {"detention": 10**20, "kind": "admin", "article": "23.34"}),
        ("get", "/api/cases/100000000000000000000/", None),
    ],
)
def test_ids_beyond_64_bits_are_not_found(api, method, path, body):
    response = getattr(api, method)(path, body, format="json") if body else getattr(api, method)(path)
    assert _json_error(response, 404)["error"] == "not_found"
