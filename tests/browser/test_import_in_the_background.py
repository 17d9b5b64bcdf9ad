"""A coordinator imports a list on a phone: the page answers at once with the job's page, which follows the
work by itself (the rows checked so far, then the result). The task is run by the worker thread that
`vigil serve` runs, through the real import; it pauses once it has said how far it got, until the test has
seen that on the page."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from tests.app.factories import PASSWORD, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CSV = "full_name,city,detained_on\nИван Иванов,Minsk,08.11.2020\nПётр Петров,Minsk,9 ноября 2020\n"


def test_a_coordinator_imports_a_list_and_follows_its_progress_to_the_result(
    live_server: Any, page: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from django_otp.oath import totp
    from django_otp.plugins.otp_totp.models import TOTPDevice

    import vigil.exchange.operations
    from vigil.jobs.models import Job
    from vigil.jobs.worker import BackgroundWorker
    from vigil.records.models import Report

    progress_seen = threading.Event()
    real = vigil.exchange.operations.import_detentions

    def import_detentions(*args: Any, progress: Any, **kwargs: Any) -> Any:
        def said(phase: str, done: int, total: int) -> None:
            progress(phase, done, total)
            if phase == "validating" and done == 0 and total:
                assert progress_seen.wait(30)

        return real(*args, progress=said, **kwargs)

    monkeypatch.setattr("vigil.exchange.operations.import_detentions", import_detentions)
    monkeypatch.setattr("vigil.web.views.jobs.REFRESH_SECONDS", 1)

    coordinator = make_user("coordinator", username="coord")
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

        page.goto(f"{live_server.url}/import/")
        page.set_input_files(
            "#id_file", files=[{"name": "list.csv", "mimeType": "text/csv", "buffer": CSV.encode()}]
        )
        page.fill("#id_source", "SYNTHETIC sheet")
        page.check("#id_confirm")
        page.click("form.card button[type=submit]")
        page.wait_for_url("**/jobs/**")
        assert "list.csv" in page.inner_text("#job-file")
        # The page reloads itself until the worker has started the import and said how far it got.
        page.wait_for_selector('#job-progress:has-text("Checking the rows")', timeout=20_000)
        assert page.get_attribute("#job-status", "data-status") == "running"
        assert page.is_visible("#job-status progress")
        # The test database is SQLite's shared in-memory cache, where a reader meets a table lock instead of
        # waiting while the import's transaction writes (a file database in WAL mode, as served, lets readers
        # read): leave the page while the rows are stored, then come back to it.
        job_page = page.url
        page.goto("about:blank")
        progress_seen.set()
        job = Job.objects.get()
        for _ in range(200):
            if Job.objects.filter(pk=job.pk, finished_at__isnull=False).exists():
                break
            time.sleep(0.1)
        page.goto(job_page)
        page.wait_for_selector('#job-status[data-status="done"]', timeout=20_000)
        assert "Imported: 2 rows; 2 new reports, 0 already stored." in page.inner_text("#job-result")
        assert Report.objects.count() == 2
        # Nothing spills sideways on a phone.
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
    finally:
        progress_seen.set()
        worker.stop()
        worker.join(10)
