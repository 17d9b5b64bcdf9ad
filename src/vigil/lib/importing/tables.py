"""Reading a spreadsheet file into a plain table of strings: CSV, XLSX or ODS.

Every cell becomes a string the way a person would read it in the spreadsheet (dates as YYYY-MM-DD, whole
numbers without ".0"); typing is the job of :mod:`vigil.lib.importing.validate`. Anything a reader library
raises on a broken or hostile file is turned into :class:`UnreadableTable`.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import os
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from vigil.lib.importing.errors import UnreadableTable

__all__ = ["DELIMITERS", "MAX_BYTES", "MAX_CELLS", "RawTable", "decode_text", "read_table"]

MAX_BYTES = 256 * 1024 * 1024
# Declared size of all members of an XLSX/ODS archive once unpacked: a bound against zip bombs.
MAX_UNPACKED_BYTES = 1024 * 1024 * 1024
MAX_CELLS = 20_000_000
DELIMITERS: tuple[str, ...] = (",", ";", "\t")

_BOMS: tuple[tuple[bytes, str], ...] = (
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xef\xbb\xbf", "utf-8"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
)
# Single-byte Cyrillic code pages a Belarusian or Russian office may still save CSV in.
_LEGACY_ENCODINGS = ["cp1251", "koi8_r", "cp866"]


@dataclass(frozen=True)
class RawTable:
    """A sheet as strings. ``headers`` is the first non-blank row of the file, at ``header_row`` (1 unless
    the file starts with blank lines); ``rows[i]`` is the file's row ``header_row + 1 + i``, blank rows
    included so that numbers match what the user sees; trailing blank rows are dropped."""

    headers: list[str]
    rows: list[list[str]]
    content_sha256: str
    filename: str = ""
    format: str = "csv"
    encoding: str | None = None
    delimiter: str | None = None
    header_row: int = 1
    sheet: str | None = field(default=None)

    def row_number(self, index: int) -> int:
        """The 1-based row number, as shown by a spreadsheet program, of ``rows[index]``."""
        return self.header_row + 1 + index

    def numbered_rows(self) -> Iterator[tuple[int, list[str]]]:
        for index, row in enumerate(self.rows):
            yield self.header_row + 1 + index, row


def _is_blank(row: Iterable[str]) -> bool:
    return not any(cell.strip() for cell in row)


def _finish(rows: Iterable[list[str]], *, sha: str, filename: str, fmt: str, **extra: Any) -> RawTable:
    headers: list[str] | None = None
    header_row = 0
    body: list[list[str]] = []
    pending_blank = 0
    cells = 0
    for number, row in enumerate(rows, start=1):
        cells += len(row)
        if cells > MAX_CELLS:
            raise UnreadableTable(f"more than {MAX_CELLS:,} cells; split the file")
        if headers is None:
            if _is_blank(row):
                continue
            headers = [cell.replace("\ufeff", "").strip() for cell in row]
            while headers and not headers[-1]:
                headers.pop()
            header_row = number
            continue
        if _is_blank(row):
            pending_blank += 1
            continue
        if pending_blank:
            body.extend([] for _ in range(pending_blank))
            pending_blank = 0
        body.append(row)
    if headers is None:
        raise UnreadableTable("the file has no rows at all")
    return RawTable(
        headers=headers,
        rows=body,
        content_sha256=sha,
        filename=filename,
        format=fmt,
        header_row=header_row,
        **extra,
    )


# ---- CSV -------------------------------------------------------------------------------------------------


def decode_text(data: bytes) -> tuple[str, str]:
    """Decode CSV bytes: a BOM decides (UTF-8, UTF-16 LE/BE, UTF-32); else UTF-8 if it is valid; else the
    most plausible Cyrillic code page (cp1251 in practice) by charset-normalizer. Returns (text, encoding)."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data[len(bom) :].decode(encoding), encoding + " (BOM)"
            except UnicodeDecodeError as exc:
                raise UnreadableTable(f"the file says it is {encoding} but byte {exc.start} is not") from None
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(data, cp_isolation=_LEGACY_ENCODINGS).best()
    if best is None:
        raise UnreadableTable("the text is neither UTF-8, UTF-16 nor a Cyrillic code page (cp1251, KOI8-R)")
    return str(best), best.encoding


def _sniff_delimiter(text: str) -> str:
    sample = text[: 64 * 1024]
    if len(text) > len(sample) and "\n" in sample:
        sample = sample[: sample.rindex("\n") + 1]
    best = DELIMITERS[0]
    best_score: tuple[bool, float, int] = (False, 0.0, 0)
    for delimiter in DELIMITERS:
        try:
            records = []
            for record in csv.reader(io.StringIO(sample, newline=""), delimiter=delimiter):
                records.append(len(record))
                if len(records) >= 50:
                    break
        except csv.Error:
            continue
        if not records:
            continue
        width = records[0]
        body = records[1:] or records
        score = (width > 1, sum(1 for n in body if n == width) / len(body), width)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _read_csv(data: bytes, *, sha: str, filename: str, encoding: str | None) -> RawTable:
    if encoding is None:
        text, used = decode_text(data)
    else:
        try:
            text, used = data.decode(encoding), encoding
        except (LookupError, UnicodeDecodeError) as exc:
            raise UnreadableTable(f"cannot decode the file as {encoding}: {exc}") from None
    if text.startswith("\ufeff"):
        text = text[1:]
    if "\x00" in text:
        raise UnreadableTable(f"the text has NUL characters; it is not a CSV file in {used}")
    delimiter = _sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)

    def records() -> Iterator[list[str]]:
        try:
            yield from reader
        except csv.Error as exc:
            raise UnreadableTable(f"CSV line {reader.line_num}: {exc}") from None

    return _finish(records(), sha=sha, filename=filename, fmt="csv", encoding=used, delimiter=delimiter)


# ---- spreadsheets ----------------------------------------------------------------------------------------


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ", timespec="seconds")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return str(value)


def _check_archive(data: bytes) -> zipfile.ZipFile:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError) as exc:
        raise UnreadableTable(f"broken spreadsheet archive: {exc}") from None
    if len(infos) > 10_000 or sum(info.file_size for info in infos) > MAX_UNPACKED_BYTES:
        raise UnreadableTable("the spreadsheet archive unpacks to more than 1 GiB; refusing to open it")
    return archive


def _archive_kind(archive: zipfile.ZipFile) -> str | None:
    names = set(archive.namelist())
    if "xl/workbook.xml" in names:
        return "xlsx"
    if "mimetype" in names and "content.xml" in names:
        try:
            mimetype = archive.read("mimetype")[:200]
        except Exception:  # noqa: BLE001 - broken member: not an ODS we can read
            return None
        if mimetype.strip() == b"application/vnd.oasis.opendocument.spreadsheet":
            return "ods"
    return None


def _read_xlsx(data: bytes, *, sheet: str | None) -> tuple[Iterator[list[str]], str]:
    import openpyxl

    workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    if sheet is not None:
        if sheet not in workbook.sheetnames:
            raise UnreadableTable(
                f"no sheet named {sheet!r}; the workbook has {', '.join(workbook.sheetnames)}"
            )
        worksheet = workbook[sheet]
    else:
        worksheet = workbook.worksheets[0]
    title = str(worksheet.title)
    # Trust the rows present in the file, not the dimension it claims (which can say a million rows).
    if hasattr(worksheet, "reset_dimensions"):
        worksheet.reset_dimensions()

    def rows() -> Iterator[list[str]]:
        for values in worksheet.iter_rows(values_only=True):
            yield [_cell_text(v) for v in values]
        workbook.close()

    return rows(), title


def _odf_text(node: Any) -> str:
    parts: list[str] = []
    for child in node.childNodes:
        if child.nodeType == child.TEXT_NODE:
            parts.append(str(child.data))
            continue
        local = child.qname[1] if getattr(child, "qname", None) else ""
        if local == "s":
            count = child.getAttribute("c")
            parts.append(" " * min(int(count) if count and count.isdigit() else 1, 10_000))
        elif local == "tab":
            parts.append("\t")
        elif local == "line-break":
            parts.append("\n")
        elif local == "annotation":
            continue
        else:
            parts.append(_odf_text(child))
    return "".join(parts)


def _odf_cell(cell: Any) -> str:
    kind = cell.getAttribute("valuetype")
    if kind in ("float", "percentage", "currency"):
        raw = cell.getAttribute("value")
        if raw:
            try:
                return _cell_text(float(raw))
            except ValueError:
                return str(raw)
    elif kind == "date":
        raw = cell.getAttribute("datevalue") or ""
        return raw[:10] if raw.endswith("T00:00:00") or len(raw) == 10 else raw.replace("T", " ")
    elif kind == "boolean":
        return "TRUE" if cell.getAttribute("booleanvalue") == "true" else "FALSE"
    paragraphs = [_odf_text(p) for p in cell.childNodes if getattr(p, "qname", (None, None))[1] in ("p", "h")]
    return "\n".join(paragraphs)


def _repeat(value: Any) -> int:
    try:
        return max(1, int(value)) if value else 1
    except (TypeError, ValueError):
        return 1


def _read_ods(data: bytes, *, sheet: str | None) -> tuple[Iterator[list[str]], str]:
    from odf.opendocument import load
    from odf.table import Table, TableRow

    document = load(io.BytesIO(data))
    tables = document.spreadsheet.getElementsByType(Table)
    if not tables:
        raise UnreadableTable("the ODS file has no sheet")
    if sheet is not None:
        chosen = [t for t in tables if t.getAttribute("name") == sheet]
        if not chosen:
            names = ", ".join(str(t.getAttribute("name")) for t in tables)
            raise UnreadableTable(f"no sheet named {sheet!r}; the workbook has {names}")
        table = chosen[0]
    else:
        table = tables[0]

    def rows() -> Iterator[list[str]]:
        pending_blank = 0
        emitted = 0
        for row in table.getElementsByType(TableRow):
            cells: list[str] = []
            pending_cells = 0
            for cell in row.childNodes:
                if getattr(cell, "qname", (None, None))[1] not in ("table-cell", "covered-table-cell"):
                    continue
                text = _odf_cell(cell)
                repeat = _repeat(cell.getAttribute("numbercolumnsrepeated"))
                if not text:
                    pending_cells += repeat  # only materialised if a filled cell follows
                    continue
                if pending_cells:
                    cells.extend([""] * pending_cells)
                    pending_cells = 0
                cells.extend([text] * repeat)
                if len(cells) > 20_000:
                    raise UnreadableTable("a row with more than 20,000 cells")
            repeat = _repeat(row.getAttribute("numberrowsrepeated"))
            if not cells:
                pending_blank += repeat  # spreadsheets pad sheets with a million repeated empty rows
                continue
            for _ in range(pending_blank):
                yield []
            pending_blank = 0
            for _ in range(repeat):
                emitted += 1
                if emitted * max(len(cells), 1) > MAX_CELLS:
                    raise UnreadableTable(f"more than {MAX_CELLS:,} cells; split the file")
                yield list(cells)

    return rows(), str(table.getAttribute("name") or "")


# ---- entry point -----------------------------------------------------------------------------------------


def _load_bytes(source: str | os.PathLike[str] | bytes | bytearray | memoryview) -> bytes:
    if isinstance(source, bytes | bytearray | memoryview):
        data = bytes(source)
    else:
        path = Path(source)
        try:
            size = path.stat().st_size
            if size > MAX_BYTES:
                raise UnreadableTable(f"{path.name} is larger than {MAX_BYTES // (1024 * 1024)} MiB")
            data = path.read_bytes()
        except OSError as exc:
            raise UnreadableTable(f"cannot read {path.name}: {exc.strerror or exc}") from None
    if len(data) > MAX_BYTES:
        raise UnreadableTable(f"the file is larger than {MAX_BYTES // (1024 * 1024)} MiB")
    return data


def read_table(
    source: str | os.PathLike[str] | bytes | bytearray | memoryview,
    *,
    filename: str,
    encoding: str | None = None,
    sheet: str | None = None,
) -> RawTable:
    """Read a CSV, XLSX or ODS file (a path or its bytes) into a :class:`RawTable`.

    The format is decided by the content (a ZIP archive is XLSX or ODS, anything else is read as delimited
    text), the file name only breaks ties and words error messages. ``encoding`` overrides detection for
    CSV; ``sheet`` picks a sheet by name (default: the first). Raises only :class:`UnreadableTable`.
    """
    data = _load_bytes(source)
    sha = hashlib.sha256(data).hexdigest()
    suffix = Path(filename).suffix.lower()
    if data.startswith(b"\xd0\xcf\x11\xe0") or suffix == ".xls":
        raise UnreadableTable("old binary Excel (.xls) is not read; save the sheet as .xlsx, .ods or CSV")
    if not data:
        raise UnreadableTable("the file is empty")
    if data.startswith(b"PK\x03\x04") or suffix in (".xlsx", ".xlsm", ".ods"):
        archive = _check_archive(data)
        kind = _archive_kind(archive)
        if kind is None:
            raise UnreadableTable(f"{filename or 'the file'} is a ZIP archive but neither XLSX nor ODS")
        try:
            if kind == "xlsx":
                rows, title = _read_xlsx(data, sheet=sheet)
            else:
                rows, title = _read_ods(data, sheet=sheet)
            return _finish(rows, sha=sha, filename=filename, fmt=kind, sheet=title)
        except UnreadableTable:
            raise
        except Exception as exc:  # noqa: BLE001 - reader libraries raise anything on hostile files
            raise UnreadableTable(
                f"cannot read the {kind.upper()} file: {type(exc).__name__}: {exc}"
            ) from None
    return _read_csv(data, sha=sha, filename=filename, encoding=encoding)
