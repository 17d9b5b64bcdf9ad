"""The demo data set: synthetic, marked so everywhere, and its event page figures recomputed independently."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from django.core.management import call_command
from django.urls import reverse

from vigil.accounts.models import User
from vigil.cases.models import Case, Decision
from vigil.records.models import Detention, Event, Report

from ..factories import login

pytestmark = pytest.mark.slow


@pytest.fixture
def demo(db):
    from vigil.demo.load import load_demo

    return load_demo(n_detained=150, seed=7)


def _independent_figures(event: Event) -> dict:
    """Recount from raw rows with plain Python, sharing no code with vigil.figures."""
    ids = {event.pk} | set(Event.objects.filter(parent=event).values_list("pk", flat=True))
    rows = list(
        Detention.objects.filter(event_id__in=ids).values_list(
            "pk", "person_id", "head_count", "city", "detained_on"
        )
    )
    named = [r for r in rows if r[1] is not None]
    persons = {r[1] for r in named}
    by_city: dict[str, set] = {}
    for r in named:
        by_city.setdefault(r[3], set()).add(r[1])
    charged, decided = set(), set()
    for case in Case.objects.filter(detention_id__in=[r[0] for r in named]).prefetch_related(
        "charges", "decisions"
    ):
        if case.charges.all():
            charged.add(case.detention.person_id)
            if case.decisions.all():
                decided.add(case.detention.person_id)
    pending = set()
    for case in Case.objects.filter(detention_id__in=[r[0] for r in named]):
        if case.charges.exists() and not case.decisions.exists():
            pending.add(case.detention.person_id)
    return {
        "persons": len(persons),
        "detentions": len({(r[1], r[4]) for r in named}),
        "unnamed_head_count": sum(r[2] for r in rows if r[1] is None),
        "by_city": {c: len(p) for c, p in by_city.items()},
        "charged": len(charged),
        "decided": len(decided),
        "awaiting_trial": len(pending),
    }


def test_the_demo_event_page_shows_figures_recomputed_independently_from_the_records(demo, client):
    rally = Event.objects.filter(parent__isnull=True, is_synthetic=True).first()
    expected = _independent_figures(rally)
    out = io.StringIO()
    call_command("figures", rally.slug, "--json", stdout=out)
    got = json.loads(out.getvalue())
    for key in ("persons", "detentions", "unnamed_head_count", "charged", "decided", "awaiting_trial"):
        assert got[key] == expected[key], key
    assert {c["city"]: c["persons"] for c in got["by_city"] if c["persons"]} == expected["by_city"]
    login(client, User.objects.get(username="demo-coordinator"))
    body = client.get(reverse("event_detail", args=[rally.slug])).content.decode()
    assert 'data-figure="persons" href' in body and f">{expected['persons']:,}</a>" in body


def test_the_demo_persons_figure_is_a_floor_of_the_generated_truth(demo):
    # The generator knows who is who; the figure, counted after linkage, never exceeds it (issue 14).
    from vigil.figures.counting import detentions_for
    from vigil.lib.synthetic import generate_world

    truth = len({r.person_id for r in generate_world(150, seed=7).reports if r.person_id})
    counted = detentions_for(None).values("person_id").distinct().count()
    assert 0.95 * truth <= counted <= truth


def test_demo_data_is_marked_synthetic_in_the_ui_and_exports(demo, client):
    assert not Report.objects.filter(is_synthetic=False).exists()
    login(client, User.objects.get(username="demo-coordinator"))
    assert "SYNTHETIC DEMO DATA" in client.get(reverse("detention_list")).content.decode()
    exported = json.loads(client.get(reverse("detention_export", args=["json"])).content)
    assert exported["synthetic"] is True and all(r["synthetic"] for r in exported["rows"])


def test_the_demo_has_overlapping_sources_cases_and_allegations(demo):
    assert demo.reports > 150
    assert Detention.objects.values("report__source__kind").distinct().count() >= 3
    assert Decision.objects.exists() and Case.objects.filter(decisions__isnull=True).exists()
    assert demo.allegations > 0 and demo.evidence_files > 0
    rally = Event.objects.filter(parent__isnull=True, is_synthetic=True).first()
    assert rally.date == dt.date(2020, 11, 8)


def test_loading_the_demo_twice_adds_nothing(demo):
    from vigil.demo.load import load_demo

    reports = Report.objects.count()
    again = load_demo(n_detained=150, seed=7)
    assert not again.created and Report.objects.count() == reports


def test_the_demo_refuses_a_database_with_real_records(db):
    from vigil.demo.load import RealDataPresent, load_demo

    from ..factories import detain, make_user

    detain(make_user("coordinator"), "Иван Иванов")
    with pytest.raises(RealDataPresent):
        load_demo(n_detained=50)


def test_the_demo_refuses_an_instance_with_accounts_of_its_own_before_any_report(db):
    from vigil.accounts.models import User
    from vigil.demo.load import RealDataPresent, load_demo

    from ..factories import make_user

    make_user("coordinator", "olga")
    with pytest.raises(RealDataPresent, match="vigil init"):
        load_demo(n_detained=50)
    assert list(User.objects.values_list("username", flat=True)) == ["olga"]
