"""``vigil audit verify|checkpoint|key``: walk the hash chain; sign checkpoints that reveal truncation later;
print the fingerprint of the key that signs them, to publish elsewhere."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from vigil.audit.log import (
    checkpoint_file,
    current_public_key,
    instance_public_keys,
    read_checkpoints,
    sign_checkpoint,
    verify,
    verify_checkpoints,
)
from vigil.audit.models import AuditEntry


class Command(BaseCommand):
    help = (
        "Audit log tools. 'verify' checks the hash chain and signed checkpoints; 'checkpoint' signs the head; "
        "'key' prints the public key and fingerprint that checkpoints are signed with."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["verify", "checkpoint", "key"])
        parser.add_argument(
            "--checkpoints",
            action="append",
            default=[],
            help="a file of checkpoint lines kept elsewhere (repeatable); the local file is always read",
        )
        parser.add_argument(
            "--public-key", help="expected signer (ed25519:...), e.g. from a printed checkpoint"
        )
        parser.add_argument(
            "--key-fingerprint",
            help="the audit key's fingerprint as published elsewhere ('vigil audit key'): checkpoints must be "
            "signed by this instance's key with that fingerprint",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "key":
            current, _ = current_public_key()
            for fingerprint, public_key in instance_public_keys().items():
                note = " (signs new checkpoints)" if fingerprint == current else ""
                self.stdout.write(f"fingerprint {fingerprint}  {public_key}{note}")
            return
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
        try:
            checked = verify_checkpoints(
                checkpoints, options["public_key"], fingerprint=options["key_fingerprint"]
            )
        except ValueError as exc:  # a malformed --public-key
            raise CommandError(f"--public-key: {exc}") from exc
        problems = verify() + checked
        total = AuditEntry.objects.count()
        for p in problems:
            self.stderr.write(p.reason if p.seq is None else f"entry {p.seq}: {p.reason}")
        if problems:
            raise CommandError(
                f"audit log verification FAILED: {len(problems)} problem(s) in {total} entries"
            )
        self.stdout.write(
            f"audit log intact: {total} entries, chain verified, {len(checkpoints)} checkpoint(s) match"
        )
