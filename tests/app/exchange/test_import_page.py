from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from vigil.records.models import Report

from ..factories import login, make_user

CSV = "full_name,city,detained_on\nИван Иванов,Minsk,08.11.2020\nПётр Петров,Minsk,9 ноября 2020\n"


def _send(client, text: str, confirm: bool):
    data = {
        "file": SimpleUploadedFile("list.csv", text.encode()),
        "source": "SYNTHETIC sheet",
        "kind": "volunteer_sheet",
    }
    if confirm:
        data["confirm"] = "on"
    return client.post(reverse("import_file"), data)


def test_checking_a_file_stores_nothing_and_importing_it_stores_every_row(client, coordinator):
    login(client, coordinator)
    checked = _send(client, CSV, confirm=False)
    assert "2 would be new" in checked.content.decode() and Report.objects.count() == 0
    imported = _send(client, CSV, confirm=True)
    assert "2 new reports" in imported.content.decode() and Report.objects.count() == 2
    again = _send(client, CSV, confirm=True)
    assert "0 new reports, 2 already stored" in again.content.decode() and Report.objects.count() == 2


def test_a_bad_file_is_refused_with_its_errors_by_row_and_column(client, coordinator):
    login(client, coordinator)
    response = _send(client, CSV + "Олег,Minsk,32.13.2020\n", confirm=True)
    body = response.content.decode()
    assert (
        response.status_code == 400
        and 'id="import-errors"' in body
        and "<td>4</td><td>detained_on</td>" in body
    )
    assert Report.objects.count() == 0


def test_volunteers_cannot_import(client, db):
    login(client, make_user("volunteer"))
    assert client.get(reverse("import_file")).status_code == 403
