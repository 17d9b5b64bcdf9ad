"""What the records app tells the apps above it, without importing them.

``identities_recorded`` is sent once the transaction that stored new reported identities has committed, with
``identity_ids`` (their primary keys). Record linkage (the review app) listens, so that a new report is linked
to the persons already counted before a figure counts it as someone new (docs/counting-rules.md).
"""

from __future__ import annotations

from django.dispatch import Signal

identities_recorded = Signal()
