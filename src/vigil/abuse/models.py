"""Allegations of ill-treatment or torture and the evidence files behind them."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models

from vigil.protection.sealing import SealedModel, SealedTextField
from vigil.records.models import Detention, ImmutableError, Report


class Allegation(SealedModel):
    detention = models.ForeignKey(Detention, on_delete=models.PROTECT, related_name="allegations")
    violation_type = models.CharField(max_length=200)
    occurred_at = models.DateTimeField(null=True, blank=True)
    place = models.CharField(max_length=200, blank=True)
    perpetrator_unit = models.CharField(max_length=40, blank=True)
    injuries = SealedTextField(blank=True)
    medical_documentation = models.BooleanField(default=False)
    narrative = SealedTextField(blank=True)
    reports = models.ManyToManyField(Report, related_name="allegations")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"Allegation #{self.pk}"


class EvidenceFile(models.Model):
    """A file as received. Its SHA-256 is computed at upload; the stored bytes are never modified."""

    allegation = models.ForeignKey(Allegation, on_delete=models.PROTECT, related_name="evidence")
    original_name = models.CharField(max_length=255)
    media_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    storage_name = models.CharField(max_length=100, unique=True)
    received_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL)
    received_at = models.DateTimeField(auto_now_add=True)
    report = models.ForeignKey(Report, on_delete=models.PROTECT, related_name="+")

    def __str__(self) -> str:
        return f"Evidence #{self.pk} ({self.sha256[:12]})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise ImmutableError("evidence files are never modified")
        super().save(*args, **kwargs)
