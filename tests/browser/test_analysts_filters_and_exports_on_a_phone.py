"""An analyst's journey on a phone (390x844) in English, Russian and Belarusian: the detention list of a
synthetic data set is narrowed by period, city (typed as the reader writes it) and decision, the count shown
follows, and the CSV, workbook and JSON exports hold exactly the rows shown, each marked synthetic."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import uuid
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from tests.app.factories import make_user

from .journeys import in_language, phone, shows_its_language, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CITY = {"en": "Minsk", "ru": "Минск", "be": "Мінск"}  # as an analyst types it in each language
NOV = dt.date(2020, 11, 8)
# (name, city, day, decision): the filter below keeps the first two.
RECORDS = [
    ("Сяргей Ціханоўскі", "Minsk", NOV, "fine"),
    ("Марыя Калеснікава", "Minsk", NOV + dt.timedelta(days=1), "fine"),
    ("Иван Иванов", "Minsk", NOV, "administrative_arrest"),
    ("Вольга Іванова", "Minsk", NOV, None),
    ("Пётр Петров", "Grodno", NOV, "fine"),
    ("Анна Смирнова", "Minsk", dt.date(2020, 8, 10), "fine"),
]
KEPT = 2


def _synthetic_records(actor: Any) -> list[int]:
    """The records, marked synthetic as the demo loader marks them, with their cases decided; their ids."""
    from vigil.cases.operations import open_case, record_decision
    from vigil.records.operations import (
        DetentionEntry,
        DetentionInput,
        SourceInput,
        get_or_create_source,
        record_detentions,
    )

    hotline = get_or_create_source(SourceInput(kind="hotline", name="hotline"), actor, is_synthetic=True)
    entries = [
        DetentionEntry(
            data=DetentionInput(detained_on=day, city=city, full_name=name),
            source=hotline,
            report_uuid=uuid.uuid4(),
            is_synthetic=True,
        )
        for name, city, day, _ in RECORDS
    ]
    ids = []
    for (_, _, day, outcome), result in zip(
        RECORDS, record_detentions(entries, actor=actor, link=False), strict=True
    ):
        detention = result.detention  # type: ignore[union-attr]
        ids.append(detention.pk)
        if outcome:
            case = open_case(detention, kind="admin", article="23.34", actor=actor)
            amounts = {"fine": {"fine_base_units": Decimal(10)}, "administrative_arrest": {"arrest_days": 15}}
            record_decision(case, decided_on=day, outcome=outcome, actor=actor, **amounts[outcome])
    return ids


@pytest.fixture(params=["en", "ru", "be"])
def analyst_phone(
    request: pytest.FixtureRequest, browser: Any, live_server: Any
) -> Iterator[tuple[Any, str, list[int]]]:
    language = request.param
    context = phone(browser, live_server.url, language)
    page = context.new_page()
    ids = _synthetic_records(make_user("coordinator"))
    sign_in(page, live_server.url, make_user("analyst"))
    yield page, language, ids
    context.close()


def test_an_analyst_narrows_the_list_and_exports_exactly_the_rows_shown_marked_synthetic(
    analyst_phone: tuple[Any, str, list[int]], live_server: Any
) -> None:
    from openpyxl import load_workbook

    from vigil.lib.reference import outcomes
    from vigil.lib.reference.labels import city_label

    page, language, ids = analyst_phone
    page.goto(f"{live_server.url}/detentions/")
    shows_its_language(page, language)
    assert page.inner_text("h1") == in_language(language, "Detentions")
    assert page.inner_text("#total") == str(len(RECORDS))

    page.fill("input[name=city]", CITY[language])
    page.locator("details.more-filters summary").click()
    page.fill("#id_since", "2020-11-01")
    page.fill("#id_until", "2020-11-30")
    page.select_option("#id_outcome", "fine")
    assert page.inner_text("#id_outcome option:checked") == outcomes()["fine"][f"label_{language}"]
    page.get_by_role("button", name=in_language(language, "Filter")).click()
    page.wait_for_url("**outcome=fine**")
    shows_its_language(page, language)

    assert page.inner_text("#total") == str(KEPT)
    rows = page.locator("table.list tbody tr")
    assert rows.count() == KEPT
    for i in range(KEPT):
        cells = rows.nth(i).locator("td")
        assert cells.nth(2).inner_text().startswith("2020-11-")
        assert cells.nth(3).inner_text() == city_label("Minsk", language)
        assert in_language(language, "synthetic") in cells.nth(1).inner_text()
        assert "Ціханоўскі" not in cells.nth(1).inner_text()  # an analyst sees pseudonyms, not names
    assert page.input_value("input[name=city]") == CITY[language]  # the filter stays as typed
    kept = set(ids[:KEPT])

    with page.expect_download() as download:
        page.get_by_role("link", name="CSV", exact=True).click()
    exported = list(csv.DictReader(io.StringIO(download.value.path().read_text(encoding="utf-8"))))
    assert {int(r["detention_id"]) for r in exported} == kept
    assert {r["synthetic"] for r in exported} == {"True"}

    with page.expect_download() as download:
        page.get_by_role("link", name="XLSX", exact=True).click()
    sheet = load_workbook(io.BytesIO(download.value.path().read_bytes()), read_only=True).active
    assert sheet is not None
    banner, header, *cells = list(sheet.iter_rows(values_only=True))
    assert str(banner[0]).startswith("SYNTHETIC DEMO DATA")
    records = [dict(zip(header, row, strict=True)) for row in cells]
    assert {r["detention_id"] for r in records} == kept and all(r["synthetic"] for r in records)

    href = page.get_by_role("link", name="JSON", exact=True).get_attribute("href")
    assert href is not None
    body = json.loads(page.request.get(f"{live_server.url}{href}").text())
    assert body["synthetic"] is True
    assert {r["detention_id"] for r in body["rows"]} == kept and all(r["synthetic"] for r in body["rows"])
