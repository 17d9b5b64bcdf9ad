from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from vigil.exchange.models import ImportRun
from vigil.records.models import Detention, Report

GOOD = (
    "record_id,source,full_name,birth_date,birth_year,sex,city,detained_on\n"
    "1,sheet,Сяргей Ціханоўскі,1978-08-18,,m,Мінск,08.11.2020\n"
    "2,sheet,Иванова Ольга,,1990,ж,Гродно,8 ноября 2020\n"
    "3,sheet,Pavel Sevyarynets,,,m,Minsk,8 лістапада 2020\n"
)


def _file(tmp_path: Path, text: str, name: str = "list.csv", encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def _import(path: Path, *extra: str) -> str:
    out = io.StringIO()
    call_command(
        "import", str(path), "--source", "SYNTHETIC test sheet", *extra, stdout=out, stderr=io.StringIO()
    )
    return out.getvalue()


def test_a_file_in_vigil_link_columns_imports_without_a_mapping(db, tmp_path):
    out = _import(_file(tmp_path, GOOD))
    assert "3 rows, imported 3 new" in out
    assert sorted(Detention.objects.values_list("city", flat=True)) == ["Grodno", "Minsk", "Minsk"]
    assert ImportRun.objects.get().rows == 3


def test_importing_the_same_file_twice_stores_nothing_new(db, tmp_path):
    path = _file(tmp_path, GOOD)
    _import(path)
    out = _import(path)
    assert "imported 0 new, 3 already stored" in out
    assert Report.objects.filter(kind="detention").count() == 3


def test_a_dry_run_stores_nothing(db, tmp_path):
    out = _import(_file(tmp_path, GOOD), "--dry-run")
    assert "would import 3 new" in out and Report.objects.count() == 0


def test_a_cp1251_file_imports(db, tmp_path):
    _import(
        _file(
            tmp_path,
            GOOD.replace("Ціханоўскі", "Тихановский")
            .replace("Мінск", "Минск")
            .replace("лістапада", "ноября"),
            encoding="cp1251",
        )
    )
    assert Report.objects.count() == 3


def test_a_file_with_a_bad_row_is_refused_whole_and_every_error_names_row_and_column(db, tmp_path):
    bad = GOOD + "4,sheet,Иван Иванов,,,x,Minsk,31.02.2020\n5,sheet,,,,m,Minsk,\n"
    err = io.StringIO()
    with pytest.raises(CommandError, match="refused, nothing imported"):
        call_command("import", str(_file(tmp_path, bad)), "--source", "s", stdout=io.StringIO(), stderr=err)
    lines = err.getvalue()
    assert "row 5, column 'sex'" in lines and "row 5, column 'detained_on'" in lines and "row 6" in lines
    assert Report.objects.count() == 0


def test_an_unknown_event_is_an_error_on_its_row(db, tmp_path):
    text = "full_name,city,detained_on,event\nИван Иванов,Minsk,2020-11-08,no-such-rally\n"
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import", str(_file(tmp_path, text)), "--source", "s", stdout=io.StringIO(), stderr=err)
    assert "row 2, column 'event'" in err.getvalue()


def test_a_saved_mapping_is_reused_for_the_next_file_from_the_source(db, tmp_path):
    mapping = tmp_path / "m.json"
    mapping.write_text(
        '{"format": "vigil-import-mapping", "version": 1, '
        '"columns": {"full_name": "Кто", "city": "Где", "detained_on": "Когда"}, "defaults": {}}'
    )
    first = _file(tmp_path, "Кто,Где,Когда\nИван Иванов,Минск,08.11.2020\n", "a.csv")
    _import(first, "--mapping", str(mapping))
    second = _file(tmp_path, "Кто,Где,Когда\nПётр Петров,Минск,09.11.2020\n", "b.csv")
    _import(second)
    assert Report.objects.filter(kind="detention").count() == 2


def test_the_same_file_under_another_mapping_is_refused_whole_naming_the_row(db, tmp_path):
    path = _file(tmp_path, "Кто,Где,Когда,Откуда\nИван Иванов,Минск,08.11.2020,Гродно\n", "a.csv")
    first = tmp_path / "first.json"
    first.write_text(
        '{"format": "vigil-import-mapping", "version": 1, '
        '"columns": {"full_name": "Кто", "city": "Где", "detained_on": "Когда"}, "defaults": {}}'
    )
    _import(path, "--mapping", str(first))
    other = tmp_path / "other.json"
    other.write_text(
        '{"format": "vigil-import-mapping", "version": 1, '
        '"columns": {"full_name": "Кто", "city": "Откуда", "detained_on": "Когда"}, "defaults": {}}'
    )
    err = io.StringIO()
    with pytest.raises(CommandError, match="refused, nothing imported"):
        call_command(
            "import",
            str(path),
            "--source",
            "SYNTHETIC test sheet",
            "--mapping",
            str(other),
            stdout=io.StringIO(),
            stderr=err,
        )
    assert "row 2" in err.getvalue() and "imported before under another column mapping" in err.getvalue()
    assert list(Detention.objects.values_list("city", flat=True)) == ["Minsk"]
    assert ImportRun.objects.count() == 1
