"""Cases against detainees: charges under articles of the legal table, hearings and decisions."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from vigil.records.models import Detention, Report


class CaseKind(models.TextChoices):
    ADMINISTRATIVE = "admin", _("Administrative")
    CRIMINAL = "criminal", _("Criminal")


class Case(models.Model):
    detention = models.ForeignKey(Detention, on_delete=models.PROTECT, related_name="cases")
    kind = models.CharField(max_length=10, choices=CaseKind.choices)
    number = models.CharField(max_length=60, blank=True)
    court = models.CharField(max_length=200, blank=True)
    judge = models.CharField(max_length=200, blank=True)
    lawyer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="cases"
    )
    reports = models.ManyToManyField(Report, related_name="cases")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"Case #{self.pk}"

    @property
    def is_pending(self) -> bool:
        return not self.decisions.exists()


class Charge(models.Model):
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="charges")
    code = models.CharField(max_length=20, help_text="KoAP-2003, KoAP-2021 or CC")
    article = models.CharField(max_length=20, db_index=True)
    part = models.CharField(max_length=10, blank=True)
    report = models.ForeignKey(Report, on_delete=models.PROTECT, related_name="+")

    def __str__(self) -> str:
        return f"art. {self.article}" + (f" part {self.part}" if self.part else "")


class Hearing(models.Model):
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="hearings")
    held_on = models.DateField()
    court = models.CharField(max_length=200, blank=True)
    judge = models.CharField(max_length=200, blank=True)
    report = models.ForeignKey(Report, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["held_on"]

    def __str__(self) -> str:
        return f"Hearing of case #{self.case_id} on {self.held_on}"


class Decision(models.Model):
    """One decision; consecutive arrests ("carousel") are separate decisions with increasing sequence."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="decisions")
    sequence = models.PositiveSmallIntegerField(default=1)
    decided_on = models.DateField()
    outcome = models.CharField(max_length=40, help_text="code from outcome_types")
    fine_base_units = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)
    fine_byn = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    arrest_days = models.PositiveSmallIntegerField(null=True, blank=True)
    community_service_hours = models.PositiveSmallIntegerField(null=True, blank=True)
    prison_months = models.PositiveSmallIntegerField(null=True, blank=True)
    report = models.ForeignKey(Report, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["decided_on", "sequence"]
        constraints = [
            models.CheckConstraint(
                condition=Q(fine_base_units__isnull=True) | Q(fine_base_units__gt=0),
                name="decision_fine_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"Decision {self.sequence} of case #{self.case_id}: {self.outcome}"


class Assignment(models.Model):
    """The lawyer who works on a detention: taken by the lawyer from the new detentions without one, or given
    by a coordinator. A lawyer sees the detentions assigned to them and the cases of those detentions.

    Users are accounts of one instance, so assignments stay on it: they are not replicated."""

    detention = models.OneToOneField(Detention, on_delete=models.PROTECT, related_name="assignment")
    lawyer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="assignments")
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    assigned_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"Detention #{self.detention_id} to user #{self.lawyer_id}"
