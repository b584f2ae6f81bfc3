"""Exports (导出) of the import kinds, in the import's own columns, so that an exported file
imported again (even as a dry run) changes nothing and rejects nothing.

Formats: ``xlsx`` (openpyxl write-only; every cell text, so ID numbers stay text) and ``csv``
(UTF-8 with a byte-order mark, so Excel opens Chinese correctly; a cell that a spreadsheet would
run as a formula is prefixed with ``'``, :mod:`talent_pool.csv_text`, and read back without it).
Rows are read from the database in pages of :data:`PAGE_ROWS` and written as they come: memory stays bounded.

A district regulator's export (``district_code``) holds the employers of the district, the
confirmed employments at them, and the people employed there (with their credentials and
trainings) — the same scope its import accepts.
"""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator
from typing import IO, Any, Literal

from openpyxl import Workbook

from talent_pool._imports import check_kind
from talent_pool.csv_text import neutralise
from talent_pool.import_columns import COLUMNS, export_cell
from talent_pool.tables import Credential, Employer, Employment, Practitioner, TrainingRecord
from talent_pool.xlsx_text import text_cell

PAGE_ROWS = 2000
ExportFormat = Literal["xlsx", "csv"]


async def _district_people(district_code: str) -> list[int]:
    rows = await Employment.select(Employment.practitioner).where(
        (Employment.status == "active") & (Employment.employer.district_code == district_code)
    )
    return sorted({r["practitioner"] for r in rows})


async def _pages(kind: str, district_code: str | None) -> AsyncIterator[list[dict[str, Any]]]:
    table: Any
    columns: list[Any]
    where: Any
    if kind == "employers":
        table = Employer
        columns = [Employer.id, *[getattr(Employer, c.field) for c in COLUMNS["employers"]]]
        where = Employer.district_code == district_code if district_code else None
    elif kind == "employments":
        table = Employment
        columns = [
            Employment.id,
            Employment.practitioner.id_number.as_alias("id_number"),
            Employment.practitioner.name.as_alias("name"),
            Employment.employer.credit_code.as_alias("credit_code"),
            Employment.position,
            Employment.start_date,
            Employment.end_date,
        ]
        where = Employment.status == "active"
        if district_code:
            where = where & (Employment.employer.district_code == district_code)
    else:
        table = {"practitioners": Practitioner, "credentials": Credential, "trainings": TrainingRecord}[kind]
        if kind == "practitioners":
            columns = [Practitioner.id, *[getattr(Practitioner, c.field) for c in COLUMNS["practitioners"]]]
            person = Practitioner.id
        else:
            person = table.practitioner
            columns = [
                table.id,
                table.practitioner.id_number.as_alias("id_number"),
                table.practitioner.name.as_alias("name"),
                *[getattr(table, c.field) for c in COLUMNS[kind][2:]],
            ]
        where = None
        if district_code:
            people = await _district_people(district_code)
            where = person.is_in(people or [0])
    last = 0
    while True:
        query = table.select(*columns).where(table.id > last).order_by(table.id).limit(PAGE_ROWS)
        if where is not None:
            query = query.where(where)
        page = await query
        if not page:
            return
        yield page
        last = page[-1]["id"]


async def export_rows(kind: str, *, district_code: str | None = None) -> AsyncIterator[list[str]]:
    """The header row, then one row of text cells per record of ``kind`` (in id order).
    Raises :class:`ValidationFailed` for an unknown kind."""
    check_kind(kind)
    cols = COLUMNS[kind]
    yield [c.header for c in cols]
    async for page in _pages(kind, district_code):
        for record in page:
            yield [export_cell(c, record[c.field]) for c in cols]


async def export_to(kind: str, fmt: ExportFormat, out: IO[bytes], *, district_code: str | None = None) -> int:
    """Write the export of ``kind`` as ``fmt`` (``xlsx`` or ``csv``, see the module docstring)
    to the binary stream ``out``; returns the number of records written."""
    count = -1
    if fmt == "csv":
        text = io.TextIOWrapper(out, encoding="utf-8-sig", newline="", write_through=True)
        writer = csv.writer(text)
        numeric = [c.numeric for c in COLUMNS[kind]]
        async for row in export_rows(kind, district_code=district_code):
            writer.writerow([neutralise(v, numeric=n) for v, n in zip(row, numeric, strict=True)])
            count += 1
        text.flush()
        text.detach()
        return count
    book = Workbook(write_only=True)
    sheet = book.create_sheet(kind)
    async for row in export_rows(kind, district_code=district_code):
        sheet.append([text_cell(sheet, value) for value in row])
        count += 1
    book.save(out)
    return count


async def export_bytes(kind: str, fmt: ExportFormat, *, district_code: str | None = None) -> bytes:
    """:func:`export_to` into memory (the HTTP download)."""
    buf = io.BytesIO()
    await export_to(kind, fmt, buf, district_code=district_code)
    return buf.getvalue()
