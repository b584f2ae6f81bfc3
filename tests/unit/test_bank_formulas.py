"""The question bank's spreadsheet names every refused cell of a row (certification/question_xlsx.py):
formulas without a saved result in 题干 and 解析 are both reported, not only the first."""

from __future__ import annotations

from certification.question_xlsx import FORMULA, parse_questions
from tests.factories import workbook


def test_every_formula_cell_of_a_row_is_named() -> None:
    rows = [
        ["Q1", "单选", "喂养", "易", "=1+2", "按需", "越多越好", "", "", "A", '=HYPERLINK("http://x","a")'],
        ["Q2", "单选", "喂养", "易", "辅食添加原则", "由少到多", "越多越好", "", "", "A", "=1+1"],
    ]
    questions, errors = parse_questions(workbook(rows))
    assert questions == []
    assert errors == [
        {"row": 2, "errors": [f"题干{FORMULA}", f"解析{FORMULA}"]},
        {"row": 3, "errors": [f"解析{FORMULA}"]},  # the only refused cell: it was always named
    ]
