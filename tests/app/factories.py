"""Shared factories: they build objects through the same write operations users go through."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from vigil.accounts.models import User
from vigil.records.models import Detention, Event, Source
from vigil.records.operations import (
    DetentionInput,
    DetentionResult,
    SourceInput,
    create_event,
    get_or_create_source,
    record_detention,
)

NOV8 = dt.date(2020, 11, 8)
NOV9 = dt.date(2020, 11, 9)
PASSWORD = "correct horse battery staple"


def make_user(role: str, username: str | None = None) -> User:
    user = User(username=username or f"{role}-{uuid.uuid4().hex[:6]}", role=role)
    user.set_password(PASSWORD)
    user.save()
    return user


def make_token(user: User, **options: Any) -> str:
    """An API token for this user, made as the user makes one on the tokens page; the raw token."""
    from vigil.accounts.operations import create_token

    return create_token(user, actor=user, **options).raw


def make_rally(actor: Any) -> Event:
    """The 8 November 2020 march with parts in Minsk and Grodno."""
    march = create_event(slug="2020-11-08-march", name="March of 8 November 2020", date=NOV8, actor=actor)
    create_event(slug="2020-11-08-minsk", name="Minsk", date=NOV8, city="Minsk", parent=march, actor=actor)
    create_event(slug="2020-11-08-grodno", name="Grodno", date=NOV8, city="Grodno", parent=march, actor=actor)
    return march


def source(actor: Any, kind: str = "hotline", name: str = "hotline") -> Source:
    return get_or_create_source(SourceInput(kind=kind, name=name), actor)


def detain(
    actor: Any,
    full_name: str = "",
    *,
    event: Event | str | None = None,
    day: dt.date = NOV8,
    city: str = "Minsk",
    head_count: int = 1,
    kind: str = "hotline",
    report_uuid: uuid.UUID | None = None,
    **extra: Any,
) -> DetentionResult:
    if isinstance(event, str):
        event = Event.objects.get(slug=event)
    data = DetentionInput(
        detained_on=day,
        city=city,
        full_name=full_name,
        head_count=1 if full_name else head_count,
        event=event,
        **extra,
    )
    return record_detention(data=data, source=source(actor, kind, kind), actor=actor, report_uuid=report_uuid)


def detain_unlinked(actor: Any, full_name: str, *, kind: str = "hotline") -> Detention:
    """A named detention stored as record_detentions stores it, but not linked on arrival: for tests of
    what reviewers do with a pair that linkage left apart."""
    from vigil.records.operations import DetentionEntry, record_detentions

    entry = DetentionEntry(
        data=DetentionInput(detained_on=NOV8, city="Minsk", full_name=full_name),
        source=source(actor, kind, kind),
        report_uuid=uuid.uuid4(),
    )
    (result,) = record_detentions([entry], actor=actor, link=False)
    assert not isinstance(result, Exception)
    return result.detention


def login(client: Any, user: User) -> None:
    """Sign a test client in as a user who has passed two-factor authentication."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first() or TOTPDevice.objects.create(
        user=user, name="test", confirmed=True
    )
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


def api_report_body(**overrides: Any) -> dict[str, Any]:
    """A valid body for the API's intake (POST /api/detentions/) with a new report UUID; ``overrides`` replace its fields."""
    body: dict[str, Any] = {
        "report_uuid": str(uuid.uuid4()),
        "full_name": "Siarhei Tsikhanouski",
        "detained_on": "2020-11-08",
        "city": "Minsk",
        "source": {"kind": "media", "name": "SYNTHETIC test"},
    }
    body.update(overrides)
    return body
