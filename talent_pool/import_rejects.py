"""The rejected rows of an import, kept with their own cells, so that the report gives them back
to be corrected in place and imported again (pure: no database, no file of its own).

The report's first sheet 未导入的行 (``talent_pool/_imports.py``, :func:`write_rejected`) holds,
for each rejected row, the uploaded header and the row's cells in the uploaded column order, as
text, then the columns :data:`REASON_HEADER` and :data:`ROW_HEADER`. The importer reads the
first sheet and ignores headers that are not columns of the kind (``map_headers``), so the
corrected sheet imports as it is — with or without the two report columns. A report uploaded
again that is refused again gives back its rows without its old report columns: the new report
has one pair, with the new reasons.

Every cell of that sheet (but the row number) is a text cell in Excel's Text format ``@``,
empty cells and the columns below included: an ID number retyped there stays text.

Cells come back as text (:func:`cell_text`): an ID number that was text stays text, never a
number; a formula-looking text is written as a text cell, never a formula (as
:func:`talent_pool.xlsx_text.text_cell` does). A
cell that arrived as a *number* cannot be given back as the number it was meant to be (Excel
keeps 15 significant digits): a number of more than 15 digits is written in Excel's scientific
form (``3.70102199001011E+17``), which the importer refuses again ("须为文本格式") until the
number is typed as text — it is never turned into digits that could pass a check digit by
chance.

Memory: only rejected rows are kept, at most :data:`MAX_ROWS` of them (the first by row
number); the rest are counted in :attr:`RejectedRows.left_out` and still listed, with their
reasons, in the sheet 问题明细.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.utils import get_column_letter

from talent_pool.import_columns import REPORT_HEADERS, header_key
from talent_pool.xlsx_text import xlsx_safe

MAX_ROWS = 20_000
"""Rejected rows whose cells the report gives back (about 20 MB at a dozen columns)."""
REASON_HEADER, ROW_HEADER = REPORT_HEADERS
"""The report's columns of reasons (``列：原因；…``) and of the row's number in the uploaded file;
skipped on import (``talent_pool.import_columns.map_headers``)."""
EXACT_DIGITS = 15
"""Significant digits a spreadsheet number keeps (IEEE double, as Excel shows it)."""


def cell_text(value: Any) -> str:
    """An uploaded cell (``None``, ``str``, ``int``, ``float``, ``Decimal``, ``bool``, ``date``,
    ``datetime``, ``time``) as the text a user would see in it: numbers without a trailing
    ``.0``, numbers of more than 15 digits in Excel's scientific form, dates ``2025-03-01``.
    Characters an xlsx cannot hold (control characters) become U+FFFD, so that they stay
    visible and are refused again on import."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int | float | Decimal):
        return _number_text(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(" ")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return ILLEGAL_CHARACTERS_RE.sub("\ufffd", str(value))


def _number_text(value: int | float | Decimal) -> str:
    number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    if not number.is_finite():
        return str(value)
    if abs(number) >= 10**EXACT_DIGITS:  # what Excel shows; digits past the 15th are gone
        mantissa, exponent = f"{float(number):.{EXACT_DIGITS - 1}E}".split("E")
        return f"{mantissa.rstrip('0').rstrip('.')}E{int(exponent):+03d}"
    if number == number.to_integral_value():
        return str(int(number))
    return format(Decimal(format(number, f".{EXACT_DIGITS}g")).normalize(), "f")


@dataclass(slots=True)
class RejectedRows:
    """What the report gives back of the rejected rows: ``header`` (the uploaded header row as
    text, trailing empty cells dropped), ``rows`` (``(row number, cells as text)`` in row
    order, each as wide as the header) and ``left_out`` (rejected rows beyond
    :data:`MAX_ROWS`, counted only)."""

    header: list[str] = field(default_factory=list)
    rows: list[tuple[int, tuple[str, ...]]] = field(default_factory=list)
    left_out: int = 0
    columns: list[int] = field(default_factory=list)
    """Indices of the uploaded cells kept: every column of the header except the columns of an
    earlier report (:data:`REPORT_HEADERS`), which this report writes anew."""

    def set_header(self, cells: Iterable[Any]) -> None:
        """Take the uploaded header row: trailing empty cells dropped, and the columns
        :data:`REPORT_HEADERS` of a report uploaded again left out (its old reasons and row
        numbers would stand beside the new ones)."""
        header = [cell_text(c).strip() for c in cells]
        while header and not header[-1]:
            header.pop()
        report_keys = {header_key(h) for h in REPORT_HEADERS}
        self.columns = [i for i, h in enumerate(header) if not h or header_key(h) not in report_keys]
        self.header = [header[i] for i in self.columns]

    def add(self, number: int, cells: list[Any]) -> None:
        """Keep rejected row ``number`` (call in row order) unless :data:`MAX_ROWS` are kept."""
        if len(self.rows) >= MAX_ROWS:
            self.left_out += 1
            return
        self.rows.append(
            (number, tuple(cell_text(cells[i] if i < len(cells) else None) for i in self.columns))
        )


TEXT_FORMAT = "@"
"""Excel's Text number format: what is typed into such a cell stays text (an ID number retyped
in the report is not turned into a number and refused again as "须为文本格式")."""


def _text(sheet: Any, value: str | None) -> Any:
    """A write-only text cell in the Text format (``None``: an empty cell that still has it)."""
    value = xlsx_safe(value)
    cell = WriteOnlyCell(sheet, value=value or None)
    if value:
        cell.data_type = "s"  # never a formula, whatever it starts with
    cell.number_format = TEXT_FORMAT
    return cell


def write_rejected(sheet: Any, kept: RejectedRows, reasons: Mapping[int, list[str]]) -> None:
    """Append the sheet 未导入的行 to ``sheet`` (a write-only openpyxl sheet, before any row):
    the header and :data:`REPORT_HEADERS`, then each kept row's cells with its reasons
    (``reasons[row]``, joined by ``；``) and its row number. Every cell but the row number is a
    text cell in the Text format ``@`` (``=…`` stays text, empty cells included), and so are
    the columns of the uploaded header (rows added below), so that what a user retypes stays
    text."""
    for index in range(1, len(kept.header) + 1):
        sheet.column_dimensions[get_column_letter(index)].number_format = TEXT_FORMAT
    sheet.append([_text(sheet, h) for h in [*kept.header, *REPORT_HEADERS]])
    for number, cells in kept.rows:
        why = "；".join(reasons.get(number, []))
        sheet.append([*(_text(sheet, c) for c in cells), _text(sheet, why), number])
