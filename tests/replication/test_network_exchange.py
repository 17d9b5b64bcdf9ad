"""POST /sync/exchange and ``vigil sync push|pull``: the same bundles over HTTP, authenticated by the keys."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from tests.app.factories import detain

from vigil.lib.sync.bundle import Keys, Peer, seal
from vigil.records.models import Detention, Identity, Report
from vigil.replication import network
from vigil.replication.log import derived_gid
from vigil.replication.models import SyncPeer

from .remote import Remote

pytestmark = pytest.mark.django_db


def _post(client: Client, data: bytes) -> Any:
    return client.post("/sync/exchange", data=data, content_type=network.CONTENT_TYPE)


def test_an_exchange_request_imports_the_peers_bundle_and_answers_with_what_it_lacks(
    coordinator: Any,
) -> None:
    local = detain(coordinator, "Алесь Мясцовы")
    remote = Remote()
    report_uuid = remote.detention("Пётр Аддалены")
    response = _post(Client(), remote.bundle())
    assert response.status_code == 200
    identity = Identity.objects.get(report__uuid=report_uuid)
    assert identity.full_name == "Пётр Аддалены"
    assert Detention.objects.filter(identity=identity, person=identity.person).count() == 1
    result = remote.receive(response.content)
    assert f"report/{local.report.uuid}" in remote.replica.state.item_targets()
    assert result.new_changes and remote.replica.state.person_of(derived_gid(local.report.uuid, "identity"))


def test_an_exchange_from_an_unknown_or_forged_sender_is_refused_and_changes_nothing(
    coordinator: Any,
) -> None:
    remote = Remote()
    stranger = Keys.generate("stranger")
    reports = Report.objects.count()
    refused = _post(Client(), seal([], sender=stranger, recipient=remote.peer.identity, have={}))
    assert refused.status_code == 403 and "not one of our peers" in refused.content.decode()
    remote.detention("Пётр Аддалены")
    data = bytearray(remote.bundle())
    data[len(data) // 2] ^= 0x40
    tampered = _post(Client(), bytes(data))
    assert tampered.status_code == 400 and "altered" in tampered.content.decode()
    assert Report.objects.count() == reports
    assert SyncPeer.objects.get(name="remote").ack == {}


def test_only_post_is_accepted(coordinator: Any) -> None:
    assert Client().get("/sync/exchange").status_code == 405


def _serve(remote: Remote, log: list[int]) -> network.Transport:
    """The remote instance as an HTTP server would run it: take a bundle, answer with one."""

    def transport(url: str, body: bytes) -> bytes:
        result = remote.receive(body)
        log.append(len(result.new_changes))
        return remote.bundle()

    return transport


def test_push_sends_in_chunks_and_resumes_where_it_stopped(coordinator: Any, monkeypatch: Any) -> None:
    for i in range(5):
        detain(coordinator, f"Иван Тестов {i}")
    remote = Remote()
    rounds: list[int] = []
    serve = _serve(remote, rounds)
    calls = {"n": 0}

    def flaky(url: str, body: bytes) -> bytes:
        calls["n"] += 1
        if calls["n"] == 3:
            raise network.NetworkError("connection reset")
        return serve(url, body)

    monkeypatch.setattr(network, "http_transport", flaky)
    with pytest.raises(Exception, match="connection reset"):
        call_command(
            "sync",
            "push",
            "--peer",
            "remote",
            "--url",
            "https://x.invalid",
            "--chunk",
            "3",
            stdout=io.StringIO(),
        )
    acknowledged = sum(SyncPeer.objects.get(name="remote").ack.values())
    assert acknowledged == 6  # two committed rounds of three changes each
    out = io.StringIO()
    call_command("sync", "push", "--peer", "remote", "--url", "https://x.invalid", "--chunk", "3", stdout=out)
    assert "pushed with remote" in out.getvalue()
    local_reports = {f"report/{u}" for u in Report.objects.values_list("uuid", flat=True)}
    assert local_reports <= set(remote.replica.state.item_targets())
    assert len(remote.replica.state.assignment()) == 5


def test_pull_takes_the_peers_changes_without_sending_ours(coordinator: Any, monkeypatch: Any) -> None:
    detain(coordinator, "Алесь Мясцовы")
    remote = Remote()
    report_uuid = remote.detention("Пётр Аддалены")
    sent: list[int] = []
    monkeypatch.setattr(network, "http_transport", _serve(remote, sent))
    call_command("sync", "pull", "--peer", "remote", "--url", "https://x.invalid", stdout=io.StringIO())
    assert sent == [0]
    assert Report.objects.filter(uuid=report_uuid).exists()


def test_a_response_that_is_not_from_the_peer_is_refused(coordinator: Any, monkeypatch: Any) -> None:
    remote = Remote()
    impostor = Keys.generate("impostor")
    me = Peer(remote.peer.identity)
    monkeypatch.setattr(
        network, "http_transport", lambda url, body: seal([], sender=impostor, recipient=me.identity, have={})
    )
    with pytest.raises(Exception, match="not one of our peers"):
        call_command("sync", "pull", "--peer", "remote", "--url", "https://x.invalid", stdout=io.StringIO())
