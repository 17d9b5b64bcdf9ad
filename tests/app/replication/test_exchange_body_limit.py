"""The anonymous sync endpoint reads at most VIGIL_SYNC_MAX_BYTES of a body before it parses anything."""

from __future__ import annotations

import pytest
from django.test import Client, RequestFactory, override_settings

from vigil.records.models import Report
from vigil.replication import network, views

pytestmark = pytest.mark.django_db


@override_settings(VIGIL_SYNC_MAX_BYTES=1000)
def test_a_bundle_over_the_limit_is_a_413_json_error_and_is_not_parsed():
    response = Client().post("/sync/exchange", data=b"x" * 1001, content_type=network.CONTENT_TYPE)
    assert response.status_code == 413 and response["Content-Type"] == "application/json"
    assert response.json() == {"error": "too_large", "detail": "the request body is larger than 1000 bytes"}
    assert not Report.objects.exists()


@override_settings(VIGIL_SYNC_MAX_BYTES=1000)
def test_the_view_itself_reads_no_more_than_the_limit():
    # Straight to the view, past the middleware that checks the declared length.
    request = RequestFactory().post("/sync/exchange", data=b"x" * 5000, content_type=network.CONTENT_TYPE)
    response = views.exchange(request)
    assert response.status_code == 413
    assert request._stream._pos == 1001  # type: ignore[attr-defined]


@override_settings(VIGIL_SYNC_MAX_BYTES=1000)
def test_a_bundle_at_the_limit_is_read_and_judged_on_its_content():
    response = Client().post("/sync/exchange", data=b"x" * 1000, content_type=network.CONTENT_TYPE)
    assert response.status_code == 400  # not a bundle at all: refused by the bundle format, not by size
