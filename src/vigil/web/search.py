"""The filters of a list page: which detentions a list and its exports show."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

STATUS_LABELS = {
    "held": _("Held (no release recorded)"),
    "released": _("Released"),
    "charged": _("Charged"),
    "awaiting_trial": _("Awaiting trial"),
    "decided": _("Decided"),
}


class SearchForm(forms.Form):
    """A list page's filters. Choices are what the reference tables and the stored records hold, labelled in
    the user's language; an unknown value is a form error, shown, never silently ignored."""

    q = forms.CharField(label=_("Name"), required=False)
    event = forms.SlugField(required=False)
    city = forms.CharField(label=_("City"), required=False)
    day = forms.DateField(required=False)
    figure = forms.CharField(required=False)
    # Ids are 64-bit: a larger number is a form error, not an overflow in the database.
    person = forms.IntegerField(required=False, min_value=1, max_value=2**63 - 1)
    since = forms.DateField(
        label=_("Detained from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(label=_("to"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    unit = forms.ChoiceField(label=_("Unit"), required=False)
    facility = forms.ChoiceField(label=_("Held at"), required=False)
    article = forms.ChoiceField(label=_("Article"), required=False)
    outcome = forms.ChoiceField(label=_("Decision"), required=False)
    status = forms.ChoiceField(label=_("Status"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from vigil.cases.models import Charge
        from vigil.lib.reference import outcomes, units
        from vigil.records.models import Detention, Whereabouts
        from vigil.web.labels import facility_label, outcome_label, unit_label

        super().__init__(*args, **kwargs)
        stored_units = set(Detention.objects.exclude(unit="").values_list("unit", flat=True).distinct())
        self._choose("unit", ((u, unit_label(u)) for u in set(units()) | stored_units))
        stored_places = set(Whereabouts.objects.values_list("facility", flat=True).distinct())
        self._choose("facility", ((f, facility_label(f)) for f in stored_places))
        self._choose("article", ((a, a) for a in set(Charge.objects.values_list("article", flat=True))))
        self._choose("outcome", ((code, outcome_label(code)) for code in outcomes()))
        self._choose("status", STATUS_LABELS.items(), ordered=False)

    _any: list[tuple[str, Any]] = [("", _("any"))]

    def _choose(self, name: str, choices: Any, *, ordered: bool = True) -> None:
        """Offer "any" and ``choices`` (value, label) in field ``name``, sorted by label unless ``ordered``
        is false."""
        field = self.fields[name]
        assert isinstance(field, forms.ChoiceField)
        listed = list(choices)
        field.choices = self._any + (sorted(listed, key=lambda c: str(c[1])) if ordered else listed)

    def clean_city(self) -> str:
        """The city as records store it (intake keeps the reference name): typed in Belarusian, Russian or
        Latin letters, it finds the same records."""
        from vigil.lib.reference import city_name

        typed: str = self.cleaned_data.get("city") or ""
        return city_name(typed) if typed.strip() else ""

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            self.add_error("until", _("The end of the period is before its start."))
        return data

    @property
    def narrowing(self) -> dict[str, Any]:
        """The cleaned filters that :func:`vigil.figures.counting.narrowed` takes."""
        keys = ("since", "until", "unit", "facility", "article", "outcome", "status")
        return {k: self.cleaned_data[k] for k in keys if self.cleaned_data.get(k)}
