"""Text typed as ``=…`` (a name, a certificate number, a question) reaches every spreadsheet the
system writes as text, never as a formula Excel would run (trial finding: ``=1+2`` as an employer
name and as a bulk-verification number came out as formulas)."""

from __future__ import annotations

import io
import zipfile

from openpyxl import load_workbook

from certification.bulk_input import result_xlsx
from certification.question_xlsx import questions_xlsx
from service.xlsx_export import _write

INJECTED = '=HYPERLINK("http://evil.example/","点我")'


def _formulas_and_texts(data: bytes) -> tuple[int, set[str]]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        xml = "".join(z.read(n).decode() for n in z.namelist() if n.startswith("xl/worksheets/"))
    texts = set()
    for sheet in load_workbook(io.BytesIO(data)).worksheets:
        texts |= {c.value for row in sheet.iter_rows() for c in row if isinstance(c.value, str)}
    return xml.count("<f>") + xml.count("<f "), texts


def test_bulk_verification_answers_keep_a_typed_formula_as_text() -> None:
    row = [2, INJECTED, "查无此证", None, None, None, None, None, None, "未提供", "证书编号格式错误"]
    formulas, texts = _formulas_and_texts(result_xlsx([row], as_of="2026-11-30", summary={"查无此证": 1}))
    assert formulas == 0 and INJECTED in texts


def test_question_bank_export_keeps_a_formula_like_stem_as_text() -> None:
    question = {
        "code": "Q1",
        "kind": "single",
        "domain": "生活照料",
        "difficulty": 1,
        "stem": "=1+2",
        "options": ["甲", "乙"],
        "answer": [0],
        "explanation": "@SUM(A1)",
        "active": True,
    }
    formulas, texts = _formulas_and_texts(questions_xlsx([question]))
    assert formulas == 0 and {"=1+2", "@SUM(A1)"} <= texts


def test_regulator_exports_keep_a_formula_like_name_as_text() -> None:
    out = io.BytesIO()
    _write(out, "机构", "历下区", ["机构名称", "人数"], [[INJECTED, 3], ["托育园", 5]])
    formulas, texts = _formulas_and_texts(out.getvalue())
    assert formulas == 0 and {INJECTED, "托育园"} <= texts


def test_a_broken_xlsx_upload_is_told_without_a_python_class_name() -> None:
    """Trial finding: a broken .xlsx answered 不是有效的 xlsx 文件（BadZipFile）."""
    from certification.bulk_input import parse_upload

    items, errors = parse_upload(b"PK\x03\x04 this is not a workbook")
    assert items == [] and len(errors) == 1
    (message,) = errors[0]["errors"]
    assert message.startswith("不是有效的 xlsx 文件") and "Zip" not in message and "Error" not in message


def test_an_xlsx_whose_sheet_breaks_while_read_is_told_not_raised() -> None:
    """Trial finding: a workbook that opens but whose sheet XML is malformed (a stray ``</t>``
    or ``&#7;``) raised ParseError while its rows were read — a 500. It is answered as any broken
    xlsx."""
    from openpyxl import Workbook

    from certification.bulk_input import NOT_XLSX, parse_upload

    book = Workbook()
    book.active.append(["证书编号", "姓名"])
    book.active.append(["S000037000001265000001", "王芳"])
    good = io.BytesIO()
    book.save(good)
    broken = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(good.getvalue())) as src, zipfile.ZipFile(broken, "w") as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b"</sheetData>", b'<row r="9"><c r="A9"></t></c></row></sheetData>')
            dst.writestr(item, data)
    items, errors = parse_upload(broken.getvalue())
    assert (items, errors) == ([], [{"row": 1, "errors": [NOT_XLSX]}])


CONTROL = "S000037000001265000015\x07张\x0b三\x1f"
"""Text with control characters openpyxl refuses (``IllegalCharacterError``): stored data that
slipped in before the inputs refused it, or an uploaded header an import ignores."""
SHOWN = "S000037000001265000015\ufffd张\ufffd三\ufffd"


def test_every_writer_keeps_going_on_a_control_character_and_shows_it_as_ufffd() -> None:
    """Trial finding: a bulk verification whose number held BEL failed to write its answer on
    every attempt (the job retried for ~12 minutes, then failed). No spreadsheet the system writes
    may fail on a value openpyxl refuses: each such character becomes U+FFFD."""
    import datetime as dt
    from decimal import Decimal

    from talent_pool._imports import report_xlsx
    from talent_pool.import_rejects import RejectedRows
    from talent_pool.import_schemas import ImportProblem, ImportReport
    from training.subsidy import SubsidyRoster, SubsidyRow, roster_xlsx

    row = [5, CONTROL, "查无此证", None, None, None, None, None, None, "未提供", CONTROL]
    _, texts = _formulas_and_texts(result_xlsx([row], as_of="2026-11-30", summary={CONTROL: 1}))
    assert SHOWN in texts
    question = {
        "code": "Q1",
        "kind": "single",
        "domain": CONTROL,
        "difficulty": 1,
        "stem": CONTROL,
        "options": [CONTROL, "乙"],
        "answer": [0],
        "explanation": CONTROL,
        "active": True,
    }
    assert SHOWN in _formulas_and_texts(questions_xlsx([question]))[1]
    out = io.BytesIO()
    _write(out, CONTROL, CONTROL, [CONTROL, "人数"], [[CONTROL, 3]])
    assert SHOWN in _formulas_and_texts(out.getvalue())[1]
    day = dt.date(2026, 11, 1)
    person = SubsidyRow(
        enrollment_id=1,
        practitioner_id=1,
        name=CONTROL,
        id_number="370102199001010011",
        course=CONTROL,
        hours=Decimal("8.0"),
        start_date=day,
        end_date=day,
        completed_on=day,
        certificate_number=CONTROL,
        employer=CONTROL,
    )
    roster = SubsidyRoster(
        offering_id=1,
        offering_title=CONTROL,
        training_base_name=CONTROL,
        course_title=CONTROL,
        course_category="skill",
        start_date=day,
        end_date=day,
        completed_on=day,
        period_year=2026,
        eligible=[person],
        excluded=[],
    )
    assert SHOWN in _formulas_and_texts(roster_xlsx(roster, prepared_on=day))[1]
    report = ImportReport(
        kind="practitioners",
        dry_run=False,
        problems=[ImportProblem(row=2, column=CONTROL, reason=CONTROL)],
        ignored_columns=[CONTROL],
    )
    kept = RejectedRows()
    kept.set_header([CONTROL])
    kept.add(2, [CONTROL])
    texts = _formulas_and_texts(report_xlsx(report, kept))[1]
    assert SHOWN in texts and any(SHOWN in t for t in texts if t != SHOWN)  # 忽略的列 too
