"""A coordinator asks for an estimate in a real browser: the page answers at once with the job's page, which
follows the work by itself (queued, then how far the sampler has got) and ends with the result. The task is
run by the worker thread that `vigil serve` runs; the sampler is replaced by a stand-in that waits until the
test has seen its progress (the real one is tested in tests/app/figures)."""

from __future__ import annotations

import threading
from types import SimpleNamespace
from typing import Any

import pytest
from tests.app.factories import PASSWORD, make_rally, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_coordinator_starts_an_estimate_sees_its_progress_then_the_result(
    live_server: Any, page: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from django_otp.oath import totp
    from django_otp.plugins.otp_totp.models import TOTPDevice

    import vigil.figures.operations  # noqa: F401  (before its import of estimable_table is patched)
    from vigil.jobs.worker import BackgroundWorker

    progress_seen = threading.Event()

    def run_estimate(event: Any, *, actor: Any, progress: Any) -> Any:
        progress("sampling", 1, 2)
        assert progress_seen.wait(30)
        progress("saving", 0, 0)
        e = {"median": 140.4, "lower": 118.0, "upper": 190.2}
        return SimpleNamespace(pk=1, summary={"n_observed": 96, "estimate": e})

    monkeypatch.setattr("vigil.figures.operations.run_estimate", run_estimate)
    monkeypatch.setattr("vigil.figures.estimation.estimable_table", lambda event: None)
    monkeypatch.setattr("vigil.web.views.jobs.REFRESH_SECONDS", 1)

    coordinator = make_user("coordinator", username="coord")
    make_rally(coordinator)
    device = TOTPDevice.objects.create(user=coordinator, name="phone", confirmed=True)
    worker = BackgroundWorker(interval=0.2)
    worker.start()
    try:
        page.goto(f"{live_server.url}/login/")
        page.fill("#id_username", "coord")
        page.fill("#id_password", PASSWORD)
        page.click("form.card button[type=submit]")
        page.wait_for_selector("#id_token")
        page.fill("#id_token", f"{totp(device.bin_key):06d}")
        page.click("form.card button[type=submit]")

        page.goto(f"{live_server.url}/events/2020-11-08-minsk/estimate/")
        page.click("#estimate-run")
        page.wait_for_url("**/jobs/**")
        # The page reloads itself until the worker has started the task and it has said how far it got.
        page.wait_for_selector('#job-progress:has-text("part 1 of at most 2 done")', timeout=20_000)
        assert page.get_attribute("#job-status", "data-status") == "running"
        progress_seen.set()
        page.wait_for_selector('#job-status[data-status="done"]', timeout=20_000)
        result = page.inner_text("#job-result")
        assert "Documented: at least 96 people" in result and "between 118 and 190" in result
    finally:
        progress_seen.set()
        worker.stop()
        worker.join(10)
