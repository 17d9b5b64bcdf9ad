"""Who works on a detention: a lawyer takes a new one (``take_case``), a coordinator gives one
(``assign_case``)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from vigil.accounts.models import Role, User
from vigil.audit.actors import Actor, acting_user
from vigil.audit.log import record as audit
from vigil.cases.models import Assignment
from vigil.records.models import Detention


class AssignmentRefused(ValueError):
    """A detention that cannot be taken or given: already someone's, too old to take, or not a lawyer."""


def detentions_awaiting_lawyer(now: dt.datetime | None = None) -> QuerySet[Detention]:
    """The new detentions no lawyer works on, which any lawyer may take: named (a case is a person's),
    reported within the last ``VIGIL_NEW_DETENTION_DAYS`` days, neither assigned nor with a lawyer's case,
    and not another report of a detention (same person, same day) that a lawyer already has: that one is
    for a coordinator to give, so that two lawyers do not take one episode."""
    now = now or timezone.now()
    since = now - dt.timedelta(days=settings.VIGIL_NEW_DETENTION_DAYS)
    episode_taken = Assignment.objects.filter(
        detention__person_id=OuterRef("person_id"), detention__detained_on=OuterRef("detained_on")
    )
    return (
        Detention.objects.filter(
            identity__isnull=False, report__received_at__gte=since, assignment__isnull=True
        )
        .exclude(cases__lawyer__isnull=False)
        .exclude(Exists(episode_taken))
        .order_by("-detained_on", "-id")
    )


def take_case(detention: Detention, *, actor: Actor) -> Assignment:
    """A lawyer takes a new detention without a lawyer (one of :func:`detentions_awaiting_lawyer`)."""
    lawyer = acting_user(actor)
    if lawyer is None or lawyer.role != Role.LAWYER:
        raise AssignmentRefused("only a lawyer takes a case")
    with transaction.atomic():
        if not detentions_awaiting_lawyer().filter(pk=detention.pk).exists():
            raise AssignmentRefused("this detention is not among the new ones without a lawyer")
        try:
            with transaction.atomic():  # two lawyers taking it at once: the unique detention keeps one
                assignment = Assignment.objects.create(
                    detention=detention, lawyer=lawyer, assigned_by=lawyer, assigned_at=timezone.now()
                )
        except IntegrityError:
            raise AssignmentRefused("another lawyer has just taken this detention") from None
        audit(actor, "case.take", detention, lawyer=lawyer.pk)
        return assignment


def assign_case(detention: Detention, *, lawyer: User, actor: Actor) -> Assignment:
    """A coordinator gives a detention, new or not, to a lawyer, or moves it from one lawyer to another."""
    coordinator = acting_user(actor)
    if coordinator is None or not coordinator.is_coordinator:
        raise AssignmentRefused("only a coordinator assigns a case")
    if lawyer.role != Role.LAWYER or not lawyer.is_active:
        raise AssignmentRefused("a case is assigned to an active lawyer")
    with transaction.atomic():
        current = Assignment.objects.select_for_update().filter(detention=detention).first()
        previous = current.lawyer_id if current else None
        if current is None:
            current = Assignment(detention=detention)
        current.lawyer = lawyer
        current.assigned_by = coordinator
        current.assigned_at = timezone.now()
        current.save()
        audit(actor, "case.assign", detention, lawyer=lawyer.pk, previous=previous)
        return current
