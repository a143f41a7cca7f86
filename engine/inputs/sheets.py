"""Read assessment workbooks (.xlsx) and CSV files into the same data as an assessment YAML file.

Row 1 holds the headers (id, edition, ikm.name, gates.<fact>, evidence.<name>, previous.stars, ...);
every later non-empty row is one assessment. Empty cells are missing values. TRUE/FALSE are booleans;
numbers are kept as written (a decimal cell keeps its shortest text, 85.5 stays 85.5; whole numbers
stay integers). The edition comes from an `edition` column or, in a workbook written by
`ovop assessments template`, from its defined name `ovop_edition`. Every problem names the sheet,
row and column: "x.xlsx: sheet penilaian, row 5, column H: 2024-JB-0007: evidence...: ...".
"""
from __future__ import annotations

import csv
import io
import re
from dataclasses import replace
from pathlib import Path
from typing import Any


from ..errors import Diagnostic, OvopError
from ..rules import limits, yamlsrc
from .messages import t
from .source import Source

TEXT_COLUMNS = {"id", "edition", "previous.edition"}
INTEGER = re.compile(r"^[+-]?\d+$")
DECIMAL = re.compile(r"^[+-]?(\d+\.\d*|\.\d+|\d+(\.\d*)?[eE][+-]?\d+)$")
EDITION_NAME = "ovop_edition"



def get_column_letter(n: int) -> str:
    """Spreadsheet column letters of 1-based column n (1 -> A, 27 -> AA), as openpyxl writes them; openpyxl
    itself is imported only when a workbook is read (it costs ~0.2 s of every command's start)."""
    letters = ""
    while n > 0:
        n, rest = divmod(n - 1, 26)
        letters = chr(65 + rest) + letters
    return letters

class TableSource(Source):
    """A Source read from rows and columns: diagnostics name the sheet, row and column."""

    def __init__(self, located: yamlsrc.Located, texts: dict, where: str, headers: list[str]):
        super().__init__(located, texts)
        self.where_prefix, self.headers = where, headers

    def relocate(self, d: Diagnostic) -> Diagnostic:
        if d.line is None:
            return replace(d, file=f"{d.file}{self.where_prefix}", context=None)
        column = f", column {get_column_letter(d.col)}" if d.col else ""
        return replace(d, file=f"{d.file}{self.where_prefix}, row {d.line}{column}", line=None, col=None, context=None)


def read_table(path: Path, file: str) -> TableSource:
    """Read an .xlsx or .csv file of assessments; unreadable files raise OvopError naming the file."""
    if path.suffix.lower() == ".csv":
        rows, edition, where = _csv_rows(path, file), None, ""
    else:
        rows, edition, sheet = _xlsx_rows(path, file)
        where = f": sheet {sheet}"
    if not rows or not any(v not in (None, "") for v in rows[0]):
        raise OvopError(Diagnostic(file + where, message=t("no_header"), allowed=t("no_header_ok")))
    return _assessments(rows, edition, file, where)


def _csv_rows(path: Path, file: str) -> list[list[Any]]:
    data = limits.read_bytes(path, file)  # a regular file, bounded in size
    try:
        return [list(r) for r in csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""))]
    except UnicodeDecodeError as exc:
        raise OvopError(Diagnostic(file, message=t("not_utf8", reason=exc.reason), allowed=t("utf8_csv_ok")))
    except (OSError, csv.Error) as exc:
        raise OvopError(Diagnostic(file, message=t("not_csv", what=str(exc))))


def _check_unpacked(data: bytes, file: str) -> None:
    """An .xlsx is a zip: refuse one that unpacks to more than 4 times the input limit (a zip bomb)."""
    import zipfile
    try:
        unpacked = sum(i.file_size for i in zipfile.ZipFile(io.BytesIO(data)).infolist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return  # load_workbook words the problem
    if unpacked > 4 * limits.max_bytes():
        raise limits.LimitError(Diagnostic(file, message=f"buku kerja terlalu besar / workbook too large: unpacks to "
                                           f"{unpacked:,} bytes", allowed=f"at most {4 * limits.max_bytes():,} "
                                           f"bytes unpacked (OVOP_MAX_INPUT_BYTES x 4)"))


def _xlsx_rows(path: Path, file: str) -> tuple[list[list[Any]], str | None, str]:
    from openpyxl import load_workbook
    data = limits.read_bytes(path, file)  # a regular file, bounded in size; unpacked size bounded below
    _check_unpacked(data, file)
    try:
        wb = load_workbook(io.BytesIO(data), data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged or foreign file
        raise OvopError(Diagnostic(file, message=t("not_xlsx", what=str(exc)), allowed=t("xlsx_ok")))
    ws = wb["penilaian"] if "penilaian" in wb.sheetnames else wb.worksheets[0]
    defined = wb.defined_names.get(EDITION_NAME)
    edition = defined.attr_text.strip('"') if defined is not None else None
    return [list(r) for r in ws.iter_rows(values_only=True)], edition, ws.title


def _assessments(rows: list[list[Any]], edition: str | None, file: str, where: str) -> TableSource:
    headers = [str(h).strip() if h is not None else "" for h in rows[0]]
    _check_headers(headers, file, where)
    data: list[dict] = []
    locs: dict[tuple, tuple[int, int]] = {(): (1, 1)}
    texts: dict[tuple, str] = {}
    refused: list[Diagnostic] = []
    for number, row in enumerate(rows[1:], start=2):
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in row):
            continue
        root, first = (len(data),), len(refused)
        item: dict = {"edition": edition} if edition and "edition" not in headers else {}
        locs[root] = locs[root + ("edition",)] = (number, 1)
        for col, (header, value) in enumerate(zip(headers, row), start=1):
            if not header or value is None or (isinstance(value, str) and not value.strip()):
                continue
            path = tuple(header.split("."))
            if _refused_number(header, value):
                refused.append(Diagnostic(file, number, col, header, limits.number_problem(value.strip()),
                                          limits.NUMBER_ALLOWED))
                continue
            value, text = _value(header, value)
            _put(item, path, value)
            for n in range(1, len(path) + 1):
                locs.setdefault(root + path[:n], (number, col))
            if text is not None:
                texts[root + path] = text
        data.append(item)
        refused[first:] = _labelled(refused[first:], item, len(data))
    source = TableSource(yamlsrc.Located(file, data, locs), texts, where, headers)
    if refused:  # numbers past the limits, each at its row and column, under its assessment's id
        raise limits.LimitError([source.relocate(d) for d in refused])
    return source


def _refused_number(header: str, value: Any) -> bool:
    """A text cell written as a number past the limits (checked before int() or float() reads it)."""
    if not isinstance(value, str) or header in TEXT_COLUMNS or header.startswith("ikm."):
        return False
    text = value.strip()
    return bool((INTEGER.match(text) or DECIMAL.match(text)) and limits.number_problem(text))


def _labelled(refused: list[Diagnostic], item: dict, n: int) -> list[Diagnostic]:
    """A row's refused numbers named under its id, as the value checks name a field."""
    ident = item.get("id")
    label = ident if isinstance(ident, str) and ident.strip() else f"item {n} (no id)"
    return [replace(d, path=f"{label}: {d.path}") for d in refused]



def _check_headers(headers: list[str], file: str, where: str) -> None:
    errors, seen = [], {}
    for col, header in enumerate(headers, start=1):
        at = f"{file}{where}, row 1, column {get_column_letter(col)}"
        if header and not re.match(r"^[a-z_]+(\.[a-z0-9_]+)?$", header):
            errors.append(Diagnostic(at, message=t("header_form", header=header), allowed=t("header_form_ok")))
        elif header in seen:
            errors.append(Diagnostic(at, message=t("header_twice", header=header, first=seen[header]),
                                     allowed=t("each_column_once")))
        seen.setdefault(header, get_column_letter(col))
    if errors:
        raise OvopError(errors)


def _put(item: dict, path: tuple, value: Any) -> None:
    for part in path[:-1]:
        if not isinstance(item.get(part), dict):
            item[part] = {}
        item = item[part]
    item[path[-1]] = value


def _value(header: str, value: Any) -> tuple[Any, str | None]:
    """A cell as the assessment value it stands for, and the written text of a decimal."""
    text_column = header in TEXT_COLUMNS or header.startswith("ikm.")
    if text_column:
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        return (str(value).strip() if not isinstance(value, bool) else value), None
    if isinstance(value, float):
        return value, repr(value)
    if isinstance(value, str):
        return _parse(value.strip())
    return value, None


def _parse(text: str) -> tuple[Any, str | None]:
    """Text cells (every CSV cell): TRUE/FALSE, whole numbers, decimals as written, else the text."""
    if text.upper() in ("TRUE", "FALSE"):
        return text.upper() == "TRUE", None
    if INTEGER.match(text):
        return int(text), None
    if DECIMAL.match(text):
        return float(text), text
    return text, None
