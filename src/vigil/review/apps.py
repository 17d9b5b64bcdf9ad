from __future__ import annotations

from typing import Any

from django.apps import AppConfig


def _link_new_identities(sender: Any, identity_ids: list[int], **kwargs: Any) -> None:
    from vigil.review.operations import link_arrivals

    link_arrivals(identity_ids)


class ReviewConfig(AppConfig):
    name = "vigil.review"
    label = "review"

    def ready(self) -> None:
        from vigil.records.signals import identities_recorded

        identities_recorded.connect(_link_new_identities, dispatch_uid="review.link_new_identities")
