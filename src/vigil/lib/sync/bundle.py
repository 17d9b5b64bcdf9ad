"""Sync bundles: what one instance sends another, encrypted to the recipient and signed by the sender.

Wire format (all integers big-endian)::

    b"VIGIL-SYNC-1\\n" | u32 len | header (canonical JSON) | u64 len | ciphertext | 64-byte Ed25519 signature

The header names sender and recipient (instance ids), the ephemeral X25519 public key, the AES-GCM nonce,
the range of sequence numbers per origin, and the SHA-256 and size of the plaintext payload. It is
authenticated twice: as the AES-GCM associated data, and by the signature, which covers every byte before it.
The key is HKDF-SHA256 over X25519(ephemeral, recipient), so only the recipient can read the payload, and the
sender's long-term keys never encrypt anything.

The payload is ``u32 len | canonical JSON {"have", "changes", "files"} | u32 len | file bytes | ...``: the
sender's version vector (which the recipient records as the sender's acknowledgement), the changes, and the
bytes of each evidence file named by an evidence item in the bundle, in the order of ``files``.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import struct
from collections.abc import Mapping, MutableMapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat, PublicFormat

from vigil.lib.crypto._encoding import b64d, b64e, canonical_json
from vigil.lib.sync.changes import Change, InvalidChange
from vigil.lib.sync.errors import (
    BundleNotForUs,
    BundleTampered,
    BundleTruncated,
    BundleUnknownSender,
    EvidenceMismatch,
    SyncError,
)
from vigil.lib.sync.replica import Replica

MAGIC = b"VIGIL-SYNC-1\n"
_HKDF_INFO = b"vigil sync bundle v1"
_NAME = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")
_SIG_LEN = 64


def _raw(key: Ed25519PublicKey | X25519PublicKey) -> bytes:
    return key.public_bytes(Encoding.Raw, PublicFormat.Raw)


def instance_id(signing_key: Ed25519PublicKey) -> str:
    """An instance's id: 16 hex digits of SHA-256 over its Ed25519 public key (unique without coordination)."""
    return hashlib.sha256(_raw(signing_key)).hexdigest()[:16]


@dataclass(frozen=True)
class Identity:
    """An instance's public identity, printable on one line: ``vigil1:<name>:<ed25519 b64>:<x25519 b64>``."""

    name: str
    signing: Ed25519PublicKey
    exchange: X25519PublicKey

    @property
    def instance(self) -> str:
        return instance_id(self.signing)

    def __str__(self) -> str:
        return f"vigil1:{self.name}:{b64e(_raw(self.signing))}:{b64e(_raw(self.exchange))}"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Identity) and str(self) == str(other)

    def __hash__(self) -> int:
        return hash(str(self))

    @classmethod
    def parse(cls, text: str) -> Identity:
        parts = text.strip().split(":")
        if len(parts) != 4 or parts[0] != "vigil1":
            raise SyncError("a Vigil identity reads vigil1:<name>:<signing key>:<encryption key>")
        name, signing, exchange = parts[1:]
        if not _NAME.match(name):
            raise SyncError(f"an instance name is 1-64 letters, digits, '.', '_' or '-'; got {name!r}")
        try:
            sig_raw, x_raw = b64d(signing), b64d(exchange)
        except ValueError:
            raise SyncError("the keys of a Vigil identity are base64url") from None
        if len(sig_raw) != 32 or len(x_raw) != 32:
            raise SyncError("the keys of a Vigil identity are 32 bytes each")
        return cls(
            name, Ed25519PublicKey.from_public_bytes(sig_raw), X25519PublicKey.from_public_bytes(x_raw)
        )


@dataclass(frozen=True)
class Keys:
    """This instance's private keys. Keep ``seeds()`` in the keystore; share only ``identity``."""

    name: str
    signing: Ed25519PrivateKey
    exchange: X25519PrivateKey

    @classmethod
    def generate(cls, name: str) -> Keys:
        return cls.from_seeds(name, os.urandom(32), os.urandom(32))

    @classmethod
    def from_seeds(cls, name: str, signing_seed: bytes, exchange_seed: bytes) -> Keys:
        if not _NAME.match(name):
            raise SyncError(f"an instance name is 1-64 letters, digits, '.', '_' or '-'; got {name!r}")
        if len(signing_seed) != 32 or len(exchange_seed) != 32:
            raise SyncError("key seeds are 32 bytes each")
        return cls(
            name,
            Ed25519PrivateKey.from_private_bytes(signing_seed),
            X25519PrivateKey.from_private_bytes(exchange_seed),
        )

    def seeds(self) -> tuple[bytes, bytes]:
        fmt = (Encoding.Raw, PrivateFormat.Raw, NoEncryption())
        return self.signing.private_bytes(*fmt), self.exchange.private_bytes(*fmt)

    @property
    def identity(self) -> Identity:
        return Identity(self.name, self.signing.public_key(), self.exchange.public_key())

    @property
    def instance(self) -> str:
        return self.identity.instance


@dataclass
class Peer:
    """Another instance we sync with, and its version vector as it last told us (what it acknowledges)."""

    identity: Identity
    ack: dict[str, int] = field(default_factory=dict)

    @property
    def instance(self) -> str:
        return self.identity.instance

    def acknowledge(self, have: Mapping[str, int]) -> None:
        """Raise the acknowledgement vector to ``have`` (never lowers it: an old bundle replayed is harmless)."""
        for origin, n in have.items():
            if n > self.ack.get(origin, 0):
                self.ack[origin] = n


@dataclass(frozen=True)
class Opened:
    """A verified, decrypted bundle: nothing from it has been applied yet."""

    sender: Peer
    header: dict[str, Any]
    have: dict[str, int]
    changes: list[Change]
    files: dict[str, bytes]


@dataclass(frozen=True)
class ImportResult:
    sender: str
    new_changes: list[Change]
    new_files: list[str]


def _ranges(changes: Sequence[Change]) -> dict[str, list[int]]:
    by_origin: dict[str, list[int]] = {}
    for change in changes:
        by_origin.setdefault(change.origin, []).append(change.seq)
    out: dict[str, list[int]] = {}
    for origin, seqs in sorted(by_origin.items()):
        seqs.sort()
        if seqs != list(range(seqs[0], seqs[0] + len(seqs))):
            raise SyncError(f"changes of {origin} in one bundle must be one gap-free run of sequence numbers")
        out[origin] = [seqs[0], seqs[-1]]
    return out


def _key(shared: bytes, epk: bytes, recipient: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=epk + recipient, info=_HKDF_INFO).derive(shared)


def _evidence_files(changes: Sequence[Change]) -> list[str]:
    shas = {c.data["body"]["sha256"] for c in changes if c.op == "item" and c.target.startswith("evidence/")}
    return sorted(shas)


def seal(
    changes: Sequence[Change],
    *,
    sender: Keys,
    recipient: Identity,
    have: Mapping[str, int],
    files: Mapping[str, bytes] | None = None,
) -> bytes:
    """Encrypt ``changes`` (with ``have`` and the evidence files they name) to ``recipient``; sign as ``sender``."""
    files = files or {}
    needed = _evidence_files(changes)
    blobs = []
    for sha in needed:
        data = files.get(sha)
        if data is None or hashlib.sha256(data).hexdigest() != sha:
            raise EvidenceMismatch(
                f"evidence file {sha[:12]}… is missing or damaged here; cannot send its record"
            )
        blobs.append(data)
    meta = canonical_json({"have": dict(have), "changes": [c.to_json() for c in changes], "files": needed})
    payload = b"".join(struct.pack(">I", len(p)) + p for p in [meta, *blobs])
    ephemeral = X25519PrivateKey.generate()
    epk = _raw(ephemeral.public_key())
    nonce = os.urandom(12)
    header = canonical_json(
        {
            "v": 1,
            "from": sender.instance,
            "to": recipient.instance,
            "epk": b64e(epk),
            "nonce": b64e(nonce),
            "ranges": _ranges(changes),
            "count": len(changes),
            "files": len(needed),
            "size": len(payload),
            "sha256": hashlib.sha256(payload).hexdigest(),
        }
    )
    key = _key(ephemeral.exchange(recipient.exchange), epk, _raw(recipient.exchange))
    ciphertext = AESGCM(key).encrypt(nonce, payload, header)
    body = MAGIC + struct.pack(">I", len(header)) + header + struct.pack(">Q", len(ciphertext)) + ciphertext
    return body + sender.signing.sign(body)


def _take(data: bytes, at: int, size: int, what: str) -> bytes:
    if at + size > len(data):
        raise BundleTruncated(
            f"the bundle ends inside its {what} ({len(data)} bytes): it was cut short; ask again"
        )
    return data[at : at + size]


def _parse_header(data: bytes) -> tuple[dict[str, Any], bytes, int]:
    if len(data) < len(MAGIC):
        raise BundleTruncated("the bundle is shorter than its format marker: it was cut short")
    if not data.startswith(MAGIC):
        raise BundleTampered("this is not a Vigil sync bundle (wrong format marker)")
    (size,) = struct.unpack(">I", _take(data, len(MAGIC), 4, "header length"))
    raw = _take(data, len(MAGIC) + 4, size, "header")
    try:
        header = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise BundleTampered("the bundle's header is not readable: it was altered") from None
    if not isinstance(header, dict) or header.get("v") != 1 or canonical_json(header) != raw:
        raise BundleTampered("the bundle's header is not in the expected form: it was altered")
    if not isinstance(header.get("from"), str) or not isinstance(header.get("to"), str):
        raise BundleTampered("the bundle's header does not name its sender and recipient: it was altered")
    return header, raw, len(MAGIC) + 4 + size


def read_header(data: bytes) -> dict[str, Any]:
    """The bundle's header, unverified (for showing who sent what to whom before importing)."""
    return _parse_header(data)[0]


def open_bundle(data: bytes, *, me: Keys, peers: Mapping[str, Peer]) -> Opened:
    """Verify and decrypt a bundle addressed to ``me`` from one of ``peers`` (keyed by instance id).

    Raises ``BundleTruncated``, ``BundleNotForUs``, ``BundleUnknownSender``, ``BundleTampered`` or
    ``EvidenceMismatch``; applies nothing either way.
    """
    header, raw_header, at = _parse_header(data)
    if header["to"] != me.instance:
        raise BundleNotForUs(
            f"this bundle is encrypted to instance {header['to']}, not to this one ({me.instance}); "
            "it cannot be read here"
        )
    peer = peers.get(header["from"])
    if peer is None:
        raise BundleUnknownSender(
            f"this bundle claims to come from instance {header['from']}, which is not one of our peers; "
            "add its identity first if you trust it"
        )
    (ct_size,) = struct.unpack(">Q", _take(data, at, 8, "ciphertext length"))
    ciphertext = _take(data, at + 8, ct_size, "ciphertext")
    end = at + 8 + ct_size
    signature = _take(data, end, _SIG_LEN, "signature")
    if len(data) != end + _SIG_LEN:
        raise BundleTampered("the bundle has bytes after its signature: it was altered")
    try:
        peer.identity.signing.verify(signature, data[:end])
    except InvalidSignature:
        raise BundleTampered(
            f"the bundle's signature does not match {peer.identity.name} ({peer.instance}): it was altered "
            "or forged; nothing was imported"
        ) from None
    try:
        epk = b64d(header["epk"])
        nonce = b64d(header["nonce"])
        shared = me.exchange.exchange(X25519PublicKey.from_public_bytes(epk))
        key = _key(shared, epk, _raw(me.exchange.public_key()))
        payload = AESGCM(key).decrypt(nonce, ciphertext, raw_header)
    except (InvalidTag, ValueError, KeyError, TypeError):
        raise BundleTampered("the bundle does not decrypt: it was altered; nothing was imported") from None
    if len(payload) != header.get("size") or hashlib.sha256(payload).hexdigest() != header.get("sha256"):
        raise BundleTampered("the bundle's payload does not match the hash in its header")
    return _parse_payload(payload, header, peer)


def _parse_payload(payload: bytes, header: dict[str, Any], peer: Peer) -> Opened:
    parts: list[bytes] = []
    at = 0
    while at < len(payload):
        if at + 4 > len(payload):
            raise BundleTampered("the bundle's payload is malformed")
        (size,) = struct.unpack(">I", payload[at : at + 4])
        if at + 4 + size > len(payload):
            raise BundleTampered("the bundle's payload is malformed")
        parts.append(payload[at + 4 : at + 4 + size])
        at += 4 + size
    if not parts:
        raise BundleTampered("the bundle's payload is empty")
    try:
        meta = json.loads(parts[0].decode("utf-8"))
        have = {str(k): int(v) for k, v in meta["have"].items()}
        changes = [Change.from_json(c) for c in meta["changes"]]
        names = [str(s) for s in meta["files"]]
    except (UnicodeDecodeError, ValueError, KeyError, TypeError, AttributeError, InvalidChange) as exc:
        raise BundleTampered(f"the bundle's content is malformed: {exc}") from None
    try:
        ranges = _ranges(changes)
    except SyncError as exc:
        raise BundleTampered(str(exc)) from None
    if ranges != header.get("ranges") or len(changes) != header.get("count"):
        raise BundleTampered("the bundle's changes do not match the ranges in its header")
    if names != _evidence_files(changes) or len(parts) != 1 + len(names) or header.get("files") != len(names):
        raise EvidenceMismatch("the bundle does not carry exactly the evidence files its records name")
    files: dict[str, bytes] = {}
    for sha, blob in zip(names, parts[1:]):
        if hashlib.sha256(blob).hexdigest() != sha:
            raise EvidenceMismatch(f"evidence file {sha[:12]}… in the bundle does not match its SHA-256")
        files[sha] = blob
    return Opened(peer, header, have, changes, files)


def export_bundle(
    replica: Replica, *, me: Keys, peer: Peer, files: Mapping[str, bytes] | None = None
) -> bytes:
    """A bundle of everything ``peer`` has not acknowledged, with the evidence files those changes name."""
    return seal(
        replica.changes_since(peer.ack), sender=me, recipient=peer.identity, have=replica.have(), files=files
    )


def import_bundle(
    replica: Replica,
    data: bytes,
    *,
    me: Keys,
    peers: Mapping[str, Peer],
    files: MutableMapping[str, bytes] | None = None,
) -> ImportResult:
    """Verify, decrypt and join a bundle; on any error nothing (state, files, acknowledgements) changes.

    Evidence files go into ``files`` (SHA-256 hex -> bytes; any mapping, e.g. a wrapper around encrypted
    storage) before the changes are applied, so a record never names a file that is not there.
    """
    opened = open_bundle(data, me=me, peers=peers)
    fresh = replica.check_remote(opened.changes)  # SequenceReused or ClockSkewError refuse the whole bundle
    new_files = []
    if files is not None:
        for sha, blob in opened.files.items():
            if sha not in files:
                files[sha] = blob
                new_files.append(sha)
    replica.apply_remote(fresh)
    opened.sender.acknowledge(opened.have)
    return ImportResult(opened.sender.instance, fresh, new_files)
