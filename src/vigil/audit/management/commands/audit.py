"""``vigil audit verify|checkpoint``: walk the hash chain; sign checkpoints that reveal truncation later."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from vigil.audit.log import checkpoint_file, read_checkpoints, sign_checkpoint, verify, verify_checkpoints
from vigil.audit.models import AuditEntry


class Command(BaseCommand):
    help = (
        "Audit log tools. 'verify' checks the hash chain and signed checkpoints; 'checkpoint' signs the head."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["verify", "checkpoint"])
        parser.add_argument(
            "--checkpoints",
            action="append",
            default=[],
            help="a file of checkpoint lines kept elsewhere (repeatable); the local file is always read",
        )
        parser.add_argument(
            "--public-key", help="expected signer (ed25519:...), e.g. from a printed checkpoint"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "checkpoint":
            try:
                cp = sign_checkpoint()
            except ValueError as exc:
                raise CommandError(str(exc)) from exc
            self.stdout.write(json.dumps(cp, sort_keys=True))
            return
        try:
            checkpoints = read_checkpoints(checkpoint_file())
            for name in options["checkpoints"]:
                checkpoints += read_checkpoints(Path(name))
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        problems = verify() + verify_checkpoints(checkpoints, options["public_key"])
        total = AuditEntry.objects.count()
        for p in problems:
            self.stderr.write(f"entry {p.seq}: {p.reason}")
        if problems:
            raise CommandError(
                f"audit log verification FAILED: {len(problems)} problem(s) in {total} entries"
            )
        self.stdout.write(
            f"audit log intact: {total} entries, chain verified, {len(checkpoints)} checkpoint(s) match"
        )
