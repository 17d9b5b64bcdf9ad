"""The write operations on records. Views, the API, importers, the demo and tests call these, never raw saves.

Each operation is atomic and writes its audit entry in the same transaction. :mod:`.reports` stores reports
and their sources; :mod:`.detentions` records detentions, where people are held, release, events and consent.
"""

from vigil.records.operations.detentions import (
    BULK_CHUNK,
    DetentionEntry,
    DetentionInput,
    DetentionResult,
    create_event,
    record_detention,
    record_detentions,
    record_release,
    record_whereabouts,
    search_keys_for,
    set_consent,
    stored_search_key,
)
from vigil.records.operations.reports import (
    RESUBMISSION_WINDOW,
    Fact,
    ReportConflictError,
    SourceFields,
    SourceInput,
    actor_report,
    actor_reports,
    actor_source,
    already_submitted,
    content_hash,
    get_or_create_source,
    sent_again,
    source_key,
    source_lookup,
    submit_report,
)

__all__ = [
    "actor_report",
    "actor_reports",
    "actor_source",
    "already_submitted",
    "BULK_CHUNK",
    "content_hash",
    "create_event",
    "DetentionEntry",
    "DetentionInput",
    "DetentionResult",
    "Fact",
    "get_or_create_source",
    "record_detention",
    "record_detentions",
    "record_release",
    "record_whereabouts",
    "ReportConflictError",
    "RESUBMISSION_WINDOW",
    "search_keys_for",
    "stored_search_key",
    "sent_again",
    "set_consent",
    "source_key",
    "source_lookup",
    "SourceFields",
    "SourceInput",
    "submit_report",
]
