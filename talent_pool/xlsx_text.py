"""Text in the spreadsheets the system writes stays text.

openpyxl stores a string that starts with ``=`` as a **formula**, so a name, certificate number
or question typed as ``=HYPERLINK(…)`` or ``=1+2`` would run in Excel when a regulator or
employer opens the export (spreadsheet formula injection, OWASP "CSV Injection"). Nothing this
system exports is meant to be a formula: :func:`text_cell` (write-only, streamed sheets) and
:func:`no_formulas` (whole workbooks, before saving) keep every such string as plain text,
unchanged — an export still imports again as the same text. Strings starting with ``+ - @`` are
already plain text cells in .xlsx (Excel only evaluates them when typed or pasted as CSV).
"""

from __future__ import annotations

from typing import Any

from openpyxl.cell import WriteOnlyCell


def text_cell(sheet: Any, value: Any) -> Any:
    """``value`` for ``sheet.append`` on a write-only sheet: a string starting with ``=`` as a
    text cell (never a formula), anything else unchanged."""
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
