"""Offline intake in a real browser (Debian's chromium through Playwright): reports submitted with the network cut
are kept on the device, encrypted, and reach the server exactly once when it returns."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from tests.app.factories import PASSWORD, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NAMES = ["Сяргей Ціханоўскі", "Марыя Калеснікава", "Иван Иванов"]


@pytest.fixture
def isolated_page(browser: Any) -> Iterator[Any]:
    """A phone-sized page whose requests Playwright can intercept: no service worker sits in between."""
    context = browser.new_context(viewport={"width": 390, "height": 844}, service_workers="block")
    pg = context.new_page()
    yield pg
    context.close()


def _sign_in(page: Any, base_url: str, username: str) -> None:
    page.goto(f"{base_url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("form.card button[type=submit]")
    page.wait_for_url(lambda url: "/login/" not in url)


def _fill(page: Any, name: str, city: str = "Minsk") -> None:
    page.fill("#id_full_name", name)
    page.fill("#id_detained_on", "2020-11-08")
    page.fill("#id_city", city)


def _submit_offline(page: Any, name: str, queued: int) -> None:
    _fill(page, name)
    page.click("button.primary")
    page.wait_for_selector(f'#offline-status[data-queued="{queued}"]')


def _names_on_server() -> list[str]:
    from vigil.records.models import Detention

    return sorted(d.identity.full_name for d in Detention.objects.select_related("identity") if d.identity)


def _queue_on_device(page: Any) -> dict[str, Any]:
    """What IndexedDB holds, read the way any script of the origin could."""
    return page.evaluate(
        """async (names) => {
            const db = await new Promise((ok, no) => {
                const r = indexedDB.open("vigil-offline"); r.onsuccess = () => ok(r.result); r.onerror = () => no(r.error);
            });
            const get = (store, how) => new Promise((ok, no) => {
                const r = how(db.transaction(store).objectStore(store)); r.onsuccess = () => ok(r.result);
                r.onerror = () => no(r.error);
            });
            const entries = await get("queue", (s) => s.getAll());
            const key = await get("keys", (s) => s.get("queue-key"));
            const text = entries.map((e) => JSON.stringify(e) + new TextDecoder("latin1").decode(e.ct)
                + new TextDecoder().decode(e.ct)).join("");
            let exported = true;
            try { await crypto.subtle.exportKey("raw", key); } catch (err) { exported = false; }
            db.close();
            return {
                uuids: entries.map((e) => e.uuid),
                plaintext: names.filter((n) => text.includes(n)),
                algorithm: key ? key.algorithm.name : null,
                extractable: key ? key.extractable : null,
                exported: exported,
            };
        }""",
        NAMES,
    )


def test_three_reports_submitted_offline_reach_the_server_exactly_once_when_the_network_returns(
    live_server, page
):
    from vigil.records.models import Detention, Report

    make_user("volunteer", username="vol")
    _sign_in(page, live_server.url, "vol")
    rendered = page.goto(f"{live_server.url}/intake/").text()

    page.context.set_offline(True)
    for i, name in enumerate(NAMES, start=1):
        _submit_offline(page, name, queued=i)
    assert "(3 " in page.inner_text("#offline-status")
    assert Detention.objects.count() == 0

    page.context.set_offline(False)
    page.wait_for_selector('#offline-status[data-queued="0"][data-sent="3"]')
    assert _names_on_server() == sorted(NAMES)
    uuids = {str(u) for u in Report.objects.values_list("uuid", flat=True)}
    assert len(uuids) == 3
    assert not any(u in rendered for u in uuids), "the page's server-rendered report_uuid was reused"


def test_queued_reports_are_encrypted_under_a_key_that_no_script_can_export(live_server, page):
    make_user("volunteer", username="vol")
    _sign_in(page, live_server.url, "vol")
    page.goto(f"{live_server.url}/intake/")

    page.context.set_offline(True)
    for i, name in enumerate(NAMES[:2], start=1):
        _submit_offline(page, name, queued=i)
    stored = _queue_on_device(page)

    assert len(set(stored["uuids"])) == 2
    assert stored["plaintext"] == []
    assert stored["algorithm"] == "AES-GCM"
    assert stored["extractable"] is False and stored["exported"] is False


def test_the_key_is_destroyed_once_every_queued_report_has_been_sent(live_server, page):
    make_user("volunteer", username="vol")
    _sign_in(page, live_server.url, "vol")
    page.goto(f"{live_server.url}/intake/")
    page.context.set_offline(True)
    _submit_offline(page, NAMES[0], queued=1)
    assert _queue_on_device(page)["algorithm"] == "AES-GCM"

    page.context.set_offline(False)
    page.wait_for_selector('#offline-status[data-queued="0"][data-sent="1"]')
    stored = _queue_on_device(page)
    assert stored["uuids"] == [] and stored["algorithm"] is None


def test_a_queued_report_whose_answer_was_lost_is_sent_again_without_a_duplicate(live_server, isolated_page):
    page = isolated_page
    make_user("volunteer", username="vol")
    _sign_in(page, live_server.url, "vol")
    page.goto(f"{live_server.url}/intake/")
    # Every page load sends the queue; wait for that, so that the next flush is the one after the network returns.
    page.wait_for_selector('#offline-status[data-flushes="1"]', state="attached")
    page.context.set_offline(True)
    _submit_offline(page, NAMES[0], queued=1)

    def reach_server_then_drop_the_answer(route: Any) -> None:
        if route.request.method != "POST":
            route.continue_()
            return
        route.fetch()  # the server stores the report...
        route.abort("connectionreset")  # ...and the browser never hears back

    page.route("**/intake/", reach_server_then_drop_the_answer)
    page.context.set_offline(False)
    page.wait_for_selector('#offline-status[data-flushes="2"][data-queued="1"][data-sent="0"]')
    assert _names_on_server() == [NAMES[0]]

    page.unroute("**/intake/")
    page.reload()  # every page load sends the queue
    page.wait_for_selector('#offline-status[data-queued="0"][data-sent="1"]')
    assert _names_on_server() == [NAMES[0]]


def test_a_different_report_under_a_used_uuid_leaves_the_device_as_a_conflict_kept_for_review(
    live_server, page
):
    from vigil.records.models import Report, ReportConflict

    make_user("volunteer", username="vol")
    _sign_in(page, live_server.url, "vol")
    page.goto(f"{live_server.url}/intake/")
    _fill(page, NAMES[0])
    page.click("button.primary")
    page.wait_for_selector("#saved")
    used = str(Report.objects.get().uuid)

    page.context.set_offline(True)
    page.eval_on_selector("input[name=report_uuid]", "(el, uuid) => { el.value = uuid; }", used)
    _submit_offline(page, NAMES[1], queued=1)
    page.context.set_offline(False)
    page.wait_for_selector('#offline-status[data-queued="0"][data-conflicts="1"]')

    assert _names_on_server() == [NAMES[0]]
    assert [str(c.uuid) for c in ReportConflict.objects.all()] == [used]


def test_a_queued_report_the_server_refuses_stays_on_the_device_until_corrected(live_server, page):
    make_user("volunteer", username="vol")
    _sign_in(page, live_server.url, "vol")
    page.goto(f"{live_server.url}/intake/")

    page.context.set_offline(True)
    page.fill("#id_full_name", NAMES[0])
    page.fill("#id_city", "")  # the city is required: the server will refuse it
    page.click("button.primary")
    page.wait_for_selector('#offline-status[data-queued="1"]')
    page.context.set_offline(False)
    page.wait_for_selector('#offline-status[data-queued="1"][data-refused="1"]')
    assert _names_on_server() == []

    page.click("#offline-open-refused")
    page.wait_for_function("(name) => document.querySelector('#id_full_name').value === name", arg=NAMES[0])
    assert page.input_value("#id_city") == ""
    page.fill("#id_city", "Minsk")
    page.click("button.primary")
    page.wait_for_selector("#saved")
    page.wait_for_selector('#offline-status[data-queued="0"]', state="attached")
    assert _names_on_server() == [NAMES[0]]
    assert _queue_on_device(page)["uuids"] == []


def _controlled_by_the_worker(page: Any) -> None:
    page.wait_for_function("() => navigator.serviceWorker && navigator.serviceWorker.controller !== null")


def test_the_intake_page_reloaded_offline_still_shows_the_form_and_gives_each_report_its_own_uuid(
    live_server, page
):
    from django.contrib.sessions.models import Session

    from vigil.records.models import Report

    make_user("volunteer", username="vol")
    _sign_in(page, live_server.url, "vol")
    page.goto(f"{live_server.url}/intake/")
    _controlled_by_the_worker(page)
    # Proof that the kept copy answers, not the server: without a session the server would send the login page.
    Session.objects.all().delete()

    page.context.set_offline(True)
    for i, name in enumerate(NAMES[:2], start=1):
        page.reload()
        assert page.locator("form[data-offline-intake] #id_full_name").count() == 1
        _submit_offline(page, name, queued=i)
    assert len(set(_queue_on_device(page)["uuids"])) == 2

    page.context.set_offline(False)  # signed out meanwhile: the server cannot take them yet, and they stay
    page.wait_for_selector('#offline-status[data-flushes="1"][data-queued="2"]')
    assert _names_on_server() == []

    _sign_in(page, live_server.url, "vol")
    page.goto(f"{live_server.url}/intake/")
    page.wait_for_selector('#offline-status[data-queued="0"][data-sent="2"]')
    assert _queue_on_device(page)["uuids"] == []
    assert _names_on_server() == sorted(NAMES[:2])
    assert Report.objects.count() == 2


def test_a_form_posted_by_the_browser_whose_post_fails_is_kept_by_the_service_worker(live_server, page):
    make_user("volunteer", username="vol")
    _sign_in(page, live_server.url, "vol")
    page.goto(f"{live_server.url}/intake/")
    _controlled_by_the_worker(page)

    page.context.set_offline(True)
    _fill(page, NAMES[0])
    # Posted by the browser itself, as an online submit is: the network error reaches only the service worker.
    page.eval_on_selector("form[data-offline-intake]", "(form) => form.submit()")
    page.wait_for_selector('#offline-status[data-queued="1"]')
    assert page.locator("#id_full_name").input_value() == ""
    assert _names_on_server() == []

    page.context.set_offline(False)
    page.wait_for_selector('#offline-status[data-queued="0"][data-sent="1"]')
    assert _names_on_server() == [NAMES[0]]


def test_a_report_queued_by_one_volunteer_is_sent_only_by_that_volunteer(live_server, page):
    from django.contrib.sessions.models import Session

    from vigil.records.models import Report

    first = make_user("volunteer", username="vol")
    make_user("volunteer", username="other")
    _sign_in(page, live_server.url, "vol")
    page.goto(f"{live_server.url}/intake/")
    page.context.set_offline(True)
    _submit_offline(page, NAMES[0], queued=1)
    Session.objects.all().delete()  # signed out before the network returns: the report cannot go yet
    page.context.set_offline(False)
    page.wait_for_selector('#offline-status[data-flushes="1"][data-queued="1"]')

    _sign_in(page, live_server.url, "other")
    page.goto(f"{live_server.url}/intake/")
    page.wait_for_selector(
        '#offline-status[data-flushes="1"][data-queued="0"][data-sent="0"]', state="attached"
    )
    assert len(_queue_on_device(page)["uuids"]) == 1
    assert _names_on_server() == []

    _sign_in(page, live_server.url, "vol")
    page.goto(f"{live_server.url}/intake/")
    page.wait_for_selector('#offline-status[data-queued="0"][data-sent="1"]')
    assert [r.submitted_by for r in Report.objects.all()] == [first]


def test_signing_out_removes_the_kept_intake_page(live_server, page):
    make_user("volunteer", username="vol")
    _sign_in(page, live_server.url, "vol")
    page.goto(f"{live_server.url}/intake/")
    _controlled_by_the_worker(page)
    kept = "async () => !!(await caches.match('/intake/'))"
    assert page.evaluate(kept) is True

    page.click(".menu-toggle")  # a phone: sign-out is in the menu
    page.click("form[action$='/logout/'] button")
    page.wait_for_url("**/login/**")
    assert page.evaluate(kept) is False
