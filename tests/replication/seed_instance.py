"""Run inside an instance (``vigil shell -c``): records made through the ordinary write operations.

SEED_PREFIX names the reports so two instances seed different ones; SEED_COUNT sets how many named
detentions; SEED_BULK=1 records them with record_detentions; SEED_EXTRAS=1 adds a release, whereabouts, consent, a case, an allegation with an evidence file,
and a merge.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import uuid

from vigil.abuse.operations import attach_evidence, record_allegation
from vigil.cases.operations import open_case
from vigil.records.models import Event
from vigil.records.operations import (
    DetentionEntry,
    DetentionInput,
    DetentionResult,
    SourceInput,
    create_event,
    get_or_create_source,
    record_detention,
    record_detentions,
    record_release,
    record_whereabouts,
    set_consent,
)
from vigil.records.signals import identities_recorded
from vigil.review.operations import merge_persons

# Seeded reports are test data with known counts, not arrivals: they are not linked on arrival (issue 14),
# which would also make seeding a few hundred reports take minutes.
identities_recorded.disconnect(dispatch_uid="review.link_new_identities")

NOV8 = dt.date(2020, 11, 8)
prefix = os.environ.get("SEED_PREFIX", "a")
count = int(os.environ.get("SEED_COUNT", "5"))
event = Event.objects.filter(slug="2020-11-08-minsk").first() or create_event(
    slug="2020-11-08-minsk", name="Minsk, 8 November 2020", date=NOV8, city="Minsk", actor=None
)
source = get_or_create_source(SourceInput(kind="hotline", name=f"hotline {prefix}"), None)
entries = []
for i in range(count):
    data = DetentionInput(
        detained_on=NOV8,
        city="Minsk",
        full_name=f"Иван Тестов {prefix}{i}",
        birth_year=1980 + i % 30,
        event=event,
        detained_at=dt.datetime(2020, 11, 8, 15, i % 60, tzinfo=dt.UTC),
        unit="OMON",
        held_at="okrestina",
    )
    entries.append(
        DetentionEntry(
            data=data, source=source, report_uuid=uuid.uuid5(uuid.NAMESPACE_URL, f"seed/{prefix}/{i}")
        )
    )
if os.environ.get("SEED_BULK") == "1":
    results = [r for r in record_detentions(entries, actor=None) if isinstance(r, DetentionResult)]
else:
    results = [
        record_detention(data=e.data, source=e.source, actor=None, report_uuid=e.report_uuid) for e in entries
    ]
record_detention(
    data=DetentionInput(detained_on=NOV8, city="Minsk", head_count=7, event=event),
    source=source,
    actor=None,
    report_uuid=uuid.uuid5(uuid.NAMESPACE_URL, f"seed/{prefix}/group"),
)
if os.environ.get("SEED_EXTRAS") == "1":
    first, second, third = (r.detention for r in results[:3])
    record_release(first, released_at=dt.datetime(2020, 11, 10, 9, 0, tzinfo=dt.UTC), actor=None)
    record_whereabouts(
        second, facility="zhodino", since=dt.datetime(2020, 11, 9, 12, 0, tzinfo=dt.UTC), actor=None
    )
    set_consent(third.person, consent=True, actor=None)
    open_case(first, kind="admin", article="23.34", actor=None, court="Central district court")
    allegation = record_allegation(
        second, violation_type="Beating", actor=None, narrative="beaten in the van"
    )
    attach_evidence(
        allegation,
        stream=io.BytesIO(b"%PDF-1.4 medical certificate " + prefix.encode() * 100),
        original_name="certificate.pdf",
        media_type="application/pdf",
        actor=None,
    )
    merge_persons(
        results[3].detention.person, [results[4].detention.person], actor=None, reason="same person"
    )
print("seeded", len(results))
