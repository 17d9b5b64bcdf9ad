"""``vigil keys destroy``: leave nothing on the device that opens this instance's data.

In order: every key in this process is dropped; the keyfile (the only wrapped copy of the master key) and any
temporary copy of it are overwritten and deleted, which is what makes the database, the evidence and the
audit signing key unreadable for good; ``keys/DESTROYED`` records it, so that no command starts a new
keystore in its place; the local secret (``secret_key``, Django's signing key for sessions) is shredded too;
and a ``vigil serve`` running on the same data directory is told, over its socket, to drop the keys it holds
in memory. What it does not reach is in docs/protection.md ("Destroy"): backups (they open with the recovery
shares only, never with the passphrase), the shares held by trustees, and servers of other processes.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from vigil.lib.crypto.keys import shred
from vigil.protection import instance, keys
from vigil.protection.localsecret import SECRET_FILE


@dataclass(frozen=True)
class Destruction:
    seconds: float  # from the command's start until the keyfile was gone
    also_removed: tuple[str, ...]  # other secrets shredded, by file name
    server_locked: bool  # a running `vigil serve` of this data directory dropped its keys


def destroy() -> Destruction:
    from vigil.figures.socket_service import ask_to_lock

    started = time.monotonic()
    keys.lock_now()
    keys.keystore().destroy()
    seconds = time.monotonic() - started
    # After the keyfile is gone: the keys' destruction must not wait for anything else.
    data_dir = keys.keystore_dir().parent
    instance.mark_destroyed(data_dir)
    removed = tuple(name for name in (SECRET_FILE,) if shred(data_dir / name))
    return Destruction(seconds, removed, ask_to_lock(data_dir))
