"""Django database backend: SQLite through SQLCipher, every page encrypted with a raw 256-bit key.

Configure with::

    DATABASES["default"] = {
        "ENGINE": "vigil.protection.sqlcipher",
        "NAME": "/var/lib/vigil/vigil.db",
        "OPTIONS": {
            "key_provider": "vigil.somewhere:sqlcipher_key",  # or "key_hex": "<64 hex digits>"
            "journal_mode": "WAL",                            # default; None leaves SQLite's default
            "memory_security": False,                         # default; see keying.apply_key
        },
    }

The key provider is called for every new connection, so locking the keyring stops new connections opening.
Everything else is Django's SQLite backend, with the driver module swapped for ``sqlcipher3``.
"""

from __future__ import annotations

import datetime
import decimal
import multiprocessing
from collections.abc import Mapping
from itertools import tee
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db import NotSupportedError
from django.db.backends.sqlite3 import base as sqlite_base
from django.db.backends.sqlite3._functions import register as register_functions
from django.db.backends.sqlite3.creation import DatabaseCreation as SQLiteDatabaseCreation
from django.utils.asyncio import async_unsafe
from django.utils.dateparse import parse_date, parse_datetime, parse_time
from sqlcipher3 import dbapi2 as Database

from vigil.protection.sqlcipher.keying import (
    apply_key,
    is_in_memory,
    normalise_key,
    resolve_key_provider,
    restrict_permissions,
    set_journal_mode,
)

# The same conversions Django registers on the standard library's sqlite3 module.
Database.register_converter("bool", b"1".__eq__)
Database.register_converter("date", sqlite_base.decoder(parse_date))
Database.register_converter("time", sqlite_base.decoder(parse_time))
Database.register_converter("datetime", sqlite_base.decoder(parse_datetime))
Database.register_converter("timestamp", sqlite_base.decoder(parse_datetime))
Database.register_adapter(decimal.Decimal, str)
Database.register_adapter(datetime.date, lambda value: value.isoformat())
Database.register_adapter(datetime.datetime, lambda value: value.isoformat(" "))

_OUR_OPTIONS = ("key_hex", "key_provider", "journal_mode", "memory_security")


class SQLCipherCursorWrapper(Database.Cursor):
    """Django's format/pyformat to qmark/named conversion, on a sqlcipher3 cursor."""

    def execute(self, query: str, params: Any = None) -> Any:
        if params is None:
            return super().execute(query)
        param_names = list(params) if isinstance(params, Mapping) else None
        return super().execute(self.convert_query(query, param_names=param_names), params)

    def executemany(self, query: str, param_list: Any) -> Any:
        peekable, param_list = tee(iter(param_list))
        if (params := next(peekable, None)) and isinstance(params, Mapping):
            param_names: list[str] | None = list(params)
        else:
            param_names = None
        return super().executemany(self.convert_query(query, param_names=param_names), param_list)

    def convert_query(self, query: str, *, param_names: list[str] | None = None) -> str:
        if param_names is None:
            return str(sqlite_base.FORMAT_QMARK_REGEX.sub("?", query).replace("%%", "%"))
        return query % {name: f":{name}" for name in param_names}


class DatabaseCreation(SQLiteDatabaseCreation):
    """Test databases are keyed like the real one; in-memory clones work with the ``fork`` start method."""

    def _spawn_unsupported(self) -> None:
        if multiprocessing.get_start_method() == "spawn":
            raise NotSupportedError(
                "vigil.protection.sqlcipher cannot clone an in-memory test database for 'spawn' workers; "
                "use the 'fork' start method or a file test database (DATABASES[...]['TEST']['NAME'])"
            )

    def _clone_test_db(self, suffix: Any, verbosity: int, keepdb: bool = False) -> None:
        if is_in_memory(str(self.connection.settings_dict["NAME"])):
            self._spawn_unsupported()
        super()._clone_test_db(suffix, verbosity, keepdb)  # type: ignore[misc]

    def setup_worker_connection(self, _worker_id: int) -> None:
        if is_in_memory(str(self.connection.settings_dict["NAME"])):
            self._spawn_unsupported()
        super().setup_worker_connection(_worker_id)


class DatabaseWrapper(sqlite_base.DatabaseWrapper):
    vendor = "sqlite"
    display_name = "SQLCipher"
    Database = Database
    creation_class = DatabaseCreation

    def _key_from_options(self, options: Mapping[str, Any]) -> str:
        key_hex: Any = options.get("key_hex")
        provider: Any = options.get("key_provider")
        if (key_hex is None) == (provider is None):
            raise ImproperlyConfigured(
                f"DATABASES[{self.alias!r}]['OPTIONS'] needs exactly one of 'key_hex' or 'key_provider'"
            )
        try:
            if key_hex is not None:
                return normalise_key(key_hex)
            call = resolve_key_provider(provider) if isinstance(provider, str) else provider
            return normalise_key(call())
        except (ValueError, TypeError, ImportError, AttributeError) as exc:
            raise ImproperlyConfigured(f"SQLCipher key for database {self.alias!r}: {exc}") from None

    def get_connection_params(self) -> dict[str, Any]:
        options = dict(self.settings_dict["OPTIONS"])
        ours = {name: options.pop(name) for name in _OUR_OPTIONS if name in options}
        self.settings_dict["OPTIONS"] = options
        try:
            params: dict[str, Any] = super().get_connection_params()
        finally:
            self.settings_dict["OPTIONS"] = {**options, **ours}
        params["database"] = str(params["database"])
        self._journal_mode: str | None = ours.get("journal_mode", "WAL")
        self._memory_security = bool(ours.get("memory_security", False))
        # Resolved per connection and kept out of ``params``: Django may log or copy those.
        self._key_options: dict[str, Any] = {
            name: ours[name] for name in ("key_hex", "key_provider") if name in ours
        }
        params["detect_types"] = Database.PARSE_DECLTYPES | Database.PARSE_COLNAMES
        return params

    @async_unsafe
    def get_new_connection(self, conn_params: dict[str, Any]) -> Any:
        key = self._key_from_options(self._key_options)
        conn = Database.connect(**conn_params)
        # First statement on the connection; raises WrongKeyError.
        apply_key(conn, key, memory_security=self._memory_security)
        del key
        restrict_permissions(conn_params["database"])
        if self._journal_mode and not is_in_memory(conn_params["database"]):
            set_journal_mode(conn, self._journal_mode)
        register_functions(conn)
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA legacy_alter_table = OFF")
        for init_command in getattr(self, "init_commands", []):
            if init_command := init_command.strip():
                conn.execute(init_command)
        return conn

    def create_cursor(self, name: str | None = None) -> SQLCipherCursorWrapper:
        cursor: SQLCipherCursorWrapper = self.connection.cursor(factory=SQLCipherCursorWrapper)
        return cursor
