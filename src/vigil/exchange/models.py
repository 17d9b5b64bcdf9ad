"""Imported files: the column mapping saved per source, and a record of each import."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from vigil.records.models import Source


class ImportMapping(models.Model):
    """How one source's spreadsheets map onto Vigil's fields; reused for the next file from that source."""

    source = models.OneToOneField(Source, on_delete=models.CASCADE, related_name="import_mapping")
    mapping = models.JSONField()
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Mapping for source #{self.source_id}"


class ImportRun(models.Model):
    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="imports")
    content_sha256 = models.CharField(max_length=64)
    rows = models.PositiveIntegerField()
    created_reports = models.PositiveIntegerField()
    imported_at = models.DateTimeField(auto_now_add=True)
    imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL)

    class Meta:
        ordering = ["-imported_at"]

    def __str__(self) -> str:
        return f"Import #{self.pk}"


class CourtListMatch(models.Model):
    """A court-list hearing whose defendant could not be matched to one detention with confidence: kept for a
    reviewer, with the candidates and their name similarity. Nothing is applied until someone decides."""

    class Status(models.TextChoices):
        PENDING = "pending", "pending"
        APPLIED = "applied", "applied"
        NO_MATCH = "no_match", "no match"

    report = models.OneToOneField("records.Report", on_delete=models.PROTECT, related_name="court_match")
    candidates = models.JSONField(help_text="[{detention: id, similarity: float}] best first")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    decided_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Court-list match #{self.pk} ({self.status})"
