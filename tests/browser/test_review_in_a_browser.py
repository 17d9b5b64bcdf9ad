"""A coordinator reviews a pair in a real browser: decides with a key, sees the confirmation, and undoes it."""

from __future__ import annotations

from typing import Any

import pytest
from tests.app.factories import PASSWORD, detain_unlinked, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_reviewer_decides_with_a_key_sees_the_confirmation_and_undoes(live_server: Any, page: Any) -> None:
    from django_otp.oath import totp
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from vigil.review.models import CandidatePair

    coordinator = make_user("coordinator", username="coord")
    device = TOTPDevice.objects.create(user=coordinator, name="phone", confirmed=True)
    # Stored without linkage on arrival, so that the pair is two persons until the reviewer decides.
    a = detain_unlinked(coordinator, "Сяргей Ціханоўскі", kind="relative")
    b = detain_unlinked(coordinator, "Тихановский Сергей", kind="court_list")
    pair = CandidatePair.objects.create(left=a.identity, right=b.identity, probability=0.6, explanation=[])

    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", "coord")
    page.fill("#id_password", PASSWORD)
    page.click("form.card button[type=submit]")
    page.wait_for_selector("#id_token")
    page.fill("#id_token", f"{totp(device.bin_key):06d}")
    page.click("form.card button[type=submit]")

    page.goto(f"{live_server.url}/review/")
    page.wait_for_selector(f"#pair-{pair.pk}")
    assert "Тихановский Сергей" in page.inner_text(f"#pair-{pair.pk}")
    page.keyboard.press("s")
    page.wait_for_selector("#last-decision")
    pair.refresh_from_db()
    assert pair.verdict == "same"
    page.click("#last-decision button")
    page.wait_for_selector(f"#pair-{pair.pk}")
    pair.refresh_from_db()
    a.refresh_from_db()
    b.refresh_from_db()
    assert pair.verdict == "" and a.person_id != b.person_id
