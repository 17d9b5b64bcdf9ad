"""``vigil users add | list | set-role | disable | enable | reset-2fa``: accounts and their roles.

The writes are ``vigil.accounts.operations``; this command reads arguments and passwords and prints results.
"""

from __future__ import annotations

import getpass
import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from vigil.accounts import operations
from vigil.accounts.models import ApiToken, Role, User

DRY = " (dry run: nothing changed)"


class Command(BaseCommand):
    help = "Manage users: add, list, set-role, disable, enable, reset-2fa."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        add = sub.add_parser("add", help="add a user with a role")
        add.add_argument("username")
        add.add_argument("--role", required=True, help=f"one of {', '.join(Role.values)}")
        add.add_argument(
            "--password-file",
            help="read the password from this file ('-': standard input); otherwise it is asked for twice",
        )
        listing = sub.add_parser("list", help="list users: role, active, second factor, last sign-in")
        listing.add_argument("--json", action="store_true", help="print JSON")
        role = sub.add_parser("set-role", help="change a user's role (revokes their API tokens)")
        role.add_argument("username")
        role.add_argument("role")
        disable = sub.add_parser(
            "disable", help="stop a user signing in; revoke their API tokens and sessions"
        )
        disable.add_argument("username")
        enable = sub.add_parser("enable", help="let a disabled user sign in again")
        enable.add_argument("username")
        reset = sub.add_parser("reset-2fa", help="forget a user's authenticator; the next sign-in enrols one")
        reset.add_argument("username")
        for writer in (add, role, disable, enable, reset):
            writer.add_argument("--dry-run", action="store_true", help="check and report, change nothing")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            getattr(self, "_" + options["action"].replace("-", "_"))(options)
        except operations.AccountError as exc:
            raise CommandError(str(exc)) from None

    def _add(self, options: dict[str, Any]) -> None:
        # Refuse a duplicate or an unknown role before asking for a password.
        operations.parse_role(options["role"])
        if User.objects.filter(username__iexact=options["username"]).exists():
            raise operations.AccountError(f"user {options['username']!r} already exists")
        password = self._password(options["password_file"])
        user = operations.add_user(
            options["username"], options["role"], password, actor=None, dry_run=options["dry_run"]
        )
        verb = "would add" if options["dry_run"] else "added"
        enrol = "" if user.role == Role.VOLUNTEER else "; they set up a second factor at first sign-in"
        self.stdout.write(
            f"{verb} user {user.username!r} with role {user.role}{enrol}"
            + (DRY if options["dry_run"] else "")
        )

    def _password(self, path: str | None) -> str:
        if path:
            try:
                text = sys.stdin.read() if path == "-" else Path(path).read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                raise CommandError(f"cannot read the password file {path}: {exc}") from None
            return text.rstrip("\r\n")
        if not sys.stdin.isatty():
            raise CommandError("no password: give --password-file FILE, or run this on a terminal to type it")
        password = getpass.getpass("Password: ")
        if password != getpass.getpass("Again: "):
            raise CommandError("the two passwords differ")
        return password

    def _list(self, options: dict[str, Any]) -> None:
        from django_otp.plugins.otp_totp.models import TOTPDevice

        enrolled = set(TOTPDevice.objects.filter(confirmed=True).values_list("user_id", flat=True))
        live = Counter(
            ApiToken.objects.filter(revoked_at=None, expires_at__gt=timezone.now()).values_list(
                "user_id", flat=True
            )
        )
        users = list(User.objects.order_by("username"))
        if options["json"]:
            rows = [
                {
                    "username": u.username,
                    "role": u.role,
                    "active": u.is_active,
                    "two_factor": u.pk in enrolled,
                    "last_login": u.last_login.isoformat() if u.last_login else None,
                    "api_tokens": live[u.pk],
                }
                for u in users
            ]
            self.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2))
            return
        table = [("USERNAME", "ROLE", "ACTIVE", "2FA", "LAST LOGIN", "API TOKENS")]
        table += [
            (
                u.username,
                u.role,
                "yes" if u.is_active else "no",
                "yes" if u.pk in enrolled else "no",
                timezone.localtime(u.last_login).strftime("%Y-%m-%d %H:%M") if u.last_login else "never",
                str(live[u.pk]),
            )
            for u in users
        ]
        widths = [max(len(r[i]) for r in table) for i in range(len(table[0]))]
        for r in table:
            self.stdout.write("  ".join(cell.ljust(w) for cell, w in zip(r, widths, strict=True)).rstrip())

    def _set_role(self, options: dict[str, Any]) -> None:
        user = operations.get_user(options["username"])
        change = operations.set_role(user, options["role"], actor=None, dry_run=options["dry_run"])
        if change.old == change.new:
            self.stdout.write(f"{user.username!r} already has role {change.new}; nothing changed")
            return
        verb = "would change" if options["dry_run"] else "changed"
        self.stdout.write(
            f"{verb} {user.username!r} from {change.old} to {change.new}; "
            f"{change.tokens_revoked} API token(s) revoked" + (DRY if options["dry_run"] else "")
        )

    def _disable(self, options: dict[str, Any]) -> None:
        user = operations.get_user(options["username"])
        done = operations.disable_user(user, actor=None, dry_run=options["dry_run"])
        verb = "would disable" if options["dry_run"] else "disabled"
        if not done.was_active:
            verb = "already disabled:"
        self.stdout.write(
            f"{verb} {user.username!r}; {done.tokens_revoked} API token(s) revoked, "
            f"{done.sessions_ended} session(s) ended" + (DRY if options["dry_run"] else "")
        )

    def _enable(self, options: dict[str, Any]) -> None:
        user = operations.get_user(options["username"])
        if not operations.enable_user(user, actor=None, dry_run=options["dry_run"]):
            self.stdout.write(f"{user.username!r} is already active; nothing changed")
            return
        verb = "would enable" if options["dry_run"] else "enabled"
        self.stdout.write(
            f"{verb} {user.username!r}; revoked API tokens stay revoked" + (DRY if options["dry_run"] else "")
        )

    def _reset_2fa(self, options: dict[str, Any]) -> None:
        user = operations.get_user(options["username"])
        done = operations.reset_two_factor(user, actor=None, dry_run=options["dry_run"])
        verb = "would reset" if options["dry_run"] else "reset"
        self.stdout.write(
            f"{verb} the second factor of {user.username!r}: {done.devices_removed} authenticator(s) removed, "
            f"{done.sessions_ended} session(s) ended; "
            + (
                "they may set one up again"
                if user.role == Role.VOLUNTEER
                else "their next sign-in sets up a new one"
            )
            + (DRY if options["dry_run"] else "")
        )
