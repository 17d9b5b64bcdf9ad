"""The import page: it queues the check or the import of a list as a background job (what the job does and
shows is in tests/app/jobs/test_imports_and_packages_in_the_background.py)."""

from __future__ import annotations

from django.urls import reverse

from vigil.jobs.models import Job

from ..factories import login, make_user


def test_a_form_without_a_file_is_refused_and_queues_nothing(client, coordinator):
    login(client, coordinator)
    response = client.post(reverse("import_file"), {"source": "SYNTHETIC sheet", "kind": "volunteer_sheet"})
    assert response.status_code == 400 and 'id="id_file_error"' in response.content.decode()
    assert not Job.objects.exists()


def test_the_page_lists_the_users_own_recent_imports_only(client, coordinator):
    from django.core.files.uploadedfile import SimpleUploadedFile

    login(client, coordinator)
    data = {"source": "SYNTHETIC sheet", "kind": "volunteer_sheet"}
    client.post(reverse("import_file"), {**data, "file": SimpleUploadedFile("mine.csv", b"full_name\n")})
    job = Job.objects.get()
    assert reverse("job_detail", args=[job.pk]) in client.get(reverse("import_file")).content.decode()
    login(client, make_user("coordinator"))
    assert "mine.csv" not in client.get(reverse("import_file")).content.decode()


def test_volunteers_cannot_import(client, db):
    login(client, make_user("volunteer"))
    assert client.get(reverse("import_file")).status_code == 403
