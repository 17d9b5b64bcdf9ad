"""The API tests' client: a coordinator's token, as a caller of the REST API holds it."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from ..factories import make_token, make_user


@pytest.fixture
def api(db: None) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {make_token(make_user('coordinator'))}")
    return client
