"""The keystore: a random master key wrapped by a passphrase, and the keys derived from it.

On disk there is one small JSON keyfile (0600, written atomically) holding:

* the Argon2id parameters and salt that turn the passphrase into a key-encryption key (KEK);
* the 256-bit master key wrapped with AES-256-GCM under that KEK;
* for every purpose (SQLCipher, fields, blind index, files, audit signing) the live key versions, each with a
  random HKDF salt; a data key is ``HKDF-SHA256(master, salt, info=purpose|version)``;
* an HMAC (keyed from the master key) over everything except the wrap, so edits to the version list are caught.

Changing the passphrase only rewraps the master key, so no data is re-encrypted. Rotating adds a version with
a fresh salt; retiring deletes that salt, after which the old data key cannot be derived even by someone who
holds the master key (or its recovery shares). Destroying overwrites and deletes the keyfile: without the
wrapped master key nothing encrypted under it can be decrypted, however many records there are.

Python cannot promise that secrets leave memory: ``bytes`` objects are immutable and copies are made by the
interpreter and by OpenSSL. Key material is held in ``bytearray`` objects that :meth:`Keyring.lock` overwrites,
and every reference the keyring owns is dropped; this removes the copies we control, which is the best a
Python process can do. For a hard guarantee, stop the process (``lock now`` in the web layer should do both).
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import weakref
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from vigil.lib.crypto import fields, shares, signing
from vigil.lib.crypto._encoding import b64d, b64e
from vigil.lib.crypto.errors import (
    KeyfileError,
    KeyRetiredError,
    KeyringLockedError,
    KeystoreDestroyedError,
    WrongPassphraseError,
)
from vigil.lib.crypto.master import (
    MASTER_KEY_BYTES,
    _check_metadata,
    _hkdf,
    _master_from_shares,
    _seal_metadata,
    _wipe,
    _wrap_aad,
    _wrap_master,
)
from vigil.lib.crypto.material import VersionedKey
from vigil.lib.crypto.passphrase import KdfParams as KdfParams  # callers import it from here
from vigil.lib.crypto.passphrase import _normalise_passphrase, derive_kek
from vigil.lib.crypto.passphrase import passphrase_from_env as passphrase_from_env  # callers import it here

KEYFILE_NAME = "vigil.keyfile.json"
KEYFILE_FORMAT = "vigil-keyfile"
KEYFILE_VERSION = 1
BACKUP_KEYS_FORMAT = "vigil-backup-keys"
BACKUP_KEYS_VERSION = 1


class Purpose(StrEnum):
    SQLCIPHER = "sqlcipher"
    FIELD = "field"
    BLIND_INDEX = "blind_index"
    FILE = "file"
    AUDIT_SIGNING = "audit_signing"


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


# Every unlocked keyring in this process, so that "lock now" and the panic action reach all of them.
_LIVE: weakref.WeakSet[Keyring] = weakref.WeakSet()


def lock_all() -> int:
    """Lock every keyring unlocked in this process (the panic path). Returns how many were locked."""
    rings = list(_LIVE)
    for ring in rings:
        ring.lock()
    return len(rings)


class PurposeKeys:
    """The keys of one purpose in an unlocked keyring; satisfies :class:`vigil.lib.crypto.material.KeySource`."""

    def __init__(self, ring: Keyring, purpose: Purpose) -> None:
        self._ring = ring
        self.purpose = purpose

    def current(self) -> VersionedKey:
        return self._ring.key(self.purpose)

    def get(self, version: int) -> VersionedKey:
        return self._ring.key(self.purpose, version)


class Keyring:
    """An unlocked keystore: the master key in memory and the keys derived from it."""

    def __init__(self, store: KeyStore, master: bytearray, doc: dict[str, Any]) -> None:
        self._store = store
        self._master: bytearray | None = master
        self._doc = doc
        self._derived: dict[tuple[Purpose, int], bytearray] = {}
        _LIVE.add(self)

    # -- state -------------------------------------------------------------------------------------------
    @property
    def locked(self) -> bool:
        return self._master is None

    @property
    def key_id(self) -> str:
        return str(self._doc["key_id"])

    def _require_master(self) -> bytearray:
        if self._master is None:
            raise KeyringLockedError("the keyring is locked")
        return self._master

    def lock(self) -> None:
        """Overwrite the master key and every derived key held here, and drop the references."""
        _wipe(self._master)
        self._master = None
        for buf in self._derived.values():
            _wipe(buf)
        self._derived.clear()
        _LIVE.discard(self)

    def __enter__(self) -> Keyring:
        return self

    def __exit__(self, *exc: object) -> None:
        self.lock()

    # -- keys --------------------------------------------------------------------------------------------
    def versions(self, purpose: Purpose) -> list[int]:
        self._require_master()
        return sorted(int(v["version"]) for v in self._doc["keys"][purpose.value])

    def current_version(self, purpose: Purpose) -> int:
        self._require_master()
        return int(self._doc["current"][purpose.value])

    def key(self, purpose: Purpose, version: int | None = None) -> VersionedKey:
        master = self._require_master()
        wanted = self.current_version(purpose) if version is None else version
        cached = self._derived.get((purpose, wanted))
        if cached is None:
            entry = next((v for v in self._doc["keys"][purpose.value] if v["version"] == wanted), None)
            if entry is None:
                raise KeyRetiredError(f"{purpose.value} key version {wanted} is retired or unknown")
            info = f"vigil/{purpose.value}/v{wanted}".encode()
            cached = _hkdf(master, b64d(entry["salt"]), info)
            self._derived[(purpose, wanted)] = cached
        return VersionedKey(wanted, bytes(cached))

    def keys(self, purpose: Purpose) -> PurposeKeys:
        return PurposeKeys(self, purpose)

    def sqlcipher_key_hex(self, version: int | None = None) -> str:
        """64 hex digits: a raw key for SQLCipher, which then skips its own (slow, redundant) PBKDF2."""
        return self.key(Purpose.SQLCIPHER, version).material.hex()

    def sqlcipher_pragma(self, version: int | None = None) -> str:
        return f"PRAGMA key = \"x'{self.sqlcipher_key_hex(version)}'\""

    def signing_key(self, version: int | None = None) -> Ed25519PrivateKey:
        return signing.private_key_from_seed(self.key(Purpose.AUDIT_SIGNING, version).material)

    # -- changes that are persisted ----------------------------------------------------------------------
    def rotate(self, purpose: Purpose) -> int:
        """Add a new key version for ``purpose`` and make it current; returns the new version number."""
        master = self._require_master()
        doc = json.loads(json.dumps(self._doc))
        new_version = max(int(v["version"]) for v in doc["keys"][purpose.value]) + 1
        doc["keys"][purpose.value].append(
            {"version": new_version, "salt": b64e(secrets.token_bytes(32)), "created": _now()}
        )
        doc["current"][purpose.value] = new_version
        self._store._write(_seal_metadata(doc, master))
        self._doc = doc
        return new_version

    def retire(self, purpose: Purpose, version: int) -> None:
        """Forget an old version's salt so its key can never be derived again (check nothing uses it first)."""
        master = self._require_master()
        if version == self.current_version(purpose):
            raise ValueError("cannot retire the current version; rotate first")
        doc = json.loads(json.dumps(self._doc))
        before = len(doc["keys"][purpose.value])
        doc["keys"][purpose.value] = [v for v in doc["keys"][purpose.value] if v["version"] != version]
        if len(doc["keys"][purpose.value]) == before:
            raise KeyRetiredError(f"{purpose.value} key version {version} is not live")
        self._store._write(_seal_metadata(doc, master))
        self._doc = doc
        _wipe(self._derived.pop((purpose, version), None))

    def change_passphrase(self, new_passphrase: str, *, kdf: KdfParams | None = None) -> None:
        """Rewrap the master key under a new passphrase; nothing encrypted with the master key changes."""
        master = self._require_master()
        doc = json.loads(json.dumps(self._doc))
        doc["kdf"], doc["wrap"] = _wrap_master(master, new_passphrase, kdf or KdfParams(), doc["key_id"])
        self._store._write(doc)
        self._doc = doc

    def recovery_shares(self, *, threshold: int = 2, count: int = 3) -> list[str]:
        """Printable shares of the master key; any ``threshold`` of them can reset the passphrase."""
        master = self._require_master()
        return [shares.format_share(s) for s in shares.split(bytes(master), threshold=threshold, count=count)]

    def backup_keys(self) -> BackupKeys:
        """This keystore's keys as a backup carries them: without the passphrase wrap (see BackupKeys)."""
        self._require_master()
        return BackupKeys({k: json.loads(json.dumps(self._doc[k])) for k in BackupKeys.FIELDS})


class BackupKeys:
    """The keyfile as a backup holds it: the key versions, their salts and the keyfile's MAC, but no wrapped
    master key. The data keys are ``HKDF(master, salt)``, so without the master key the salts are useless;
    the master key is in no form in the backup, and only the recovery shares (which combine into it) open
    it. So the passphrase, which can be forced out of whoever carries the laptop and the backup, opens no
    backup; and destroying the keystore on the device leaves every backup as closed as it was.

    The MAC (keyed from the master key) over the versions tells whether given shares are this keystore's:
    shares of another keystore are refused before anything is written.
    """

    FIELDS = ("key_id", "created", "keys", "current", "mac")

    def __init__(self, doc: Mapping[str, Any]) -> None:
        self._doc = {k: doc[k] for k in self.FIELDS}

    @property
    def key_id(self) -> str:
        return str(self._doc["key_id"])

    def to_bytes(self) -> bytes:
        doc = {"format": BACKUP_KEYS_FORMAT, "version": BACKUP_KEYS_VERSION, **self._doc}
        return json.dumps(doc, indent=1, sort_keys=True).encode("utf-8")

    @classmethod
    def from_bytes(cls, data: bytes) -> BackupKeys:
        try:
            doc = json.loads(data)
        except ValueError:
            raise KeyfileError("the backup's keys are not readable JSON") from None
        if not isinstance(doc, dict) or doc.get("format") != BACKUP_KEYS_FORMAT:
            raise KeyfileError("not a Vigil backup's keys")
        if doc.get("version") != BACKUP_KEYS_VERSION:
            raise KeyfileError(f"unsupported backup keys version {doc.get('version')!r}")
        missing = [k for k in cls.FIELDS if k not in doc]
        if missing:
            raise KeyfileError(f"the backup's keys lack {', '.join(missing)}")
        return cls(doc)

    def master_from_shares(self, printed_shares: Sequence[str]) -> bytearray:
        """The master key from ``printed_shares``, checked against the MAC. Raises ShareError (malformed,
        too few, from different printings) or WrongPassphraseError (the shares of another keystore)."""
        return _master_from_shares(self._doc, printed_shares)

    def install(
        self,
        store: KeyStore,
        printed_shares: Sequence[str],
        new_passphrase: str,
        *,
        kdf: KdfParams | None = None,
    ) -> Keyring:
        """Write a keyfile for these keys in ``store`` (refused if one exists), the master key recovered
        from the shares and wrapped under ``new_passphrase``; returns the unlocked keyring."""
        if store.exists():
            raise KeyfileError(f"a keyfile already exists at {store.path}; refusing to overwrite it")
        _normalise_passphrase(new_passphrase)  # an empty one is refused before the shares are combined
        master = self.master_from_shares(printed_shares)
        doc: dict[str, Any] = {"format": KEYFILE_FORMAT, "version": KEYFILE_VERSION}
        doc.update(json.loads(json.dumps(self._doc)))
        try:
            doc["kdf"], doc["wrap"] = _wrap_master(master, new_passphrase, kdf or KdfParams(), doc["key_id"])
            store._write(doc)
        except BaseException:
            _wipe(master)
            raise
        return Keyring(store, master, doc)


class KeyStore:
    """The keyfile in ``directory`` and the operations on it."""

    def __init__(self, directory: str | os.PathLike[str]) -> None:
        self.directory = Path(directory)
        self.path = self.directory / KEYFILE_NAME

    def exists(self) -> bool:
        return self.path.exists()

    # -- file handling -----------------------------------------------------------------------------------
    def _write(self, doc: Mapping[str, Any]) -> None:
        """Write atomically: a crash leaves either the old or the new keyfile, never a torn one."""
        self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        data = json.dumps(doc, indent=1, sort_keys=True).encode("utf-8")
        tmp = self.directory / f".{KEYFILE_NAME}.{secrets.token_hex(6)}.tmp"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, self.path)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
            raise
        _fsync_dir(self.directory)

    def _read(self) -> dict[str, Any]:
        try:
            doc = json.loads(self.path.read_bytes())
        except FileNotFoundError:
            raise KeystoreDestroyedError(f"no keyfile at {self.path}") from None
        except (ValueError, OSError) as exc:
            raise KeyfileError(f"unreadable keyfile: {exc}") from None
        if not isinstance(doc, dict) or doc.get("format") != KEYFILE_FORMAT:
            raise KeyfileError("not a Vigil keyfile")
        if doc.get("version") != KEYFILE_VERSION:
            raise KeyfileError(f"unsupported keyfile version {doc.get('version')!r}")
        return doc

    # -- lifecycle ---------------------------------------------------------------------------------------
    def create(self, passphrase: str, *, kdf: KdfParams | None = None) -> Keyring:
        """Generate a random master key, wrap it with ``passphrase`` and write the keyfile."""
        if self.exists():
            raise KeyfileError(f"a keyfile already exists at {self.path}; refusing to overwrite it")
        master = bytearray(secrets.token_bytes(MASTER_KEY_BYTES))
        key_id = secrets.token_hex(8)
        created = _now()
        doc: dict[str, Any] = {"format": KEYFILE_FORMAT, "version": KEYFILE_VERSION, "key_id": key_id}
        doc["kdf"], doc["wrap"] = _wrap_master(master, passphrase, kdf or KdfParams(), key_id)
        doc["created"] = created
        doc["keys"] = {
            p.value: [{"version": 1, "salt": b64e(secrets.token_bytes(32)), "created": created}]
            for p in Purpose
        }
        doc["current"] = {p.value: 1 for p in Purpose}
        self._write(_seal_metadata(doc, master))
        return Keyring(self, master, doc)

    def unlock(self, passphrase: str) -> Keyring:
        doc = self._read()
        try:
            kdf = doc["kdf"]
            params = KdfParams(int(kdf["time_cost"]), int(kdf["memory_cost_kib"]), int(kdf["parallelism"]))
            if kdf["alg"] != "argon2id" or kdf["argon2_version"] != 19:
                raise KeyfileError("unsupported KDF")
            kek = derive_kek(passphrase, b64d(kdf["salt"]), params)
            wrap = doc["wrap"]
            try:
                master = bytearray(
                    AESGCM(bytes(kek)).decrypt(
                        b64d(wrap["nonce"]), b64d(wrap["ciphertext"]), _wrap_aad(doc["key_id"])
                    )
                )
            except InvalidTag:
                raise WrongPassphraseError("the passphrase does not unlock this keystore") from None
            finally:
                _wipe(kek)
        except (KeyError, TypeError, ValueError) as exc:
            raise KeyfileError(f"malformed keyfile: {exc!r}") from None
        return self._open(master, doc)

    def _open(self, master: bytearray, doc: dict[str, Any]) -> Keyring:
        if not _check_metadata(doc, master):
            _wipe(master)
            raise KeyfileError(
                "keyfile metadata fails its integrity check (edited, or from another keystore)"
            )
        return Keyring(self, master, doc)

    def unlock_with_shares(self, printed_shares: Sequence[str]) -> Keyring:
        """Recover the master key from printed shares (e.g. a forgotten passphrase); follow with a new one."""
        doc = self._read()
        return Keyring(self, _master_from_shares(doc, printed_shares), doc)

    def recover(
        self, printed_shares: Sequence[str], new_passphrase: str, *, kdf: KdfParams | None = None
    ) -> Keyring:
        """Unlock with the shares and wrap the master key under ``new_passphrase`` (the old one stops
        working); returns the unlocked keyring. Nothing is written when the shares or the passphrase fail."""
        _normalise_passphrase(new_passphrase)
        ring = self.unlock_with_shares(printed_shares)
        try:
            ring.change_passphrase(new_passphrase, kdf=kdf)
        except BaseException:
            ring.lock()
            raise
        return ring

    def destroy(self) -> None:
        """Lock every keyring of this process, then overwrite and delete the keyfile and any stray temp files.

        Overwriting is best effort on SSDs and copy-on-write file systems; the guarantee rests on the
        wrapped master key being the only way to the data, so backups of the keyfile must not exist.
        """
        lock_all()
        victims = [self.path, *self.directory.glob(f".{KEYFILE_NAME}.*.tmp")]
        for victim in victims:
            shred(victim)
        if self.directory.exists():
            _fsync_dir(self.directory)


def shred(path: Path) -> bool:
    """Overwrite ``path`` with random bytes, flush, and delete it (best effort on SSDs and copy-on-write file
    systems); False when there was no such file."""
    try:
        fd = os.open(path, os.O_WRONLY)
    except FileNotFoundError:
        return False
    try:
        size = os.fstat(fd).st_size
        os.write(fd, secrets.token_bytes(size))
        os.fsync(fd)
    finally:
        os.close(fd)
    os.unlink(path)
    return True


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


# -- rotation helpers (kept here for callers that import them from the keystore) -------------------------

FieldContext = fields.FieldContext
contexts_under_version = fields.contexts_under_version


def reencrypt_fields(
    keys: PurposeKeys, items: Iterable[tuple[FieldContext, str]]
) -> Iterator[tuple[FieldContext, str]]:
    """Same as :func:`vigil.lib.crypto.fields.reencrypt` for the field keys of a keyring."""
    return fields.reencrypt(keys, items)
