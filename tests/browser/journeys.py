"""What every page of a role's journey must show on a phone: the user's language (html lang, and in Belarusian
and Russian no English a reader must read, by the check of tests/app/web/test_pages_are_translated.py) and no
horizontal scrolling."""

from __future__ import annotations

from typing import Any

from django.utils import translation
from tests.app.web.test_pages_are_translated import untranslated

from vigil.accounts.models import User

LOCALES = {"en": "en-GB", "ru": "ru-RU", "be": "be-BY"}


def in_language(language: str, msgid: str, **values: Any) -> str:
    """``msgid`` as the page shows it in ``language``; outside English, proof that it is translated at all."""
    with translation.override(language):
        text = translation.gettext(msgid)
    if language != "en":
        assert text != msgid, f"no {language} translation of {msgid!r}"
    return text % values if values else text


def shows_its_language(page: Any, language: str, *, data: tuple[str, ...] = ()) -> None:
    """The page is in ``language`` and fits the phone's width. ``data``: texts the user typed (names, courts),
    which are shown as typed and so are no untranslated product text."""
    shown = page.get_attribute("html", "lang")
    assert shown == language, (page.url, shown)
    if language != "en":
        html = page.content()
        for text in data:
            html = html.replace(text, "")
        found = untranslated(html)
        assert not found, (page.url, found)
    width = page.viewport_size["width"]
    scrolled = page.evaluate("document.documentElement.scrollWidth")
    if scrolled > width:  # name what sticks out, to say which part of the page to fix
        wider = page.evaluate(
            """(width) => [...document.querySelectorAll("body *")]
                .filter((el) => el.getBoundingClientRect().right > width + 0.5)
                .map((el) => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") + ": "
                    + (el.textContent || "").trim().slice(0, 40))""",
            width,
        )
        raise AssertionError(f"{page.url} is {scrolled} px wide on a {width} px screen: {wider[:5]}")


def sign_in(page: Any, base_url: str, user: User) -> None:
    """Sign in on the login page with the password and, for a role that needs it, a TOTP code."""
    from django_otp.oath import totp
    from django_otp.plugins.otp_totp.models import TOTPDevice
    from tests.app.factories import PASSWORD

    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    page.goto(f"{base_url}/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("form.card button[type=submit]")
    if user.role != "volunteer":
        page.wait_for_selector("#id_token")
        page.fill("#id_token", f"{totp(device.bin_key):06d}")
        page.click("form.card button[type=submit]")
    page.wait_for_url(lambda url: "/login/" not in url)


def phone(browser: Any, base_url: str, language: str, width: int = 390, height: int = 844) -> Any:
    """A phone's browser context in ``language``: its locale and Vigil's language cookie."""
    context = browser.new_context(viewport={"width": width, "height": height}, locale=LOCALES[language])
    context.add_cookies([{"name": "django_language", "value": language, "url": base_url}])
    return context
