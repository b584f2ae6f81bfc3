"""Tables as .xlsx downloads: openpyxl's write-only workbook (rows written once, in order, no
cell objects kept), built in a thread and streamed back in chunks.

The file name is Chinese (year and scope in it); ``Content-Disposition`` carries it as an RFC
5987/6266 ``filename*=UTF-8''…`` with an ASCII ``filename=`` fallback for old clients.
"""

from __future__ import annotations

import asyncio
import tempfile
from collections.abc import AsyncIterator, Iterable, Sequence
from typing import IO
from urllib.parse import quote

from litestar.response import Stream
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from talent_pool.xlsx_text import text_cell, xlsx_safe

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CHUNK = 64 * 1024


def content_disposition(filename: str, fallback: str) -> str:
    """``attachment; filename="<fallback>"; filename*=UTF-8''<percent-encoded filename>``."""
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


def _write(
    out: IO[bytes], title: str, caption: str, headers: Sequence[str], rows: Iterable[Sequence[object]]
) -> None:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(xlsx_safe(title)[:31])
    ws.append([text_cell(ws, caption)])
    bold = Font(bold=True)
    header_cells = []
    for h in headers:
        c = WriteOnlyCell(ws, value=xlsx_safe(h))
        c.font = bold
        header_cells.append(c)
    ws.append(header_cells)
    for row in rows:
        ws.append([text_cell(ws, value) for value in row])
    wb.save(out)


async def xlsx_stream(
    *,
    filename: str,
    fallback: str,
    title: str,
    caption: str,
    headers: Sequence[str],
    rows: Iterable[Sequence[object]],
) -> Stream:
    """A streamed .xlsx response: sheet ``title``, a ``caption`` line (scope, year, as-of date),
    then ``headers`` (bold) and ``rows`` (numbers stay numbers, dates dates)."""
    spool = tempfile.SpooledTemporaryFile(max_size=4 * 1024 * 1024)  # noqa: SIM115 — closed by the stream
    await asyncio.to_thread(_write, spool, title, caption, list(headers), list(rows))
    spool.seek(0)

    async def chunks() -> AsyncIterator[bytes]:
        try:
            while data := await asyncio.to_thread(spool.read, CHUNK):
                yield data
        finally:
            spool.close()

    return Stream(
        chunks(),
        media_type=XLSX,
        headers={"Content-Disposition": content_disposition(filename, fallback)},
    )
