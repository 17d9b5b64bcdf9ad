"""Sources, reports, persons and their reported identities, events, detentions and whereabouts.

Reports are the ground truth: immutable once submitted. Every other record cites the report it came from.
A *person* is a cluster of reported identities; merges and splits move identities between persons and are
recorded as decisions (see ``vigil.review``), so no report or identity is ever deleted.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from vigil.protection.sealing import SealedJSONField, SealedModel, SealedTextField


class ImmutableError(ValueError):
    pass


class SourceKind(models.TextChoices):
    HOTLINE = "hotline", _("Hotline call")
    RELATIVE = "relative", _("Relative or acquaintance")
    LAWYER = "lawyer", _("Lawyer")
    COURT_LIST = "court_list", _("Court list")
    MEDIA = "media", _("Media")
    OFFICIAL = "official", _("Official statement")
    VOLUNTEER_SHEET = "volunteer_sheet", _("Volunteer sheet")
    DETAINEE = "detainee", _("The detainee")
    OTHER = "other", _("Other")


class Reliability(models.TextChoices):
    CONFIRMED = "A", _("Confirmed by documents")
    RELIABLE = "B", _("Usually reliable")
    FAIR = "C", _("Fairly reliable")
    UNKNOWN = "D", _("Reliability unknown")


class Sex(models.TextChoices):
    MALE = "m", _("male")
    FEMALE = "f", _("female")


class Source(SealedModel):
    kind = models.CharField(max_length=20, choices=SourceKind.choices)
    name = SealedTextField(
        help_text=_("Who told us, e.g. 'wife', 'lawyer N', 'Court of Central district list'")
    )
    reliability = models.CharField(max_length=1, choices=Reliability.choices, default=Reliability.UNKNOWN)
    contact = SealedTextField(blank=True)
    # Keyed hash of kind, name and contact: finds an existing source without reading sealed columns.
    lookup = models.CharField(max_length=64, db_index=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    is_synthetic = models.BooleanField(default=False)

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"


class ReportQuerySet(QuerySet["Report"]):
    def visible_to(self, user: Any) -> ReportQuerySet:
        from vigil.accounts.models import Role

        if user.has_role(Role.COORDINATOR, Role.ANALYST, Role.LAWYER):
            return self
        # Volunteers see only their own submissions of the last two days.
        since = dt.datetime.now(dt.UTC) - dt.timedelta(days=2)
        return self.filter(submitted_by=user, received_at__gte=since)


class Report(SealedModel):
    """One source's account as received; immutable once stored."""

    uuid = models.UUIDField(unique=True, default=uuid.uuid4)
    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="reports")
    received_at = models.DateTimeField()
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind = models.CharField(max_length=32, default="detention")
    raw_text = SealedTextField(blank=True)
    payload = SealedJSONField(default=dict)
    content_hash = models.CharField(max_length=64)
    is_synthetic = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ReportQuerySet.as_manager()

    class Meta:
        ordering = ["-received_at", "-id"]

    def __str__(self) -> str:
        return f"Report {self.uuid}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise ImmutableError("a submitted report cannot be changed; submit a correction instead")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise ImmutableError("reports are never deleted")


class ReportConflict(SealedModel):
    """A different report submitted under a UUID already used: kept for a coordinator to review."""

    uuid = models.UUIDField()
    payload = SealedJSONField()
    content_hash = models.CharField(max_length=64)
    received_at = models.DateTimeField(auto_now_add=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL)
    resolved = models.BooleanField(default=False)

    def __str__(self) -> str:
        return f"Conflict on report {self.uuid}"


class Person(models.Model):
    """One real individual: the cluster of reported identities linked to them."""

    created_at = models.DateTimeField(auto_now_add=True)
    consent_to_publish = models.BooleanField(default=False)
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    is_synthetic = models.BooleanField(default=False)

    def __str__(self) -> str:
        return f"Person #{self.pk}"

    @property
    def pseudonym(self) -> str:
        return f"P-{self.pk:06d}"

    def display_name(self) -> str:
        ident = self.identities.order_by("id").first()
        return ident.full_name if ident else self.pseudonym


class Identity(SealedModel):
    """How one report names a person: kept exactly as reported, plus normalised search keys."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="identities")
    report = models.ForeignKey(Report, on_delete=models.PROTECT, related_name="identities")
    full_name = SealedTextField()
    script = models.CharField(max_length=8, blank=True)
    birth_date = models.DateField(null=True, blank=True)
    birth_year = models.PositiveSmallIntegerField(null=True, blank=True)
    sex = models.CharField(max_length=1, choices=Sex.choices, blank=True)
    home_city = SealedTextField(blank=True)
    search_keys = models.TextField(blank=True, help_text="space-delimited keys from vigil.names.search_keys")

    class Meta:
        verbose_name_plural = "identities"

    def __str__(self) -> str:
        return f"Identity #{self.pk}"


class IdentitySearchKey(models.Model):
    """One of an identity's search keys, a row each, so that a name search is an index look-up rather than a
    scan of every identity's ``search_keys``. Derived data: written with the identity (and re-keyed with
    it by a blind-index rotation), holding exactly the keys of its ``search_keys``."""

    # The unique constraint's index (identity first) serves look-ups by identity: no index of its own.
    identity = models.ForeignKey(
        Identity, on_delete=models.CASCADE, related_name="search_key_rows", db_index=False
    )
    key = models.TextField()  # a transliterated word can be longer than the name as typed

    class Meta:
        constraints = [models.UniqueConstraint(fields=["identity", "key"], name="identity_search_key_unique")]
        indexes = [models.Index(fields=["key", "identity"], name="identity_search_key_lookup")]

    def __str__(self) -> str:
        return f"{self.key} of identity #{self.identity_id}"


class EventKind(models.TextChoices):
    RALLY = "rally", _("Rally or march")
    STRIKE = "strike", _("Strike")
    RAID = "raid", _("Raid or search")
    OTHER = "other", _("Other")


class Event(models.Model):
    slug = models.SlugField(unique=True, max_length=100)
    name = models.CharField(max_length=200)
    name_ru = models.CharField(max_length=200, blank=True)
    name_be = models.CharField(max_length=200, blank=True)
    kind = models.CharField(max_length=10, choices=EventKind.choices, default=EventKind.RALLY)
    date = models.DateField()
    city = models.CharField(max_length=100, blank=True)
    place = models.CharField(max_length=200, blank=True)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="parts")
    is_synthetic = models.BooleanField(default=False)

    class Meta:
        ordering = ["-date", "name"]

    def __str__(self) -> str:
        return self.name

    def localized_name(self, language: str | None) -> str:
        return {"ru": self.name_ru, "be": self.name_be}.get(language or "", "") or self.name

    def with_parts_ids(self) -> list[int]:
        """This event and all its parts, at any depth."""
        ids = [self.pk]
        frontier = [self.pk]
        while frontier:
            frontier = list(Event.objects.filter(parent_id__in=frontier).values_list("pk", flat=True))
            ids.extend(frontier)
        return ids


class DetentionQuerySet(QuerySet["Detention"]):
    def for_event(self, event: Event) -> DetentionQuerySet:
        return self.filter(event_id__in=event.with_parts_ids())

    def current(self) -> DetentionQuerySet:
        """Without the detentions a correcting report replaced: what figures count."""
        return self.filter(superseded_by__isnull=True)

    def named(self) -> DetentionQuerySet:
        return self.filter(identity__isnull=False)

    def unnamed(self) -> DetentionQuerySet:
        return self.filter(identity__isnull=True)

    def visible_to(self, user: Any) -> DetentionQuerySet:
        from vigil.accounts.models import Role

        if user.has_role(Role.COORDINATOR, Role.ANALYST):
            return self
        if user.has_role(Role.LAWYER):
            # Assigned to them (taken or given, ``vigil.cases.models.Assignment``) or with a case of theirs.
            return self.filter(Q(assignment__lawyer=user) | Q(cases__lawyer=user)).distinct()
        since = dt.datetime.now(dt.UTC) - dt.timedelta(days=2)
        return self.filter(report__submitted_by=user, report__received_at__gte=since)


class Detention(SealedModel):
    """One report's account of a detention episode of a named person, or of an unnamed group (head count).

    The same episode reported by several sources appears as several rows of the same person and day; counting
    rules count episodes as distinct (person, day), see ``vigil.figures.counting``.
    """

    report = models.ForeignKey(Report, on_delete=models.PROTECT, related_name="detentions")
    identity = models.ForeignKey(
        Identity, null=True, blank=True, on_delete=models.PROTECT, related_name="detentions"
    )
    # Denormalised from identity.person for fast counts; kept in step by merge and split operations.
    person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="detentions"
    )
    head_count = models.PositiveIntegerField(default=1)
    event = models.ForeignKey(
        Event, null=True, blank=True, on_delete=models.PROTECT, related_name="detentions"
    )
    detained_at = models.DateTimeField(null=True, blank=True)
    detained_on = models.DateField()
    city = models.CharField(max_length=100)
    place = models.CharField(max_length=200, blank=True)
    unit = models.CharField(max_length=40, blank=True)
    injuries = SealedTextField(blank=True)
    released_at = models.DateTimeField(null=True, blank=True)
    is_synthetic = models.BooleanField(default=False)
    # The detention of the correcting report that replaced this one (its author's correction soon after the
    # call, ``records.operations.correct_detention``). Derived from that report's ``extra.corrects``, so a replay
    # sets it too. Figures count only detentions not superseded; this row stays as the history.
    superseded_by = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="supersedes"
    )

    objects = DetentionQuerySet.as_manager()

    class Meta:
        indexes = [
            models.Index(fields=["event", "city"]),
            models.Index(fields=["event", "detained_on"]),
            models.Index(fields=["person", "detained_on"]),
            # Covers every column the event figures count, so that their scans never read the table itself.
            models.Index(
                fields=[
                    "event",
                    "person",
                    "detained_on",
                    "city",
                    "report",
                    "head_count",
                    "is_synthetic",
                    "superseded_by",
                ],
                name="detention_event_figures",
            ),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(head_count__gte=1), name="detention_head_count_positive"),
            models.CheckConstraint(
                condition=Q(identity__isnull=True) | Q(head_count=1), name="named_detention_is_one_person"
            ),
        ]

    def __str__(self) -> str:
        return f"Detention #{self.pk}"

    def current_place(self) -> Whereabouts | None:
        return self.whereabouts.order_by("-since").first()


class Whereabouts(models.Model):
    """Where a detainee was held from a given time: the timeline of a detention."""

    detention = models.ForeignKey(Detention, on_delete=models.CASCADE, related_name="whereabouts")
    facility = models.CharField(
        max_length=100, help_text="facility id from the reference table, or free text"
    )
    since = models.DateTimeField()
    report = models.ForeignKey(Report, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["since"]

    def __str__(self) -> str:
        return f"{self.facility} since {self.since:%Y-%m-%d %H:%M}"
