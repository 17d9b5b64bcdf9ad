"""Background jobs: long work (an estimate, a linkage run) asked for on a page and run by the tasks worker.

The queue itself is django-tasks' (its database backend keeps the task, its status and its return value);
a job is what Vigil needs beside it: what the work is, who asked for it (the work runs as that user and
only the roles allowed to do it see it), how far it has got, and its outcome or its one-line error.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models

from vigil.records.models import Event


class JobKind(models.TextChoices):
    ESTIMATE = "estimate"
    LINKAGE = "linkage"


class Job(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(max_length=16, choices=JobKind.choices)
    event = models.ForeignKey(Event, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField()
    task_id = models.CharField(max_length=64, blank=True, help_text="the django-tasks result id")
    phase = models.CharField(max_length=32, blank=True, help_text="what the work is doing now")
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    outcome = models.JSONField(default=dict, help_text="what the work made, e.g. the estimate's id")
    error = models.CharField(max_length=500, blank=True, help_text="one line for the user, never a traceback")

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Job {self.kind} {self.pk}"
