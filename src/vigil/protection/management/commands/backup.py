"""``vigil backup -o FILE`` / ``vigil backup --restore FILE --into DIR``: an encrypted backup, or its restore."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser


class Command(BaseCommand):
    help = "Write an encrypted backup of this instance (database, evidence, wrapped keys), or restore one."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("-o", "--output", help="backup file to write")
        parser.add_argument("--restore", help="backup file to restore")
        parser.add_argument("--into", help="empty data directory to restore into")

    def handle(self, *args: Any, **options: Any) -> None:
        from vigil.protection.backup import BackupError, backup, restore

        try:
            if options["restore"]:
                if not options["into"]:
                    raise CommandError("--restore needs --into DIR (an empty data directory)")
                restore(Path(options["restore"]), Path(options["into"]))
                self.stdout.write(
                    f"restored into {options['into']}; start Vigil with VIGIL_DATA_DIR={options['into']}"
                )
            elif options["output"]:
                path = backup(Path(options["output"]))
                self.stdout.write(f"encrypted backup written to {path}")
            else:
                raise CommandError("give -o FILE to back up, or --restore FILE --into DIR")
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
