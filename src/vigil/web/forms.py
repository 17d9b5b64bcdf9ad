"""Forms turn raw input into domain values (DetentionInput and friends)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import uuid
from collections.abc import Mapping
from decimal import Decimal
from typing import Any, cast

from django import forms
from django.conf import settings
from django.forms.utils import ErrorDict, ErrorList
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from vigil.cases.models import CaseKind
from vigil.lib.reference import (
    UnknownArticle,
    article_choices,
    city_name,
    facilities,
    find_article,
    labels,
    outcomes,
    units,
    violation_types,
)
from vigil.records import bounds
from vigil.records.bounds import LABEL_MAX, NAME_MAX, NOTE_MAX, REPORT_TEXT_MAX, FieldRefused
from vigil.records.models import Event, Reliability, Sex, SourceKind
from vigil.records.operations import DetentionInput, SourceInput


def show_refusal(form: forms.Form, refused: FieldRefused) -> None:
    """An operation's refusal shown on the form's field of that name (on the form when it has none)."""
    form.add_error(refused.field if refused.field in form.fields else None, refused.reason)


# What <input type="date">, "time" and "datetime-local" accept and send, whatever the language: rendered in the
# locale's own format (03.12.2026 in Russian), the browser shows the field empty and the form comes back
# "required". Parsing takes ISO and the locale's formats (Django adds ISO to every locale's input formats).
ISO_DATE = "%Y-%m-%d"
ISO_TIME = "%H:%M"
ISO_DATETIME = "%Y-%m-%dT%H:%M"


def date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format=ISO_DATE)


def time_input() -> forms.TimeInput:
    return forms.TimeInput(attrs={"type": "time"}, format=ISO_TIME)


def datetime_input() -> forms.DateTimeInput:
    return forms.DateTimeInput(attrs={"type": "datetime-local"}, format=ISO_DATETIME)


class EventChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    """Events offered by their name in the language of the page."""

    def label_from_instance(self, obj: Event) -> str:
        return obj.localized_name(get_language())


# Choices are callables, evaluated when a form renders: their labels follow the language of that request.
def facility_choices() -> list[tuple[str, str]]:
    return [("", "—")] + [(k, labels.facility_label(k, get_language())) for k in facilities()]


def unit_choices() -> list[tuple[str, str]]:
    return [("", "—")] + [(k, labels.unit_label(k, get_language())) for k in units()]


def localized_article_choices() -> list[tuple[str, str]]:
    return sorted(
        ((k, labels.article_choice_label(k, get_language())) for k, _label in article_choices()),
        key=lambda kv: kv[1],
    )


def outcome_choices() -> list[tuple[str, str]]:
    return [(k, labels.outcome_label(k, get_language())) for k in outcomes()]


def violation_choices() -> list[tuple[str, str]]:
    return [(v, labels.violation_label(v, get_language())) for v in violation_types()]


class AmountField(forms.DecimalField):
    """A decimal amount typed as text, "25,5" or "25.5" in every language.

    Not ``type=number``: browsers read such a field by their own locale (a Russian-locale browser turns
    "25.5" into nothing, an English one "25,5" into 255), so the field is text with a decimal keypad and
    the form reads it. One separator only; spaces between digit groups are allowed, other separators not."""

    default_error_messages = {
        "invalid": _("Enter an amount such as 25,5 or 25.5."),
    }

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}))
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> Decimal | None:  # type: ignore[override]
        if value in self.empty_values:
            return None
        text = "".join(str(value).split())  # spaces, no-break spaces and thin spaces between digit groups
        if text.count(",") + text.count(".") > 1:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        text = text.replace(",", ".")
        if not _AMOUNT.fullmatch(text):
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return Decimal(text)


_AMOUNT = re.compile(r"[0-9]+(\.[0-9]+)?|\.[0-9]+")


def mark_first_error(form: forms.Form) -> str | None:
    """Give the first field with an error (in the form's order) the focus when the page loads; its name."""
    for name, field in form.fields.items():
        if name in form.errors and not field.widget.is_hidden:
            field.widget.attrs["autofocus"] = True
            return name
    return None


# What one call shares between the detainees it reports: kept for the next form until the volunteer changes it.
Carried = dict[str, str | int]


class PersonDetailsForm(forms.Form):
    """The details of a detained person that a report's form and each further detainee's block both ask
    for, with the same labels and limits."""

    held_at = forms.ChoiceField(label=_("Where held now"), choices=facility_choices, required=False)
    injuries = forms.CharField(
        label=_("Injuries known to the caller"),
        max_length=NOTE_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    birth_date = forms.DateField(label=_("Date of birth"), required=False, widget=date_input())
    birth_year = forms.IntegerField(label=_("Year of birth"), min_value=1900, max_value=2030, required=False)
    sex = forms.ChoiceField(label=_("Sex"), choices=[("", "—"), *Sex.choices], required=False)
    home_city = forms.CharField(label=_("Home city"), max_length=100, required=False)

    def check_birth_year(self, data: dict[str, Any]) -> tuple[dt.date | None, int | None]:
        """An error when the year of birth is not the birth date's; returns the two."""
        bd, by = data.get("birth_date"), data.get("birth_year")
        if bd and by and bd.year != by:
            self.add_error("birth_year", _("The year does not match the date of birth."))
        return bd, by


class IntakeForm(PersonDetailsForm):
    """A hotline call in under a minute: only the date and city are required.

    Fields come in the order of the page: the call's date, city and event first (they carry over to the next
    report of the same call), then the person, then the rest."""

    CARRIED = ("detained_on", "city", "event", "source_kind", "source_name", "source_contact", "reliability")
    CALLER = ("source_name", "source_contact")  # personal: carried only to the page right after a save
    # Behind "More about the person" (a collapsed <details>, opened when one of them has an error).
    MORE = ("birth_date", "birth_year", "sex", "home_city")
    field_order = [
        "detained_on",
        "detained_time",
        "city",
        "event",
        "full_name",
        "head_count",
        "place",
        "unit",
        "held_at",
        "injuries",
        *MORE,
        "source_kind",
        "source_name",
        "source_contact",
        "reliability",
        "raw_text",
    ]

    report_uuid = forms.UUIDField(widget=forms.HiddenInput)
    full_name = forms.CharField(
        label=_("Name of the detained person"),
        max_length=NAME_MAX,
        required=False,
        help_text=_("As the caller says it, in any script. Leave empty for an unnamed group."),
    )
    head_count = forms.IntegerField(
        label=_("Number of people (unnamed group)"),
        min_value=1,
        max_value=10000,
        required=False,
    )
    event = EventChoiceField(label=_("Rally or event"), queryset=Event.objects.all(), required=False)
    detained_on = forms.DateField(label=_("Date of detention"), widget=date_input())
    detained_time = forms.TimeField(label=_("Time"), required=False, widget=time_input())
    city = forms.CharField(label=_("City"), max_length=100)
    place = forms.CharField(label=_("Place (street, metro station)"), max_length=LABEL_MAX, required=False)
    unit = forms.ChoiceField(label=_("Detained by"), choices=unit_choices, required=False)
    source_kind = forms.ChoiceField(
        label=_("Who is calling"), choices=SourceKind.choices, initial=SourceKind.RELATIVE
    )
    source_name = forms.CharField(label=_("Caller (e.g. wife, friend)"), max_length=LABEL_MAX, required=False)
    source_contact = forms.CharField(label=_("Caller's contact"), max_length=LABEL_MAX, required=False)
    reliability = forms.ChoiceField(
        label=_("Reliability"), choices=Reliability.choices, initial=Reliability.UNKNOWN
    )
    raw_text = forms.CharField(
        label=_("What the caller said"),
        max_length=REPORT_TEXT_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, carried: Carried | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            for name, value in self._from_carried(carried or {}).items():
                self.initial.setdefault(name, value)
            self.initial.setdefault("report_uuid", uuid.uuid4())
            self.initial.setdefault("detained_on", timezone.localdate())

    def _from_carried(self, carried: Carried) -> dict[str, object]:
        """The carried values that still make sense (a stored date that no longer parses is dropped)."""
        values: dict[str, object] = {}
        for name in self.CARRIED:
            value = carried.get(name)
            if value in (None, ""):
                continue
            if name == "detained_on":
                try:
                    values[name] = dt.date.fromisoformat(str(value))
                except ValueError:
                    continue
            else:
                values[name] = value
        return values

    def carried_over(self) -> Carried:
        """What the next report of this call starts from: this one's date, city, event and caller."""
        d = self.cleaned_data
        carried: Carried = {
            "detained_on": d["detained_on"].isoformat(),
            "city": d["city"],
            "source_kind": d["source_kind"],
            "source_name": d.get("source_name") or "",
            "source_contact": d.get("source_contact") or "",
            "reliability": d["reliability"],
        }
        if d.get("event") is not None:
            carried["event"] = d["event"].pk
        return carried

    @property
    def more_has_errors(self) -> bool:
        return any(name in self.errors for name in self.MORE)

    @property
    def more_fields(self) -> list[forms.BoundField]:
        """The fields of :attr:`MORE`, in order, as the page shows them."""
        return [self[name] for name in self.MORE]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        name = (data.get("full_name") or "").strip()
        head_count = data.get("head_count")
        if name and head_count and head_count != 1:
            self.add_error("head_count", _("Give either a name or a number of unnamed people, not both."))
        if not name and not head_count:
            self.add_error("full_name", _("Give the person's name, or the number of unnamed people."))
        bd, by = self.check_birth_year(data)
        day = data.get("detained_on")
        if day and day > timezone.localdate() + dt.timedelta(days=1):
            self.add_error("detained_on", _("The date of detention is in the future."))
        elif day:
            try:
                bounds.check_detained_on(day)
                bounds.check_birth(bd, by, day)
            except FieldRefused as refused:
                show_refusal(self, refused)
        return data

    def detention_input(self) -> DetentionInput:
        d = self.cleaned_data
        detained_at = None
        if d.get("detained_time"):
            detained_at = timezone.make_aware(dt.datetime.combine(d["detained_on"], d["detained_time"]))
        name = (d.get("full_name") or "").strip()
        return DetentionInput(
            detained_on=d["detained_on"],
            city=city_name(d["city"]),
            full_name=name,
            head_count=1 if name else (d.get("head_count") or 1),
            birth_date=d.get("birth_date"),
            birth_year=d.get("birth_year"),
            sex=d.get("sex") or "",
            home_city=d.get("home_city") or "",
            event=d.get("event"),
            detained_at=detained_at,
            place=d.get("place") or "",
            unit=d.get("unit") or "",
            held_at=d.get("held_at") or "",
            injuries=d.get("injuries") or "",
        )

    def source_input(self) -> SourceInput:
        d = self.cleaned_data
        return SourceInput(
            kind=d["source_kind"],
            name=d.get("source_name") or str(SourceKind(d["source_kind"]).label),
            reliability=d["reliability"],
            contact=d.get("source_contact") or "",
        )


class DetaineeForm(PersonDetailsForm):
    """One more detainee of the same call (the first is the intake form's own "Who"): the person alone, each
    with its own report UUID; the date, city, event, place and caller are the call's, entered once."""

    PERSON = ("full_name", "birth_date", "birth_year", "sex", "home_city", "held_at", "injuries")
    field_order = ["uuid", *PERSON]

    uuid = forms.UUIDField(widget=forms.HiddenInput)
    full_name = forms.CharField(label=_("Name of the detained person"), max_length=NAME_MAX, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("uuid", uuid.uuid4())

    @property
    def is_blank(self) -> bool:
        """Nothing typed into this block: it is left out, not refused."""
        data = getattr(self, "cleaned_data", {})
        return not any(data.get(name) not in (None, "") for name in self.PERSON)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not self.is_blank and not (data.get("full_name") or "").strip() and "full_name" not in self.errors:
            self.add_error("full_name", _("Give the person's name, or leave this detainee's fields empty."))
        self.check_birth_year(data)
        return data

    def detention_input(self, call: DetentionInput) -> DetentionInput:
        """This detainee with the call's shared details (date, time, city, event, place, unit)."""
        d = self.cleaned_data
        return dataclasses.replace(
            call,
            full_name=" ".join((d.get("full_name") or "").split()),
            head_count=1,
            birth_date=d.get("birth_date"),
            birth_year=d.get("birth_year"),
            sex=d.get("sex") or "",
            home_city=d.get("home_city") or "",
            held_at=d.get("held_at") or "",
            injuries=d.get("injuries") or "",
        )


class BaseDetaineeFormSet(forms.BaseFormSet):  # type: ignore[type-arg]
    def blocks(self) -> list[DetaineeForm]:
        """The detainee blocks with something typed into them, in page order."""
        return [f for f in self.forms if isinstance(f, DetaineeForm) and not f.is_blank]

    def show_as_typed(self) -> None:
        """Render the blocks as typed without judging them (a block was added, nothing submitted yet)."""
        for f in self.forms:
            setattr(f, "_errors", ErrorDict())  # noqa: B010
            f.cleaned_data = {}
        setattr(self, "_errors", [])  # noqa: B010 (private to Django's formset, not in its stubs)
        setattr(self, "_non_form_errors", ErrorList())  # noqa: B010


# "more-0-full_name", ...: no more than 50 blocks in one call (an unnamed group has its own field).
DetaineeFormSet = forms.formset_factory(
    DetaineeForm, formset=BaseDetaineeFormSet, extra=0, max_num=50, validate_max=True, absolute_max=50
)
DETAINEES_PREFIX = "more"


def detainee_formset(data: Mapping[str, Any] | None = None) -> BaseDetaineeFormSet:
    return cast(BaseDetaineeFormSet, DetaineeFormSet(data, prefix=DETAINEES_PREFIX))


class CorrectionForm(IntakeForm):
    """A report corrected by its author: the intake form without the caller (the correction is the same
    source's), starting from what was stored."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("source_kind", "source_name", "source_contact", "reliability"):
            del self.fields[name]


def check_article(
    form: forms.Form, article: str, detained_on: dt.date | None, kind: str, *, kind_field: str
) -> None:
    """Errors on ``form`` when ``article`` was not in force on the day of the detention (on its field) or
    belongs to the other ``kind`` of case (on ``kind_field``)."""
    if not article or detained_on is None:
        return
    try:
        art = find_article(article, on=detained_on)
    except UnknownArticle:
        form.add_error(
            "article",
            _("Article %(article)s was not in force on %(day)s, the day of the detention.")
            % {"article": article, "day": detained_on.isoformat()},
        )
        return
    if kind and art.is_criminal != (kind == CaseKind.CRIMINAL):
        form.add_error(kind_field, _("This article belongs to the other kind of case."))


class CaseForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=CaseKind.choices)
    article = forms.ChoiceField(label=_("Article"), choices=localized_article_choices)
    part = forms.CharField(label=_("Part"), max_length=10, required=False)
    number = forms.CharField(label=_("Case number"), max_length=60, required=False)
    court = forms.CharField(label=_("Court"), max_length=LABEL_MAX, required=False)
    judge = forms.CharField(label=_("Judge"), max_length=LABEL_MAX, required=False)

    def __init__(self, *args: Any, detained_on: dt.date | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.detained_on = detained_on

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        check_article(
            self, data.get("article", ""), self.detained_on, data.get("kind", ""), kind_field="kind"
        )
        return data


class DecisionForm(forms.Form):
    decided_on = forms.DateField(label=_("Date of decision"), widget=date_input())
    outcome = forms.ChoiceField(label=_("Decision"), choices=outcome_choices)
    fine_base_units = AmountField(
        label=_("Fine, base units"),
        min_value=Decimal("0.01"),
        max_digits=8,
        decimal_places=2,
        required=False,
        help_text=_("For example 25,5 or 25.5."),
    )
    arrest_days = forms.IntegerField(label=_("Arrest, days"), min_value=1, max_value=365, required=False)
    community_service_hours = forms.IntegerField(
        label=_("Community service, hours"),
        min_value=1,
        max_value=bounds.MAX_COMMUNITY_SERVICE_HOURS,
        required=False,
    )
    prison_months = forms.IntegerField(
        label=_("Prison term, months"), min_value=1, max_value=bounds.MAX_PRISON_MONTHS, required=False
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("outcome") in {"fine", "criminal_fine"} and not data.get("fine_base_units"):
            self.add_error("fine_base_units", _("A fine needs its amount."))
        if data.get("outcome") == "administrative_arrest" and not data.get("arrest_days"):
            self.add_error("arrest_days", _("An arrest needs its length in days."))
        return data


class ChargeForm(forms.Form):
    """A further charge on a case: an article of the case's kind in force on the day of the detention."""

    article = forms.ChoiceField(label=_("Article"), choices=localized_article_choices)
    part = forms.CharField(label=_("Part"), max_length=10, required=False)

    def __init__(self, *args: Any, detained_on: dt.date | None = None, kind: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.detained_on = detained_on
        self.kind = kind

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        check_article(self, data.get("article", ""), self.detained_on, self.kind, kind_field="article")
        return data


class HearingForm(forms.Form):
    held_on = forms.DateField(label=_("Hearing date"), widget=date_input())
    court = forms.CharField(label=_("Court"), max_length=LABEL_MAX, required=False)
    judge = forms.CharField(label=_("Judge"), max_length=LABEL_MAX, required=False)


class ReleaseForm(forms.Form):
    released_at = forms.DateTimeField(label=_("Released at"), widget=datetime_input())


class WhereaboutsForm(forms.Form):
    facility = forms.ChoiceField(label=_("Now held at"), choices=facility_choices)
    since = forms.DateTimeField(label=_("Since"), widget=datetime_input())


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field (Django's documented recipe): cleans to a list of uploads."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"multiple": True}))
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data]
        return [single(data, initial)] if data else []


class AllegationForm(forms.Form):
    """An allegation of ill-treatment with its evidence files; each file is hashed and encrypted on arrival."""

    violation_type = forms.ChoiceField(label=_("What happened"), choices=violation_choices)
    occurred_at = forms.DateTimeField(label=_("When"), required=False, widget=datetime_input())
    place = forms.CharField(label=_("Where (bus, yard, cell, station)"), max_length=LABEL_MAX, required=False)
    perpetrator_unit = forms.ChoiceField(label=_("By whom"), choices=unit_choices, required=False)
    injuries = forms.CharField(
        label=_("Injuries"), max_length=NOTE_MAX, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    medical_documentation = forms.BooleanField(label=_("Medical documentation exists"), required=False)
    narrative = forms.CharField(
        label=_("Account"), max_length=NOTE_MAX, required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    evidence = MultipleFileField(label=_("Evidence files (photos, medical notes)"), required=False)

    def clean_evidence(self) -> list[Any]:
        files: list[Any] = self.cleaned_data["evidence"]
        limit = int(settings.VIGIL_EVIDENCE_MAX_BYTES)
        for f in files:
            if f.size > limit:
                raise forms.ValidationError(
                    _("%(name)s is larger than the limit of %(limit)s bytes for one evidence file."),
                    params={"name": f.name, "limit": limit},
                )
        return files
