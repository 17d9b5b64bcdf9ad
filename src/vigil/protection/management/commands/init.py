"""``vigil init --coordinator USERNAME [--password-file FILE]``: make a new instance in VIGIL_DATA_DIR.

The keystore (passphrase from VIGIL_PASSPHRASE or VIGIL_PASSPHRASE_FILE, else typed twice), the database,
the first coordinator with a TOTP key for an authenticator app, and the recovery shares, shown once.
"""

from __future__ import annotations

import getpass
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from vigil.lib.crypto.errors import CryptoError
from vigil.protection import founding, instance, keys


class Command(BaseCommand):
    help = (
        "Make a new instance: keystore, database, the first coordinator and recovery shares. "
        "Refused where an instance exists; run it again if it stopped half way."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--coordinator", required=True, metavar="USERNAME", help="the first coordinator")
        parser.add_argument(
            "--password-file", help="read the coordinator's password from this file (else it is asked twice)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        directory = founding.data_dir()
        state = instance.state_of(directory, embedded_database=instance.embedded_database())
        refused = instance.init_refusal(directory, state)
        if refused:
            raise CommandError(refused)
        username = options["coordinator"]
        password = self._password(options["password_file"])
        ask = getpass.getpass if sys.stdin.isatty() else None
        try:
            founding.check_coordinator(username, password)
            ring = founding.start(ask)
            founding.migrate()
            coordinator = founding.create_coordinator(username, password)
            shares = founding.recovery_shares(ring)
        except founding.FoundingRefused as exc:
            raise CommandError(str(exc)) from exc
        except (CryptoError, keys.Locked) as exc:
            raise CommandError(str(exc)) from exc
        out = self.stdout
        out.write(f"Instance made in {directory}")
        out.write(f"  keystore: {keys.keystore().path}")
        out.write("  database: migrated")
        out.write(f"Coordinator {coordinator.username}: sign-in asks for a code from an authenticator app.")
        out.write(
            "  Add this key to the app now (shown only once; scan the URI as a QR code, or type the key):"
        )
        out.write(f"  key: {coordinator.totp_key}")
        out.write(f"  {coordinator.otpauth_uri}")
        if self.stdout.isatty():
            self._qr(coordinator.otpauth_uri)
        out.write("Recovery shares (any two recover the master key; keep them apart; shown only once):")
        for i, share in enumerate(shares, 1):
            out.write(f"  {i}: {share}")
        founding.finish()
        out.write(f"Ready. Next: `vigil serve`, then sign in as {coordinator.username}.")

    def _password(self, path: str | None) -> str:
        if path:
            try:
                with open(path, encoding="utf-8") as fh:
                    text = fh.read()
            except OSError as exc:
                raise CommandError(f"cannot read --password-file {path}: {exc.strerror}") from None
            text = text[:-2] if text.endswith("\r\n") else text[:-1] if text.endswith("\n") else text
            if not text:
                raise CommandError(f"--password-file {path} is empty")
            return text
        if not sys.stdin.isatty():
            raise CommandError(
                "give the coordinator's password with --password-file FILE, or run on a terminal"
            )
        first = getpass.getpass("Password for the coordinator: ")
        if first != getpass.getpass("The same password again: "):
            raise CommandError("the two passwords differ; nothing was created")
        return first

    def _qr(self, uri: str) -> None:
        import io

        import qrcode

        code = qrcode.QRCode(border=2)
        code.add_data(uri)
        text = io.StringIO()
        code.print_ascii(out=text, invert=True)
        self.stdout.write(text.getvalue(), ending="")
