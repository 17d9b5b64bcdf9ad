"""``vigil package (--event SLUG | --allegation ID ...) -o FILE.zip [--named]``: an investigation package."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from vigil.records.models import Event


class Command(BaseCommand):
    help = "Build a signed investigation package; verify it with tools/verify_package.py."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("-o", "--output", required=True)
        parser.add_argument("--event")
        parser.add_argument("--allegation", type=int, action="append", default=[])
        parser.add_argument(
            "--named", action="store_true", help="include names (otherwise pseudonyms unless consented)"
        )
        parser.add_argument("--reference", default="", help="the investigators' case reference")

    def handle(self, *args: Any, **options: Any) -> None:
        from vigil.exchange.packaging import build_investigation_package
        from vigil.lib.package import PackageError

        event = None
        if options["event"]:
            event = Event.objects.filter(slug=options["event"]).first()
            if event is None:
                raise CommandError(f"no event with slug {options['event']!r}")
        if event is None and not options["allegation"]:
            raise CommandError("give --event SLUG or at least one --allegation ID")
        try:
            result = build_investigation_package(
                Path(options["output"]),
                actor=None,
                event=event,
                allegation_ids=options["allegation"],
                named=options["named"],
                reference=options["reference"],
            )
        except (ValueError, PackageError) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"{options['output']}: {result['allegations']} allegations, {result['files']} evidence files, signed"
        )
