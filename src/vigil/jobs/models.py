"""Background jobs: long work (an estimate, a linkage run, an import, an investigation package) asked for on a
page and run by the tasks worker.

The queue itself is django-tasks' (its database backend keeps the task, its status and its return value);
a job is what Vigil needs beside it: what the work is, who asked for it (the work runs as that user and
only the roles allowed to do it see it), how far it has got, and its outcome or its one-line error. An import
or a package also has a file, kept encrypted under ``JOBS_DIR`` (:mod:`vigil.jobs.files`): the upload until it
has been imported, the package until its user downloads it.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models

from vigil.records.models import Event


class JobKind(models.TextChoices):
    ESTIMATE = "estimate"
    LINKAGE = "linkage"
    IMPORT = "import"
    PACKAGE = "package"


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
    error = models.CharField(max_length=500, blank=True, help_text="a code the page words for the user")
    error_detail = models.CharField(
        max_length=500, blank=True, help_text="the technical detail, shown to coordinators only"
    )
    params = models.JSONField(
        default=dict, help_text="what the work was asked to do, e.g. an import's source"
    )
    file = models.CharField(max_length=64, blank=True, help_text="the job's encrypted file under JOBS_DIR")

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Job {self.kind} {self.pk}"
