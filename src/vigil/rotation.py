"""Key rotation that leaves no data under the old key: rotate, re-encrypt everything the key protects, retire
the old version (its key can then never be derived again).

* ``sqlcipher``: the database file is re-keyed in place (``PRAGMA rekey``).
* ``field``: on PostgreSQL every sealed value is re-sealed under the new key (on SQLCipher nothing is sealed).
* ``file``: every evidence file is re-encrypted chunk by chunk, plaintext only in memory, then swapped in.
* ``audit_signing``: new checkpoints are signed with the new key; old ones keep verifying with the public key
  they carry, so the old version is kept.
The blind-index key is not rotated: every search key, source look-up and content hash would have to be
recomputed from plaintext first (not supported yet; refused with that reason).
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

from vigil import keys, sealing
from vigil.crypto.fields import encrypt_field
from vigil.crypto.files import reencrypt_stream
from vigil.crypto.keys import Purpose


class RotationRefused(ValueError):
    pass


@dataclass
class RotationResult:
    purpose: str
    old_version: int
    new_version: int
    reencrypted: int
    retired: bool


def rotate(purpose: Purpose, *, actor: Any = None) -> RotationResult:
    from vigil.audit.log import record as audit

    if purpose == Purpose.BLIND_INDEX:
        raise RotationRefused(
            "the blind-index key cannot be rotated yet: every search key, source look-up and content hash would "
            "have to be recomputed from plaintext first"
        )
    ring = keys.keyring()
    old = ring.current_version(purpose)
    if purpose == Purpose.SQLCIPHER and settings.DATABASES["default"]["ENGINE"] == "vigil.sqlcipher":
        # Open the database under the current key before the new one becomes current.
        connection.ensure_connection()
    new = ring.rotate(purpose)
    if purpose == Purpose.SQLCIPHER:
        count = _rekey_database(ring.sqlcipher_key_hex())
    elif purpose == Purpose.FIELD:
        count = _reseal_fields()
    elif purpose == Purpose.FILE:
        count = _reencrypt_files()
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
    if settings.DATABASES["default"]["ENGINE"] != "vigil.sqlcipher":
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
            sealed = [f for f in model._meta.concrete_fields if isinstance(f, sealing.SealedTextField | sealing.SealedJSONField)]
            table = model._meta.db_table
            for obj in model.objects.all().iterator(chunk_size=1000):  # from_db unseals with whichever version
                updates: dict[str, Any] = {}
                for f in sealed:
                    value = getattr(obj, f.attname)
                    if value in (None, "") or (isinstance(f, sealing.SealedJSONField) and value is None):
                        continue
                    plaintext = json.dumps(value, ensure_ascii=False, sort_keys=True) if isinstance(f, sealing.SealedJSONField) else value
                    token = sealing.SEALED_PREFIX + encrypt_field(field_keys, plaintext, table=table, row_id=obj.uid, field=f.attname)
                    updates[f.attname] = {"sealed": token} if isinstance(f, sealing.SealedJSONField) else token
                if updates:
                    # A raw update: immutable reports refuse save(), and re-sealing changes no content.
                    model.objects.filter(pk=obj.pk).update(**updates)
                    count += 1
    return count


def _reencrypt_files() -> int:
    from vigil.abuse.models import EvidenceFile
    from vigil.abuse.operations import _aad, evidence_dir

    ring = keys.keyring()
    count = 0
    for evidence in EvidenceFile.objects.all().iterator():
        path = evidence_dir() / evidence.storage_name
        temp = path.with_name(f".{evidence.storage_name}.{secrets.token_hex(4)}.tmp")
        with path.open("rb") as src, open(temp, "xb") as dst:
            info = reencrypt_stream(src, dst, ring.keys(Purpose.FILE), ring.key(Purpose.FILE), _aad(evidence.storage_name))
            dst.flush()
            os.fsync(dst.fileno())
        if info.plaintext_sha256 != evidence.sha256:
            temp.unlink()
            raise RotationRefused(f"evidence file {evidence.pk} does not match its recorded SHA-256; left untouched")
        os.chmod(temp, 0o400)
        os.replace(temp, path)
        count += 1
    return count
