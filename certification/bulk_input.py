"""Reading a bulk verification request (批量核验) and writing its answer (pure; no I/O besides the
bytes given — call the spreadsheet parts in a thread).

Input, pasted or uploaded (``.xlsx``, or ``.csv``/text in UTF-8, UTF-8 with BOM, GBK/GB18030 —
detected with charset-normalizer): one certificate per line or row, the number first and
optionally the holder's ID number second (separated by a tab, comma, semicolon or spaces; a
header row naming 证书编号 is skipped). Certificate numbers are normalised (full-width, lower
case, spaces); a malformed one is still answered (查无此证). An ID number stored by Excel as a
number has lost its last digits: such a row is refused, never guessed — a numeric cell of an
``.xlsx``, and in a CSV or pasted text the number Excel wrote back in scientific notation
(``3.70102E+17``, explained with the importer's :data:`talent_pool.import_columns.SCIENTIFIC_TEXT`).
A control character in any cell or line (:func:`talent_pool.garble.control_reason`) refuses the
whole request at once (:class:`talent_pool.errors.ControlCharacters`, naming the rows), as the
same text in a JSON request is refused — it is never queued.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from charset_normalizer import from_bytes
from openpyxl import Workbook, load_workbook

from certification.numbers import normalise_number
from talent_pool.errors import ControlCharacters
from talent_pool.garble import control_reason
from talent_pool.import_columns import SCIENTIFIC_TEXT, is_scientific
from talent_pool.xlsx_text import no_formulas, xlsx_row

MAX_ROWS = 5000
_SPLIT = re.compile(r"[\t,，;；\s]+")
HEADER_WORDS = ("证书编号", "编号", "证书号")


@dataclass(frozen=True, slots=True)
class BulkItem:
    """One row asked about: its row number in the input, the (normalised) certificate number
    and the ID number to match (``""`` when none was given)."""

    row: int
    number: str
    id_number: str


def _clean(value: str) -> str:
    return "".join(unicodedata.normalize("NFKC", value).split()).upper()


MAX_CONTROL_ROWS = 20
"""Rows with a control character named in one refusal (the message says how many in all)."""


def refuse_control_characters(rows: list[tuple[int, list[Any]]]) -> None:
    """Raise :class:`ControlCharacters` (``detail["rows"]``: the first :data:`MAX_CONTROL_ROWS`
    rows as ``{"row", "errors"}``) when a text cell of ``rows`` (``(row number, cells)``) holds a
    control character; else return."""
    bad: list[dict[str, Any]] = []
    count = 0
    for number, cells in rows:
        reasons = [r for c in cells if isinstance(c, str) and (r := control_reason(c))]
        if reasons:
            count += 1
            if len(bad) < MAX_CONTROL_ROWS:
                bad.append({"row": number, "errors": reasons[:1]})
    if bad:
        listed = "、".join(str(b["row"]) for b in bad)
        more = f" 等 {count} 行" if count > len(bad) else ""
        raise ControlCharacters(
            f"第 {listed} 行{more}含有不允许的控制字符（如响铃符、换页符），请删除后重新提交；未提交任何核验",
            rows=bad,
        )


def _lines(text: str) -> list[tuple[int, list[Any]]]:
    # split on line feeds only: str.splitlines() also splits on U+000B, U+000C and U+001C–U+001E,
    # which would hide them from the check
    return [(n, [line]) for n, line in enumerate(text.split("\n"), start=1)]


def _rows_to_items(rows: list[tuple[int, list[Any]]]) -> tuple[list[BulkItem], list[dict[str, Any]]]:
    items: list[BulkItem] = []
    errors: list[dict[str, Any]] = []
    for number, cells in rows:
        values = [c for c in cells if c is not None and str(c).strip() != ""]
        if not values:
            continue
        if not items and not errors and any(w in str(values[0]) for w in HEADER_WORDS):
            continue  # a header row
        problems = []
        first = values[0]
        if isinstance(first, int | float) and not isinstance(first, bool):
            problems.append("证书编号不能是数字格式")
        id_number = ""
        if len(values) > 1:
            raw_id = values[1]
            if isinstance(raw_id, bool | int | float):
                problems.append("身份证号被 Excel 存成了数字（末位已丢失），请把该列设为文本后重新填写")
            elif is_scientific(str(raw_id)):  # a CSV or pasted text: Excel wrote the number back as text
                problems.append("身份证号：" + SCIENTIFIC_TEXT)
            else:
                id_number = _clean(str(raw_id))
        if len(values) > 2:
            problems.append("每行最多两项：证书编号、持证人身份证号")
        if problems:
            errors.append({"row": number, "errors": problems})
            continue
        items.append(BulkItem(number, normalise_number(str(first))[:64], id_number[:32]))
        if len(items) > MAX_ROWS:
            errors.append({"row": number, "errors": [f"一次最多核验 {MAX_ROWS} 个证书编号"]})
            break
    if not items and not errors:
        errors.append({"row": 1, "errors": ["没有要核验的证书编号"]})
    return items, errors


def parse_text(text: str) -> tuple[list[BulkItem], list[dict[str, Any]]]:
    """Pasted text: one certificate per line. Returns ``(items, errors)`` (errors as
    ``[{"row", "errors": [Chinese reasons]}]``, empty when all lines are good). Raises
    :class:`ControlCharacters` for a line with a control character."""
    refuse_control_characters(_lines(text))
    rows = [
        (n, [p for p in _SPLIT.split(line.strip()) if p]) for n, line in enumerate(text.splitlines(), start=1)
    ]
    return _rows_to_items(rows)


def decode_text(data: bytes) -> str | None:
    """Bytes of a text file as ``str``: UTF-8 (with or without BOM), else the encoding
    charset-normalizer finds (GBK/GB18030 for files saved by Chinese Excel); ``None`` when it
    is not text (charset-normalizer chooses among GB18030, Big5 and UTF-16)."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="strict")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    best = from_bytes(data, cp_isolation=["gb18030", "big5", "utf_16"]).best()
    return None if best is None else str(best)


NOT_XLSX = "不是有效的 xlsx 文件（可能已损坏或不是 Excel 文件），请用 Excel 另存为 .xlsx 后重试"


def parse_upload(data: bytes) -> tuple[list[BulkItem], list[dict[str, Any]]]:
    """An uploaded ``.xlsx`` (first sheet, first two columns) or CSV/text file; see the module
    docstring. Raises :class:`ControlCharacters` for a cell with a control character, never
    anything else for bad input."""
    if not data:
        return [], [{"row": 1, "errors": ["上传的文件是空的"]}]
    if data.startswith(b"PK"):
        try:
            book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception:  # a corrupt or foreign zip: the user's words, never a Python class name
            return [], [{"row": 1, "errors": [NOT_XLSX]}]
        try:
            sheet = book.worksheets[0]
            rows = [(n, list(r[:3])) for n, r in enumerate(sheet.iter_rows(values_only=True), start=1)]
        except Exception:  # a sheet whose XML breaks while read (read-only mode reads lazily)
            return [], [{"row": 1, "errors": [NOT_XLSX]}]
        finally:
            book.close()
        refuse_control_characters(rows)
        return _rows_to_items(rows)
    text = decode_text(data)
    if text is None or "\x00" in text:
        return [], [{"row": 1, "errors": ["无法识别文件格式，请上传 .xlsx 或 .csv 文件"]}]
    refuse_control_characters(_lines(text))
    reader = csv.reader(io.StringIO(text))
    rows = []
    for n, cells in enumerate(reader, start=1):
        parts = [p for cell in cells for p in _SPLIT.split(cell.strip()) if p]
        rows.append((n, list(parts)))
    return _rows_to_items(rows)


RESULT_HEADERS = [
    "行号",
    "证书编号",
    "核验结果",
    "持证人",
    "证书名称",
    "等级",
    "发证日期",
    "有效期至",
    "状态变更日期",
    "身份核对",
    "说明",
]


def result_xlsx(rows: list[list[Any]], *, as_of: str, summary: dict[str, int]) -> bytes:
    """The answer spreadsheet: a sheet 核验结果 with :data:`RESULT_HEADERS` and one row per item
    (dates as ISO text, never a stored ID number), and a sheet 汇总 with the counts. Never fails
    on a control character (:func:`talent_pool.xlsx_text.xlsx_safe`)."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "核验结果"
    sheet.append(RESULT_HEADERS)
    for row in rows:
        sheet.append(xlsx_row(row))
    for column, width in zip("ABCDEFGHIJK", (6, 26, 12, 10, 28, 12, 12, 12, 14, 10, 30), strict=True):
        sheet.column_dimensions[column].width = width
    totals = book.create_sheet("汇总")
    totals.append(["核验日期", as_of])
    for outcome, count in summary.items():
        totals.append(xlsx_row([outcome, count]))
    buf = io.BytesIO()
    no_formulas(book).save(buf)
    return buf.getvalue()
