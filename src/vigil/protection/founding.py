"""Making a new instance (``vigil init``): the keystore, the database, the first coordinator, recovery shares.

Each step can be run again: ``vigil init`` marks the data directory unfinished before its first step and
clears the mark after its last (:mod:`vigil.protection.instance`), so an init that stopped half way is
finished by running it again. Everything the operator must keep (the coordinator's TOTP key, the recovery
shares) is handed back to be shown once; the last step, :func:`finish`, then makes the instance usable.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import transaction

from vigil.lib.crypto.keys import Keyring
from vigil.protection import instance, keys


class FoundingRefused(RuntimeError):
    """Nothing (more) was written; the message says why and what to do."""


@dataclass(frozen=True)
class Coordinator:
    username: str
    totp_key: str  # base32, in groups of four, as an authenticator app asks for it
    otpauth_uri: str


def data_dir() -> Path:
    return Path(settings.DATA_DIR)


def check_coordinator(username: str, password: str) -> None:
    """Refuse a bad username or password before anything is written."""
    from vigil.accounts.models import User

    field = User._meta.get_field("username")
    try:
        field.clean(username, None)
        validate_password(password, User(username=username))
    except ValidationError as exc:
        raise FoundingRefused(" ".join(exc.messages)) from None


def start(ask: Callable[[str], str] | None) -> Keyring:
    """Mark the directory unfinished and make the keystore, or unlock the one an unfinished init made.

    The passphrase of a new keystore is read before anything is written (:func:`instance.new_passphrase`);
    an existing one is unlocked from the environment, else with ``ask`` (a prompt), else raises Locked.
    """
    if keys.keystore().exists():
        try:
            ring = keys.keyring()
        except keys.Locked:
            if ask is None:
                raise
            ring = keys.unlock(ask("Passphrase of the keystore that the unfinished `vigil init` made: "))
        instance.mark_unfinished(data_dir())
        return ring
    passphrase = instance.new_passphrase()
    instance.mark_unfinished(data_dir())
    return keys.create(passphrase)


def migrate() -> None:
    call_command("migrate", interactive=False, verbosity=0)


def create_coordinator(username: str, password: str) -> Coordinator:
    """The first coordinator, with a confirmed TOTP device whose key is returned to be shown once.

    Someone holding only the password cannot enrol an authenticator of their own: sign-in asks for a code
    of this key from the start. Run again by an unfinished init, it gives the same user a new password and
    a new key (the old key stops working). Refused if the database has any other user: init makes new
    instances only.
    """
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from vigil.accounts.models import Role, User
    from vigil.audit.log import record

    with transaction.atomic():
        others = list(User.objects.exclude(username=username).values_list("username", flat=True)[:3])
        if others:
            raise FoundingRefused(
                f"the database already has users ({', '.join(others)}): `vigil init` only makes a new "
                "instance; use another VIGIL_DATA_DIR (and database)"
            )
        user = User.objects.filter(username=username).first() or User(username=username)
        user.role = Role.COORDINATOR
        user.set_password(password)
        user.save()
        TOTPDevice.objects.filter(user=user).delete()
        device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)
        record(None, "instance.coordinator", user, username=username, by="vigil init")
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    return Coordinator(
        username=username,
        totp_key=" ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
        otpauth_uri=device.config_url,
    )


def recovery_shares(ring: Keyring) -> list[str]:
    return ring.recovery_shares(threshold=2, count=3)


def finish() -> None:
    instance.mark_finished(data_dir())
