"""The pure rules of imports: garbled text, cell parsers, header aliases, encoding detection."""

from __future__ import annotations

import codecs
import datetime as dt
from decimal import Decimal

import pytest

from talent_pool.garble import garbled_reason
from talent_pool.identity import id_check_character
from talent_pool.import_columns import (
    COLUMNS,
    Context,
    credit_code,
    header_key,
    hours,
    id_number,
    local_date,
    map_headers,
    past_date,
    person_name,
)
from talent_pool.import_read import UnreadableFile, detect_encoding

CTX = Context(today=dt.date(2026, 11, 29), districts={"历下区": "370102", "370102": "370102"})
ID = "37010219900101001" + id_check_character("37010219900101001")


@pytest.mark.parametrize("name", ["张三", "欧阳娜娜", "买买提·艾力", "Anna Smith", "José", "王秀英"])
def test_real_names_are_not_garbled(name: str) -> None:
    assert garbled_reason(name) is None


@pytest.mark.parametrize(
    "garbled",
    [
        "张三".encode().decode("gbk"),  # UTF-8 read as GBK
        "王芳".encode().decode("cp1252"),  # UTF-8 read as Windows-1252
        "欧阳娜娜".encode().decode("latin-1"),  # UTF-8 read as Latin-1
        "李四".encode("gbk").decode("latin-1"),  # GBK read as Latin-1
        "张\ufffd",  # bytes that were not valid in the encoding used
        "\ue000\ue001",  # private use: a lost code page
    ],
)
def test_garbled_names_are_recognised(garbled: str) -> None:
    assert garbled_reason(garbled)
    with pytest.raises(ValueError):
        person_name(garbled, CTX)


def test_id_numbers_from_excel_numbers_are_refused_never_rounded() -> None:
    for raw in (int(ID[:17] + "0"), float(ID[:17] + "0"), Decimal(ID[:17] + "0")):
        with pytest.raises(ValueError, match="须为文本格式"):
            id_number(raw, CTX)
    # text in scientific notation (a CSV, or the 未导入的行 report re-imported): not "the cell is a
    # number" — it is text; the digits are lost and must be typed again
    for raw in ("3.70102E+17", "3.70102199001E17"):
        with pytest.raises(ValueError, match="科学计数法") as refused:
            id_number(raw, CTX)
        assert "该单元格是数字" not in str(refused.value) and "18位" in str(refused.value)
    assert (
        id_number(" " + ID.lower().translate(str.maketrans("0123456789", "０１２３４５６７８９")) + "　", CTX)
        == ID
    )
    with pytest.raises(ValueError, match="须为文本格式"):
        credit_code(9.1e17, CTX)


def test_dates_hours_and_headers() -> None:
    expected = dt.date(2025, 3, 1)
    for raw in (
        "2025-03-01",
        "2025/3/1",
        "2025.3.1",
        "2025年3月1日",
        "20250301",
        "２０２５-０３-０１",
        expected,
    ):
        assert local_date(raw, CTX) == expected
    assert local_date(dt.datetime(2025, 3, 1, 0, 0), CTX) == expected
    for bad in ("2025-02-30", "3/1/2025", 45717):
        with pytest.raises(ValueError):
            local_date(bad, CTX)
    assert hours("12.5", CTX) == Decimal("12.5") and hours(8.0, CTX) == Decimal("8.0")
    for bad in ("0", "-1", "1.25", "abc", "10001", "NaN"):
        with pytest.raises(ValueError):
            hours(bad, CTX)
    for sci in ("1e3", "1E1", "８ｅ０"):  # as for exam scores: a plain number or nothing
        with pytest.raises(ValueError, match="科学计数法"):
            hours(sci, CTX)
    assert id_number("'" + ID, CTX) == id_number("＇" + ID, CTX) == ID  # Excel's text mark, dropped
    with pytest.raises(ValueError):
        id_number("''" + ID, CTX)  # one mark only
    assert past_date("2026-11-29", CTX) == CTX.today  # today is not in the future
    with pytest.raises(ValueError, match="晚于今天"):
        past_date("2099-03-01", CTX)  # a trial's training "completed" in 2099
    trainings = {c.field: c.parse for c in COLUMNS["trainings"]}
    credentials = {c.field: c.parse for c in COLUMNS["credentials"]}
    assert trainings["completed_on"] is past_date and credentials["issued_on"] is past_date
    assert header_key(" 身份证号（必填）* ") == header_key("身份证号(必填)") == "身份证号"
    mapping, missing, ignored = map_headers("practitioners", ["公民身份号码", "名字 ", "备注", "身份证"])
    assert [c.field for c in mapping.values()] == ["id_number", "name"] and missing == []
    assert ignored == ["备注", "身份证"]  # a column named twice counts once
    assert map_headers("employments", ["身份证号"])[1] == ["姓名", "统一社会信用代码", "入职日期"]
    assert all(
        len({h for c in cols for h in c.headers}) == sum(len(c.headers) for c in cols)
        for cols in COLUMNS.values()
    )


def test_encoding_is_decided_on_a_prefix() -> None:
    text = "身份证号,姓名\r\n" + f"{ID},王芳\r\n" * 50
    assert detect_encoding(codecs.BOM_UTF8 + text.encode()) == "utf-8-sig"
    assert detect_encoding(text.encode()) == "utf-8"
    assert detect_encoding(text.encode()[:-1]) == "utf-8"  # a character cut at the end is fine
    assert detect_encoding(text.encode("gbk")) == "gb18030"
    assert detect_encoding(codecs.BOM_UTF16_LE + text.encode("utf-16-le")) == "utf-16"
    with pytest.raises(UnreadableFile):
        detect_encoding(bytes(range(256)) * 4)


def test_a_control_character_in_any_text_cell_rejects_the_row() -> None:
    """Every import column (practitioners, employers, employments, credentials, trainings) that
    takes text refuses it with a control character in it, naming the code point — never saved
    (it would break every spreadsheet later written from it), as JSON requests refuse it."""
    accepting = 0
    for kind, columns in COLUMNS.items():
        for column in columns:
            for good in ("托育中心", "abc", "历下区", "S0000370000012650000150", ID, "13800000000", "是"):
                try:
                    column.parse(good, CTX)
                except ValueError:
                    continue
                accepting += 1
                for control in ("\x07", "\x0b", "\x1f", "\x7f", "\x00"):
                    bad = good[:2] + control + good[2:]
                    with pytest.raises(ValueError, match=f"控制字符 U\\+{ord(control):04X}") as refused:
                        column.parse(bad, CTX)
                    assert good not in str(refused.value), (kind, column)  # the cell is not repeated
    assert accepting > 10
