"""Reviewers' linkage decisions: merges and splits of persons, and verdicts on candidate pairs.

A merge or split records exactly which identities moved from which person, so that it can be undone.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from vigil.records.models import Identity, Person


class LinkOperation(models.Model):
    class Kind(models.TextChoices):
        MERGE = "merge", _("Merge")
        SPLIT = "split", _("Split")

    kind = models.CharField(max_length=8, choices=Kind.choices)
    # [{"identity": id, "from": person_id, "to": person_id}, ...]
    moves = models.JSONField()
    reason = models.TextField(blank=True)
    made_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    made_at = models.DateTimeField(auto_now_add=True)
    undone_at = models.DateTimeField(null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-made_at", "-id"]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk}"


class PairVerdict(models.TextChoices):
    SAME = "same", _("Same person")
    DIFFERENT = "different", _("Different people")
    UNSURE = "unsure", _("Unsure")


class CandidatePair(models.Model):
    """A pair of identities the linkage model found uncertain, waiting for (or holding) a reviewer's verdict."""

    left = models.ForeignKey(Identity, on_delete=models.PROTECT, related_name="+")
    right = models.ForeignKey(Identity, on_delete=models.PROTECT, related_name="+")
    probability = models.FloatField()
    explanation = models.JSONField(default=list)
    verdict = models.CharField(max_length=10, choices=PairVerdict.choices, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    decided_at = models.DateTimeField(null=True, blank=True)
    operation = models.ForeignKey(LinkOperation, null=True, blank=True, on_delete=models.SET_NULL)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["left", "right"], name="candidate_pair_unique")]
        ordering = ["verdict", "-probability"]

    def __str__(self) -> str:
        return f"Pair {self.left_id}-{self.right_id} ({self.probability:.2f})"


__all__ = ["CandidatePair", "LinkOperation", "PairVerdict", "Person"]
