from __future__ import annotations

import io
import json

from django.urls import reverse
from openpyxl import load_workbook

from vigil.audit.models import AuditEntry

from ..factories import detain, login, make_user


def test_exports_are_pseudonymised_by_default_in_every_format(client, coordinator):
    detain(coordinator, "Иван Иванов")
    login(client, coordinator)
    for fmt in ("csv", "json", "xlsx"):
        body = client.get(reverse("detention_export", args=[fmt])).content
        text = (
            body.decode("utf-8", "replace")
            if fmt != "xlsx"
            else str(list(load_workbook(io.BytesIO(body)).active.values))
        )
        assert "Иван Иванов" not in text and "P-" in text, fmt


def test_the_named_export_needs_a_coordinator_and_is_audited(client, coordinator):
    detain(coordinator, "Иван Иванов")
    login(client, make_user("analyst"))
    assert client.get(reverse("detention_export", args=["json"]), {"named": "1"}).status_code == 403
    login(client, coordinator)
    rows = json.loads(client.get(reverse("detention_export", args=["json"]), {"named": "1"}).content)["rows"]
    assert rows[0]["person"] == "Иван Иванов"
    entry = AuditEntry.objects.filter(action="export.detentions").order_by("-seq").first()
    assert entry is not None and entry.detail["named"] is True


def test_a_formula_looking_value_is_not_a_formula_in_the_workbook(client, coordinator):
    detain(coordinator, '=HYPERLINK("http://x")', city="=cmd")
    login(client, coordinator)
    body = client.get(reverse("detention_export", args=["xlsx"]), {"named": "1"}).content
    cells = [c for row in load_workbook(io.BytesIO(body)).active.values for c in row if isinstance(c, str)]
    assert not any(c.startswith("=") for c in cells)


def test_an_unknown_export_format_is_not_found(client, coordinator):
    login(client, coordinator)
    assert client.get(reverse("detention_export", args=["pdf"])).status_code == 404
