"""Back and Save again, in a real browser, stores one report (issue 14: resubmissions are one report)."""

from __future__ import annotations

from typing import Any

import pytest
from tests.app.factories import PASSWORD, make_rally, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _sign_in(page: Any, base_url: str) -> None:
    page.goto(f"{base_url}/login/")
    page.fill("#id_username", "vol")
    page.fill("#id_password", PASSWORD)
    page.click("form.card button[type=submit]")


def _fill_and_save(page: Any) -> None:
    page.fill("#id_full_name", "Сяргей Ціханоўскі")
    page.fill("#id_detained_on", "2020-11-08")
    page.fill("#id_city", "Minsk")
    page.select_option("#id_event", label="Minsk")
    page.click("button.primary")
    page.wait_for_selector("#saved")


@pytest.mark.parametrize("javascript", [True, False], ids=["with-javascript", "without-javascript"])
def test_back_and_save_again_stores_one_report(live_server: Any, browser: Any, javascript: bool) -> None:
    from vigil.records.models import Detention, Report

    coordinator = make_user("coordinator", username="coord")
    make_rally(coordinator)
    make_user("volunteer", username="vol")
    context = browser.new_context(viewport={"width": 390, "height": 844}, java_script_enabled=javascript)
    page = context.new_page()
    try:
        _sign_in(page, live_server.url)
        page.goto(f"{live_server.url}/intake/")
        _fill_and_save(page)
        assert Report.objects.filter(kind="detention").count() == 1
        page.go_back()
        page.wait_for_selector("#id_full_name")
        if not page.input_value("#id_full_name"):
            # The browser did not restore what was typed: the volunteer types the same call again.
            _fill_and_save(page)
        else:
            page.click("button.primary")
            page.wait_for_selector("#saved")
        assert Report.objects.filter(kind="detention").count() == 1
        assert Detention.objects.count() == 1
        assert page.locator("#saved").count() == 1
    finally:
        context.close()
