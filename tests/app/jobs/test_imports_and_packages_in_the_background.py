"""A list imported on the web, and an investigation package asked for on the web, run as background jobs: the
page stores what it was given (the upload encrypted at rest), queues the job and answers at once with the
job's page, which shows how far the work has got, then the counts, the file's errors by row and column, or the
package to download. Only the user who asked sees the job, and only that user downloads the package. The
tasks are run here by the worker's own claim-and-run (``vigil.jobs.worker.run_queued``), in the test's thread.
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

import vigil.exchange.operations
from vigil.abuse.operations import attach_evidence, record_allegation
from vigil.audit.models import AuditEntry
from vigil.exchange.models import ImportRun
from vigil.jobs.models import Job
from vigil.jobs.status import JobStatus, status_of
from vigil.jobs.worker import run_queued
from vigil.records.models import Report

from ..factories import detain, login, make_user

CSV = "full_name,city,detained_on\nИван Иванов,Minsk,08.11.2020\nПётр Петров,Minsk,9 ноября 2020\n"
VERIFY = Path(__file__).resolve().parents[3] / "tools" / "verify_package.py"


def _send(client, text: str, *, confirm: bool = True, name: str = "list.csv"):
    data = {
        "file": SimpleUploadedFile(name, text.encode()),
        "source": "SYNTHETIC sheet",
        "kind": "volunteer_sheet",
    }
    if confirm:
        data["confirm"] = "on"
    return client.post(reverse("import_file"), data)


def _jobs_dir(settings) -> list[Path]:
    folder = Path(settings.JOBS_DIR)
    return sorted(folder.iterdir()) if folder.exists() else []


def test_an_import_is_queued_with_its_upload_encrypted_and_its_page_then_gives_the_counts(
    client, coordinator, settings
):
    login(client, coordinator)
    response = _send(client, CSV)
    job = Job.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("job_detail", args=[job.pk])
    assert Report.objects.count() == 0  # nothing imported in the request
    [stored] = _jobs_dir(settings)
    ciphertext = stored.read_bytes()
    assert "Иван".encode() not in ciphertext and b"full_name" not in ciphertext  # encrypted at rest

    queued = client.get(response["Location"]).content.decode()
    assert 'data-status="queued"' in queued and "list.csv" in queued and "SYNTHETIC sheet" in queued

    assert run_queued() == 1
    done = client.get(response["Location"]).content.decode()
    assert 'data-status="done"' in done and 'http-equiv="refresh"' not in done
    assert "Imported: 2 rows; 2 new reports, 0 already stored." in done
    assert Report.objects.count() == 2 and ImportRun.objects.get().imported_by == coordinator
    assert _jobs_dir(settings) == []  # the upload has served
    assert AuditEntry.objects.filter(action="job.queued", actor_id=coordinator.pk).count() == 1
    assert AuditEntry.objects.filter(action="import.detentions", actor_id=coordinator.pk).count() == 1


def test_checking_a_file_in_the_background_stores_nothing(client, coordinator):
    login(client, coordinator)
    response = _send(client, CSV, confirm=False)
    run_queued()
    body = client.get(response["Location"]).content.decode()
    assert "Checked: 2 rows, all valid; 2 would be new, 0 are already stored." in body
    assert Report.objects.count() == 0 and ImportRun.objects.count() == 0


def test_the_import_page_shows_the_rows_read_and_validated_while_it_runs(client, coordinator, monkeypatch):
    seen: dict[str, str] = {}
    real = vigil.exchange.operations.import_detentions

    def watched(*args, progress, **kwargs):
        def said(phase, done, total):
            progress(phase, done, total)
            if phase in ("validating", "storing") and total and phase not in seen:
                seen[phase] = client.get(reverse("job_detail", args=[job.pk])).content.decode()

        return real(*args, progress=said, **kwargs)

    monkeypatch.setattr("vigil.exchange.operations.import_detentions", watched)
    login(client, coordinator)
    _send(client, CSV)
    job = Job.objects.get()
    run_queued()
    assert 'data-status="running"' in seen["validating"] and 'http-equiv="refresh"' in seen["validating"]
    assert "Checking the rows: 0 of 2 checked." in seen["validating"]
    assert '<progress max="2" value="0">' in seen["validating"]
    assert "Storing 2 rows, all at once" in seen["storing"]
    assert status_of(job) == JobStatus.DONE and Report.objects.count() == 2


def test_a_file_with_bad_rows_fails_with_each_error_by_row_and_column_and_stores_nothing(
    client, coordinator, settings
):
    login(client, coordinator)
    response = _send(client, CSV + "Олег,Minsk,32.13.2020\n")
    run_queued()
    body = client.get(response["Location"]).content.decode()
    assert 'data-status="failed"' in body and 'role="alert"' in body
    assert "The file was not imported. Fix these and send it again:" in body
    assert "<td>4</td><td>detained_on</td>" in body
    assert "ImportRefused" not in body and "Traceback" not in body
    assert Report.objects.count() == 0 and _jobs_dir(settings) == []


def test_a_file_sent_twice_is_imported_once(client, coordinator, settings):
    login(client, coordinator)
    first = _send(client, CSV)
    again_while_queued = _send(client, CSV)
    assert again_while_queued["Location"] == first["Location"]  # the same job, not a second one
    assert Job.objects.count() == 1 and len(_jobs_dir(settings)) == 1
    run_queued()
    later = _send(client, CSV)
    assert later["Location"] != first["Location"]
    run_queued()
    body = client.get(later["Location"]).content.decode()
    assert "Imported: 2 rows; 0 new reports, 2 already stored." in body
    assert Report.objects.count() == 2 and ImportRun.objects.count() == 2


def test_another_user_cannot_see_an_import_job(client, coordinator):
    login(client, coordinator)
    page = _send(client, CSV)["Location"]
    login(client, make_user("coordinator"))
    assert client.get(page).status_code == 404
    login(client, make_user("volunteer"))
    assert client.get(page).status_code == 403
    login(client, make_user("analyst"))
    assert client.get(reverse("import_file")).status_code == 200  # analysts import their own lists
    assert client.get(page).status_code == 404


def _evidence(coordinator, rally):
    d = detain(coordinator, "Иван Иванов", event="2020-11-08-minsk").detention
    allegation = record_allegation(d, violation_type="Beating", actor=coordinator, narrative="beaten")
    attach_evidence(
        allegation,
        stream=io.BytesIO(b"\x89PNG fake photo"),
        original_name="bruise.png",
        media_type="image/png",
        actor=coordinator,
    )
    return allegation


def test_a_package_is_built_in_the_background_encrypted_and_downloaded_by_who_asked_for_it(
    client, coordinator, rally, settings, tmp_path
):
    allegation = _evidence(coordinator, rally)
    login(client, coordinator)
    response = client.post(reverse("package_request"), {"event": rally.slug, "reference": "UN-17"})
    job = Job.objects.get(kind="package")
    assert response["Location"] == reverse("job_detail", args=[job.pk])
    assert not AuditEntry.objects.filter(action="export.package").exists()  # nothing built in the request

    run_queued()
    body = client.get(response["Location"]).content.decode()
    assert 'data-status="done"' in body and "1 allegation and 1 evidence files, signed." in body
    download = reverse("job_package", args=[job.pk])
    assert download in body
    [stored] = _jobs_dir(settings)
    assert b"fake photo" not in stored.read_bytes() and b"records.json" not in stored.read_bytes()

    got = client.get(download)
    assert got.status_code == 200 and got["Content-Type"] == "application/zip"
    package = tmp_path / "package.zip"
    package.write_bytes(got.content)
    with zipfile.ZipFile(package) as z:
        assert z.read(f"evidence/{allegation.evidence.get().pk}-bruise.png") == b"\x89PNG fake photo"
        assert json.loads(z.read("manifest.json"))["meta"]["reference"] == "UN-17"
        assert "Иван Иванов" not in z.read("records.json").decode()  # not asked for names
    verified = subprocess.run([sys.executable, str(VERIFY), str(package)], capture_output=True, timeout=60)
    assert verified.returncode == 0
    assert AuditEntry.objects.filter(action="export.package", actor_id=coordinator.pk).count() == 1
    assert AuditEntry.objects.filter(action="package.download", actor_id=coordinator.pk).count() == 1


def test_another_user_can_neither_see_a_package_job_nor_download_its_package(client, coordinator, rally):
    _evidence(coordinator, rally)
    login(client, coordinator)
    page = client.post(reverse("package_request"), {"event": rally.slug})["Location"]
    run_queued()
    job = Job.objects.get(kind="package")
    download = reverse("job_package", args=[job.pk])
    login(client, make_user("coordinator"))
    assert client.get(page).status_code == 404 and client.get(download).status_code == 404
    for role in ("analyst", "lawyer", "volunteer"):
        login(client, make_user(role))
        assert client.get(download).status_code == 403
        assert client.get(reverse("package_request")).status_code == 403
    assert not AuditEntry.objects.filter(action="package.download").exists()


def test_a_package_with_nothing_to_put_in_it_fails_with_a_plain_line(client, coordinator, rally):
    login(client, coordinator)
    page = client.post(reverse("package_request"), {"allegations": "999"})["Location"]
    run_queued()
    body = client.get(page).content.decode()
    assert 'data-status="failed"' in body
    assert "No allegation matches what was asked for, so there is nothing to package." in body
    assert "NothingToPackage" not in body and "ValueError" not in body


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        ({}, "Choose an event or give at least one allegation number."),
        ({"allegations": "12, x"}, "numbers only"),
    ],
)
def test_the_package_form_refuses_a_request_that_names_nothing(client, coordinator, data, problem):
    login(client, coordinator)
    response = client.post(reverse("package_request"), data)
    assert response.status_code == 400 and problem in response.content.decode()
    assert not Job.objects.exists()


def test_a_file_that_cannot_be_read_fails_with_the_importers_own_line(client, coordinator):
    login(client, coordinator)
    response = _send(client, "not a spreadsheet", name="list.xlsx")
    run_queued()
    body = client.get(response["Location"]).content.decode()
    assert 'data-status="failed"' in body and 'id="job-refusal"' in body
    assert "The file was not imported." in body and 'id="job-row-errors"' not in body
    assert "ImportRefused" not in body and "Error" not in body
