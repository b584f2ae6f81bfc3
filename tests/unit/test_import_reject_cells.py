"""Rejected import rows given back as text (talent_pool/import_rejects.py): numbers as a user sees
them, an ID typed as a number never turned back into 18 digits, characters an xlsx cannot hold
kept visible, and at most MAX_ROWS rows kept."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

import talent_pool.import_rejects as rejects
from talent_pool._imports import report_xlsx
from talent_pool.import_rejects import RejectedRows, cell_text
from talent_pool.import_schemas import ImportProblem, ImportReport


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, ""),
        ("370102199001011234", "370102199001011234"),
        ("=1+2", "=1+2"),
        (40, "40"),
        (16.5, "16.5"),
        (0.1 + 0.2, "0.3"),
        (Decimal("12.50"), "12.5"),
        (13800000001, "13800000001"),
        (float("370102199001011234"), "3.70102199001011E+17"),  # Excel kept 15 digits
        (370102199001011234, "3.70102199001011E+17"),  # never 18 digits that might pass the check
        (True, "TRUE"),
        (dt.datetime(2025, 3, 1), "2025-03-01"),
        (dt.datetime(2025, 3, 1, 8, 30), "2025-03-01 08:30:00"),
        (dt.date(2025, 3, 1), "2025-03-01"),
        ("王\x01芳", "王\ufffd芳"),  # a control character an xlsx cannot hold stays visible
    ],
)
def test_cell_text(value: object, text: str) -> None:
    assert cell_text(value) == text


def test_only_the_first_rows_are_kept_and_the_rest_counted(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(rejects, "MAX_ROWS", 2)
    kept = RejectedRows()
    kept.set_header(["身份证号", "姓名", None, None])
    for number in (2, 3, 4):
        kept.add(number, [f"id{number}", "王\x02芳", "多余", "更多"])
    assert kept.header == ["身份证号", "姓名"] and kept.left_out == 1
    assert kept.rows == [(2, ("id2", "王\ufffd芳")), (3, ("id3", "王\ufffd芳"))]
    report = ImportReport(
        kind="practitioners",
        dry_run=True,
        rows=3,
        rejected=3,
        problems=[ImportProblem(row=n, column="身份证号", reason="校验码错误") for n in (2, 3, 4)],
    )
    book = load_workbook(io.BytesIO(report_xlsx(report, kept)))
    assert [[c.value for c in r] for r in book["未导入的行"].iter_rows()] == [
        ["身份证号", "姓名", "未导入原因", "原行号"],
        ["id2", "王\ufffd芳", "身份证号：校验码错误", 2],
        ["id3", "王\ufffd芳", "身份证号：校验码错误", 3],
    ]
    assert book["问题明细"].max_row == 4  # every problem is still listed
    totals = dict(book["汇总"].iter_rows(values_only=True))
    assert totals["未列出原值的行"] == "1（只列出前 2 行，其余见 问题明细）"


def test_the_sheet_is_in_text_format_and_drops_an_earlier_reports_columns() -> None:
    """Every cell given back (empty ones too) and the uploaded columns are in the Text format
    ``@``, so an ID number retyped in Excel stays text; an uploaded report's own columns
    (未导入原因, 原行号) are not kept: the new report has one pair of them."""
    kept = RejectedRows()
    kept.set_header(["身份证号", "未导入原因", "姓名", "原行号", "备注"])
    kept.add(3, ["3.70102199001011E+17", "身份证号：旧原因", None, 2, "x"])
    report = ImportReport(
        kind="practitioners",
        dry_run=True,
        rows=1,
        rejected=1,
        problems=[ImportProblem(row=3, column="身份证号", reason="须为文本格式")],
    )
    book = load_workbook(io.BytesIO(report_xlsx(report, kept)))
    sheet = book["未导入的行"]
    assert [[c.value for c in r] for r in sheet.iter_rows()] == [
        ["身份证号", "姓名", "备注", "未导入原因", "原行号"],
        ["3.70102199001011E+17", None, "x", "身份证号：须为文本格式", 3],
    ]
    assert {c.number_format for r in sheet.iter_rows() for c in r[:4]} == {"@"}
    assert sheet.cell(2, 2).value is None and sheet.cell(2, 2).number_format == "@"  # empty, still text
    assert [sheet.column_dimensions[c].number_format for c in "ABC"] == ["@", "@", "@"]


def test_seen_keys_finds_every_duplicate_with_its_first_row() -> None:
    """The duplicate check of an import keeps a digest per row (talent_pool/import_dedupe.py): a
    key seen before answers the row it was first seen on, across the table's growth; a new key
    answers ``None``."""
    import datetime as dt

    from talent_pool.import_dedupe import SeenKeys

    seen = SeenKeys(capacity=4)  # grows many times below
    keys = [(f"37010219900101{i:04d}", "岗前培训", dt.date(2026, 5, 1)) for i in range(5000)]
    assert [seen.first(k, n) for n, k in enumerate(keys, start=2)] == [None] * 5000
    assert len(seen) == 5000
    assert seen.first(keys[0], 9000) == 2 and seen.first(keys[4999], 9001) == 5001
    assert seen.first((keys[7][0], "岗前培训", dt.date(2026, 5, 2)), 9002) is None  # one field differs
    assert seen.first((keys[7][0], "岗前培训", dt.date(2026, 5, 2)), 9003) == 9002
