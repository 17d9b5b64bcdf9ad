"""Every page of the main journeys, rendered in Belarusian and Russian, shows no English a reader must read.

Belarusian and Russian are written in Cyrillic, so a run of Latin letters on such a page is English that
escaped translation, a stored key or slug shown as it is, or a reference value in its English form. The
check reads what a reader sees (text nodes, the page title, placeholders, labels read aloud, button
values) and fails naming each Latin word, except the few that are the same in every language (file formats,
the currency code, the estimator's and its authors' names, the product's name) and identifiers: text in a
<code> element (the audit log's action keys), and tokens holding a digit or an underscore (a report's UUID,
a hash, a user name such as coordinator-4eec8a, a column name such as birth_year).
"""

from __future__ import annotations

import datetime as dt
import io
import re
import uuid
from decimal import Decimal
from html.parser import HTMLParser
from typing import Any

import pytest
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone, translation

from vigil.abuse.operations import record_allegation_with_evidence
from vigil.cases.operations import open_case, record_decision, record_hearing, take_case
from vigil.figures.models import Estimate, Snapshot
from vigil.records.operations import create_event, record_whereabouts
from vigil.review.models import CandidatePair

from ..factories import NOV8, NOV9, detain, login, make_user

# Words a Belarusian or Russian page may show in Latin letters.
ALLOWED = {
    "Vigil",  # the product's name
    "CSV",
    "JSON",
    "XLSX",
    "BYN",  # the currency code, as on receipts
    "LCMCR",  # the estimator and its reference
    "Rcapture",  # the R package whose log-linear models the estimate page lists, and its function
    "closedp",
    "Manrique-Vallier",
    "R-hat",
    "BIC",
    "Jaro-Winkler",  # a string similarity, named after its authors
    "API",
    "TOTP",
    "English",
    "ODS",
    "ZIP",
    "vigil",  # the command  # the language switcher names each language in itself
    "dga",  # the graphical-model averaging package, named like LCMCR
    # Rcapture's names of the log-linear models (Mt: time, Mh: heterogeneity, Mb: behaviour) and the authors
    # of their heterogeneity terms
    "Mt",
    "Mh",
    "Mth",
    "Mb",
    "Mbh",
    "Chao",
    "Darroch",
    "Natural",  # Natural Earth, the public-domain map data whose boundaries the event page's map draws
    "Earth",
}
HIDDEN = ("script", "style", "code")  # not prose: scripts, styles and identifiers
ATTRIBUTES = ("placeholder", "aria-label", "title", "alt")
IDENTIFIER = re.compile(r"[0-9_]")
LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*[A-Za-z]")  # two letters or more: "K=" and "P-000123" pass


class _Visible(HTMLParser):
    """The text of a page a reader sees or hears: text nodes outside scripts and styles, and the attributes
    a screen reader or a browser shows."""

    def __init__(self) -> None:
        super().__init__()
        self.texts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in HIDDEN:
            self._hidden += 1
        values = dict(attrs)
        self.texts.extend(v for k, v in attrs if k in ATTRIBUTES and v)
        if tag == "input" and values.get("type") in ("submit", "button") and values.get("value"):
            self.texts.append(values["value"] or "")

    def handle_endtag(self, tag: str) -> None:
        if tag in HIDDEN:
            self._hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self._hidden and data.strip():
            self.texts.append(data.strip())


def untranslated(html: str) -> list[str]:
    """Each visible text that holds a Latin word no Cyrillic page should show."""
    parser = _Visible()
    parser.feed(html)
    found = []
    for text in parser.texts:
        prose = " ".join(t for t in text.split() if not IDENTIFIER.search(t))
        words = [w for w in LATIN_WORD.findall(prose) if w not in ALLOWED]
        if words:
            found.append(text)
    return found


def _report(leaks: dict[str, list[str]]) -> str:
    return "untranslated text:\n" + "\n".join(
        f"  {page}: {text!r}" for page, found in leaks.items() for text in found
    )


@pytest.fixture
def world(coordinator: Any) -> dict[str, Any]:
    """A small demo-like world: an event in three languages, detentions with a unit and a facility, a case with
    a hearing and a decision, an allegation, a pair to review."""
    march = create_event(
        slug="2020-11-08-march",
        name="March of 8 November 2020",
        name_ru="Марш 8 ноября 2020",
        name_be="Марш 8 лістапада 2020",
        date=NOV8,
        actor=coordinator,
    )
    create_event(
        slug="2020-11-08-minsk",
        name="Minsk",
        name_ru="Минск",
        name_be="Мінск",
        date=NOV8,
        city="Minsk",
        parent=march,
        actor=coordinator,
    )
    d = detain(
        coordinator,
        "Сяргей Ціханоўскі",
        event="2020-11-08-minsk",
        kind="relative",
        birth_year=1978,
        unit="omon",
        held_at="by-zhodzina-prison8",
        place="Пушкинская",
    ).detention
    detain(coordinator, "Тихановский Сергей", event="2020-11-08-minsk", kind="court_list", day=NOV9)
    detain(coordinator, "Анна Смирнова", event=march, city="Grodno", kind="lawyer")
    detain(coordinator, event=march, head_count=4)
    record_whereabouts(
        d,
        facility="by-minsk-cip-akrestsina",
        since=dt.datetime(2020, 11, 9, 10, tzinfo=dt.UTC),
        actor=coordinator,
    )
    case = open_case(d, kind="admin", article="23.34", actor=coordinator)
    record_hearing(case, held_on=NOV9, court="Суд Цэнтральнага раёна г. Мінска", actor=coordinator)
    record_decision(case, decided_on=NOV9, outcome="fine", fine_base_units=Decimal(10), actor=coordinator)
    record_allegation_with_evidence(
        d, violation_type="Beating", perpetrator_unit="omon", place="аўтобус", actor=coordinator
    )
    a = detain(coordinator, "Ольга Ковалёва", kind="media", birth_year=1990).detention
    b = detain(coordinator, "Вольга Кавалёва", kind="lawyer", birth_year=1991).detention
    CandidatePair.objects.create(
        left=a.identity,
        right=b.identity,
        probability=0.71,
        explanation=[{"field": "surname", "level": "Exact match on surname_key", "weight": 6.1}],
    )
    return {"event": march, "detention": d, "case": case}


def _pages(world: dict[str, Any]) -> list[str]:
    d, case, slug = world["detention"], world["case"], world["event"].slug
    listing = reverse("detention_list")
    return [
        reverse("home"),
        reverse("intake"),
        listing,
        f"{listing}?event={slug}&figure=awaiting_trial",
        reverse("detention_detail", args=[d.pk]),
        reverse("person_detail", args=[d.person_id]),
        reverse("case_detail", args=[case.pk]),
        reverse("event_list"),
        reverse("event_detail", args=[slug]),
        f"{reverse('figure_list')}?event={slug}&figure=persons",
        reverse("event_estimate", args=[slug]),
        reverse("review_queue"),
        reverse("audit_log"),
        reverse("import_file"),
        f"{reverse('package_request')}?event={slug}",
        reverse("api_tokens"),
        reverse("sync:conflicts"),
        "/no-such-page/",
    ]


@pytest.mark.parametrize("language", ["be", "ru"])
def test_the_pages_of_the_main_journeys_show_no_untranslated_english(client, coordinator, world, language):
    login(client, coordinator)
    client.cookies["django_language"] = language
    leaks = {}
    for url in _pages(world):
        response = client.get(url)
        assert response.status_code in (200, 404), (url, response.status_code)
        found = untranslated(response.content.decode())
        if found:
            leaks[url] = found
    snapshot = client.post(reverse("event_snapshot", args=[world["event"].slug]), {"label": "перший"})
    detain(coordinator, "Пётр Петров", event="2020-11-08-minsk")
    client.post(reverse("event_snapshot", args=[world["event"].slug]), {"label": "другі"})
    assert snapshot.status_code == 302
    refused = client.post(reverse("event_estimate", args=[world["event"].slug]))
    latest = Snapshot.objects.order_by("-taken_at", "-id").first()
    assert latest is not None
    for url, body in (
        ("event page after two snapshots", client.get(reverse("event_detail", args=[world["event"].slug]))),
        ("the second snapshot", client.get(reverse("snapshot_detail", args=[latest.pk]))),
        ("estimate refused", refused),
    ):
        found = untranslated(body.content.decode())
        if found:
            leaks[url] = found
    assert not leaks, _report(leaks)


# Cities beyond the twelve an event page's chart draws: with Minsk and Grodno, one bar says "N more cities".
MORE_CITIES = [
    "Brest",
    "Pinsk",
    "Kobrin",
    "Vitebsk",
    "Orsha",
    "Polotsk",
    "Gomel",
    "Mozyr",
    "Zhlobin",
    "Rechitsa",
    "Lida",
]


def _methods_side_by_side(event: Any, actor: Any) -> Estimate:
    """A stored estimate whose methods disagree, shaped as run_estimate stores it (no sampling: milliseconds)."""
    from vigil.lib.estimate import compare_methods

    def method(name: str, median: float, diagnostics: dict[str, Any]) -> dict[str, Any]:
        e = {"mean": median, "median": median, "lower": median * 0.8, "upper": median * 1.2}
        return {"n_observed": 8, "method": name, "estimate": e, "diagnostics": diagnostics}

    lcmcr = method("lcmcr", 20, {})
    dga = method(
        "dga",
        45,
        {"delta": 0.0625, "models_averaged": 61, "best_models": [{"model": "[12,3]", "weight": 0.7}]},
    )
    loglinear = method("loglinear", 18, {"model": "Mth Chao"})
    comparison = compare_methods({"lcmcr": lcmcr, "loglinear": loglinear, "dga": dga})
    return Estimate.objects.create(
        event=event,
        created_at=timezone.now(),
        created_by=actor,
        lists=["hotline", "lawyer", "court_list"],
        capture_table=[],
        summary={
            **lcmcr,
            "diagnostics": {"warnings": [], "settings": {"K": 10, "seed": 1}},
            "methods": {"lcmcr": lcmcr, "loglinear": loglinear, "dga": dga},
            "comparison": comparison,
            "note": comparison["note"],
        },
        histogram={"edges": [10.0, 20.0, 30.0], "counts": [3, 5]},
        loglinear=[{"model": "Mth Chao", "estimate": 18.0, "lower": 14.0, "upper": 22.0, "bic": 31.5}],
    )


@pytest.mark.parametrize("language", ["be", "ru"])
def test_the_casework_intake_filter_chart_and_method_pages_show_no_untranslated_english(
    client, coordinator, world, language
):
    """The pages added with several detainees per call, lawyers' cases, list filters, the "more cities" bar
    and the estimate methods side by side."""
    d, case, slug = world["detention"], world["case"], world["event"].slug
    client.cookies["django_language"] = language
    pages = {}
    lawyer = make_user("lawyer")
    login(client, lawyer)
    pages["new detentions awaiting a lawyer"] = client.get(reverse("lawyer_cases"))
    take_case(d, actor=lawyer)
    pages["a lawyer's cases"] = client.get(reverse("lawyer_cases"))
    pages["the timeline as a lawyer sees it"] = client.get(reverse("person_detail", args=[d.person_id]))
    pages["a lawyer's detention"] = client.get(reverse("detention_detail", args=[d.pk]))
    pages["a lawyer's case forms"] = client.get(reverse("case_detail", args=[case.pk]))

    login(client, coordinator)
    call = {
        "report_uuid": str(uuid.uuid4()),
        "head_count": "3",
        "detained_on": "2020-11-08",
        "city": "Minsk",
        "event": str(world["event"].pk),
        "source_kind": "relative",
        "reliability": "D",
        "more-TOTAL_FORMS": "2",
        "more-INITIAL_FORMS": "0",
        "more-0-uuid": str(uuid.uuid4()),
        "more-0-full_name": "Иван Иванов",
        "more-1-uuid": str(uuid.uuid4()),
        "more-1-full_name": "Марыя Калеснікава",
    }
    pages["the intake echo of several detainees"] = echo = client.post(reverse("intake"), call, follow=True)
    assert echo.redirect_chain, (echo.context["form"].errors, echo.context["detainees"].errors)
    saved = echo.redirect_chain[-1][0].split("saved=")[1].split(",")[0].split("&")[0]
    pages["a correction"] = client.get(reverse("intake_correct", args=[saved]))
    listing = reverse("detention_list")
    pages["the list with its filters"] = client.get(
        f"{listing}?since=2020-11-01&until=2020-11-30&unit=omon&status=held"
    )
    pages["the list by city, typed in the reader's script, and decision"] = client.get(
        listing, {"city": {"be": "Мінск", "ru": "Минск"}[language], "outcome": "fine", "since": "2020-11-01"}
    )
    pages["the list with a period ending before it starts"] = client.get(
        f"{listing}?since=2020-11-30&until=2020-11-01"
    )
    for city in MORE_CITIES:
        detain(coordinator, event=world["event"], city=city, head_count=2)
    pages["an event with more than twelve cities"] = client.get(reverse("event_detail", args=[slug]))
    _methods_side_by_side(world["event"], coordinator)
    pages["the estimate methods side by side"] = client.get(reverse("event_estimate", args=[slug]))

    assert {name: r.status_code for name, r in pages.items()} == dict.fromkeys(pages, 200)
    body = {name: r.content.decode() for name, r in pages.items()}
    assert 'id="new-' in body["new detentions awaiting a lawyer"]
    assert '<li class="charged">' in body["the timeline as a lawyer sees it"]
    assert body["the intake echo of several detainees"].count("data-detention=") == 3
    assert 'class="other"' in body["an event with more than twelve cities"]
    assert '<span id="total">1</span>' in body["the list by city, typed in the reader's script, and decision"]
    assert 'id="methods-disagree"' in body["the estimate methods side by side"]
    assert 'id="estimate-plain"' in body["the estimate methods side by side"]  # the plain words
    assert 'id="calibration"' in body["the estimate methods side by side"]  # and the calibration card
    leaks = {name: found for name, html in body.items() if (found := untranslated(html))}
    assert not leaks, _report(leaks)


@pytest.mark.parametrize("language", ["be", "ru"])
def test_the_background_job_pages_show_no_untranslated_english_in_any_state(
    client, coordinator, world, language
):
    """An estimate and a linkage run, each queued (the estimate also long enough to warn), running through each
    phase, done, and failed with the errors Vigil words itself. No task runs: the states are set as the
    worker would set them."""
    from django_tasks_db.models import DBTaskResult

    from vigil.jobs.models import Job
    from vigil.jobs.operations import fail_job, finish_job, report_progress, start_estimate, start_linkage
    from vigil.jobs.status import INTERRUPTED, LOCKED

    login(client, coordinator)
    client.cookies["django_language"] = language
    pages: dict[str, str] = {}

    def show(name: str, job: Job, status: str) -> None:
        response = client.get(reverse("job_detail", args=[job.pk]))
        assert response.status_code == 200, name
        pages[name] = body = response.content.decode()
        assert f'data-status="{status}"' in body, name

    estimate, linkage = start_estimate(world["event"], actor=coordinator), start_linkage(actor=coordinator)
    show("estimate queued", estimate, "queued")
    show("linkage queued", linkage, "queued")
    Job.objects.filter(pk=estimate.pk).update(created_at=timezone.now() - dt.timedelta(minutes=2))
    show("estimate queued a while", estimate, "queued")
    assert 'class="warn"' in pages["estimate queued a while"]
    for job in (estimate, linkage):
        DBTaskResult.objects.get(pk=job.task_id).claim("worker-1")
    for phase, done, total in [
        ("", 0, 0),
        ("lists", 0, 0),
        ("sampling", 1, 4),
        ("loglinear", 0, 0),
        ("dga", 0, 0),
    ]:
        report_progress(estimate, phase, done, total)
        show(f"estimate running: {phase or 'starting'}", estimate, "running")
    for phase, total in [("", 0), ("reading", 0), ("linking", 12), ("merging", 0)]:
        report_progress(linkage, phase, 0, total)
        show(f"linkage running: {phase or 'starting'}", linkage, "running")
    finish_job(estimate, {"estimate": 1, "documented": 96, "median": 140.4, "lower": 118.0, "upper": 190.2})
    finish_job(linkage, {"identities": 12, "persons": 9, "merges": 3, "queued": 1})
    show("estimate done", estimate, "done")
    show("linkage done", linkage, "done")
    estimate, linkage = start_estimate(world["event"], actor=coordinator), start_linkage(actor=coordinator)
    fail_job(estimate, LOCKED)
    fail_job(linkage, INTERRUPTED)
    show("estimate failed", estimate, "failed")
    show("linkage failed", linkage, "failed")

    leaks = {name: found for name, html in pages.items() if (found := untranslated(html))}
    assert not leaks, _report(leaks)


@pytest.mark.parametrize("language", ["be", "ru"])
def test_the_import_and_package_job_pages_show_no_untranslated_english_in_any_state(
    client, coordinator, world, language
):
    """An import (and a check) and a package, queued, running through each phase, done, and failed with the
    failures Vigil words itself (the internal error's type shows to coordinators in a <code>). No task runs:
    the states are set as the worker would set them."""
    from django_tasks_db.models import DBTaskResult

    from vigil.jobs.operations import fail_job, finish_job, report_progress, start_import, start_package
    from vigil.jobs.status import INTERNAL, NOTHING_TO_PACKAGE

    login(client, coordinator)
    client.cookies["django_language"] = language
    pages: dict[str, str] = {}

    def show(name: str, job: Any, status: str) -> None:
        response = client.get(reverse("job_detail", args=[job.pk]))
        assert response.status_code == 200, name
        pages[name] = body = response.content.decode()
        assert f'data-status="{status}"' in body, name

    def upload(dry_run: bool) -> Any:
        return start_import(
            io.BytesIO(b"full_name,city,detained_on\n"),
            filename="spis.csv",
            source_name="Спіс валанцёраў",
            source_kind="volunteer_sheet",
            dry_run=dry_run,
            actor=coordinator,
        )

    imported, checked = upload(False), upload(True)
    package = start_package(actor=coordinator, event=world["event"], named=True, reference="1-2020")
    for job in (imported, checked, package):
        show(f"{job.kind} {job.params.get('dry_run', '')} queued", job, "queued")
        DBTaskResult.objects.get(pk=job.task_id).claim("worker-1")
    for phase, done, total in [("", 0, 0), ("reading", 0, 0), ("validating", 3, 10), ("storing", 0, 10)]:
        report_progress(imported, phase, done, total)
        show(f"import running: {phase or 'starting'}", imported, "running")
    for phase, done, total in [("", 0, 0), ("collecting", 0, 0), ("evidence", 1, 2), ("writing", 0, 0)]:
        report_progress(package, phase, done, total)
        show(f"package running: {phase or 'starting'}", package, "running")
    finish_job(imported, {"rows": 10, "new": 8, "already_stored": 2, "dry_run": False})
    finish_job(checked, {"rows": 10, "new": 8, "already_stored": 2, "dry_run": True})
    show("import done", imported, "done")
    show("check done", checked, "done")
    fail_job(package, NOTHING_TO_PACKAGE, "no allegations match: nothing to package")
    show("package failed", package, "failed")
    internal = upload(False)
    fail_job(internal, INTERNAL, "RuntimeError")
    show("import failed inside", internal, "failed")

    leaks = {name: found for name, html in pages.items() if (found := untranslated(html))}
    assert not leaks, _report(leaks)


@pytest.mark.parametrize("language", ["be", "ru"])
def test_the_public_pages_and_the_error_pages_show_no_untranslated_english(client, coordinator, language):
    create_event(
        slug="2020-08-09",
        name="Election night",
        name_ru="Ночь выборов",
        name_be="Ноч выбараў",
        date=NOV8,
        actor=coordinator,
    )
    client.cookies["django_language"] = language
    pages = {
        "public figures": client.get(reverse("public_figures")),
        "login": client.get(reverse("login")),
        "not found": client.get("/no-such-page/"),
    }
    analyst = make_user("analyst")
    login(client, analyst)
    pages["forbidden"] = client.get(reverse("intake"))
    strict = Client(enforce_csrf_checks=True)
    strict.cookies["django_language"] = language
    pages["form check failed"] = strict.post(reverse("login"), {"username": "x", "password": "y"})
    from vigil.api.errors import server_error

    with translation.override(language):
        pages["server error"] = server_error(RequestFactory().get("/"))
    assert {name: r.status_code for name, r in pages.items()} == {
        "public figures": 200,
        "login": 200,
        "not found": 404,
        "forbidden": 403,
        "form check failed": 403,
        "server error": 500,
    }
    leaks = {name: found for name, r in pages.items() if (found := untranslated(r.content.decode()))}
    assert not leaks, _report(leaks)
    assert (
        'class="brand"' in pages["not found"].content.decode()
    )  # styled: the base template, not Django's bare page


def test_the_check_finds_english_left_on_a_page():
    page = (
        '<html><title>Затрыманні</title><p>4 записи</p><p>Awaiting trial</p><input placeholder="City"></html>'
    )
    assert untranslated(page) == ["Awaiting trial", "City"]


def test_the_language_switcher_names_each_language_in_itself(client, coordinator):
    login(client, coordinator)
    client.cookies["django_language"] = "ru"
    body = client.get(reverse("home")).content.decode()
    assert ">Беларуская</button>" in body and ">Русский</button>" in body and ">English</button>" in body
