from __future__ import annotations

import io
from pathlib import Path

from django.core.management import call_command

from vigil.cases.models import Case, Decision
from vigil.exchange.court_lists import decide_court_match
from vigil.exchange.models import CourtListMatch
from vigil.records.models import Detention

from ..factories import detain

LIST = (
    "court,judge,full_name,article,decision,decided_on\n"
    "Суд Центрального района,Судья Пример,ТИХАНОВСКИЙ Сергей Леонидович,23.34 ч.1,штраф 20 б.в.,09.11.2020\n"
    "Суд Центрального района,Судья Пример,Иванов Иван,23.34,арест 15 суток,09.11.2020\n"
)


def _run(tmp_path: Path, *extra: str) -> str:
    path = tmp_path / "court.csv"
    path.write_text(LIST, encoding="utf-8")
    out = io.StringIO()
    call_command("import", str(path), "--source", "SYNTHETIC court list", "--court-list", *extra, stdout=out)
    return out.getvalue()


def test_a_clear_match_updates_the_case_and_an_ambiguous_one_waits_for_review(coordinator, tmp_path):
    sure = detain(coordinator, "Сяргей Ціханоўскі").detention
    detain(coordinator, "Иван Иванов", birth_year=1990)
    detain(coordinator, "Иван Иванов", birth_year=1971)
    out = _run(tmp_path)
    assert "2 hearings, 1 applied to cases, 1 for review" in out
    decision = Decision.objects.get(case__detention=sure)
    assert (decision.outcome, decision.fine_base_units) == ("fine", 20)
    pending = CourtListMatch.objects.get(status="pending")
    assert len(pending.candidates) == 2


def test_a_reviewer_applies_the_hearing_to_the_chosen_detention(coordinator, tmp_path):
    detain(coordinator, "Иван Иванов", birth_year=1990)
    other = detain(coordinator, "Иван Иванов", birth_year=1971).detention
    _run(tmp_path)
    match = next(m for m in CourtListMatch.objects.filter(status="pending") if m.candidates)
    decide_court_match(match, detention=other, actor=coordinator)
    assert Case.objects.get(detention=other).decisions.get().arrest_days == 15


def test_the_same_court_list_twice_changes_nothing(coordinator, tmp_path):
    detain(coordinator, "Сяргей Ціханоўскі")
    _run(tmp_path)
    out = _run(tmp_path)
    assert "0 applied to cases, 0 for review, 2 already stored" in out
    assert Decision.objects.count() == 1 and Detention.objects.count() == 1


def test_the_review_page_lists_candidates_and_applies_the_choice(client, coordinator, tmp_path):
    from django.urls import reverse

    from ..factories import login

    detain(coordinator, "Иван Иванов", birth_year=1990)
    other = detain(coordinator, "Иван Иванов", birth_year=1971).detention
    _run(tmp_path)
    match = next(m for m in CourtListMatch.objects.filter(status="pending") if m.candidates)
    login(client, coordinator)
    body = client.get(reverse("court_matches")).content.decode()
    assert "Иванов Иван" in body and f'value="{other.pk}"' in body
    client.post(reverse("court_matches"), {"match": match.pk, "detention": other.pk})
    match.refresh_from_db()
    assert match.status == "applied" and Case.objects.filter(detention=other).exists()
