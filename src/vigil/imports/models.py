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
