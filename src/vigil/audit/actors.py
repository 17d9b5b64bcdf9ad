"""Who an audited operation is done by.

Every operation that writes takes an ``actor`` and hands it to the audit log. Three kinds reach it:

- a signed-in ``User``: from the web and API views (``request.user``) and the demo loader;
- ``AnonymousUser``: what ``request.user`` is typed as; the views refuse anonymous requests before any
  operation runs, and the audit log records such an actor as nobody, as it does ``None``;
- ``None``: a system action with no person behind it, such as management commands (``import``,
  ``package``), replaying a peer's changes during sync, key rotation and audit checkpoints.

The audit log reads only ``pk`` and ``is_authenticated`` of it; the ``..._by`` columns store the user.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeAlias, cast

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from vigil.accounts.models import User

Actor: TypeAlias = "User | AnonymousUser | None"


def acting_user(actor: Actor) -> User | None:
    """The user to store in a ``..._by`` column: the actor if signed in, otherwise nobody."""
    return cast("User", actor) if getattr(actor, "is_authenticated", False) else None
