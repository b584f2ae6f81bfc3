"""Text in the CSV files the system writes stays text (OWASP "CSV Injection").

Excel, LibreOffice and WPS evaluate a CSV cell that starts with ``=``, ``+``, ``-``, ``@``, a
tab or a carriage return as a formula: an employer named ``=HYPERLINK("http://evil","点我")``
would become a live link in the regulator's spreadsheet. :func:`neutralise` prefixes such a
cell with a single quote (the OWASP remedy), so the program shows it as text; a plain number in
a numeric column (``学时`` ``-1.5`` would be refused on import anyway) is left as it is.
:func:`restore` undoes the quote when a CSV file is read back, so an export imported again
still changes nothing. (.xlsx exports mark such cells as text instead: :mod:`talent_pool.xlsx_text`.)
"""

from __future__ import annotations

import re

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
"""First characters that make a spreadsheet program read a CSV cell as a formula."""

_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")


def neutralise(value: str, *, numeric: bool = False) -> str:
    """``value`` as a safe CSV cell: ``'`` prepended when it starts with one of :data:`TRIGGERS`
    — unless ``numeric`` (the column holds numbers) and ``value`` is a plain decimal number
    such as ``-3`` or ``+1.5``. Any other value is returned unchanged."""
    if not value.startswith(TRIGGERS):
        return value
    if numeric and _NUMBER.match(value):
        return value
    return "'" + value


def restore(value: str) -> str:
    """A cell read from a CSV file with the quote of :func:`neutralise` removed: ``'=1+2`` →
    ``=1+2``; anything not starting with ``'`` and a trigger character is unchanged."""
    if value.startswith("'") and value[1:].startswith(TRIGGERS):
        return value[1:]
    return value
