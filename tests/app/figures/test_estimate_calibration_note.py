"""The estimate page says how often such intervals contained the true number on simulated lists
(docs/estimation.md, "Calibration"), and its headline links there."""

from __future__ import annotations

from django.urls import reverse

from ..factories import login


def test_the_estimate_page_carries_the_calibration_table(client, coordinator, rally):
    login(client, coordinator)
    body = client.get(reverse("event_estimate", args=[rally.slug])).content.decode()
    assert 'id="calibration"' in body
    assert "How often the 95% interval contained the true number" in body
    assert "10 sparse lists" in body and "docs/estimation.md" in body
    assert 'href="#calibration"' in body
