"""Key rotation that leaves no data under the old key: rotate, re-encrypt everything the key protects, retire
the old version (its key can then never be derived again).

* ``sqlcipher``: the database file is re-keyed in place (``PRAGMA rekey``).
* ``field``: on PostgreSQL every sealed value is re-sealed under the new key (on SQLCipher nothing is sealed).
* ``file``: every evidence file is re-encrypted chunk by chunk, plaintext only in memory, then swapped in.
* ``audit_signing``: new checkpoints are signed with the new key; old ones keep verifying with the public key
  they carry, so the old version is kept.
* ``blind_index``: every keyed hash is recomputed from the plaintext under the new key: source look-ups,
  reports' and conflicts' content hashes and, on PostgreSQL, the hashed search keys of reported names (the
  column and its indexed rows, ``IdentitySearchKey``). The stored hashes are first recomputed under the old
  key and must all match, so a rotation never turns a resubmitted report into a "conflict" or loses a
  source; if any differs, nothing is rotated.
"""

from __future__ import annotations

import json
import os
import secrets
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import connection, transaction

from vigil.audit.actors import Actor
from vigil.lib.crypto.fields import encrypt_field
from vigil.lib.crypto.files import reencrypt_stream
from vigil.lib.crypto.keys import Purpose
from vigil.protection import keys, sealing


class RotationRefused(ValueError):
    pass


@dataclass
class RotationResult:
    purpose: str
    old_version: int
    new_version: int
    reencrypted: int
    retired: bool


def rotate(purpose: Purpose, *, actor: Actor = None) -> RotationResult:
    from vigil.audit.log import record as audit

    if purpose == Purpose.BLIND_INDEX:
        mismatches = _blind_index_mismatches()
        if mismatches:
            raise RotationRefused(
                f"{len(mismatches)} stored hashes do not match their plaintext under the current key "
                f"(first: {mismatches[0]}); nothing was rotated"
            )
    ring = keys.keyring()
    old = ring.current_version(purpose)
    if (
        purpose == Purpose.SQLCIPHER
        and settings.DATABASES["default"]["ENGINE"] == "vigil.protection.sqlcipher"
    ):
        # Open the database under the current key before the new one becomes current.
        connection.ensure_connection()
    new = ring.rotate(purpose)
    if purpose == Purpose.SQLCIPHER:
        count = _rekey_database(ring.sqlcipher_key_hex())
    elif purpose == Purpose.FIELD:
        count = _reseal_fields()
    elif purpose == Purpose.FILE:
        count = _reencrypt_files()
    elif purpose == Purpose.BLIND_INDEX:
        count = _reindex()
    else:
        count = 0
    retire = purpose != Purpose.AUDIT_SIGNING
    if retire:
        for version in ring.versions(purpose):
            if version != new:
                ring.retire(purpose, version)
    audit(actor, "keys.rotate", None, purpose=purpose.value, version=new, reencrypted=count)
    return RotationResult(purpose.value, old, new, count, retire)


def _rekey_database(new_key_hex: str) -> int:
    if settings.DATABASES["default"]["ENGINE"] != "vigil.protection.sqlcipher":
        return 0
    with connection.cursor() as cur:
        cur.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        cur.execute(f"PRAGMA rekey = \"x'{new_key_hex}'\"")
    connection.close()
    return 1


def _sealed_models() -> list[Any]:
    return [m for m in apps.get_models() if issubclass(m, sealing.SealedModel)]


def _reseal_fields() -> int:
    if not sealing.active():
        return 0
    field_keys = keys.keyring().keys(Purpose.FIELD)
    count = 0
    with transaction.atomic():
        for model in _sealed_models():
            sealed = [
                f
                for f in model._meta.concrete_fields
                if isinstance(f, sealing.SealedTextField | sealing.SealedJSONField)
            ]
            table = model._meta.db_table
            for obj in model.objects.all().iterator(
                chunk_size=1000
            ):  # from_db unseals with whichever version
                updates: dict[str, Any] = {}
                for f in sealed:
                    value = getattr(obj, f.attname)
                    if value in (None, "") or (isinstance(f, sealing.SealedJSONField) and value is None):
                        continue
                    plaintext = (
                        json.dumps(value, ensure_ascii=False, sort_keys=True)
                        if isinstance(f, sealing.SealedJSONField)
                        else value
                    )
                    token = sealing.SEALED_PREFIX + encrypt_field(
                        field_keys, plaintext, table=table, row_id=obj.uid, field=f.attname
                    )
                    updates[f.attname] = (
                        {"sealed": token} if isinstance(f, sealing.SealedJSONField) else token
                    )
                if updates:
                    # A raw update: immutable reports refuse save(), and re-sealing changes no content.
                    model.objects.filter(pk=obj.pk).update(**updates)
                    count += 1
    return count


def _hashes() -> list[tuple[Any, int, str, str, str, str]]:
    """Every keyed hash stored: (model, pk, column, stored value, value recomputed under the current key,
    an older form of it that is still correct: identities' search keys stored before sound keys existed)."""
    from vigil.records.models import Identity, Report, ReportConflict, Source
    from vigil.records.operations import (
        content_hash,
        search_keys_for,
        source_key,
        source_lookup,
        stored_keys_for,
    )

    out: list[tuple[Any, int, str, str, str, str]] = []
    key_of: dict[int, str] = {}
    for src in Source.objects.all().iterator(chunk_size=1000):
        key_of[src.pk] = source_key(src)
        lookup = source_lookup(src)
        out.append((Source, src.pk, "lookup", src.lookup, lookup, lookup))
    for report in Report.objects.all().iterator(chunk_size=1000):
        digest = content_hash(key_of[report.source_id], report.kind, report.payload, report.raw_text)
        out.append((Report, report.pk, "content_hash", report.content_hash, digest, digest))
    for conflict in ReportConflict.objects.all().iterator(chunk_size=1000):
        body = conflict.payload
        digest = content_hash(key_of[body["source"]], body["kind"], body["payload"], body["raw_text"])
        out.append((ReportConflict, conflict.pk, "content_hash", conflict.content_hash, digest, digest))
    if sealing.active():  # elsewhere the search keys are the normalised names themselves, not hashes
        for identity in Identity.objects.all().iterator(chunk_size=1000):
            keys_now = stored_keys_for(identity.full_name)
            older = search_keys_for(identity.full_name)
            out.append((Identity, identity.pk, "search_keys", identity.search_keys, keys_now, older))
    return out


def _blind_index_mismatches() -> list[str]:
    return [
        f"{model._meta.label_lower}:{pk} {column}"
        for model, pk, column, stored, now, older in _hashes()
        if stored not in (now, older)
    ]


def _reindex() -> int:
    """Store every keyed hash recomputed under the (new) current key, in one transaction."""
    from vigil.records.models import Identity
    from vigil.records.operations import store_search_keys

    count = 0
    with transaction.atomic():
        rekeyed: list[Identity] = []
        for model, pk, column, stored, now, _older in _hashes():
            if stored != now:
                model.objects.filter(pk=pk).update(**{column: now})  # raw: reports refuse save()
                count += 1
                if model is Identity:
                    rekeyed.append(Identity(pk=pk, search_keys=now))
            if len(rekeyed) >= 1000:
                store_search_keys(rekeyed, replacing=True)  # the indexed key rows follow the column
                rekeyed = []
        store_search_keys(rekeyed, replacing=True)
    return count


def _reencrypt_files() -> int:
    from vigil.abuse.models import EvidenceFile
    from vigil.abuse.operations import evidence_aad, evidence_dir

    ring = keys.keyring()
    count = 0
    for evidence in EvidenceFile.objects.all().iterator():
        path = evidence_dir() / evidence.storage_name
        temp = path.with_name(f".{evidence.storage_name}.{secrets.token_hex(4)}.tmp")
        with path.open("rb") as src, open(temp, "xb") as dst:
            info = reencrypt_stream(
                src, dst, ring.keys(Purpose.FILE), ring.key(Purpose.FILE), evidence_aad(evidence.storage_name)
            )
            dst.flush()
            os.fsync(dst.fileno())
        if info.plaintext_sha256 != evidence.sha256:
            temp.unlink()
            raise RotationRefused(
                f"evidence file {evidence.pk} does not match its recorded SHA-256; left untouched"
            )
        os.chmod(temp, 0o400)
        os.replace(temp, path)
        count += 1
    return count
