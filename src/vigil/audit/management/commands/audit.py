"""``vigil audit verify``: walk the hash chain and report any edited, deleted or reordered entry."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from vigil.audit.log import verify
from vigil.audit.models import AuditEntry


class Command(BaseCommand):
    help = "Audit log tools. 'verify' checks the hash chain."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["verify"])

    def handle(self, *args: Any, **options: Any) -> None:
        problems = verify()
        total = AuditEntry.objects.count()
        for p in problems:
            self.stderr.write(f"entry {p.seq}: {p.reason}")
        if problems:
            raise CommandError(f"audit log verification FAILED: {len(problems)} problem(s) in {total} entries")
        self.stdout.write(f"audit log intact: {total} entries, chain verified")
