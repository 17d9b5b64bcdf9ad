"""The detention list exported as CSV, JSON or a workbook."""

from __future__ import annotations

import csv
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse

from vigil.audit.log import record as audit
from vigil.records.models import Person
from vigil.web.access import ANY_RECORDS, role_required
from vigil.web.views.detentions import filtered_detentions


def _xlsx_response(rows: list[dict[str, Any]]) -> HttpResponse:
    """The export as a workbook, built in memory (nothing written to disk)."""
    import io

    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("detentions")
    columns = list(rows[0]) if rows else ["detention_id"]
    if any(r["synthetic"] for r in rows):
        sheet.append(["SYNTHETIC DEMO DATA: invented records describing no real person"])
    sheet.append(columns)
    for r in rows:
        # A leading =, +, - or @ would make a spreadsheet run the cell as a formula.
        sheet.append([f"'{v}" if isinstance(v, str) and v[:1] in "=+-@" else v for v in r.values()])
    buffer = io.BytesIO()
    book.save(buffer)
    response = HttpResponse(
        buffer.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = 'attachment; filename="detentions.xlsx"'
    return response


@role_required(*ANY_RECORDS)
def detention_export(request: HttpRequest, fmt: str) -> HttpResponse:
    qs, _ctx = filtered_detentions(request)
    user: Any = request.user
    named = request.GET.get("named") == "1"
    if named and not user.is_coordinator:
        raise PermissionDenied
    rows = [
        {
            "detention_id": d.pk,
            "person": (
                d.identity.full_name
                if named and d.identity
                else (Person(pk=d.person_id).pseudonym if d.person_id else "")
            ),
            "head_count": d.head_count,
            "event": d.event.slug if d.event else "",
            "detained_on": d.detained_on.isoformat(),
            "city": d.city,
            "source_kind": d.report.source.kind,
            "report_uuid": str(d.report.uuid),
            "synthetic": d.is_synthetic,
        }
        for d in qs.iterator(chunk_size=2000)
    ]
    audit(
        user,
        "export.detentions",
        None,
        fmt=fmt,
        rows=len(rows),
        named=named,
        filters=dict(request.GET.items()),
    )
    if fmt == "json":
        return JsonResponse({"synthetic": any(r["synthetic"] for r in rows), "rows": rows})
    if fmt == "xlsx":
        return _xlsx_response(rows)
    if fmt != "csv":
        raise Http404("formats: csv, json, xlsx")
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="detentions.csv"'
    fields = (
        list(rows[0])
        if rows
        else [
            "detention_id",
            "person",
            "head_count",
            "event",
            "detained_on",
            "city",
            "source_kind",
            "report_uuid",
            "synthetic",
        ]
    )
    writer = csv.DictWriter(response, fieldnames=fields)
    writer.writeheader()
    writer.writerows(rows)
    return response
