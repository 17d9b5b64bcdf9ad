"""``vigil figures [EVENT] [--json]``: the counted figures, overall or for one event and its parts."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from vigil.figures.counting import event_figures
from vigil.figures.socket_service import format_figures
from vigil.records.models import Event


class Command(BaseCommand):
    # A read-only command that scripts call often: the full system checks (URL conf, API schema...) would
    # cost it a third of its time; `vigil serve` and `migrate` run them.
    requires_system_checks: list[str] = []
    help = "Print the figures (persons, unnamed head count, detentions, by city, by day, charged, decided, awaiting trial)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("event", nargs="?", help="event slug; without it, totals over all records")
        parser.add_argument("--json", action="store_true", help="print JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        event = None
        if options["event"]:
            event = Event.objects.filter(slug=options["event"]).first()
            if event is None:
                known = ", ".join(Event.objects.order_by("slug").values_list("slug", flat=True)[:20])
                raise CommandError(
                    f"no event with slug {options['event']!r}; known events: {known or 'none'}"
                )
        self.stdout.write(format_figures(event_figures(event), as_json=options["json"]))
