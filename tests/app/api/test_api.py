from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from vigil.records.models import Report

from ..factories import api_report_body as _body


def test_a_report_is_created_once_and_a_resubmission_is_a_success(api):
    body = _body()
    first = api.post("/api/detentions/", body, format="json")
    again = api.post("/api/detentions/", body, format="json")
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"]
    assert Report.objects.count() == 1


def test_different_content_under_a_used_uuid_is_a_conflict(api):
    body = _body()
    api.post("/api/detentions/", body, format="json")
    response = api.post("/api/detentions/", {**body, "full_name": "Someone Else"}, format="json")
    assert response.status_code == 409 and response.json()["error"] == "conflict"


@pytest.mark.parametrize(
    ("override", "field"),
    [
        ({"detained_on": "08.11.2020x"}, "detained_on"),
        ({"report_uuid": "not-a-uuid"}, "report_uuid"),
        ({"source": {"kind": "oracle"}}, "source"),
        ({"event": "no-such-event"}, "event"),
        ({"full_name": "A B", "head_count": 5}, "head_count"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(api, override, field):
    response = api.post("/api/detentions/", _body(**override), format="json")
    assert response.status_code == 400
    assert response.json()["error"] == "invalid" and field in response.json()["detail"]


def test_a_domain_rule_broken_through_the_api_is_a_400_not_a_500(api):
    created = api.post("/api/detentions/", _body(), format="json").json()
    case = api.post(
        "/api/cases/", {"detention": created["id"], "kind": "admin", "article": "23.34"}, format="json"
    )
    assert case.status_code == 201
    response = api.post(
        f"/api/cases/{case.json()['id']}/decisions/",
        {"decided_on": "2020-11-01", "outcome": "warning"},
        format="json",
    )
    assert response.status_code == 400 and "precede" in response.json()["detail"]["decided_on"][0]
    response = api.post(
        "/api/cases/", {"detention": created["id"], "kind": "admin", "article": "999.99"}, format="json"
    )
    assert response.status_code == 400 and "article" in str(response.json())


def test_requests_without_a_token_are_refused(db):
    assert APIClient().get("/api/detentions/").status_code == 401


def test_figures_through_the_api(api):
    api.post("/api/detentions/", _body(), format="json")
    assert api.get("/api/figures/").json()["persons"] == 1


def test_the_openapi_schema_documents_the_operations(api):
    response = api.get("/api/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    schema = response.json() if response["Content-Type"].startswith("application/json") else None
    text = response.content.decode()
    assert "/api/detentions/" in text and "report_uuid" in text
    assert schema is None or "paths" in schema
