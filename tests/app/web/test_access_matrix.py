"""Every URL and API endpoint for every role: only the allowed ones succeed; CSRF on every state change."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from vigil.abuse.operations import attach_evidence, record_allegation
from vigil.cases.operations import open_case, record_decision
from vigil.figures.operations import take_snapshot
from vigil.jobs.operations import start_estimate, start_linkage, start_package
from vigil.review.models import CandidatePair
from vigil.review.operations import merge_persons

from ..factories import NOV9, detain, login, make_rally, make_token, make_user

ROLES = ["volunteer", "lawyer", "analyst", "coordinator", "auditor"]
ANY = {"volunteer", "lawyer", "analyst", "coordinator"}
INTAKE = {"volunteer", "lawyer", "coordinator"}
CASEWORK = {"lawyer", "coordinator"}
FIGURES = {"analyst", "coordinator"}
COORD = {"coordinator"}


@pytest.fixture
def world(db):
    users = {role: make_user(role, username=role) for role in ROLES}
    coord = users["coordinator"]
    make_rally(coord)
    own = detain(users["volunteer"], "Иван Иванов", event="2020-11-08-minsk").detention
    other = detain(coord, "Пётр Петров", event="2020-11-08-minsk").detention
    case = open_case(own, kind="admin", article="23.34", actor=coord, lawyer=users["lawyer"])
    record_decision(case, decided_on=NOV9, outcome="fine", fine_base_units=Decimal(10), actor=coord)
    allegation = record_allegation(own, violation_type="Beating", actor=coord)
    evidence = attach_evidence(
        allegation, stream=io.BytesIO(b"photo"), original_name="a.jpg", media_type="image/jpeg", actor=coord
    )
    op = merge_persons(own.person, [other.person], actor=coord)
    snap = take_snapshot(own.event.parent, actor=coord)
    pair = CandidatePair.objects.create(
        left=own.identity, right=other.identity, probability=0.6, explanation=[]
    )
    estimate_job = start_estimate(own.event, actor=coord)
    linkage_job = start_linkage(actor=coord)
    package_job = start_package(actor=coord, event=own.event)
    return {
        "users": users,
        "estimate_job": estimate_job.pk,
        "linkage_job": linkage_job.pk,
        "package_job": package_job.pk,
        "d": own.pk,
        "case": case.pk,
        "person": own.person_id,
        "op": op.pk,
        "snap": snap.pk,
        "evidence": evidence.pk,
        "pair": pair.pk,
    }


def _web(w):
    ev = "2020-11-08-march"
    return [
        ("GET", reverse("intake"), INTAKE),
        # Past the role check, only the author's report is found (the others answer 404).
        ("GET", reverse("intake_correct", args=[w["d"]]), INTAKE),
        ("POST", reverse("intake_correct", args=[w["d"]]), INTAKE),
        ("GET", reverse("detention_list"), ANY),
        ("GET", reverse("detention_export", args=["csv"]), ANY),
        ("GET", reverse("detention_export", args=["json"]), ANY),
        ("GET", reverse("detention_detail", args=[w["d"]]), ANY),
        ("POST", reverse("detention_add_case", args=[w["d"]]), CASEWORK),
        ("POST", reverse("detention_release", args=[w["d"]]), CASEWORK),
        ("POST", reverse("detention_whereabouts", args=[w["d"]]), CASEWORK),
        ("GET", reverse("case_detail", args=[w["case"]]), CASEWORK),
        ("GET", reverse("lawyer_cases"), CASEWORK),
        ("POST", reverse("detention_take", args=[w["d"]]), {"lawyer"}),
        ("POST", reverse("detention_assign", args=[w["d"]]), COORD),
        ("GET", reverse("person_detail", args=[w["person"]]), FIGURES | {"lawyer"}),
        ("POST", reverse("person_merge", args=[w["person"]]), COORD),
        ("POST", reverse("person_split", args=[w["person"]]), COORD),
        ("POST", reverse("operation_undo", args=[w["op"]]), COORD),
        ("GET", reverse("event_list"), ANY),
        ("GET", reverse("event_detail", args=[ev]), FIGURES),
        ("GET", reverse("event_figures_json", args=[ev]), FIGURES),
        ("GET", reverse("event_figures_csv", args=[ev]), FIGURES),
        ("GET", reverse("event_estimate", args=[ev]), FIGURES),
        ("GET", reverse("job_detail", args=[w["estimate_job"]]), FIGURES),
        ("GET", reverse("job_detail", args=[w["linkage_job"]]), COORD),
        # Seen by the coordinator who asked for it (any other user gets 404); not built yet, so nothing to download.
        ("GET", reverse("job_detail", args=[w["package_job"]]), COORD),
        ("GET", reverse("job_package", args=[w["package_job"]]), COORD),
        ("GET", reverse("import_file"), FIGURES),
        ("POST", reverse("import_file"), FIGURES),
        ("GET", reverse("package_request"), COORD),
        ("POST", reverse("package_request"), COORD),
        ("POST", reverse("event_snapshot", args=[ev]), COORD),
        ("GET", reverse("snapshot_detail", args=[w["snap"]]), FIGURES),
        ("GET", reverse("audit_log"), {"auditor", "coordinator"}),
        ("GET", reverse("evidence_download", args=[w["evidence"]]), {"volunteer", "lawyer", "coordinator"}),
        ("GET", reverse("review_queue"), COORD),
        ("POST", reverse("review_decide", args=[w["pair"]]), COORD),
        ("GET", reverse("figure_list") + f"?event={ev}", FIGURES),
        ("GET", reverse("figure_list_export", args=["csv"]) + f"?event={ev}", FIGURES),
    ]


def _api(w):
    return [
        ("GET", "/api/detentions/", ANY),
        ("POST", "/api/detentions/", INTAKE),
        ("GET", f"/api/detentions/{w['d']}/", ANY),
        ("POST", f"/api/detentions/{w['d']}/release/", CASEWORK),
        ("POST", f"/api/detentions/{w['d']}/whereabouts/", CASEWORK),
        ("POST", "/api/cases/", CASEWORK),
        ("GET", f"/api/cases/{w['case']}/", CASEWORK),
        ("POST", f"/api/cases/{w['case']}/hearings/", CASEWORK),
        ("POST", f"/api/cases/{w['case']}/decisions/", CASEWORK),
        ("GET", "/api/events/", ANY),
        ("GET", "/api/figures/", FIGURES),
        ("GET", "/api/events/2020-11-08-march/figures/", FIGURES),
    ]


def _denied(status: int) -> bool:
    return status in (401, 403)


@pytest.mark.parametrize("role", ROLES)
def test_each_role_reaches_exactly_its_pages(world, role):
    client = Client()
    login(client, world["users"][role])
    wrong = []
    for method, url, allowed in _web(world):
        response = client.get(url) if method == "GET" else client.post(url, {})
        if _denied(response.status_code) == (role in allowed) or response.status_code >= 500:
            wrong.append((method, url, response.status_code))
    assert wrong == []


@pytest.mark.parametrize("role", ROLES)
def test_each_role_reaches_exactly_its_api_endpoints(world, role):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {make_token(world['users'][role])}")
    wrong = []
    for method, url, allowed in _api(world):
        response = client.get(url) if method == "GET" else client.post(url, {}, format="json")
        if _denied(response.status_code) == (role in allowed) or response.status_code >= 500:
            wrong.append((method, url, response.status_code))
    assert wrong == []


def test_anonymous_visitors_reach_only_the_login_and_public_pages(world):
    client = Client()
    for method, url, _allowed in _web(world):
        response = client.get(url) if method == "GET" else client.post(url, {})
        assert response.status_code == 302 and reverse("login") in response["Location"], url
    api = APIClient()
    for method, url, _allowed in _api(world):
        response = api.get(url) if method == "GET" else api.post(url, {}, format="json")
        assert response.status_code == 401, url
    assert client.get(reverse("public_figures")).status_code == 200
    assert client.get(reverse("login")).status_code == 200


def test_a_lawyer_sees_only_assigned_cases_and_a_volunteer_only_own_reports(world):
    other_lawyer = make_user("lawyer")
    client = Client()
    login(client, other_lawyer)
    assert client.get(reverse("case_detail", args=[world["case"]])).status_code == 404
    assert client.get(reverse("detention_detail", args=[world["d"]])).status_code == 404
    assert client.get(reverse("person_detail", args=[world["person"]])).status_code == 404
    other_volunteer = make_user("volunteer")
    login(client, other_volunteer)
    assert client.get(reverse("detention_detail", args=[world["d"]])).status_code == 404


def test_signed_in_roles_that_need_two_factor_get_nothing_before_it(world):
    client = Client()
    client.force_login(world["users"]["coordinator"])
    response = client.get(reverse("detention_list"))
    assert response.status_code == 302 and "/account/two-factor/" in response["Location"]


def test_every_state_change_needs_a_csrf_token_logout_included(world):
    client = Client(enforce_csrf_checks=True)
    login(client, world["users"]["coordinator"])
    posts = [url for method, url, _ in _web(world) if method == "POST"]
    posts += [reverse("logout"), reverse("intake"), reverse("lock_now"), reverse("review_run_linkage")]
    for url in posts:
        assert client.post(url, {}).status_code == 403, url


def test_every_page_carries_the_security_headers(world):
    client = Client()
    login(client, world["users"]["coordinator"])
    for method, url, _ in _web(world):
        if method != "GET":
            continue
        response = client.get(url)
        csp = response["Content-Security-Policy"]
        assert (
            "script-src 'self'" in csp and "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
        ), url
        assert response["X-Content-Type-Options"] == "nosniff" and response["X-Frame-Options"] == "DENY", url
        assert response["Referrer-Policy"] == "same-origin" and response["Cache-Control"] == "no-store", url
    public = Client().get(reverse("public_figures"))
    assert "default-src 'self'" in public["Content-Security-Policy"]
