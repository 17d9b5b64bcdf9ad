"""A lawyer's day on a phone (390x844) in English, Russian and Belarusian: a new hotline detention is taken,
a refused article comes back with what was typed, then the charge, a hearing and a fine typed as "25,5" are
saved, each confirmed, and the person's timeline shows them with their amounts in the user's language."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from tests.app.factories import PASSWORD, detain, make_user

from .journeys import shows_its_language

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TYPED = ("Pushkinskaya", "Central district court", "advocate")  # as typed: a place, a court, a user name
# What the decision reads as in each language: the reference table's label, the amount in local digits.
FINE = {
    "en": ("Fine", "25.5", "688.50 BYN"),
    "ru": ("Штраф", "25,5", "688,50 BYN"),
    "be": ("Штраф", "25,5", "688,50 BYN"),
}


@pytest.fixture(params=["en", "ru", "be"])
def lawyer_phone(request: pytest.FixtureRequest, browser: Any, live_server: Any) -> Iterator[tuple[Any, str]]:
    """A signed-in lawyer's phone in the language of the test."""
    from django_otp.oath import totp
    from django_otp.plugins.otp_totp.models import TOTPDevice

    language = request.param
    locale = {"en": "en-GB", "ru": "ru-RU", "be": "be-BY"}[language]
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale=locale)
    context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    page = context.new_page()
    lawyer = make_user("lawyer", username="advocate")
    device = TOTPDevice.objects.create(user=lawyer, name="phone", confirmed=True)
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", "advocate")
    page.fill("#id_password", PASSWORD)
    page.click("form.card button[type=submit]")
    page.wait_for_selector("#id_token")
    page.fill("#id_token", f"{totp(device.bin_key):06d}")
    page.click("form.card button[type=submit]")
    page.wait_for_url(lambda url: "/login/" not in url)
    yield page, language
    context.close()


def _confirmed(page: Any) -> None:
    assert page.locator(".messages li.success").is_visible()


def test_a_lawyer_takes_a_new_detention_through_charge_hearing_and_decision(
    lawyer_phone: tuple[Any, str], live_server: Any
) -> None:
    page, language = lawyer_phone
    detention = detain(make_user("volunteer"), "Сяргей Ціханоўскі", place="Pushkinskaya").detention

    page.goto(f"{live_server.url}/cases/")
    shows_its_language(page, language, data=TYPED)
    row = page.locator(f"#new-{detention.pk}")
    assert "С. Ц." in row.inner_text() and "Ціханоўскі" not in page.content()
    row.locator("button").click()
    page.wait_for_selector("#add-case")
    _confirmed(page)
    shows_its_language(page, language, data=TYPED)
    assert "Сяргей Ціханоўскі" in page.inner_text("h1")

    # An article not yet in force on the day of the detention: refused on its field, the rest kept.
    page.select_option("#id_kind", "admin")
    page.select_option("#id_article", "24.23")
    page.fill("#id_number", "5-77/2020")
    page.click("#add-case button[type=submit]")
    page.wait_for_selector("#id_article_error")
    assert page.input_value("#id_number") == "5-77/2020"
    assert page.evaluate("document.activeElement.id") == "id_article"
    shows_its_language(page, language, data=TYPED)
    page.select_option("#id_article", "23.34")
    page.click("#add-case button[type=submit]")
    page.wait_for_selector("#add-hearing")
    _confirmed(page)
    assert "23.34" in page.inner_text("#charges")

    page.fill("#id_held_on", "2020-11-09")
    page.fill("#id_court", "Central district court")
    page.click("#add-hearing button[type=submit]")
    page.wait_for_selector(".messages li.success")
    assert "Central district court" in page.inner_text("#hearings")
    shows_its_language(page, language, data=TYPED)

    label, amount, byn = FINE[language]
    assert page.get_attribute("#id_fine_base_units", "type") == "text"
    page.fill("#id_decided_on", "2020-11-09")
    page.select_option("#id_outcome", "fine")
    page.fill("#id_fine_base_units", "25,5")
    page.click("#add-decision button[type=submit]")
    page.wait_for_selector(".messages li.success")
    decision = page.inner_text("#decisions")
    assert f"{label}: {amount}" in decision and byn in decision
    shows_its_language(page, language, data=TYPED)

    page.click("dd a[href^='/persons/']")
    page.wait_for_selector("#timeline")
    shows_its_language(page, language, data=TYPED)
    timeline = page.inner_text("#timeline")
    assert "Pushkinskaya" in timeline and "23.34" in timeline and "Central district court" in timeline
    assert f"{label}: {amount}" in timeline and byn in timeline
