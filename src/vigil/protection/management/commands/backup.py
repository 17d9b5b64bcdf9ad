"""``vigil backup -o FILE`` / ``vigil backup --restore FILE --into DIR [--shares-file F]``: an encrypted
backup that opens with the recovery shares only, or its restore (asks for the shares and a new passphrase).
"""

from __future__ import annotations

import getpass
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser


class Command(BaseCommand):
    help = (
        "Write an encrypted backup of this instance (database, evidence, keys without the passphrase: it opens "
        "with the recovery shares only), or restore one (asks for the shares and a new passphrase)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("-o", "--output", help="backup file to write")
        parser.add_argument("--restore", help="backup file to restore")
        parser.add_argument("--into", help="empty data directory to restore into")
        parser.add_argument(
            "--shares-file", help="restore: the recovery shares, one a line (else they are typed)"
        )
        parser.add_argument(
            "--new-passphrase-file",
            help="restore: the restored instance's passphrase (else VIGIL_NEW_PASSPHRASE, else typed twice)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from vigil.lib.crypto.errors import CryptoError
        from vigil.protection import recovery
        from vigil.protection.backup import BackupError, backup

        try:
            if options["restore"]:
                if not options["into"]:
                    raise CommandError("--restore needs --into DIR (an empty data directory)")
                self._restore(Path(options["restore"]), Path(options["into"]), options)
            elif options["output"]:
                path = backup(Path(options["output"]))
                self.stdout.write(
                    f"encrypted backup written to {path}; it opens with the recovery shares only "
                    "(not with the passphrase): keep a set of shares apart from it"
                )
            else:
                raise CommandError("give -o FILE to back up, or --restore FILE --into DIR")
        except (BackupError, recovery.RecoveryRefused) as exc:
            raise CommandError(str(exc)) from exc
        except CryptoError as exc:
            raise CommandError(str(recovery.refusal(exc, of="this backup"))) from exc

    def _restore(self, archive: Path, into: Path, options: dict[str, Any]) -> None:
        """Everything is read and checked (the backup, the target, the shares, the passphrase) before
        anything is written."""
        from vigil.protection import recovery
        from vigil.protection.backup import check_shares, check_target, inspect, restore

        contents = inspect(archive)
        check_target(into)
        printed: list[str] = []
        new = ""
        if contents.needs_shares:
            printed = recovery.given_shares(
                options["shares_file"],
                refusal="this backup opens with the recovery shares: give them with --shares-file FILE "
                "(one a line), or run this on a terminal to type them",
            )
            check_shares(contents, printed)
            new = recovery.new_passphrase(
                options["new_passphrase_file"], ask=getpass.getpass if sys.stdin.isatty() else None
            )
        restore(archive, into, printed_shares=printed, new_passphrase=new)
        self.stdout.write(f"restored into {into}; start Vigil with VIGIL_DATA_DIR={into}")
        if contents.needs_shares:
            self.stdout.write(
                "  the restored keys open with the new passphrase (and the same recovery shares)"
            )
        else:
            self.stdout.write(
                "  this backup is of the old kind: it holds the passphrase-wrapped keys, so the passphrase "
                "opens it. Make a new backup (`vigil backup -o FILE`) and destroy the old one"
            )
