"""What the worker processes run (``core.py --worker MODE``), after django.setup()."""

from __future__ import annotations

import json
import os
import secrets
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from .build import build_event
from .check import check_bulk_path
from .env import EVENT


# ---------------------------------------------------------------------------------- worker processes
def time_event(slug: str) -> dict[str, Any]:
    """The event page through the Django test client (median of 5 after a warm-up), the queries of one
    more request, and event_figures() in process (median of 5)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from vigil.accounts.models import Role, User
    from vigil.figures.counting import event_figures
    from vigil.records.models import Event

    # A coordinator who has passed two-factor sign-in (a confirmed TOTP device in the session).
    coordinator = User.objects.get(username=f"demo-{Role.COORDINATOR}")
    device = TOTPDevice.objects.create(user=coordinator, name="bench", confirmed=True)
    client = Client()
    client.force_login(coordinator)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    url = reverse("event_detail", args=[slug])
    response = client.get(url)
    if response.status_code != 200:
        raise RuntimeError(f"event page answered {response.status_code} {response.get('Location', '')}")
    runs = []
    for _ in range(5):
        started = time.perf_counter()
        client.get(url)
        runs.append(time.perf_counter() - started)
    with CaptureQueriesContext(connection) as captured:
        client.get(url)
    queries: list[dict[str, Any]] = sorted(
        ({"seconds": float(q["time"]), "sql": q["sql"]} for q in captured.captured_queries),
        key=lambda q: -q["seconds"],
    )
    explain: list[str] = []
    if queries:
        prefix = "EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN (ANALYZE, BUFFERS) "
        try:
            with connection.cursor() as cur:
                cur.execute(prefix + queries[0]["sql"])
                explain = [" ".join(str(c) for c in row) for row in cur.fetchall()]
        except Exception as exc:  # noqa: BLE001 - a plan is a diagnostic, never a failure
            explain = [f"(no plan: {exc})"]
    event = Event.objects.get(slug=slug)
    figure_runs = []
    for _ in range(5):
        started = time.perf_counter()
        figures = event_figures(event)
        figure_runs.append(time.perf_counter() - started)
    return {
        "page": statistics.median(runs),
        "page_runs": runs,
        "page_queries": len(queries),
        "page_query_seconds": sum(q["seconds"] for q in queries),
        "slowest_queries": queries[:5],
        "explain": explain,
        "figures": {
            "seconds": statistics.median(figure_runs),
            "persons": figures["persons"],
            "detentions": figures["detentions"],
            "unnamed_head_count": figures["unnamed_head_count"],
        },
    }


def _django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vigil.settings")
    import django

    django.setup()
    from vigil.protection import instance, keys

    # A fresh data directory per measurement, made as `vigil init` makes one (no command does it by the way).
    if not keys.keystore().exists():
        keys.create(instance.new_passphrase(prompt=False))


def worker_event(size: int, build: str, check_size: int) -> dict[str, Any]:
    _django()
    from django.core.management import call_command

    started = time.perf_counter()
    call_command("migrate", interactive=False, verbosity=0)
    migrate = time.perf_counter() - started
    check: dict[str, Any] = {}
    if check_size:
        started = time.perf_counter()
        check = check_bulk_path(check_size)
        check["seconds"] = time.perf_counter() - started
    started = time.perf_counter()
    built = build_event(size, build)
    build_seconds = time.perf_counter() - started
    timing = time_event(EVENT)
    print(f"[worker] database settings: {_db_settings()}", file=sys.stderr)
    return {"migrate": migrate, "check": check, "build": built, "build_seconds": build_seconds, **timing}


def _db_settings() -> dict[str, Any]:
    from django.conf import settings

    db: dict[str, Any] = dict(settings.DATABASES["default"])
    return {
        "engine": db["ENGINE"],
        "conn_max_age": db.get("CONN_MAX_AGE", 0),
        "init_command": db.get("OPTIONS", {}).get("init_command", ""),
    }


def worker_intake_prepare(clients: int) -> dict[str, Any]:
    _django()
    from django.core.management import call_command

    from vigil.accounts.models import Role, User
    from vigil.records.operations import create_event

    call_command("migrate", interactive=False, verbosity=0)
    logins = []
    for i in range(clients):
        password = secrets.token_urlsafe(12)
        user = User(username=f"bench-volunteer-{i}", role=Role.VOLUNTEER)
        user.set_password(password)
        user.save()
        logins.append((user.username, password))
    import datetime as dt

    coordinator = User.objects.create(username="bench-coordinator", role=Role.COORDINATOR)
    event = create_event(
        slug="bench-intake",
        name="SYNTHETIC intake benchmark",
        date=dt.date(2020, 11, 8),
        actor=coordinator,
        is_synthetic=True,
    )
    return {"logins": logins, "event": event.pk, "db": _db_settings()}


def worker_intake_verify(expect_path: str) -> dict[str, Any]:
    _django()
    from django.db.models import Count

    from vigil.audit.log import verify
    from vigil.records.models import Detention, Report, ReportConflict

    expect = json.loads(Path(expect_path).read_text())
    saved, attempted, resent = set(expect["saved"]), set(expect["attempted"]), set(expect["resent"])
    reports = Report.objects.filter(kind="detention")
    stored = {str(u) for u in reports.values_list("uuid", flat=True)}
    duplicates = reports.values("uuid").annotate(n=Count("id")).filter(n__gt=1).count()
    per_resent = dict(
        Report.objects.filter(uuid__in=list(resent))
        .values_list("uuid")
        .annotate(n=Count("id"))
        .values_list("uuid", "n")
    )
    return {
        "reports": reports.count(),
        "distinct_uuids": len(stored),
        "duplicate_uuids": duplicates,
        "detentions": Detention.objects.filter(report__kind="detention").count(),
        "saved_but_missing": len(saved - stored),
        "stored_but_not_saved": len(stored - saved),
        "stored_but_never_sent": len(stored - attempted),
        "resent_stored_more_than_once": sum(1 for n in per_resent.values() if n != 1),
        "conflicts": ReportConflict.objects.count(),
        "audit_problems": len(verify()),
    }
