"""What a figure counts, listed: one row per person, per detention episode or per group report.

Each figure on an event page links here; the list's length is the figure (its heads, for the unnamed head
count), and each row opens onto the detention records behind it.
"""

from __future__ import annotations

import csv
import json
from typing import Any

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode

from vigil.figures.counting import detentions_for, figure_rows, figure_unit
from vigil.records.models import Detention, Person
from vigil.web.access import FIGURES as FIGURE_ROLES
from vigil.web.access import role_required
from vigil.web.views.detentions import search_scope

EXPORT_COLUMNS = (
    "unit",
    "person",
    "day",
    "first_day",
    "last_day",
    "reports",
    "head_count",
    "city",
    "synthetic",
)


def _scope(request: HttpRequest) -> tuple[Any, dict[str, Any]]:
    _form, f, event, figure = search_scope(request)
    city, day = f.get("city") or None, f.get("day")
    qs = detentions_for(event, figure, city=city, day=day).visible_to(request.user)
    filters = {k: v for k, v in {"event": f.get("event"), "city": city, "day": day}.items() if v}
    return figure_rows(qs, figure), {"event": event, "figure": figure, "filters": filters}


def _described(rows: list[dict[str, Any]], figure: str) -> list[dict[str, Any]]:
    """Each row with its first detention (for the city, the synthetic mark) and its person's pseudonym."""
    firsts = Detention.objects.in_bulk([r["first_pk"] for r in rows])
    described = []
    for r in rows:
        first = firsts[r["first_pk"]]
        person = Person(pk=r["person_id"]).pseudonym if r.get("person_id") else ""
        described.append(
            {
                **r,
                "unit": figure_unit(figure),
                "person": person,
                "day": r.get("detained_on"),
                "city": first.city,
                "synthetic": first.is_synthetic,
            }
        )
    return described


@role_required(*FIGURE_ROLES)
def figure_list(request: HttpRequest) -> HttpResponse:
    rows, ctx = _scope(request)
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    described = _described(list(page), ctx["figure"])
    base = reverse("detention_list")
    for r in described:
        query = {**ctx["filters"], "figure": ctx["figure"]}
        if r["unit"] == "group":
            r["records_url"] = reverse("detention_detail", args=[r["first_pk"]])
            continue
        query["person"] = r["person_id"]
        if r["unit"] == "episode":
            query["day"] = r["day"]
        r["records_url"] = base + "?" + urlencode(query)
    unit = figure_unit(ctx["figure"])
    total = sum(r["heads"] for r in rows) if unit == "group" else page.paginator.count
    ctx.update(
        {
            "page": page,
            "rows": described,
            "unit": unit,
            "total": total,
            "query": urlencode({**ctx["filters"], "figure": ctx["figure"]}),
        }
    )
    return render(request, "web/figure_list.html", ctx)


@role_required(*FIGURE_ROLES)
def figure_list_export(request: HttpRequest, fmt: str) -> HttpResponse:
    if fmt not in ("csv", "json"):
        raise Http404("no such format")
    rows, ctx = _scope(request)
    described = _described(list(rows), ctx["figure"])
    records = [
        {
            "unit": r["unit"],
            "person": r["person"],
            "day": r["day"].isoformat() if r["day"] else "",
            "first_day": r["first_day"].isoformat() if r["first_day"] else "",
            "last_day": r["last_day"].isoformat() if r["last_day"] else "",
            "reports": r["reports"],
            "head_count": r["heads"] if r["unit"] == "group" else 1,
            "city": r["city"],
            "synthetic": r["synthetic"],
        }
        for r in described
    ]
    name = f"{ctx['event'].slug if ctx['event'] else 'all'}-{ctx['figure']}"
    if fmt == "json":
        body = {
            "figure": ctx["figure"],
            "filters": {k: str(v) for k, v in ctx["filters"].items()},
            "rows": records,
        }
        response = HttpResponse(json.dumps(body, ensure_ascii=False), content_type="application/json")
    else:
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        writer = csv.DictWriter(response, fieldnames=EXPORT_COLUMNS)
        writer.writeheader()
        writer.writerows(records)
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response
