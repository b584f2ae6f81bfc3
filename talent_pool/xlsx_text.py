"""Text in the spreadsheets the system writes stays text.

openpyxl stores a string that starts with ``=`` as a **formula**, so a name, certificate number
or question typed as ``=HYPERLINK(…)`` or ``=1+2`` would run in Excel when a regulator or
employer opens the export (spreadsheet formula injection, OWASP "CSV Injection"). Nothing this
system exports is meant to be a formula: :func:`text_cell` (write-only, streamed sheets) and
:func:`no_formulas` (whole workbooks, before saving) keep every such string as plain text,
unchanged — an export still imports again as the same text. Strings starting with ``+ - @`` are
already plain text cells in .xlsx (Excel only evaluates them when typed or pasted as CSV).

openpyxl also refuses, with ``IllegalCharacterError``, a string holding a control character the
XML of an .xlsx cannot carry (U+0000–U+0008, U+000B, U+000C, U+000E–U+001F). Such text is
refused at every input (requests, uploads, imports), but a file written from stored data must
never fail on it — a background job would retry for minutes and then give up: every writer passes
its strings through :func:`xlsx_safe` (which :func:`text_cell` does too), which turns each such
character into U+FFFD — visible, and refused again if the file is imported (as the import
report's :func:`talent_pool.import_rejects.cell_text` does).
"""

from __future__ import annotations

from typing import Any

from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE


def xlsx_safe(value: Any) -> Any:
    """``value`` as openpyxl will store it: a string with each control character an .xlsx
    cannot hold (``openpyxl.cell.cell.ILLEGAL_CHARACTERS_RE``) replaced by U+FFFD; anything
    else unchanged. Never raises."""
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("\ufffd", value)
    return value


def xlsx_row(values: Any) -> list[Any]:
    """``[xlsx_safe(v) for v in values]``: a row for ``sheet.append`` on an ordinary workbook."""
    return [xlsx_safe(v) for v in values]


def text_cell(sheet: Any, value: Any) -> Any:
    """``value`` for ``sheet.append`` on a write-only sheet: a string starting with ``=`` as a
    text cell (never a formula), anything else unchanged; strings pass :func:`xlsx_safe`."""
    value = xlsx_safe(value)
    if not (isinstance(value, str) and value.startswith("=")):
        return value
    cell = WriteOnlyCell(sheet, value=value)
    cell.data_type = "s"
    return cell


def no_formulas(book: Any) -> Any:
    """Turn every formula cell of ``book`` (an ordinary, not write-only, openpyxl workbook) back
    into the text it was given; returns ``book``. Call it just before saving."""
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    cell.data_type = "s"
    return book
