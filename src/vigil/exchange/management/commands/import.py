"""``vigil import FILE --source NAME [--mapping M] [--dry-run]``: import a detention list (CSV, XLSX, ODS)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from vigil.exchange.operations import ImportRefused
from vigil.lib.importing import ImportingError, Mapping
from vigil.records.models import SourceKind


class Command(BaseCommand):
    help = "Import a detention list. The whole file is imported or, if any row is wrong, none of it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file")
        parser.add_argument(
            "--source", required=True, help="who the list comes from (saved mappings are per source)"
        )
        parser.add_argument("--mapping", help="JSON file mapping the file's columns to Vigil's fields")
        parser.add_argument("--dry-run", action="store_true", help="validate and count, store nothing")
        parser.add_argument(
            "--kind", default=SourceKind.VOLUNTEER_SHEET, choices=SourceKind.values, help="kind of source"
        )
        parser.add_argument(
            "--court-list",
            action="store_true",
            help="the file is a court's list of hearings: update the matching cases; unsure matches go to review",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from vigil.exchange.operations import import_detentions

        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        mapping = None
        if options["mapping"]:
            try:
                mapping = Mapping.from_json(Path(options["mapping"]).read_bytes())
            except (OSError, ImportingError) as exc:
                raise CommandError(f"{options['mapping']}: {exc}") from exc
        if options["court_list"]:
            from vigil.exchange.court_lists import import_court_list

            try:
                court = import_court_list(
                    path,
                    filename=str(path),
                    source_name=options["source"],
                    actor=None,
                    mapping=mapping,
                    dry_run=options["dry_run"],
                )
            except ImportRefused as exc:
                raise self._refused(path, exc) from exc
            self.stdout.write(
                f"{path}: {court.hearings} hearings, {court.applied} applied to cases, {court.for_review} for review, "
                f"{court.already_stored} already stored" + (" (dry run)" if court.dry_run else "")
            )
            return
        try:
            summary = import_detentions(
                path,
                filename=str(path),
                source_name=options["source"],
                actor=None,
                source_kind=options["kind"],
                mapping=mapping,
                dry_run=options["dry_run"],
            )
        except ImportRefused as exc:
            raise self._refused(path, exc) from exc
        verb = "would import" if summary.dry_run else "imported"
        self.stdout.write(
            f"{path}: {summary.rows} rows, {verb} {summary.new} new, {summary.already_stored} already stored"
        )

    def _refused(self, path: Path, exc: ImportRefused) -> CommandError:
        """Every problem on its own line of stderr, then the one-line refusal the command exits with."""
        for line in str(exc).splitlines():
            self.stderr.write(line)
        return CommandError(f"{path}: refused, nothing imported ({len(exc.errors) or 1} problem(s))")
