"""Recovery with the shares: unlock the keys when the passphrase is lost, and set a new one.

``vigil init`` and ``vigil keys shares`` print a set of shares of the master key (any two of three). They
are what opens the keys when nobody knows the passphrase any more (``vigil keys recover``, the "recovery
shares" option of the ``/unlock/`` page) and what opens a backup (:mod:`vigil.protection.backup`). Every
refusal here is :class:`RecoveryRefused`, one line for the person who typed the shares, and changes nothing.
"""

from __future__ import annotations

import getpass
import os
import re
import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from vigil.audit.actors import Actor
from vigil.lib.crypto import shares
from vigil.lib.crypto.errors import KeystoreDestroyedError, ShareError, WrongPassphraseError
from vigil.lib.crypto.keys import Keyring

# Enough for any set `vigil keys shares` prints, and a bound on what a hostile form can make us parse.
MAX_TEXT = 8000
MAX_SHARES = 20
NEW_PASSPHRASE_VARIABLE = "VIGIL_NEW_PASSPHRASE"

# "  1: AEBAG-..." as `vigil keys shares` and `vigil init` print them: the number is not part of the share.
_NUMBER = re.compile(r"^\s*\d{1,3}\s*[:.)]\s*")
_HEADER = "recovery shares"


class RecoveryRefused(ValueError):
    """Shares or a new passphrase that cannot be used; one line saying why. Nothing was changed."""


def shares_from_text(text: str) -> list[str]:
    """The shares in ``text``, one a line (blank lines, ``#`` comments, the ``N:`` numbers and the heading
    that ``vigil keys shares`` prints are skipped), after checking that they are well formed, of one set,
    and enough of them: each problem is a RecoveryRefused naming the share."""
    if len(text) > MAX_TEXT:
        raise RecoveryRefused(f"too much text for recovery shares (at most {MAX_TEXT} characters)")
    lines = []
    for line in text.splitlines():
        line = _NUMBER.sub("", line).strip()
        if line and not line.startswith("#") and not line.lower().startswith(_HEADER):
            lines.append(line)
    if not lines:
        raise RecoveryRefused("no recovery shares given: give at least two of one set, one a line")
    if len(lines) > MAX_SHARES:
        raise RecoveryRefused(f"too many lines for recovery shares (at most {MAX_SHARES})")
    parsed = []
    for number, line in enumerate(lines, 1):
        try:
            parsed.append(shares.parse_share(line))
        except ShareError as exc:
            raise RecoveryRefused(f"share {number} is not a valid recovery share: {exc}") from None
    first = parsed[0]
    for number, share in enumerate(parsed[1:], 2):
        if (share.split_id, share.threshold, share.count) != (first.split_id, first.threshold, first.count):
            raise RecoveryRefused(
                f"shares 1 and {number} are from different sets (each `vigil init` or `vigil keys shares` "
                f"prints a new set): give {first.threshold} shares of one set"
            )
    distinct = len({share.x for share in parsed})
    if distinct < first.threshold:
        raise RecoveryRefused(
            f"this set needs {first.threshold} different shares to recover the keys; {distinct} given"
        )
    return lines


def read_shares_file(path: str) -> list[str]:
    try:
        with open(path, encoding="utf-8") as fh:
            text = fh.read(MAX_TEXT + 1)
    except OSError as exc:
        raise RecoveryRefused(f"cannot read --shares-file {path}: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise RecoveryRefused(f"--shares-file {path} is not text") from None
    return shares_from_text(text)


def type_shares(ask: Callable[[str], str] = getpass.getpass) -> list[str]:
    """Shares typed one a line (not echoed), until an empty line; then checked like a file's."""
    lines: list[str] = []
    print("Type the recovery shares, one a line, then an empty line:", file=sys.stderr)
    while len(lines) <= MAX_SHARES:
        line = ask(f"share {len(lines) + 1}: ")
        if not line.strip():
            break
        lines.append(line)
    return shares_from_text("\n".join(lines))


def given_shares(path: str | None, *, refusal: str) -> list[str]:
    """The shares of a command: from ``--shares-file`` when given, else typed on a terminal; with neither,
    :class:`RecoveryRefused` with ``refusal``, which says how to give them."""
    if path:
        return read_shares_file(path)
    if sys.stdin.isatty():
        return type_shares()
    raise RecoveryRefused(refusal)


def new_passphrase(
    path: str | None,
    *,
    environ: Mapping[str, str] | None = None,
    ask: Callable[[str], str] | None = None,
) -> str:
    """The new passphrase: ``VIGIL_NEW_PASSPHRASE``, else the file ``path`` (``--new-passphrase-file``),
    else typed twice with ``ask`` (on a terminal); RecoveryRefused when there is none or they differ."""
    env = os.environ if environ is None else environ
    direct = env.get(NEW_PASSPHRASE_VARIABLE)
    if direct is not None and path:
        raise RecoveryRefused(f"give {NEW_PASSPHRASE_VARIABLE} or --new-passphrase-file, not both")
    if direct is not None:
        if not direct:
            raise RecoveryRefused(f"{NEW_PASSPHRASE_VARIABLE} is set but empty")
        return direct
    if path:
        try:
            text = Path(path).read_text(encoding="utf-8")
        except OSError as exc:
            raise RecoveryRefused(f"cannot read --new-passphrase-file {path}: {exc.strerror}") from None
        except UnicodeDecodeError:
            raise RecoveryRefused(f"--new-passphrase-file {path} is not text") from None
        text = text[:-2] if text.endswith("\r\n") else text[:-1] if text.endswith("\n") else text
        if not text:
            raise RecoveryRefused(f"--new-passphrase-file {path} is empty")
        return text
    if ask is None:
        raise RecoveryRefused(
            f"no new passphrase: set {NEW_PASSPHRASE_VARIABLE}, give --new-passphrase-file FILE, "
            "or run this on a terminal to type it"
        )
    first = ask("New passphrase: ")
    if not first:
        raise RecoveryRefused("the new passphrase is empty; nothing was changed")
    if first != ask("The same passphrase again: "):
        raise RecoveryRefused("the two passphrases differ; nothing was changed")
    return first


def refusal(exc: Exception, *, of: str = "this instance") -> RecoveryRefused:
    """The one line for a failure of the keys ``of`` (an instance, a backup) given shares."""
    if isinstance(exc, WrongPassphraseError):
        return RecoveryRefused(f"these shares do not open the keys of {of} (they are another instance's)")
    if isinstance(exc, ShareError):
        return RecoveryRefused(f"the shares do not combine: {exc}")
    if isinstance(exc, KeystoreDestroyedError):
        return RecoveryRefused(
            "this instance's keys were destroyed: no shares can bring them back here; restore a backup "
            "with them instead (`vigil backup --restore FILE --into DIR`)"
        )
    return RecoveryRefused(str(exc))


def recover(printed_shares: Sequence[str], new_passphrase: str, *, via: str, actor: Actor = None) -> Keyring:
    """Unlock this instance with the shares, set ``new_passphrase`` and write the audit entry
    (``keys.recovered``, with where it was done; never a share). RecoveryRefused changes nothing."""
    from django.db import transaction

    from vigil.audit.log import record
    from vigil.lib.crypto.errors import CryptoError
    from vigil.protection import keys

    checked = shares_from_text("\n".join(printed_shares))
    if not new_passphrase:
        raise RecoveryRefused("the new passphrase is empty; nothing was changed")
    try:
        ring = keys.recover(checked, new_passphrase)
    except CryptoError as exc:
        raise refusal(exc) from None
    with transaction.atomic():
        record(actor, "keys.recovered", None, via=via, new_passphrase=True)
    return ring
