"""read_table decodes CSV in the encodings offices save it in and finds the delimiter by itself."""

from __future__ import annotations

import hashlib

import pytest

from vigil.lib.importing import UnreadableTable, read_table

TEXT = "ФИО;Город;Дата задержания\r\nІваноў Іван;Мінск;08.11.2020\r\nПётр Сідараў;Гомель;8 лістапада 2020\r\n"
EXPECTED_HEADERS = ["ФИО", "Город", "Дата задержания"]
EXPECTED_ROWS = [["Іваноў Іван", "Мінск", "08.11.2020"], ["Пётр Сідараў", "Гомель", "8 лістапада 2020"]]


@pytest.mark.parametrize(
    ("encoded", "encoding_word"),
    [
        (TEXT.encode("utf-8"), "utf-8"),
        (b"\xef\xbb\xbf" + TEXT.encode("utf-8"), "utf-8 (BOM)"),
        (b"\xff\xfe" + TEXT.encode("utf-16-le"), "utf-16-le (BOM)"),
        (b"\xfe\xff" + TEXT.encode("utf-16-be"), "utf-16-be (BOM)"),
        (TEXT.encode("cp1251"), "cp1251"),
    ],
    ids=["utf-8", "utf-8-bom", "utf-16-le-bom", "utf-16-be-bom", "cp1251"],
)
def test_each_supported_encoding_reads_to_the_same_cyrillic_table(encoded: bytes, encoding_word: str) -> None:
    table = read_table(encoded, filename="list.csv")
    assert table.headers == EXPECTED_HEADERS
    assert table.rows == EXPECTED_ROWS
    assert table.encoding == encoding_word
    assert table.content_sha256 == hashlib.sha256(encoded).hexdigest()


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_the_delimiter_is_sniffed_among_comma_semicolon_and_tab(delimiter: str) -> None:
    # the other two delimiters appear inside quoted cells and must not confuse the sniffer
    lines = [
        delimiter.join(["full_name", "city", "raw_text"]),
        delimiter.join(["Иванов Иван", "Минск", '"задержан; увезён, в ЦИП\tна Окрестина"']),
        delimiter.join(["Петров Пётр", "Брест", '"нет данных"']),
    ]
    table = read_table("\n".join(lines).encode(), filename="x.csv")
    assert table.delimiter == delimiter
    assert table.headers == ["full_name", "city", "raw_text"]
    assert table.rows[0][2] == "задержан; увезён, в ЦИП\tна Окрестина"


def test_row_numbers_count_blank_lines_and_the_header_as_row_one() -> None:
    table = read_table(b"a,b\n1,2\n\n3,4\n\n\n", filename="x.csv")
    assert [(n, row) for n, row in table.numbered_rows()] == [(2, ["1", "2"]), (3, []), (4, ["3", "4"])]


def test_a_quoted_cell_spanning_lines_is_one_spreadsheet_row() -> None:
    table = read_table(b'a,b\n"line one\nline two",x\ny,z\n', filename="x.csv")
    assert table.rows == [["line one\nline two", "x"], ["y", "z"]]
    assert table.row_number(1) == 3


def test_leading_blank_lines_move_the_header_row_down() -> None:
    table = read_table(b"\n\nname,city\nA,B\n", filename="x.csv")
    assert table.header_row == 3
    assert list(table.numbered_rows()) == [(4, ["A", "B"])]


def test_a_path_is_read_like_its_bytes(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "list.csv"
    path.write_bytes(TEXT.encode("cp1251"))
    assert read_table(path, filename="list.csv") == read_table(TEXT.encode("cp1251"), filename="list.csv")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"\n\n  \n", "no rows"),
        (b"a,b\x00c\n", "NUL"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, ".xls"),
        (b"\xff\xfe\x00", "utf-16-le"),
    ],
    ids=["empty", "blank", "nul", "old-xls", "broken-utf16"],
)
def test_unreadable_bytes_raise_unreadable_table_with_a_reason(data: bytes, message: str) -> None:
    with pytest.raises(UnreadableTable, match=message):
        read_table(data, filename="x.csv")


def test_a_missing_path_raises_unreadable_table(tmp_path) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(UnreadableTable, match="cannot read"):
        read_table(tmp_path / "absent.csv", filename="absent.csv")
