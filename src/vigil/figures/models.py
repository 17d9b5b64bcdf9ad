"""Published figures frozen as dated snapshots."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from vigil.records.models import Event


class Snapshot(models.Model):
    event = models.ForeignKey(
        Event, null=True, blank=True, on_delete=models.PROTECT, related_name="snapshots"
    )
    taken_at = models.DateTimeField()
    label = models.CharField(max_length=200, blank=True)
    figures = models.JSONField()
    taken_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL)
    linkage = models.JSONField(
        default=dict, help_text="the linkage state the figures were counted on (review.linking.linkage_state)"
    )

    class Meta:
        ordering = ["-taken_at", "-id"]

    def __str__(self) -> str:
        return f"Snapshot #{self.pk} ({self.taken_at:%Y-%m-%d %H:%M})"

    def previous(self) -> Snapshot | None:
        return (
            Snapshot.objects.filter(event=self.event, taken_at__lte=self.taken_at)
            .exclude(pk=self.pk)
            .order_by("-taken_at", "-id")
            .first()
        )


class Estimate(models.Model):
    """A stored multiple-systems estimate for an event: the capture table it used and what came out."""

    event = models.ForeignKey(
        Event, null=True, blank=True, on_delete=models.PROTECT, related_name="estimates"
    )
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL)
    lists = models.JSONField(help_text="the source kinds used as lists")
    capture_table = models.JSONField(help_text="distinct capture patterns and their counts")
    summary = models.JSONField(help_text="vigil.estimate.summarise of the LCMCR fit")
    histogram = models.JSONField()
    loglinear = models.JSONField(help_text="Rcapture closedp models with intervals")
    is_synthetic = models.BooleanField(default=False)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Estimate #{self.pk} ({self.created_at:%Y-%m-%d %H:%M})"
