"""``vigil figures [EVENT] [--json]``: the counted figures, overall or for one event and its parts."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from vigil.figures.counting import event_figures
from vigil.records.models import Event


class Command(BaseCommand):
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
                raise CommandError(f"no event with slug {options['event']!r}; known events: {known or 'none'}")
        figures = event_figures(event)
        if options["json"]:
            self.stdout.write(json.dumps(figures, ensure_ascii=False, indent=2))
            return
        title = f"{figures['event_name']} ({figures['event_date']})" if event else "All records"
        if figures["is_synthetic"]:
            title += "  [SYNTHETIC DEMO DATA]"
        self.stdout.write(title)
        for key in ("persons", "detentions", "unnamed_head_count", "charged", "decided", "awaiting_trial", "punished_by_next_day"):
            self.stdout.write(f"  {key:<22} {figures[key]:>8}")
        self.stdout.write("  by city:")
        for row in figures["by_city"]:
            self.stdout.write(f"    {row['city']:<20} {row['persons']:>8}")
        self.stdout.write("  by day:")
        for row in figures["by_day"]:
            self.stdout.write(f"    {row['day']:<20} {row['persons']:>8}")
