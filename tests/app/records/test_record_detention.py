from __future__ import annotations

import uuid

import pytest

from vigil.audit.models import AuditEntry
from vigil.records.models import Detention, ImmutableError, Report, ReportConflict
from vigil.records.operations import DetentionInput, ReportConflictError, record_detention

from ..factories import NOV8, detain, source


def test_a_resubmitted_report_is_stored_once(coordinator):
    rid = uuid.uuid4()
    first = detain(coordinator, "Иван Иванов", report_uuid=rid)
    again = detain(coordinator, "Иван Иванов", report_uuid=rid)
    assert first.created and not again.created
    assert again.detention.pk == first.detention.pk
    assert Report.objects.count() == 1 and Detention.objects.count() == 1


def test_a_different_report_under_a_used_uuid_is_kept_as_a_conflict_not_stored(coordinator):
    rid = uuid.uuid4()
    detain(coordinator, "Иван Иванов", report_uuid=rid)
    with pytest.raises(ReportConflictError):
        detain(coordinator, "Пётр Петров", report_uuid=rid)
    assert Report.objects.count() == 1
    conflict = ReportConflict.objects.get()
    assert conflict.uuid == rid and "Пётр Петров" in str(conflict.payload)


def test_an_unnamed_group_is_a_detention_with_a_head_count_and_no_person(coordinator):
    result = detain(coordinator, head_count=15)
    assert result.detention.person is None and result.detention.head_count == 15


def test_a_named_detention_cannot_carry_a_head_count():
    with pytest.raises(ValueError, match="exactly one person"):
        DetentionInput(detained_on=NOV8, city="Minsk", full_name="Иван Иванов", head_count=3)


def test_a_submitted_report_cannot_be_changed_or_deleted(coordinator):
    report = detain(coordinator, "Иван Иванов").report
    report.raw_text = "edited"
    with pytest.raises(ImmutableError):
        report.save()
    with pytest.raises(ImmutableError):
        report.delete()


def test_recording_writes_an_audit_entry_in_the_same_transaction(coordinator):
    before = AuditEntry.objects.count()
    detain(coordinator, "Иван Иванов")
    actions = list(AuditEntry.objects.order_by("seq").values_list("action", flat=True)[before:])
    assert "report.submit" in actions and "detention.record" in actions


def test_a_failed_recording_leaves_nothing_half_written(coordinator, monkeypatch):
    from vigil.records.models import Whereabouts

    def boom(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(Whereabouts.objects, "bulk_create", boom)
    with pytest.raises(RuntimeError):
        record_detention(
            data=DetentionInput(
                detained_on=NOV8, city="Minsk", full_name="Иван Иванов", held_at="by-minsk-cip-akrestsina"
            ),
            source=source(coordinator),
            actor=coordinator,
        )
    assert Report.objects.count() == 0 and Detention.objects.count() == 0
