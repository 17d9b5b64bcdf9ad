"""The record-linkage review queue.

Reviewing is the coordinators' work: deciding whether two reports name one person needs the names as
reported, which analysts (who see pseudonyms) must not read. A card shows what the decision needs: each
side's name as reported and the other names already linked to that person, birth data, sex, home city, the
detention (day, city, place, event), the source, and a link to the record; then why the model scored the
pair as it did. After a verdict the queue says what was decided and offers to take it back.
"""

from __future__ import annotations

import re
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from vigil.accounts.models import Role
from vigil.audit.log import record as audit
from vigil.records.models import Identity
from vigil.review.operations import LinkError
from vigil.web.access import role_required

# The linkage comparisons and the prepared columns their levels name, in words a reviewer reads.
FIELD_LABELS = {
    "surname": gettext_lazy("Surname"),
    "given_name": gettext_lazy("Given name"),
    "patronymic": gettext_lazy("Patronymic"),
    "birth": gettext_lazy("Birth date"),
    "sex": gettext_lazy("Sex"),
    "city": gettext_lazy("City"),
    "detained_on": gettext_lazy("Day of detention"),
    "source": gettext_lazy("Source"),
}
COLUMN_WORDS = {
    "surname_key": "surname",
    "surname_phon": "surname sound",
    "given_id": "given name",
    "given_initial": "initial",
    "patronymic_id": "patronymic",
    "birth_date": "birth date",
    "birth_year": "birth year",
    "city_key": "city",
    "source_key": "source",
    "detained_on": "day of detention",
}
VERDICT_DONE = {
    "same": gettext_lazy("Marked as the same person: the two are merged."),
    "different": gettext_lazy(
        "Marked as different people: they are counted as two and will not be merged again."
    ),
    "unsure": gettext_lazy("Marked as unsure: the pair stays out of the figures' merges."),
}


def _words(level: str) -> str:
    for column, words in COLUMN_WORDS.items():
        level = level.replace(f'"{column}_l"', words).replace(f'"{column}_r"', words).replace(column, words)
    return level


# The linkage model's comparison levels (vigil.lib.linkage.model and Splink's defaults), said in the reader's
# language; a level not listed here is shown with its column names in words.
COLUMN_LABELS = {
    "surname_key": gettext_lazy("surname"),
    "surname_phon": gettext_lazy("surname sound"),
    "given_id": gettext_lazy("given name"),
    "given_initial": gettext_lazy("initial"),
    "patronymic_id": gettext_lazy("patronymic"),
    "birth_date": gettext_lazy("birth date"),
    "birth_year": gettext_lazy("birth year"),
    "city_key": gettext_lazy("city"),
    "source_key": gettext_lazy("source"),
    "detained_on": gettext_lazy("day of detention"),
}
LEVEL_LABELS = {
    "missing": gettext_lazy("missing on one side"),
    "All other comparisons": gettext_lazy("no agreement"),
    "given names alike (Jaro-Winkler >= 0.9)": gettext_lazy("given names alike (Jaro-Winkler ≥ 0.9)"),
    "initial agrees, full name on one side only": gettext_lazy("initial agrees, full name on one side only"),
    "same birth date": gettext_lazy("same birth date"),
    "birth dates one keystroke apart": gettext_lazy("birth dates one keystroke apart"),
    "same birth year, full date on one side only": gettext_lazy(
        "same birth year, full date on one side only"
    ),
    "same year, different date": gettext_lazy("same year, different date"),
    "birth years 1 apart": gettext_lazy("birth years 1 apart"),
    "within a day": gettext_lazy("within a day"),
    "within a month": gettext_lazy("within a month"),
}
EXACT = re.compile(r'^Exact match on "?(\w+?)"?$')
SIMILAR = re.compile(r'^Jaro-Winkler distance of "?(\w+?)"? >= ([0-9.]+)$')


def _level(level: str) -> str:
    if level in LEVEL_LABELS:
        return str(LEVEL_LABELS[level])
    if (m := EXACT.match(level)) and m.group(1) in COLUMN_LABELS:
        return gettext("%(what)s: exact match") % {"what": COLUMN_LABELS[m.group(1)]}
    if (m := SIMILAR.match(level)) and m.group(1) in COLUMN_LABELS:
        return gettext("%(what)s: similar (Jaro-Winkler ≥ %(t)s)") % {
            "what": COLUMN_LABELS[m.group(1)],
            "t": m.group(2),
        }
    return _words(level)


def _side(identity: Identity) -> dict[str, Any]:
    """What one report says of the person, and the names already linked to the same person."""
    detention = identity.detentions.select_related("event").first()
    others = [i.full_name for i in identity.person.identities.exclude(pk=identity.pk).order_by("pk")[:10]]
    return {
        "identity": identity,
        "other_names": sorted(set(others) - {identity.full_name}),
        "detention": detention,
        "source": identity.report.source.get_kind_display(),
    }


def _card(pair: Any) -> dict[str, Any]:
    return {
        "pair": pair,
        "joined": pair.left.person_id == pair.right.person_id,
        "left": _side(pair.left),
        "right": _side(pair.right),
        "explanation": [
            {
                "field": FIELD_LABELS.get(f.get("field", ""), f.get("field", "")),
                "level": _level(str(f.get("level", ""))),
                "weight": f.get("weight"),
            }
            for f in pair.explanation
        ],
    }


@role_required(Role.COORDINATOR)
def review_queue(request: HttpRequest) -> HttpResponse:
    """Uncertain pairs from record linkage, side by side with why the model scored them as it did."""
    from vigil.review.models import CandidatePair

    # Undecided pairs, whether linkage joined them (counted as one person until a reviewer splits them) or
    # kept them apart; a decided pair leaves the queue.
    pairs = CandidatePair.objects.filter(verdict="").select_related(
        "left__report__source", "right__report__source", "left__person", "right__person"
    )
    page = Paginator(pairs.order_by("-probability", "pk"), 20).get_page(request.GET.get("page"))
    if page.object_list:
        audit(request.user, "view.identity", None, review_pairs=[p.pk for p in page])
    last = None
    decided = request.session.get("review_last")
    if decided:
        last = CandidatePair.objects.filter(pk=decided, decided_by_id=request.user.pk).first()
    return render(
        request,
        "web/review_queue.html",
        {
            "page": page,
            "cards": [_card(p) for p in page],
            "last": last,
            "last_done": VERDICT_DONE.get(last.verdict) if last else None,
        },
    )


@role_required(Role.COORDINATOR)
@require_POST
def review_decide(request: HttpRequest, pk: int) -> HttpResponse:
    from vigil.review.models import CandidatePair
    from vigil.review.operations import decide_pair

    pair = get_object_or_404(CandidatePair, pk=pk)
    try:
        decided = decide_pair(pair, verdict=request.POST.get("verdict", ""), actor=request.user)
    except LinkError as exc:
        messages.error(request, str(exc))
    else:
        request.session["review_last"] = decided.pk
    return redirect(reverse("review_queue") + "?" + urlencode({"page": request.POST.get("page", "1")}))


@role_required(Role.COORDINATOR)
@require_POST
def review_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    """Take back one's own last verdict (and the merge a "same" made)."""
    from vigil.review.models import CandidatePair
    from vigil.review.operations import reopen_pair

    pair = get_object_or_404(CandidatePair, pk=pk, decided_by_id=request.user.pk)
    try:
        reopen_pair(pair, actor=request.user)
    except LinkError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Verdict taken back: the pair waits for review again."))
    request.session.pop("review_last", None)
    return redirect("review_queue")


@role_required(Role.COORDINATOR)
@require_POST
def review_run_linkage(request: HttpRequest) -> HttpResponse:
    """Queue a linkage run (a background task: it takes minutes on a large database) and show its page."""
    from vigil.jobs.operations import start_linkage

    job = start_linkage(actor=request.user)
    return redirect("job_detail", pk=job.pk)
