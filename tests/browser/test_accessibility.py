"""Every page of the roles' journeys passes axe-core (bundled in tests/browser/vendor, never fetched) with no
serious or critical violation of WCAG 2.1 A/AA, at phone size, in each language."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from tests.app.factories import NOV8, detain, login, make_rally, make_user

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
def signed_in(browser: Any, live_server: Any) -> Iterator[Callable[[str, str], Any]]:
    """A phone signed in as a user of the given role (second factor passed), in the given language."""
    from django.test import Client

    contexts: list[Any] = []

    def open_as(role: str, language: str) -> Any:
        client = Client()
        login(client, make_user(role))
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

    actor = make_user("coordinator", username="seeder")
    make_rally(actor)
    named = detain(actor, "Сяргей Ціханоўскі", event="2020-11-08-minsk", birth_year=1978)
    detain(actor, head_count=3, event="2020-11-08-minsk", kind="media")
    case = open_case(named.detention, kind="admin", article="23.34", actor=actor)
    record_decision(
        case, decided_on=NOV8 + dt.timedelta(days=1), outcome="fine", fine_base_units=20, actor=actor
    )
    return {"detention": named.detention.pk, "person": named.detention.identity.person_id}


JOURNEYS: dict[str, list[str]] = {
    "volunteer": ["/", "/intake/", "/detentions/"],
    "lawyer": ["/", "/detentions/", "/detentions/{detention}/", "/persons/{person}/"],
    "analyst": ["/", "/events/", "/events/2020-11-08-march/", "/figures/list/?event=2020-11-08-march"],
    "coordinator": [
        "/",
        "/events/2020-11-08-march/",
        "/events/2020-11-08-march/estimate/",
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
    role: str, language: str, signed_in: Callable[[str, str], Any], live_server: Any, world: dict[str, Any]
) -> None:
    page = signed_in(role, language)
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
