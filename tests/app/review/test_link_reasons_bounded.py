"""A merge's or split's reason is a note: bounded like one, and an overlong one changes nothing."""

from __future__ import annotations

import pytest
from django.urls import reverse

from vigil.records.bounds import NOTE_MAX, FieldRefused
from vigil.records.models import Identity
from vigil.review.models import LinkOperation
from vigil.review.operations import merge_persons, split_person

from ..factories import detain, login


def test_an_overlong_reason_refuses_the_merge(coordinator):
    a = detain(coordinator, "Иван Иванов").detention
    b = detain(coordinator, "Иван Иванов", kind="lawyer").detention
    with pytest.raises(FieldRefused) as refused:
        merge_persons(a.person, [b.person], actor=coordinator, reason="x" * (NOTE_MAX + 1))
    assert refused.value.field == "reason"
    assert not LinkOperation.objects.exists()


def test_an_overlong_reason_on_the_split_page_is_a_message_not_a_server_error(client, coordinator):
    a = detain(coordinator, "Иван Иванов").detention
    b = detain(coordinator, "Иван Иванов", kind="lawyer").detention
    merge_persons(a.person, [b.person], actor=coordinator)
    login(client, coordinator)
    response = client.post(
        reverse("person_split", args=[a.person_id]),
        {"identity": [str(b.identity_id)], "reason": "x" * (NOTE_MAX + 1)},
    )
    assert response.status_code == 302
    assert LinkOperation.objects.count() == 1
    assert Identity.objects.get(pk=b.identity_id).person_id == a.person_id
    with pytest.raises(FieldRefused):
        split_person(a.person, [b.identity], actor=coordinator, reason="x" * (NOTE_MAX + 1))
