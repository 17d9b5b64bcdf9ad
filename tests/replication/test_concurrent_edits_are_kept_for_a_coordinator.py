"""Concurrent edits made on two instances are both kept and shown to a coordinator; linkage decisions travel."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from tests.app.factories import detain, login

from vigil.records.models import Detention, Identity, Person
from vigil.records.operations import record_release
from vigil.replication.exchange import import_bundle_data
from vigil.replication.log import derived_gid
from vigil.replication.models import SyncConflict
from vigil.review.models import LinkOperation

from .remote import Remote

pytestmark = pytest.mark.django_db
LOCAL_RELEASE = dt.datetime(2020, 11, 10, 9, 0, tzinfo=dt.UTC)
REMOTE_RELEASE = dt.datetime(2020, 11, 11, 18, 30, tzinfo=dt.UTC)


def test_two_releases_written_without_seeing_each_other_are_both_kept_and_listed(coordinator: Any) -> None:
    result = detain(coordinator, "Алесь Мясцовы")
    remote = Remote()
    remote.edit(
        f"detention/{derived_gid(result.report.uuid, 'detention')}",
        {"released_at": REMOTE_RELEASE.isoformat()},
    )
    record_release(result.detention, released_at=LOCAL_RELEASE, actor=coordinator)  # later: shown after sync
    summary = import_bundle_data(remote.bundle())
    assert summary.conflicts == 1
    conflict = SyncConflict.objects.get(open=True)
    assert (conflict.kind, conflict.field) == ("field", "released_at")
    assert set(conflict.values) == {REMOTE_RELEASE.isoformat(), LOCAL_RELEASE.isoformat()}
    assert Detention.objects.get(pk=result.detention.pk).released_at == LOCAL_RELEASE
    out = io.StringIO()
    call_command("sync", "conflicts", stdout=out)
    assert "released_at" in out.getvalue() and "1 open conflict" in out.getvalue()
    client = Client()
    login(client, coordinator)
    page = client.get("/sync/conflicts/")
    assert page.status_code == 200 and REMOTE_RELEASE.isoformat() in page.content.decode()


def test_a_remote_edit_made_after_seeing_ours_wins_without_a_conflict(coordinator: Any) -> None:
    result = detain(coordinator, "Алесь Мясцовы")
    record_release(result.detention, released_at=LOCAL_RELEASE, actor=coordinator)
    remote = Remote()
    remote.receive(_bundle_to(remote))
    remote.edit(
        f"detention/{derived_gid(result.report.uuid, 'detention')}",
        {"released_at": REMOTE_RELEASE.isoformat()},
    )
    summary = import_bundle_data(remote.bundle())
    assert summary.conflicts == 0
    assert Detention.objects.get(pk=result.detention.pk).released_at == REMOTE_RELEASE


def _bundle_to(remote: Remote) -> bytes:
    from vigil.replication.exchange import export_for

    return export_for(remote.name)[0]


def test_a_remote_merge_moves_identities_here_and_its_undo_moves_them_back(coordinator: Any) -> None:
    first, second = detain(coordinator, "Иван Иванов"), detain(coordinator, "Іван Іваноў")
    remote = Remote()
    remote.receive(_bundle_to(remote))
    into, other = derived_gid(first.report.uuid, "person"), derived_gid(second.report.uuid, "person")
    merge = remote.link("merge", into=into, persons=[other])
    import_bundle_data(remote.bundle())
    assert Identity.objects.get(pk=second.detention.identity_id).person_id == first.detention.person_id
    assert Detention.objects.get(pk=second.detention.pk).person_id == first.detention.person_id
    assert Person.objects.get(pk=second.detention.person_id).merged_into_id == first.detention.person_id
    op = LinkOperation.objects.get(kind="merge")
    assert op.moves == [
        {
            "identity": second.detention.identity_id,
            "from": second.detention.person_id,
            "to": first.detention.person_id,
        }
    ]
    remote.link("undo", op=str(merge.stamp))
    import_bundle_data(remote.bundle())
    assert Identity.objects.get(pk=second.detention.identity_id).person_id == second.detention.person_id
    assert Person.objects.get(pk=second.detention.person_id).merged_into_id is None
    assert LinkOperation.objects.get(pk=op.pk).undone_at is not None


def test_a_local_merge_and_split_travel_to_the_peer(coordinator: Any) -> None:
    from vigil.review.operations import merge_persons, split_person

    first, second = detain(coordinator, "Иван Иванов"), detain(coordinator, "Іван Іваноў")
    merge_persons(first.detention.person, [second.detention.person], actor=coordinator)
    remote = Remote()
    remote.receive(_bundle_to(remote))
    ids = (derived_gid(first.report.uuid, "identity"), derived_gid(second.report.uuid, "identity"))
    assert remote.replica.state.person_of(ids[0]) == remote.replica.state.person_of(ids[1])
    split_person(
        Person.objects.get(pk=first.detention.person_id),
        [Identity.objects.get(pk=second.detention.identity_id)],
        actor=coordinator,
    )
    remote.receive(_bundle_to(remote))
    assert remote.replica.state.person_of(ids[0]) != remote.replica.state.person_of(ids[1])
