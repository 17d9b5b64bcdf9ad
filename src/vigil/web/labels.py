"""Human labels for reference codes, in the user's language: outcomes, facilities, units, articles, decisions.

The shipped tables carry their own English, Russian and Belarusian names; a code missing from a table (free
text typed where a code was expected, or a table from an older release) is shown as stored."""

from __future__ import annotations

from decimal import Decimal

from django.utils.formats import number_format
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from vigil.cases.models import Charge, Decision
from vigil.lib.reference import UnknownArticle, facilities, find_article, outcomes, units


def _lang() -> str:
    return (get_language() or "en").split("-")[0]


def _named(row: dict[str, str] | None, prefix: str, fallback: str) -> str:
    """A table row's name in the user's language (``<prefix>_ru``, ``_be``, ``_en``), falling back to English."""
    if row is None:
        return fallback
    return row.get(f"{prefix}_{_lang()}") or row.get(f"{prefix}_en") or fallback


def outcome_label(code: str) -> str:
    return _named(outcomes().get(code), "label", code)


def facility_label(facility: str) -> str:
    return _named(facilities().get(facility), "name", facility)


def unit_label(code: str) -> str:
    return _named(units().get(code), "name", code)


def article_title(article: str) -> str:
    """The title of an article of the legal table (Russian for Russian and Belarusian, else English)."""
    try:
        art = find_article(article)
    except UnknownArticle:
        return ""
    return art.title_ru if _lang() in {"ru", "be"} and art.title_ru else art.title_en


def charge_label(charge: Charge) -> str:
    text = _("art. %(article)s") % {"article": charge.article}
    if charge.part:
        text += " " + _("part %(part)s") % {"part": charge.part}
    text += f" {charge.code}"
    title = article_title(charge.article)
    return f"{text} — {title}" if title else text


def _amount(value: Decimal) -> str:
    """25.50 as 25.5 (25,5 in Russian), 10.00 as 10: base units as the decision gives them."""
    plain = value.quantize(Decimal(1)) if value == value.to_integral() else value.normalize()
    return number_format(plain, use_l10n=True)


def _money(value: Decimal) -> str:
    return number_format(value, decimal_pos=2, use_l10n=True)


def decision_label(decision: Decision) -> str:
    """The outcome with what it imposes: the fine in base units and BYN, days of arrest, hours, months."""
    parts = [outcome_label(decision.outcome)]
    if decision.fine_base_units:
        fine = _("%(units)s base units") % {"units": _amount(decision.fine_base_units)}
        if decision.fine_byn:
            fine += f" ({_money(decision.fine_byn)} BYN)"
        parts.append(fine)
    if decision.arrest_days:
        parts.append(_("%(n)d days of arrest") % {"n": decision.arrest_days})
    if decision.community_service_hours:
        parts.append(_("%(n)d hours of community service") % {"n": decision.community_service_hours})
    if decision.prison_months:
        parts.append(_("%(n)d months of prison") % {"n": decision.prison_months})
    return parts[0] + (": " + ", ".join(parts[1:]) if len(parts) > 1 else "")
