"""Human labels for reference codes, in the user's language: outcomes, facilities, units, articles, decisions.

The shipped tables carry their own English, Russian and Belarusian names; a code missing from a table (free
text typed where a code was expected, or a table from an older release) is shown as stored."""

from __future__ import annotations

from decimal import Decimal

from django.utils.formats import number_format
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from vigil.cases.models import Charge, Decision
from vigil.lib.reference import labels


def _lang() -> str:
    return (get_language() or "en").split("-")[0]


# The names come from vigil.lib.reference.labels (one source for templates, forms and these views).
def outcome_label(code: str) -> str:
    return labels.outcome_label(code, _lang())


def facility_label(facility: str) -> str:
    return labels.facility_label(facility, _lang())


def unit_label(code: str) -> str:
    return labels.unit_label(code, _lang())


def city_label(city: str) -> str:
    return labels.city_label(city, _lang())


def violation_label(code: str) -> str:
    return labels.violation_label(code, _lang())


def article_title(article: str, part: str = "") -> str:
    """The title of an article of the legal table in the user's language, or "" when it is not in it."""
    return labels.article_title(article, part, _lang())


def charge_label(charge: Charge) -> str:
    text = labels.charge_label(charge.code, charge.article, charge.part, _lang())
    title = article_title(charge.article, charge.part)
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


def estimate_plot_labels() -> dict[str, str]:
    """The words of vigil.lib.estimate.plots (its ``DEFAULT_LABELS`` keys) in the user's language, for its
    ``labels`` argument. The placeholders in braces are filled by the plots, so a translation keeps them."""
    return {
        "posterior_title": _("Estimated total: how likely each number is"),
        "floor": _("documented: {n}"),
        "median": _("median {n}"),
        # xgettext:no-python-format
        "interval": _("95% interval"),
        "dga_posterior_title": _("Graphical-model averaging (dga): how likely each number is"),
        "grid_height": _("height: the probability of exactly that number (highest {p})"),
        "profile_title": _("Profile likelihood of the total ({model})"),
        "profile_axis": _("relative likelihood"),
        "overlaps_title": _("How the lists overlap"),
        "people": _("people"),
        "other_patterns": _("{k} other combinations"),
    }
