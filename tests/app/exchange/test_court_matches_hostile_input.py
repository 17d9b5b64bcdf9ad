"""The court-match form answers junk ids with 'not found', never a server error."""

from __future__ import annotations

import pytest
from django.urls import reverse

from ..factories import login


@pytest.mark.parametrize("match", ["abc", "1e3", "100000000000000000000", ""])
def test_a_junk_match_id_is_not_found(client, coordinator, match):
    login(client, coordinator)
    assert client.post(reverse("court_matches"), {"match": match}).status_code == 404
