"""``vigil tokens create USERNAME | list [USERNAME] | revoke ID``: API tokens, for operators.

Users create their own on the API tokens page after the second factor. ``create`` prints the token alone on
standard output (``TOKEN=$(vigil tokens create bob)``) and what it is on standard error; it is shown only
this once, since only its digest is stored.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from vigil.accounts import operations, tokens
from vigil.accounts.models import ApiToken


class Command(BaseCommand):
    help = "Manage API tokens: create USERNAME, list [USERNAME], revoke ID."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        create = sub.add_parser("create", help="create a token for a user; prints it once")
        create.add_argument("username")
        create.add_argument(
            "--expires-days",
            type=int,
            default=tokens.DEFAULT_DAYS,
            help=f"days until it expires (1 to {tokens.MAX_DAYS}; default {tokens.DEFAULT_DAYS})",
        )
        create.add_argument("--name", default="", help="a label to recognise it by, e.g. 'hotline laptop'")
        listing = sub.add_parser("list", help="list tokens (never the tokens themselves)")
        listing.add_argument("username", nargs="?", help="only this user's tokens")
        listing.add_argument("--all", action="store_true", help="include expired and revoked tokens")
        listing.add_argument("--json", action="store_true", help="print JSON")
        revoke = sub.add_parser("revoke", help="revoke a token by its id (from 'list')")
        revoke.add_argument("id", type=int)
        revoke.add_argument(
            "--dry-run", action="store_true", help="say what would be revoked, change nothing"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            getattr(self, "_" + options["action"])(options)
        except operations.AccountError as exc:
            raise CommandError(str(exc)) from None

    def _create(self, options: dict[str, Any]) -> None:
        user = operations.get_user(options["username"])
        issued = operations.create_token(user, actor=None, name=options["name"], days=options["expires_days"])
        self.stdout.write(issued.raw)
        self.stderr.write(
            f"token {issued.token.pk} for {user.username!r} (role {issued.token.role}), expires "
            f"{timezone.localtime(issued.token.expires_at):%Y-%m-%d %H:%M}; it is shown only now: "
            "send it as 'Authorization: Token <token>'"
        )

    def _list(self, options: dict[str, Any]) -> None:
        now = timezone.now()
        found = ApiToken.objects.select_related("user")
        if options["username"]:
            found = found.filter(user=operations.get_user(options["username"]))
        if not options["all"]:
            found = found.filter(revoked_at=None, expires_at__gt=now)
        rows = [
            {
                "id": t.pk,
                "username": t.user.username,
                "name": t.name,
                "prefix": t.prefix,
                "role": t.role,
                "created_at": t.created_at.isoformat(),
                "expires_at": t.expires_at.isoformat(),
                "state": t.state(now),
                "revoked_reason": t.revoked_reason,
            }
            for t in found
        ]
        if options["json"]:
            self.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2))
            return
        table = [("ID", "USER", "ROLE", "TOKEN", "NAME", "EXPIRES", "STATE")]
        table += [
            (
                str(t.pk),
                t.user.username,
                t.role,
                t.prefix + "…",
                t.name,
                f"{timezone.localtime(t.expires_at):%Y-%m-%d %H:%M}",
                t.state(now) + (f" ({t.revoked_reason})" if t.revoked_reason else ""),
            )
            for t in found
        ]
        widths = [max(len(r[i]) for r in table) for i in range(len(table[0]))]
        for r in table:
            self.stdout.write("  ".join(cell.ljust(w) for cell, w in zip(r, widths, strict=True)).rstrip())

    def _revoke(self, options: dict[str, Any]) -> None:
        token = ApiToken.objects.select_related("user").filter(pk=options["id"]).first()
        if token is None:
            raise CommandError(f"no token with id {options['id']}")
        if token.revoked_at is not None:
            self.stdout.write(f"token {token.pk} of {token.user.username!r} was already revoked")
            return
        if options["dry_run"]:
            self.stdout.write(
                f"would revoke token {token.pk} of {token.user.username!r} (dry run: nothing changed)"
            )
            return
        operations.revoke_token(token, actor=None)
        self.stdout.write(f"revoked token {token.pk} of {token.user.username!r}")
