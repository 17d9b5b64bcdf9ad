"""The volunteer's intake on a small phone (360x640) in Russian and Belarusian, the languages whose labels are the
longest: the date is right without touching it, the first fields are on the first screen, a call's shared
details carry over to the next report, every error is in sight and focused, and screen readers are pointed at
elements that exist."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from tests.app.factories import PASSWORD, make_rally, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTH, HEIGHT = 360, 640
TAP = 44  # px: the smallest comfortable tap target
FIRST_FIELDS = ("#id_detained_on", "#id_city", "#id_full_name")


@pytest.fixture(params=["ru", "be"])
def phone(request: pytest.FixtureRequest, browser: Any, live_server: Any) -> Iterator[Any]:
    """A signed-in volunteer's small phone showing the intake form in the language of the test."""
    browser_locale = {"ru": "ru-RU", "be": "be-BY"}[request.param]  # as a phone set to that language
    context = browser.new_context(viewport={"width": WIDTH, "height": HEIGHT}, locale=browser_locale)
    context.add_cookies([{"name": "django_language", "value": request.param, "url": live_server.url}])
    page = context.new_page()
    make_user("volunteer", username="vol")
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", "vol")
    page.fill("#id_password", PASSWORD)
    page.click("form.card button[type=submit]")
    page.wait_for_url(lambda url: "/login/" not in url)
    page.goto(f"{live_server.url}/intake/")
    assert page.get_attribute("html", "lang") == request.param
    yield page
    context.close()


def _bottom(page: Any, selector: str) -> float:
    box = page.locator(selector).bounding_box()
    assert box is not None, f"{selector} is not shown"
    return float(box["y"] + box["height"])


def _missing_describedby_targets(page: Any) -> list[str]:
    return page.evaluate(
        """() => [...document.querySelectorAll("[aria-describedby]")]
            .flatMap((el) => el.getAttribute("aria-describedby").split(/\\s+/))
            .filter((id) => id && !document.getElementById(id))"""
    )


def test_the_date_is_today_and_a_call_is_saved_without_touching_it(phone: Any) -> None:
    from django.utils import timezone

    from vigil.records.models import Detention

    today = timezone.localdate()
    assert phone.input_value("#id_detained_on") == today.isoformat()
    phone.fill("#id_full_name", "Сяргей Ціханоўскі")
    phone.fill("#id_city", "Гомель")
    phone.click("button.primary")
    phone.wait_for_selector("#saved")
    assert Detention.objects.get().detained_on == today


def test_the_first_three_fields_are_on_the_first_screen_and_the_menu_is_easy_to_tap(phone: Any) -> None:
    for selector in FIRST_FIELDS:
        assert _bottom(phone, selector) <= HEIGHT, f"{selector} is below the fold"
    assert phone.is_hidden("header nav")
    toggle = phone.locator(".menu-toggle").bounding_box()
    assert toggle is not None and toggle["height"] >= TAP and toggle["width"] >= TAP
    phone.click(".menu-toggle")
    assert phone.get_attribute(".menu-toggle", "aria-expanded") == "true"
    targets = phone.locator("header nav a, header nav button, header form.lang button")
    assert targets.count() >= 6
    for i in range(targets.count()):
        box = targets.nth(i).bounding_box()
        assert box is not None and box["height"] >= TAP, targets.nth(i).inner_text()


def test_after_a_save_the_date_city_and_event_carry_over_and_the_first_fields_stay_in_sight(
    phone: Any, live_server: Any
) -> None:
    from vigil.records.models import Event

    volunteer = make_user("coordinator", username="coord")
    make_rally(volunteer)
    minsk = Event.objects.get(slug="2020-11-08-minsk")
    phone.goto(f"{live_server.url}/intake/")
    phone.fill("#id_detained_on", "2020-11-08")
    phone.fill("#id_city", "Мінск")
    phone.select_option("#id_event", value=str(minsk.pk))
    phone.fill("#id_full_name", "Сяргей Ціханоўскі")
    phone.click("button.primary")
    phone.wait_for_selector("#saved")

    assert phone.input_value("#id_detained_on") == "2020-11-08"
    assert phone.input_value("#id_city") == "Мінск"
    assert phone.input_value("#id_event") == str(minsk.pk)
    assert phone.input_value("#id_full_name") == ""
    assert phone.is_visible("#saved")
    for selector in FIRST_FIELDS:
        assert _bottom(phone, selector) <= HEIGHT, f"{selector} is below the fold after a save"

    phone.click("#carried a")  # a new call starts from today
    phone.wait_for_selector("#carried", state="detached")
    assert phone.input_value("#id_city") == ""


def test_an_error_in_the_collapsed_section_is_shown_focused_and_listed_at_the_top(phone: Any) -> None:
    phone.fill("#id_full_name", "Сяргей Ціханоўскі")
    phone.fill("#id_city", "Мінск")
    phone.click("#more-about-the-person summary")
    phone.fill("#id_birth_date", "1990-05-01")
    phone.fill("#id_birth_year", "1991")
    phone.click("#more-about-the-person summary")  # closed again before saving
    phone.click("button.primary")
    phone.wait_for_selector("#error-summary")

    assert phone.is_visible("#id_birth_year_error")
    assert phone.evaluate("document.activeElement.id") == "id_birth_year"
    assert phone.input_value("#id_birth_year") == "1991"
    assert phone.is_visible('#error-summary a[href="#id_birth_year"]')
    assert _missing_describedby_targets(phone) == []
    assert phone.get_attribute("#id_birth_year", "aria-describedby") == "id_birth_year_error"


def test_every_aria_describedby_names_an_element_on_the_page(phone: Any) -> None:
    assert phone.locator("[aria-describedby]").count() >= 1
    assert _missing_describedby_targets(phone) == []
    phone.fill("#id_detained_on", "2099-01-01")
    phone.click("button.primary")
    phone.wait_for_selector("#error-summary")
    assert phone.locator("[aria-invalid=true]").count() >= 2  # the date, and the name left empty
    assert _missing_describedby_targets(phone) == []
    labels = phone.evaluate(
        """() => [...document.querySelectorAll(FIELDS)].filter((el) => el.labels.length === 0).map((el) => el.name)""".replace(
            "FIELDS", '"form.intake input:not([type=hidden]), form.intake select, form.intake textarea"'
        )
    )
    assert labels == []


def test_after_an_offline_save_the_answer_is_in_sight_and_the_call_carries_over(phone: Any) -> None:
    phone.fill("#id_detained_on", "2020-11-08")
    phone.fill("#id_city", "Мінск")
    phone.context.set_offline(True)
    phone.fill("#id_full_name", "Сяргей Ціханоўскі")
    phone.click("button.primary")
    phone.wait_for_selector('#offline-status[data-queued="1"]')

    box = phone.locator("#offline-status").bounding_box()
    assert box is not None and 0 <= box["y"] and box["y"] + box["height"] <= HEIGHT
    assert phone.get_attribute("#offline-status", "aria-live") == "polite"
    assert phone.input_value("#id_detained_on") == "2020-11-08"
    assert phone.input_value("#id_city") == "Мінск"
    assert phone.input_value("#id_full_name") == ""
    assert phone.evaluate("document.activeElement.id") == "id_full_name"  # ready for the next detainee
    phone.context.set_offline(False)
    phone.wait_for_selector('#offline-status[data-queued="0"][data-sent="1"]')
