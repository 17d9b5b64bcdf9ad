"""Steps run in a fresh interpreter: ``write`` migrates and stores markers, ``read`` prints them back as JSON."""

from __future__ import annotations

import json
import os
import sys

import django


def main(step: str) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sqlcipher_django.settings")
    django.setup()
    from django.contrib.auth.models import User
    from django.core.management import call_command
    from django.db import connection

    markers = json.loads(os.environ["VIGIL_TEST_MARKERS"])
    if step == "write":
        call_command("migrate", verbosity=0)
        with connection.cursor() as cursor:
            cursor.execute("CREATE TABLE marker (id INTEGER PRIMARY KEY, text TEXT, blob BLOB)")
            for text in markers:
                cursor.execute(
                    "INSERT INTO marker (text, blob) VALUES (%s, %s)",
                    [text, text.encode("utf-16-le") + text.encode("cp1251", errors="ignore")],
                )
            cursor.execute("PRAGMA journal_mode")
            journal = cursor.fetchone()[0]
        User.objects.create(username=markers[0][:150], first_name=markers[-1][:150])
        print(json.dumps({"journal_mode": journal}))
        # Keep the WAL: the caller checks it too before the last connection closes and checkpoints.
        if os.environ.get("VIGIL_TEST_HOLD_WAL"):
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA wal_autocheckpoint = 0")
            sys.stdout.flush()
            os._exit(0)
        connection.close()
    elif step == "read":
        with connection.cursor() as cursor:
            cursor.execute("SELECT text FROM marker ORDER BY id")
            texts = [row[0] for row in cursor.fetchall()]
            cursor.execute("PRAGMA cipher_memory_security")
            memory_security = cursor.fetchone()[0]
        user = User.objects.get()
        print(
            json.dumps(
                {
                    "texts": texts,
                    "user": [user.username, user.first_name],
                    "cipher_memory_security": str(memory_security),
                    "vendor": connection.vendor,
                    "display_name": connection.display_name,
                }
            )
        )
    else:
        raise SystemExit(f"unknown step {step}")


if __name__ == "__main__":
    main(sys.argv[1])
