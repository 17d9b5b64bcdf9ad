"""Every page of the roles' journeys passes axe-core (bundled in tests/browser/vendor, never fetched) with no
serious or critical violation of WCAG 2.1 A/AA, at phone size, in each language."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from tests.app.factories import NOV8, detain, login, make_rally, make_user
from tests.app.web.test_pages_are_translated import _methods_side_by_side

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
RULES = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING = {"serious", "critical"}


def _violations(page: Any) -> list[str]:
    """Serious and critical axe violations of the page as shown, one line each: rule, impact, where."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    found = page.evaluate(
        """async (tags) => {
            const r = await axe.run(document, {runOnly: {type: "tag", values: tags}, resultTypes: ["violations"]});
            return r.violations.map((v) => ({id: v.id, impact: v.impact,
                targets: v.nodes.slice(0, 3).map((n) => n.target.join(" ")), help: v.help}));
        }""",
        RULES,
    )
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {', '.join(v['targets'])}"
        for v in found
        if v["impact"] in BLOCKING
    ]


@pytest.fixture
def signed_in(browser: Any, live_server: Any) -> Iterator[Callable[..., Any]]:
    """A phone signed in as a user of the given role (second factor passed), in the given language."""
    from django.test import Client

    contexts: list[Any] = []

    def open_as(role: str, language: str, user: Any = None) -> Any:
        client = Client()
        login(client, user or make_user(role))
        context = browser.new_context(viewport={"width": 390, "height": 844}, bypass_csp=True)
        context.add_cookies(
            [
                {"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url},
                {"name": "django_language", "value": language, "url": live_server.url},
            ]
        )
        contexts.append(context)
        return context.new_page()

    yield open_as
    for context in contexts:
        context.close()


@pytest.fixture
def world(db: None) -> dict[str, Any]:
    """An event with a named detention carried through a charge and a decision, and an unnamed one."""
    from vigil.cases.operations import open_case, record_decision
    from vigil.figures.operations import take_snapshot
    from vigil.records.models import Event

    actor = make_user("coordinator", username="seeder")
    make_rally(actor)
    named = detain(actor, "Сяргей Ціханоўскі", event="2020-11-08-minsk", birth_year=1978)
    detain(actor, head_count=3, event="2020-11-08-minsk", kind="media")
    case = open_case(named.detention, kind="admin", article="23.34", actor=actor)
    record_decision(
        case, decided_on=NOV8 + dt.timedelta(days=1), outcome="fine", fine_base_units=20, actor=actor
    )
    march = Event.objects.get(slug="2020-11-08-march")
    return {
        "detention": named.detention.pk,
        "person": named.detention.identity.person_id,
        "seeder": actor,
        "snapshot": take_snapshot(march, actor=actor, label="first count").pk,
        "estimate": _methods_side_by_side(march, actor).pk,
        **_estimate_jobs(march, actor),
    }


def _estimate_jobs(event: Any, actor: Any) -> dict[str, Any]:
    """An estimate job the worker is sampling for, and one done: their states set as the worker sets them."""
    from django_tasks_db.models import DBTaskResult

    from vigil.jobs.operations import finish_job, report_progress, start_estimate

    running, done = start_estimate(event, actor=actor), start_estimate(event, actor=actor)
    for job in (running, done):
        DBTaskResult.objects.get(pk=job.task_id).claim("worker-1")
    report_progress(running, "sampling", 1, 4)
    finish_job(done, {"estimate": 1, "documented": 96, "median": 140.4, "lower": 118.0, "upper": 190.2})
    return {"running_job": running.pk, "done_job": done.pk}


# The pages each role's journey visits (tests/browser/test_*_on_a_phone.py and the volunteer's several
# detainees), with the states they pass through.
JOURNEYS: dict[str, list[str]] = {
    "volunteer": ["/", "/intake/", "/detentions/"],
    "lawyer": ["/", "/cases/", "/detentions/", "/detentions/{detention}/", "/persons/{person}/"],
    "analyst": [
        "/",
        "/events/",
        "/events/2020-11-08-march/",
        "/figures/list/?event=2020-11-08-march",
        "/detentions/",
        "/detentions/?city=Minsk&since=2020-11-01&until=2020-11-30&outcome=fine",
    ],
    "coordinator": [
        "/",
        "/events/2020-11-08-march/",
        "/snapshots/{snapshot}/",
        "/events/2020-11-08-march/estimate/",
        "/jobs/{running_job}/",
        "/jobs/{done_job}/",
        "/review/",
        "/import/",
        "/audit/",
        "/account/tokens/",
        "/no-such-page/",
    ],
}


@pytest.mark.parametrize("language", ["en", "ru", "be"])
@pytest.mark.parametrize("role", list(JOURNEYS))
def test_the_pages_of_each_roles_journey_have_no_serious_accessibility_violation(
    role: str,
    language: str,
    signed_in: Callable[..., Any],
    live_server: Any,
    world: dict[str, Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("vigil.web.views.jobs.REFRESH_SECONDS", 3600)  # a running job's page holds still
    user = None
    if role == "lawyer":  # the lawyer's own person: a coordinator gave them the case (docs/protection.md)
        from vigil.cases.operations import assign_case
        from vigil.records.models import Detention

        user = make_user("lawyer")
        assign_case(Detention.objects.get(pk=world["detention"]), lawyer=user, actor=world["seeder"])
    page = signed_in(role, language, user)
    problems: dict[str, list[str]] = {}
    for path in JOURNEYS[role]:
        page.goto(live_server.url + path.format(**world))
        assert page.get_attribute("html", "lang") == language, path
        if found := _violations(page):
            problems[path] = found
    assert problems == {}


def test_the_check_finds_a_violation_when_there_is_one(browser: Any, live_server: Any) -> None:
    """The check itself: an image without a text alternative and an unlabelled field are caught."""
    context = browser.new_context(bypass_csp=True)
    page = context.new_page()
    page.set_content('<html lang="en"><body><main><img src="x.png"><input type="text"></main></body></html>')
    found = _violations(page)
    context.close()
    assert any(line.startswith("image-alt") for line in found)
    assert any(line.startswith("label") for line in found)


def test_public_pages_have_no_serious_accessibility_violation(
    browser: Any, live_server: Any, world: Any
) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844}, bypass_csp=True)
    page = context.new_page()
    problems = {}
    for path in ("/login/", "/public/"):
        page.goto(live_server.url + path)
        if found := _violations(page):
            problems[path] = found
    context.close()
    assert problems == {}
