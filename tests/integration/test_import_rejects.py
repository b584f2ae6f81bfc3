"""The import report gives the rejected rows back with their own cells (talent_pool/import_rejects.py):
a GBK CSV and an xlsx with bad rows → sheet 未导入的行 holds each row under the uploaded header,
as text, with the reasons; the sheet corrected in place imports as it is."""

from __future__ import annotations

import io
from typing import Any

from openpyxl import load_workbook

from talent_pool import import_stream
from talent_pool._imports import report_xlsx
from talent_pool.import_columns import SCIENTIFIC_TEXT
from talent_pool.import_rejects import RejectedRows
from talent_pool.import_schemas import ImportReport
from talent_pool.tables import Practitioner, TrainingRecord
from tests.factories import make_id
from tests.integration.test_imports import TODAY, csv_bytes, run, xlsx_bytes


def wrong_check(rid: str) -> str:
    return rid[:17] + ("0" if rid[17] != "0" else "1")


async def run_kept(kind: str, data: bytes) -> tuple[ImportReport, Any]:
    """Import ``data`` and return the report and the report workbook (openpyxl, loaded)."""
    kept = RejectedRows()
    report = await import_stream(
        kind, io.BytesIO(data), today=TODAY, dry_run=False, by="test", rejected_rows=kept
    )
    return report, load_workbook(io.BytesIO(report_xlsx(report, kept)))


def saved(book: Any) -> bytes:
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


async def test_gbk_csv_rejected_rows_come_back_as_text_and_import_once_corrected(db: None) -> None:
    lisi, zhao = make_id(3), make_id(5)
    rows = [
        ["序号", "证件号码", "名字", "联系电话", "备注"],
        ["1", make_id(1), "王芳", "13800000001", "x"],
        ["2", wrong_check(lisi), "李四", "13800000003", "=1+2"],  # wrong check digit; a formula-like remark
        ["3", zhao, "", "13800000005", ""],  # no name
        ["4", make_id(1), "王芳", "", ""],  # the same person twice in one file
        ["5", make_id(6), "钱七", "12345", "电话错"],
    ]
    report, book = await run_kept("practitioners", csv_bytes(rows, "gbk"))
    assert (report.encoding, report.created, report.rejected) == ("gb18030", 1, 4)
    assert book.sheetnames == ["未导入的行", "问题明细", "汇总"]
    sheet = book["未导入的行"]
    got = [[c.value for c in row] for row in sheet.iter_rows()]
    assert got[0] == ["序号", "证件号码", "名字", "联系电话", "备注", "未导入原因", "原行号"]
    assert [r[:5] for r in got[1:]] == [
        ["2", wrong_check(lisi), "李四", "13800000003", "=1+2"],
        ["3", zhao, None, "13800000005", None],
        ["4", make_id(1), "王芳", None, None],
        ["5", make_id(6), "钱七", "12345", "电话错"],
    ]
    assert [r[6] for r in got[1:]] == [3, 4, 5, 6]
    assert got[1][5] == "身份证号：校验码错误" and got[2][5] == "姓名：不能为空"
    assert got[3][5] == "身份证号：与第 2 行重复" and got[4][5].startswith("手机号：")
    # ID numbers and phones stay text cells; the formula-like remark is text, not a formula
    assert {
        sheet.cell(r, c).data_type for r in range(2, 6) for c in (1, 2, 4, 5) if sheet.cell(r, c).value
    } == {"s"}
    details = [[c.value for c in row] for row in book["问题明细"].iter_rows()]
    assert details[0] == ["行号", "列", "原因"] and [d[:2] for d in details[1:]] == [
        [3, "身份证号"], [4, "姓名"], [5, "身份证号"], [6, "手机号"]
    ]  # fmt: skip

    # corrected in place (the reason columns left where they are) and uploaded again
    sheet.cell(2, 2).value = lisi
    sheet.cell(3, 3).value = "赵五"
    sheet.cell(5, 4).value = "13800000006"
    again, second = await run_kept("practitioners", saved(book))
    assert (again.encoding, again.created, again.unchanged, again.rejected) == ("xlsx", 3, 1, 0)
    assert again.ignored_columns == ["序号", "备注"]  # the report's own columns are not "ignored"
    assert second["未导入的行"].max_row == 1  # nothing left to correct
    people = {p["id_number"]: (p["name"], p["phone"]) for p in await Practitioner.select()}
    assert people == {
        make_id(1): ("王芳", "13800000001"),
        lisi: ("李四", "13800000003"),
        zhao: ("赵五", "13800000005"),
        make_id(6): ("钱七", "13800000006"),
    }


async def test_xlsx_rows_rejected_while_written_and_ids_typed_as_numbers(db: None) -> None:
    await run("practitioners", csv_bytes([["身份证号", "姓名"], [make_id(1), "王芳"]], "utf-8"))
    as_number = make_id(9)[:17] + "0"
    rows: list[list[Any]] = [
        ["2026年培训记录"],  # a title row above the header
        ["身份证号", "姓名", "培训名称", "培训类别", "学时", "完成日期"],
        [make_id(1), "王芳", "岗前培训", "岗前培训", 40, "2026-05-01"],
        [
            make_id(2),
            "李娜",
            "岗前培训",
            "岗前培训",
            16.5,
            "2026-05-02",
        ],  # not in the pool: rejected on write
        [float(as_number), "孙八", "岗前培训", "岗前培训", 16, "2026-05-03"],  # an ID typed as a number
    ]
    report, book = await run_kept("trainings", xlsx_bytes(rows))
    assert (report.created, report.rejected) == (1, 2)
    sheet = book["未导入的行"]
    got = [[c.value for c in row] for row in sheet.iter_rows()]
    assert got[0][:6] == rows[1] and got[0][6:] == ["未导入原因", "原行号"]
    assert got[1][:6] == [make_id(2), "李娜", "岗前培训", "岗前培训", "16.5", "2026-05-02"]
    assert got[1][6] == "身份证号：人员库中没有该身份证号，请先导入从业人员" and got[1][7] == 4
    # the number Excel kept (15 digits) is given back as Excel shows it — never as 18 digits
    # that could pass the check digit by chance — and is refused again until typed as text
    assert (as_number, got[2][0], got[2][7]) == ("370102199001010090", "3.7010219900101E+17", 5)
    uncorrected, again = await run_kept("trainings", saved(book))
    assert uncorrected.rejected == 2 and uncorrected.problems[-1].reason.startswith("号码是科学计数法")
    # refused again: one pair of report columns, with this round's reasons and row numbers
    header, *rest = [[c.value for c in row] for row in again["未导入的行"].iter_rows()]
    assert header == [*rows[1], "未导入原因", "原行号"]
    # the ID now is text in scientific notation, and the reason says so (not "the cell is a number")
    assert [r[6:] for r in rest] == [[got[1][6], 2], ["身份证号：" + SCIENTIFIC_TEXT, 3]]
    assert again["未导入的行"].cell(3, 1).number_format == "@"  # retyped as digits, it stays text

    await run(
        "practitioners",
        csv_bytes([["身份证号", "姓名"], [make_id(2), "李娜"], [make_id(9), "孙八"]], "utf-8"),
    )
    sheet.cell(3, 1).value = make_id(9)
    fixed, _ = await run_kept("trainings", saved(book))
    assert (fixed.created, fixed.rejected) == (2, 0)
    assert await TrainingRecord.count() == 3
