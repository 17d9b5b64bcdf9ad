"""``vigil demo [--no-serve]``: build the synthetic demo data set, then serve it unless --no-serve."""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser


class Command(BaseCommand):
    help = "Build the SYNTHETIC demo data set modelled on 8 November 2020 and serve it on 127.0.0.1."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--no-serve", action="store_true", help="build the data and exit")
        parser.add_argument(
            "--size", type=int, default=1060, help="number of detained persons (default 1060)"
        )
        parser.add_argument("--seed", type=int, default=20201108)
        parser.add_argument("--no-link", action="store_true", help="skip record linkage")
        parser.add_argument("--port", type=int, default=8000)

    def handle(self, *args: Any, **options: Any) -> None:
        from vigil.demo.load import RealDataPresent, load_demo

        started = time.monotonic()
        self._keystore()
        call_command("migrate", interactive=False, verbosity=0)
        try:
            summary = load_demo(n_detained=options["size"], seed=options["seed"], link=not options["no_link"])
        except RealDataPresent as exc:
            raise CommandError(str(exc)) from exc
        elapsed = time.monotonic() - started
        if summary.created:
            self.stdout.write(
                f"SYNTHETIC demo data built in {elapsed:.1f} s: {summary.reports} reports, {summary.events} events, "
                f"{summary.cases} cases, {summary.decisions} decisions, {summary.allegations} allegations, "
                f"{summary.evidence_files} evidence files."
            )
            if summary.linkage:
                self.stdout.write(f"Linkage: {summary.linkage}")
        else:
            self.stdout.write("SYNTHETIC demo data already present; logins reset.")
        self.stdout.write(f"Data directory: {settings.DATA_DIR}")
        self.stdout.write("Logins (shown once):")
        for username, password in summary.logins.items():
            self.stdout.write(f"  {username:<18} {password}")
        if not options["no_serve"]:
            call_command("serve", port=options["port"])

    def _keystore(self) -> None:
        """The demo makes its own instance: a keystore first, if the data directory has none."""
        from vigil.lib.crypto.errors import CryptoError
        from vigil.protection import instance, keys

        if keys.keystore().exists():
            return
        try:
            keys.create(instance.new_passphrase())
        except CryptoError as exc:
            raise CommandError(str(exc)) from exc
