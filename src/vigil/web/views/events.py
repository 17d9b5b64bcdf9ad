"""Event pages: figures, their charts and exports, and frozen snapshots."""

from __future__ import annotations

import csv
import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.humanize.templatetags.humanize import intcomma
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from vigil.accounts.models import Role
from vigil.figures import FIGURES
from vigil.figures.counting import detentions_for, diff_figures, event_figures, persons_by_region
from vigil.figures.models import Snapshot
from vigil.figures.operations import take_snapshot
from vigil.lib.maps import belarus_regions, choropleth_svg
from vigil.lib.reference.labels import city_label, region_label
from vigil.records.models import Event
from vigil.web import charts
from vigil.web.access import ANY_RECORDS, role_required
from vigil.web.access import FIGURES as FIGURE_ROLES


@role_required(*ANY_RECORDS)
def event_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "web/event_list.html",
        {"events": Event.objects.filter(parent__isnull=True).prefetch_related("parts")},
    )


def _figure_link(list_url: str, value: int, figure: str, **extra: str) -> str:
    query = urlencode({"figure": figure, **extra})
    return format_html(
        '<a data-figure="{}" href="{}&amp;{}">{}</a>', figure, list_url, query, intcomma(value)
    )


def _headline(event: Event, f: dict[str, Any], list_url: str) -> list[str]:
    """The sentences a coordinator quotes, every number a link to the records it counts."""
    name = event.localized_name(get_language())
    sentences: list[str] = []
    persons = _figure_link(list_url, f["persons"], "persons")
    top = f["by_city"][0] if f["by_city"] else None
    if top and len(f["by_city"]) > 1:
        text = _(
            "At least %(persons)s people were detained in connection with %(event)s, %(city_n)s of them in %(city)s."
        )
        sentences.append(
            format_html(
                text.replace("%(persons)s", "{persons}")
                .replace("%(event)s", "{event}")
                .replace("%(city_n)s", "{city_n}")
                .replace("%(city)s", "{city}"),
                persons=persons,
                event=name,
                city=city_label(top["city"], get_language()),
                city_n=_figure_link(list_url, top["persons"], "persons", city=top["city"]),
            )
        )
    else:
        text = _("At least %(persons)s people were detained in connection with %(event)s.")
        sentences.append(
            format_html(
                text.replace("%(persons)s", "{persons}").replace("%(event)s", "{event}"),
                persons=persons,
                event=name,
            )
        )
    text = _(
        "At least %(punished)s were charged under article 23.34 and fined or sentenced to administrative arrest "
        "by the following day; %(awaiting)s await trial."
    )
    sentences.append(
        format_html(
            text.replace("%(punished)s", "{punished}").replace("%(awaiting)s", "{awaiting}"),
            punished=_figure_link(list_url, f["punished_by_next_day"], "punished_by_next_day"),
            awaiting=_figure_link(list_url, f["awaiting_trial"], "awaiting_trial"),
        )
    )
    if f["unnamed_head_count"]:
        text = _("Group reports without names add about %(n)s more people, counted separately.")
        sentences.append(
            format_html(
                text.replace("%(n)s", "{n}"),
                n=_figure_link(list_url, f["unnamed_head_count"], "unnamed_head_count"),
            )
        )
    return sentences


# The event page's charts draw the largest cities and the first days; one more bar stands for the rest.
CHART_CITIES = 12
CHART_DAYS = 31


def _left_out(event: Event, field: str, rows: list[dict[str, Any]], key: str = "") -> tuple[int, int]:
    """How many rows a chart leaves out, and how many distinct persons they hold together (not the sum of
    their figures: a person detained in two of those cities is one person)."""
    if not rows:
        return (0, 0)
    values = [r[key or field] for r in rows]
    persons = detentions_for(event, "persons").filter(**{f"{field}__in": values}).values("person").distinct()
    return (len(rows), persons.count())


def _region_map(event: Event) -> dict[str, Any]:
    """The map of persons detained per region and the table beside it, in the page's language."""
    counted = persons_by_region(event)
    language = get_language()
    names = {r.iso: region_label(r.iso, language) for r in belarus_regions()}
    rows = sorted(
        (
            {"iso": iso, "name": name, "persons": counted["regions"].get(iso, 0)}
            for iso, name in names.items()
        ),
        key=lambda row: (-row["persons"], row["name"]),
    )
    svg = choropleth_svg(
        counted["regions"],
        names,
        title=_("Persons detained per region"),
        description=_("Distinct persons detained in each region and in Minsk city; the darker, the more."),
        legend_title=_("Persons detained"),
        id_prefix="region-map",
    )
    # choropleth_svg escapes every text it writes, names and translations included.
    map_svg: SafeString = mark_safe(svg)
    return {"region_map": map_svg, "region_rows": rows, "region_unplaced": counted["unplaced"]}


@role_required(*FIGURE_ROLES)
def event_detail(request: HttpRequest, slug: str) -> HttpResponse:
    event = get_object_or_404(Event, slug=slug)
    figures = event_figures(event)
    snapshots = list(event.snapshots.all()[:10])
    last = snapshots[0] if snapshots else None
    list_url = reverse("figure_list") + "?" + urlencode({"event": event.slug})
    cities, days = figures["by_city"], figures["by_day"]
    city_bars = charts.bars(
        cities[:CHART_CITIES], "persons", "city", other=_left_out(event, "city", cities[CHART_CITIES:])
    )
    day_bars = charts.bars(
        days[:CHART_DAYS], "persons", "day", other=_left_out(event, "detained_on", days[CHART_DAYS:], "day")
    )
    return render(
        request,
        "web/event_detail.html",
        {
            "event": event,
            "event_name": event.localized_name(get_language()),
            "f": figures,
            "headline": _headline(event, figures, list_url),
            "list_url": list_url,
            "city_bars": city_bars,
            "day_bars": day_bars,
            "city_height": charts.bars_height(city_bars),
            "day_height": charts.bars_height(day_bars),
            "snapshots": snapshots,
            "changes": diff_figures(last.figures, figures) if last else [],
            "next_day": event.date + dt.timedelta(days=1),
            **_region_map(event),
        },
    )


@role_required(*FIGURE_ROLES)
def event_figures_json(request: HttpRequest, slug: str) -> JsonResponse:
    event = get_object_or_404(Event, slug=slug)
    return JsonResponse(event_figures(event))


@role_required(*FIGURE_ROLES)
def event_figures_csv(request: HttpRequest, slug: str) -> HttpResponse:
    event = get_object_or_404(Event, slug=slug)
    f = event_figures(event)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{slug}-figures.csv"'
    writer = csv.writer(response)
    writer.writerow(["figure", "scope", "value", "synthetic"])
    for key in FIGURES:
        writer.writerow([key, "event", f[key], f["is_synthetic"]])
    for row in f["by_city"]:
        writer.writerow(["persons", f"city:{row['city']}", row["persons"], f["is_synthetic"]])
    for row in f["by_day"]:
        writer.writerow(["persons", f"day:{row['day']}", row["persons"], f["is_synthetic"]])
    return response


@role_required(Role.COORDINATOR)
@require_POST
def event_snapshot(request: HttpRequest, slug: str) -> HttpResponse:
    event = get_object_or_404(Event, slug=slug)
    take_snapshot(event, actor=request.user, label=request.POST.get("label", "")[:200])
    messages.success(request, _("Figures frozen."))
    return redirect("event_detail", slug=slug)


@role_required(*FIGURE_ROLES)
def snapshot_detail(request: HttpRequest, pk: int) -> HttpResponse:
    snap = get_object_or_404(Snapshot, pk=pk)
    prev = snap.previous()
    return render(
        request,
        "web/snapshot_detail.html",
        {
            "snap": snap,
            "prev": prev,
            "figures": [(key, snap.figures[key]) for key in FIGURES if key in snap.figures],
            "changes": diff_figures(prev.figures, snap.figures) if prev else [],
        },
    )
