"""A real browser (Debian's chromium through Playwright) submits the intake form and sees the figures change."""

from __future__ import annotations

import pytest
from tests.app.factories import PASSWORD, detain, make_rally, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _sign_in(page, base_url: str, username: str, device=None) -> None:
    page.goto(f"{base_url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("form.card button[type=submit]")
    if device is not None:
        from django_otp.oath import totp

        page.wait_for_selector("#id_token")
        page.fill("#id_token", f"{totp(device.bin_key):06d}")
        page.click("form.card button[type=submit]")


def _persons(page) -> int:
    return int(
        page.locator('#figures a[data-figure="persons"]').inner_text().replace(",", "").replace("\u00a0", "")
    )


def test_a_report_submitted_on_a_phone_appears_in_the_event_figures(live_server, page):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    coordinator = make_user("coordinator", username="coord")
    device = TOTPDevice.objects.create(user=coordinator, name="phone", confirmed=True)
    make_rally(coordinator)
    detain(coordinator, "Иван Иванов", event="2020-11-08-minsk")

    _sign_in(page, live_server.url, "coord", device)
    page.goto(f"{live_server.url}/events/2020-11-08-march/")
    before = _persons(page)
    assert before == 1

    page.goto(f"{live_server.url}/intake/")
    page.fill("#id_full_name", "Сяргей Ціханоўскі")
    page.fill("#id_detained_on", "2020-11-08")
    page.fill("#id_city", "Minsk")
    page.select_option("#id_event", label="Minsk")
    page.click("button.primary")
    page.wait_for_selector("#saved")

    page.goto(f"{live_server.url}/events/2020-11-08-march/")
    assert _persons(page) == before + 1
    assert "At least" in page.inner_text("#headline")


def test_a_form_with_an_error_keeps_what_was_typed_in_the_browser(live_server, page):
    make_user("volunteer", username="vol")
    _sign_in(page, live_server.url, "vol")
    page.goto(f"{live_server.url}/intake/")
    page.fill("#id_full_name", "Сяргей Ціханоўскі")
    page.fill("#id_detained_on", "2099-01-01")
    page.fill("#id_city", "Minsk")
    page.click("button.primary")
    assert page.input_value("#id_full_name") == "Сяргей Ціханоўскі"
    assert page.is_visible("#id_detained_on_error")


def test_a_coordinator_without_an_authenticator_is_made_to_enrol_one(live_server, page):
    from django_otp.oath import totp
    from django_otp.plugins.otp_totp.models import TOTPDevice

    make_user("coordinator", username="newcoord")
    _sign_in(page, live_server.url, "newcoord")
    page.wait_for_selector("#totp-secret")
    assert page.locator(".qr svg").count() == 1
    page.goto(f"{live_server.url}/detentions/")
    assert "/account/two-factor/" in page.url
    device = TOTPDevice.objects.get(user__username="newcoord")
    page.fill("#id_token", f"{totp(device.bin_key):06d}")
    page.click("form.card button[type=submit]")
    page.goto(f"{live_server.url}/detentions/")
    assert "/detentions/" in page.url and page.locator("#total").count() == 1
