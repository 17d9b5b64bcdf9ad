"""Identity fields sealed in the application on PostgreSQL.

A multi-user server on PostgreSQL does not get SQLCipher's whole-file encryption, so names, contacts and
narratives are encrypted by Vigil before they reach the server: AES-256-GCM bound to table, row and field
(a token moved to another row or column does not decrypt), with a keyed HMAC "blind index" where exact
look-up is needed (search keys, source look-up, content hashes). On the embedded SQLCipher database the
whole file is encrypted already, so values are stored as they are.

Models opt in by inheriting :class:`SealedModel` (which gives each row a random ``uid`` for the binding) and
declaring fields as :class:`SealedTextField` or :class:`SealedJSONField`. Rows are unsealed in ``from_db``;
``values()`` queries on a sealed column return tokens, which is why counts never read sealed columns.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from django.conf import settings
from django.db import connections, models

from vigil.lib.crypto.fields import blind_index, decrypt_field, encrypt_field
from vigil.lib.crypto.keys import Purpose
from vigil.protection import keys

SEALED_PREFIX = "sealed:"


def active(using: str = "default") -> bool:
    return connections[using].vendor == "postgresql" and getattr(settings, "SEAL_FIELDS", True)


def _seal(table: str, row: object, field: str, plaintext: str) -> str:
    token = encrypt_field(keys.keyring().keys(Purpose.FIELD), plaintext, table=table, row_id=row, field=field)
    return SEALED_PREFIX + token


def _unseal(table: str, row: object, field: str, value: str) -> str:
    return decrypt_field(
        keys.keyring().keys(Purpose.FIELD), value[len(SEALED_PREFIX) :], table=table, row_id=row, field=field
    )


def unsealed(model: type[models.Model], uid: object, field: str, value: str) -> str:
    """A sealed column's value as read by ``values()`` (a token on PostgreSQL), in clear."""
    if isinstance(value, str) and value.startswith(SEALED_PREFIX):
        return _unseal(model._meta.db_table, uid, field, value)
    return value


def index(value: str, field: str) -> str:
    """Keyed HMAC of a value, for exact look-up without storing the value (used on every backend)."""
    return blind_index(keys.keyring().key(Purpose.BLIND_INDEX), value, field)


class SealedTextField(models.TextField):
    def pre_save(self, model_instance: models.Model, add: bool) -> Any:
        value = super().pre_save(model_instance, add)
        if not value or not active(model_instance._state.db or "default"):
            return value
        return _seal(model_instance._meta.db_table, model_instance.uid, self.attname, value)  # type: ignore[attr-defined]


class SealedJSONField(models.JSONField):
    def pre_save(self, model_instance: models.Model, add: bool) -> Any:
        value = super().pre_save(model_instance, add)
        if value is None or not active(model_instance._state.db or "default"):
            return value
        plaintext = json.dumps(value, ensure_ascii=False, sort_keys=True)
        return {"sealed": _seal(model_instance._meta.db_table, model_instance.uid, self.attname, plaintext)}  # type: ignore[attr-defined]


class SealedModel(models.Model):
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)

    class Meta:
        abstract = True

    @classmethod
    def from_db(cls, db: str | None, field_names: Any, values: Any) -> Any:
        instance = super().from_db(db, field_names, values)
        table = cls._meta.db_table
        for field in cls._meta.concrete_fields:
            if (
                not isinstance(field, SealedTextField | SealedJSONField)
                or field.attname not in instance.__dict__
            ):
                continue
            value = instance.__dict__[field.attname]
            if (
                isinstance(field, SealedTextField)
                and isinstance(value, str)
                and value.startswith(SEALED_PREFIX)
            ):
                instance.__dict__[field.attname] = _unseal(table, instance.uid, field.attname, value)
            elif isinstance(field, SealedJSONField) and isinstance(value, dict) and set(value) == {"sealed"}:
                instance.__dict__[field.attname] = json.loads(
                    _unseal(table, instance.uid, field.attname, value["sealed"])
                )
        return instance
