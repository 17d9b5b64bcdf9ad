"""``vigil keys shares|recover|change-passphrase|rotate PURPOSE|destroy --yes|status``: this instance's keys.

Recovery shares, recovery with them (a new passphrase), passphrase change, key rotation, destruction, and
whether the keys are there and unlocked.
"""

from __future__ import annotations

import getpass
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from vigil.lib.crypto.errors import CryptoError
from vigil.lib.crypto.keys import Purpose
from vigil.protection import keys


class Command(BaseCommand):
    help = (
        "Manage this instance's keys: shares | recover [--shares-file F] | change-passphrase | "
        "rotate PURPOSE | destroy --yes | status"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "action", choices=["shares", "recover", "change-passphrase", "rotate", "destroy", "status"]
        )
        parser.add_argument("purpose", nargs="?", choices=[p.value for p in Purpose])
        parser.add_argument("--yes", action="store_true", help="confirm destruction")
        parser.add_argument(
            "--new-passphrase-file",
            help="read the new passphrase from this file (scripts); else VIGIL_NEW_PASSPHRASE (recover), "
            "else it is typed twice",
        )
        parser.add_argument(
            "--shares-file",
            help="recover: read the recovery shares from this file, one a line (else they are typed)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from vigil.protection.recovery import RecoveryRefused

        try:
            self._handle(options)
        except (CryptoError, keys.Locked, RecoveryRefused) as exc:
            raise CommandError(str(exc)) from exc

    def _handle(self, options: dict[str, Any]) -> None:
        action = options["action"]
        if action == "status":
            store = keys.keystore()
            self.stdout.write(
                f"keystore: {store.path} ({'present' if store.exists() else 'absent'}); "
                f"{'unlocked' if keys.is_unlocked() else 'locked'}"
            )
            return
        if action == "destroy":
            if not options["yes"]:
                raise CommandError(
                    "destroy erases the keys for good: nobody can decrypt the data on this device afterwards. "
                    "Repeat with --yes."
                )
            from vigil.protection.destruction import destroy

            done = destroy()
            self.stdout.write(f"keys destroyed in {done.seconds:.3f} s; the data can no longer be read")
            if done.also_removed:
                self.stdout.write(f"  also shredded: {', '.join(done.also_removed)}")
            if done.server_locked:
                self.stdout.write("  the running `vigil serve` of this data directory dropped its keys")
            self.stdout.write(
                "  backups still open with the recovery shares (never with the passphrase): "
                "destroy those too if the shares may be found"
            )
            return
        if action == "recover":
            self._recover(options)
            return
        ring = keys.keyring()
        if action == "shares":
            self.stdout.write("Recovery shares (any two recover the master key; keep them apart):")
            for i, share in enumerate(ring.recovery_shares(threshold=2, count=3), 1):
                self.stdout.write(f"  {i}: {share}")
        elif action == "change-passphrase":
            if options["new_passphrase_file"]:
                with open(options["new_passphrase_file"], encoding="utf-8") as fh:
                    new = fh.read().rstrip("\n")
            else:
                new = getpass.getpass("New passphrase: ")
                if new != getpass.getpass("Again: "):
                    raise CommandError("the two passphrases differ")
            ring.change_passphrase(new)
            self.stdout.write("passphrase changed; no data needed re-encryption")
        elif action == "rotate":
            from vigil.protection.rotation import RotationRefused, rotate

            if not options["purpose"]:
                raise CommandError("name the key to rotate: " + ", ".join(p.value for p in Purpose))
            try:
                result = rotate(Purpose(options["purpose"]))
            except RotationRefused as exc:
                raise CommandError(str(exc)) from exc
            self.stdout.write(
                f"{result.purpose} key rotated from version {result.old_version} to {result.new_version}; "
                f"{result.reencrypted} item(s) re-encrypted; "
                + ("old versions retired" if result.retired else "old versions kept to verify old signatures")
            )

    def _recover(self, options: dict[str, Any]) -> None:
        """k shares (a file, or typed), then a new passphrase (VIGIL_NEW_PASSPHRASE, a file, or typed
        twice): everything is read and checked before the keystore is touched."""
        from vigil.protection import recovery

        printed = recovery.given_shares(
            options["shares_file"],
            refusal="give the recovery shares with --shares-file FILE (one a line), or run this on a terminal",
        )
        new = recovery.new_passphrase(
            options["new_passphrase_file"], ask=getpass.getpass if sys.stdin.isatty() else None
        )
        recovery.recover(printed, new, via="vigil keys recover")
        self.stdout.write(
            "keys recovered with the shares; the new passphrase is set (the old one no longer opens them)"
        )
