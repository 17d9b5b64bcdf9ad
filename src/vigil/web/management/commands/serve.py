"""``vigil serve``: serve Vigil with waitress (a production WSGI server, pure Python) on localhost."""

from __future__ import annotations

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Apply migrations and serve Vigil on 127.0.0.1 (waitress)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--threads", type=int, default=8)

    def handle(self, *args: Any, **options: Any) -> None:
        import getpass
        import sys

        from waitress import serve

        from vigil import keys
        from vigil.wsgi import application

        if not keys.is_unlocked() and sys.stdin.isatty():
            keys.unlock(getpass.getpass("Vigil passphrase: "))
        if keys.is_unlocked():
            call_command("migrate", interactive=False, verbosity=0)
        else:
            self.stdout.write("Locked: open the page and enter the passphrase to unlock.")
        self.stdout.write(f"Vigil on http://{options['host']}:{options['port']}/  (Ctrl-C stops)")
        serve(application, host=options["host"], port=options["port"], threads=options["threads"], ident="")
