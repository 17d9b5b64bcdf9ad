"""Reference values and internal keys shown as labels in the active language.

Templates never print a stored key (a city's conventional name, a facility or outcome code, a figure's
name): ``{% load vigil_labels %}`` and ``{{ d.city|city }}``, ``{{ dec.outcome|outcome }}``, ...
"""

from __future__ import annotations

from django import template
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from vigil.lib.reference import labels

register = template.Library()

FIGURE_LABELS = {
    "persons": _("Persons detained"),
    "detentions": _("Detentions"),
    "unnamed_head_count": _("Unnamed people in group reports"),
    "charged": _("Charged"),
    "decided": _("Decided"),
    "awaiting_trial": _("Awaiting trial"),
    "punished_by_next_day": _("Fined or arrested under 23.34/24.23 by the next day"),
}


@register.filter
def city(value: str | None) -> str:
    return labels.city_label(value or "", get_language())


@register.filter
def facility(value: str | None) -> str:
    return labels.facility_label(value or "", get_language())


@register.filter
def unit(value: str | None) -> str:
    return labels.unit_label(value or "", get_language())


@register.filter
def outcome(value: str | None) -> str:
    return labels.outcome_label(value or "", get_language())


@register.filter
def violation(value: str | None) -> str:
    return labels.violation_label(value or "", get_language())


@register.filter
def charge(value: object) -> str:
    """A Charge (anything with code, article and part) as a lawyer writes it."""
    return labels.charge_label(
        str(getattr(value, "code", "")),
        str(getattr(value, "article", "")),
        str(getattr(value, "part", "")),
        get_language(),
    )


@register.filter
def article_title(value: object) -> str:
    return labels.article_title(
        str(getattr(value, "article", "")), str(getattr(value, "part", "")), get_language()
    )


@register.filter
def event_name(value: object) -> str:
    """An Event's name in the active language (its English name when none was given)."""
    localized = getattr(value, "localized_name", None)
    return str(localized(get_language())) if callable(localized) else str(value or "")


@register.filter
def figure(value: str | None) -> str:
    return str(FIGURE_LABELS.get(value or "", value or ""))
