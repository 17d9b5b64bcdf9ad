"""Bundles: replayed -> no change; any flipped byte, truncation, wrong recipient or unknown sender -> refused."""

from __future__ import annotations

import hashlib

import pytest
from sync_testkit import fixed_keys

from vigil.lib.sync import bundle as bundle_module
from vigil.lib.sync.bundle import (
    MAGIC,
    Identity,
    Keys,
    Peer,
    export_bundle,
    import_bundle,
    open_bundle,
    read_header,
    seal,
)
from vigil.lib.sync.errors import (
    BundleError,
    BundleNotForUs,
    BundleTampered,
    BundleTruncated,
    BundleUnknownSender,
    EvidenceMismatch,
    SyncError,
)
from vigil.lib.sync.replica import Replica

PHOTO = b"\xff\xd8\xff\xe0 bruise on the left arm, photographed 9 Nov 2020"


class Pair:
    """Instance A with a few changes and an evidence file; instance B that knows A as a peer."""

    def __init__(self, keys: tuple[Keys, Keys, Keys]) -> None:
        self.a_keys, self.b_keys, self.c_keys = keys
        self.a, self.b = Replica(self.a_keys.instance), Replica(self.b_keys.instance)
        self.a_files: dict[str, bytes] = {hashlib.sha256(PHOTO).hexdigest(): PHOTO}
        self.b_files: dict[str, bytes] = {}
        self.a.submit("report/1", {"text": "detained near Pushkinskaya, 8 Nov 2020"})
        self.a.edit("detention/1", {"city": "Minsk", "unit": "OMON"})
        self.a.submit("evidence/1", {"sha256": hashlib.sha256(PHOTO).hexdigest(), "size": len(PHOTO)})
        self.a.link("attach", identity="i1", person="p1")
        self.b_of_a = Peer(self.b_keys.identity)
        self.a_of_b = Peer(self.a_keys.identity)
        self.b_peers = {self.a_keys.instance: self.a_of_b}

    def export(self) -> bytes:
        return export_bundle(self.a, me=self.a_keys, peer=self.b_of_a, files=self.a_files)

    def import_(self, bundle: bytes) -> list[object]:
        result = import_bundle(self.b, bundle, me=self.b_keys, peers=self.b_peers, files=self.b_files)
        return list(result.new_changes)

    def b_view(self) -> tuple[object, ...]:
        return (self.b.state.snapshot(), self.b.have(), dict(self.b_files), dict(self.a_of_b.ack))


@pytest.fixture
def pair(three_keys: tuple[Keys, Keys, Keys]) -> Pair:
    return Pair(three_keys)


def test_a_bundle_brings_every_change_and_evidence_file_to_the_recipient(pair: Pair) -> None:
    pair.import_(pair.export())
    assert pair.b.state == pair.a.state
    assert pair.b_files == pair.a_files
    assert pair.a_of_b.ack == pair.a.have()


def test_importing_the_same_bundle_twice_changes_nothing(pair: Pair) -> None:
    bundle = pair.export()
    assert len(pair.import_(bundle)) == 4
    before = pair.b_view()
    assert pair.import_(bundle) == []
    assert pair.b_view() == before


def test_export_sends_only_what_the_peer_has_acknowledged_missing(pair: Pair) -> None:
    pair.import_(pair.export())
    # B tells A what it has, in a bundle of its own; A then sends only the new change.
    a_peers = {pair.b_keys.instance: pair.b_of_a}
    import_bundle(
        pair.a, export_bundle(pair.b, me=pair.b_keys, peer=pair.a_of_b), me=pair.a_keys, peers=a_peers
    )
    assert pair.b_of_a.ack == pair.a.have()
    pair.a.edit("detention/1", {"released": "2020-11-11"})
    header = read_header(pair.export())
    assert header["count"] == 1 and header["ranges"] == {pair.a_keys.instance: [5, 5]}
    pair.import_(pair.export())
    assert pair.b.state.record("detention/1") == {"city": "Minsk", "released": "2020-11-11", "unit": "OMON"}


def test_one_flipped_bit_anywhere_in_a_bundle_is_refused_and_changes_nothing(pair: Pair) -> None:
    bundle = pair.export()
    before = pair.b_view()
    for at in range(len(bundle)):
        for bit in (0x01, 0x80):
            damaged = bytearray(bundle)
            damaged[at] ^= bit
            with pytest.raises(BundleError):
                pair.import_(bytes(damaged))
    assert pair.b_view() == before
    pair.import_(bundle)  # the undamaged bundle still imports
    assert pair.b.state == pair.a.state


def test_a_truncated_bundle_is_refused_as_truncated_at_every_length(pair: Pair) -> None:
    bundle = pair.export()
    before = pair.b_view()
    for size in range(len(bundle)):
        with pytest.raises((BundleTruncated, BundleTampered)) as caught:
            pair.import_(bundle[:size])
        if size >= len(MAGIC) + 4 + 20:
            assert caught.type is BundleTruncated, size
    assert pair.b_view() == before


def test_bytes_appended_after_the_signature_are_refused(pair: Pair) -> None:
    with pytest.raises(BundleTampered, match="after its signature"):
        pair.import_(pair.export() + b"\x00")


def test_a_bundle_for_another_instance_is_refused_as_not_for_us(pair: Pair) -> None:
    to_c = export_bundle(pair.a, me=pair.a_keys, peer=Peer(pair.c_keys.identity), files=pair.a_files)
    before = pair.b_view()
    with pytest.raises(BundleNotForUs, match="encrypted to instance"):
        pair.import_(to_c)
    assert pair.b_view() == before


def test_a_bundle_from_an_instance_that_is_not_a_peer_is_refused(pair: Pair) -> None:
    stranger = fixed_keys("stranger")
    bundle = seal([], sender=stranger, recipient=pair.b_keys.identity, have={})
    with pytest.raises(BundleUnknownSender, match="not one of our peers"):
        pair.import_(bundle)


def test_a_bundle_signed_by_someone_else_under_a_peers_name_is_refused(pair: Pair) -> None:
    genuine = pair.export()
    forger = fixed_keys("forger")
    # The forger re-signs A's bundle with its own key: the header still names A.
    body = genuine[:-64]
    with pytest.raises(BundleTampered, match="signature"):
        pair.import_(body + forger.signing.sign(body))


def test_a_file_that_is_not_a_bundle_is_refused_clearly(pair: Pair) -> None:
    with pytest.raises(BundleTampered, match="not a Vigil sync bundle"):
        pair.import_(b"PK\x03\x04 this is a zip file, not a bundle")


def test_evidence_whose_bytes_do_not_match_its_hash_is_not_sent(pair: Pair) -> None:
    sha = next(iter(pair.a_files))
    pair.a_files[sha] = PHOTO + b" altered"
    with pytest.raises(EvidenceMismatch, match="missing or damaged"):
        pair.export()


def test_a_peer_leaving_out_an_evidence_file_its_records_name_is_refused(
    pair: Pair, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A misbehaving sender: its bundle is genuinely signed and encrypted, but carries no file for evidence/1.
    monkeypatch.setattr(bundle_module, "_evidence_files", lambda changes: [])
    careless = pair.export()
    monkeypatch.undo()
    before = pair.b_view()
    with pytest.raises(EvidenceMismatch, match="evidence files its records name"):
        pair.import_(careless)
    assert pair.b_view() == before


def test_an_identity_is_one_printable_line_that_parses_back(three_keys: tuple[Keys, Keys, Keys]) -> None:
    identity = three_keys[0].identity
    text = str(identity)
    assert text.startswith("vigil1:minsk:") and "\n" not in text and len(text) < 120
    assert Identity.parse(text) == identity
    assert Identity.parse(text).instance == three_keys[0].instance
    for bad in [
        "vigil1:minsk:abc:def",
        "vigil2" + text[6:],
        text + ":extra",
        "vigil1:has space:" + text[13:],
    ]:
        with pytest.raises(SyncError):
            Identity.parse(bad)


def test_keys_restored_from_their_seeds_are_the_same_instance(three_keys: tuple[Keys, Keys, Keys]) -> None:
    keys = three_keys[1]
    restored = Keys.from_seeds(keys.name, *keys.seeds())
    assert restored.identity == keys.identity
    fresh = Keys.generate("vilnius")
    assert fresh.instance != keys.instance


def test_a_bundle_cannot_be_read_without_the_recipients_key(pair: Pair) -> None:
    bundle = pair.export()
    assert b"Pushkinskaya" not in bundle and b"OMON" not in bundle and PHOTO not in bundle
    impostor = Keys(pair.b_keys.name, pair.b_keys.signing, fixed_keys("other").exchange)
    with pytest.raises(BundleTampered, match="does not decrypt"):
        open_bundle(bundle, me=impostor, peers=pair.b_peers)
