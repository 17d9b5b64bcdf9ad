"""A hotline call reporting three detainees, on a small phone: kept on the device while offline, sent from another
page (whose header shows the outbox) when the network is back, stored once; the next call, online, is echoed."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from tests.app.factories import PASSWORD, make_user

from .journeys import shows_its_language

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTH, HEIGHT = 360, 640
TAP = 44
SENDING = 60_000  # ms: each call is linked on arrival, slower on a loaded machine
OFFLINE_CALL = ["Сяргей Ціханоўскі", "Марыя Калеснікава", "Иван Иванов"]
ONLINE_CALL = ["Ales Bialiatski", "Вольга Іванова", "Пётр Петров"]


@pytest.fixture(params=["en", "ru", "be"])
def phone(request: pytest.FixtureRequest, browser: Any, live_server: Any) -> Iterator[Any]:
    """A signed-in volunteer's small phone in the language of the test. No service worker, so that the test can
    make the server unreachable for the intake post alone (Playwright's routes do not see a worker's requests)."""
    from vigil.review.linking import arrival_model

    arrival_model()  # trained once per process: not inside a request the test waits for with a time-out
    context = browser.new_context(
        viewport={"width": WIDTH, "height": HEIGHT}, service_workers="block", locale=request.param
    )
    context.add_cookies([{"name": "django_language", "value": request.param, "url": live_server.url}])
    page = context.new_page()
    make_user("volunteer", username="vol")
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", "vol")
    page.fill("#id_password", PASSWORD)
    page.click("form.card button[type=submit]")
    page.wait_for_url(lambda url: "/login/" not in url)
    yield page
    context.close()


def _record_call(page: Any, names: list[str]) -> None:
    page.fill("#id_detained_on", "2020-11-08")
    page.fill("#id_city", "Minsk")
    page.fill("#id_full_name", names[0])
    for i, name in enumerate(names[1:]):
        page.click("#add-detainee")
        page.fill(f"#id_more-{i}-full_name", name)  # focused and in sight: the volunteer types at once
    page.click("button.primary")


def _tappable(page: Any, selector: str) -> None:
    box = page.locator(selector).first.bounding_box()
    assert box is not None and box["height"] >= TAP and box["x"] + box["width"] <= WIDTH, selector


def _names_on_server() -> list[str]:
    from vigil.records.models import Detention

    return sorted(d.identity.full_name for d in Detention.objects.select_related("identity") if d.identity)


def test_a_call_with_three_detainees_goes_out_once_from_any_page_and_the_next_call_is_echoed(
    phone: Any, live_server: Any
) -> None:
    from vigil.records.models import Report

    phone.goto(f"{live_server.url}/intake/")
    language = phone.get_attribute("html", "lang")
    shows_its_language(phone, language)
    phone.context.set_offline(True)
    _record_call(phone, OFFLINE_CALL)
    phone.wait_for_selector('#offline-status[data-queued="1"]')
    assert phone.locator("[data-detainee]").count() == 0  # ready for the next call
    assert phone.input_value("#id_city") == "Minsk"
    assert phone.get_attribute("#outbox", "data-queued") == "1"
    assert _names_on_server() == []

    # The network is back but the server cannot be reached yet: another page shows what waits.
    def unreachable(route: Any) -> None:
        route.abort() if route.request.method == "POST" else route.continue_()

    phone.route("**/intake/", unreachable)
    phone.context.set_offline(False)
    phone.goto(f"{live_server.url}/detentions/")
    phone.wait_for_selector('#outbox[data-queued="1"]:not([hidden])')
    assert "1" in phone.inner_text("#outbox")
    _tappable(phone, "#outbox")
    shows_its_language(phone, language)

    phone.unroute("**/intake/", unreachable)
    phone.context.set_offline(True)
    phone.context.set_offline(False)  # the browser's "online" event: this page sends the queue
    phone.wait_for_selector('#outbox[data-queued="0"]', state="attached", timeout=SENDING)
    assert phone.is_hidden("#outbox")
    assert _names_on_server() == sorted(OFFLINE_CALL)
    assert Report.objects.count() == 3

    phone.goto(f"{live_server.url}/intake/")
    _record_call(phone, ONLINE_CALL)
    phone.wait_for_selector("#saved", timeout=SENDING)
    echoed = phone.locator("#saved li")
    assert echoed.count() == 3
    for name in ONLINE_CALL:
        assert name in phone.inner_text("#saved")
    from vigil.lib.reference.labels import city_label

    shows_its_language(phone, language, data=tuple(ONLINE_CALL))
    assert "2020-11-08" in phone.inner_text("#saved")
    assert city_label("Minsk", language) in phone.inner_text("#saved")  # the city in the page's language
    _tappable(phone, "#saved a.correct")
    assert _names_on_server() == sorted(OFFLINE_CALL + ONLINE_CALL)
