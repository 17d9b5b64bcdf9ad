"""The passphrase: where it comes from (the environment or a file) and how it becomes a key-encryption key
(Argon2id, with bounds on the parameters a keyfile may ask for)."""

from __future__ import annotations

import os
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from argon2.low_level import Type, hash_secret_raw

from vigil.lib.crypto.errors import KeyfileError, PassphraseError


@dataclass(frozen=True)
class KdfParams:
    """Argon2id cost parameters.

    Defaults are RFC 9106's second recommended option (t=3, p=4) with memory raised from 64 to 256 MiB: the
    adversary is a state that seizes laptops and can afford GPUs, and unlocking happens once per start-up.
    """

    time_cost: int = 3
    memory_cost_kib: int = 256 * 1024
    parallelism: int = 4

    # Bounds applied to parameters read from a keyfile: too low would mean someone weakened it, too high would
    # let a crafted keyfile exhaust memory at start-up.
    MIN_MEMORY_KIB = 8 * 1024
    MAX_MEMORY_KIB = 4 * 1024 * 1024

    def validate(self) -> None:
        if not (1 <= self.time_cost <= 64 and 1 <= self.parallelism <= 64):
            raise KeyfileError("Argon2id time cost or parallelism out of range")
        if not self.MIN_MEMORY_KIB <= self.memory_cost_kib <= self.MAX_MEMORY_KIB:
            raise KeyfileError("Argon2id memory cost out of range")


def _normalise_passphrase(passphrase: str) -> bytes:
    # NFC so that the same Cyrillic passphrase typed on different systems (composed vs decomposed "й") matches.
    if not passphrase:
        raise PassphraseError("the passphrase is empty")
    return unicodedata.normalize("NFC", passphrase).encode("utf-8")


def derive_kek(passphrase: str, salt: bytes, params: KdfParams) -> bytearray:
    params.validate()
    raw = hash_secret_raw(
        _normalise_passphrase(passphrase),
        salt,
        time_cost=params.time_cost,
        memory_cost=params.memory_cost_kib,
        parallelism=params.parallelism,
        hash_len=32,
        type=Type.ID,
        version=19,
    )
    return bytearray(raw)


def passphrase_from_env(environ: Mapping[str, str] | None = None) -> str | None:
    """The passphrase from ``VIGIL_PASSPHRASE`` or the file named by ``VIGIL_PASSPHRASE_FILE``, else None.

    Setting both is an error rather than a silent precedence rule, because an operator who set one and forgot
    the other would otherwise be unlocking with a passphrase they did not intend.
    """
    env = os.environ if environ is None else environ
    direct = env.get("VIGIL_PASSPHRASE")
    path = env.get("VIGIL_PASSPHRASE_FILE")
    if direct is not None and path is not None:
        raise PassphraseError("set VIGIL_PASSPHRASE or VIGIL_PASSPHRASE_FILE, not both")
    if direct is not None:
        if not direct:
            raise PassphraseError("VIGIL_PASSPHRASE is set but empty")
        return direct
    if path is not None:
        try:
            text = Path(path).read_text(encoding="utf-8")
        except OSError as exc:
            raise PassphraseError(f"cannot read VIGIL_PASSPHRASE_FILE: {exc.strerror}") from None
        # Editors and `echo` add one trailing newline; any other whitespace is part of the passphrase.
        if text.endswith("\r\n"):
            text = text[:-2]
        elif text.endswith("\n"):
            text = text[:-1]
        if not text:
            raise PassphraseError("VIGIL_PASSPHRASE_FILE is empty")
        return text
    return None
