"""The question bank as a spreadsheet (openpyxl): parse an uploaded ``.xlsx`` and write one.
Pure CPU work (no I/O besides the bytes given); call it in a thread from async code.

Columns (first sheet, first row is the header; the order may vary, extra columns are ignored)::

    题号 | 题型 | 知识领域 | 难度 | 题干 | 选项A … 选项H | 答案 | 解析 | 状态

- 题号: the question's code (letters, digits, ``-``, ``_``; up to 32); a number typed by Excel
  (``1001``) is read as its digits. Importing a code again updates that question.
- 题型: 单选 · 多选 · 判断; 难度: 易 · 中 · 难 (or 1 · 2 · 3).
- 选项A…: option texts without gaps (判断 needs none: its options are 正确, 错误).
- 答案: letters (``A``, ``AC``, full-width too); 判断 also 对/错, 正确/错误, √/×.
  单选 and 判断 have one answer, 多选 two or more.
- 状态: 启用 (default) or 停用 (a retired question is never drawn again).

A formula cell is read as the value Excel saved with it (its cached result). A formula without
one — a workbook written by a program, or saved without recalculation — refuses its row
("题干是公式…，请粘贴为数值后再导入") instead of reading as empty: the file is read twice,
values and formulas, in parallel (both streamed, read-only).
"""

from __future__ import annotations

import io
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from openpyxl import Workbook, load_workbook

from certification.exam_rules import (
    DIFFICULTY_CODES,
    DIFFICULTY_NAMES,
    KIND_CODES,
    KIND_NAMES,
    LETTERS,
    TRUE_FALSE_OPTIONS,
    letters,
    parse_choice,
)
from talent_pool.xlsx_text import no_formulas, xlsx_row

HEADERS = ["题号", "题型", "知识领域", "难度", "题干", *[f"选项{c}" for c in LETTERS], "答案", "解析", "状态"]
REQUIRED = ("题号", "题型", "知识领域", "难度", "题干", "答案")
MAX_ROWS = 5000
_CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$")


@dataclass(frozen=True, slots=True)
class QuestionRow:
    """A question read from a spreadsheet row (``row``: the Excel row number)."""

    row: int
    code: str
    kind: str
    domain: str
    difficulty: int
    stem: str
    options: tuple[str, ...]
    answer: tuple[int, ...]
    explanation: str
    active: bool


def _text(value: Any) -> str:
    """A cell as text: numbers without a spurious ``.0``; control characters refused."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value)
    for ch in text:
        if unicodedata.category(ch) in ("Cc", "Cf") and ch not in "\n\t\r":
            raise ValueError(f"含有不可见的控制字符 U+{ord(ch):04X}")
    return " ".join(unicodedata.normalize("NFC", text).split())


def _header_map(header: tuple[Any, ...]) -> dict[str, int]:
    columns: dict[str, int] = {}
    for i, cell in enumerate(header):
        name = unicodedata.normalize("NFKC", str(cell or "")).strip().replace(" ", "")
        name = name.upper() if name.startswith("选项") else name
        if name in HEADERS and name not in columns:
            columns[name] = i
    return columns


FORMULA = "是公式，没有保存计算结果，请在 Excel 中复制该单元格后“选择性粘贴 → 数值”，再导入"
"""The reason for a formula cell without a cached value (after the column's name)."""

NOT_XLSX = "文件不是 Excel .xlsx 格式（可能已损坏，或是 .xls、.csv 文件），请用 Excel 另存为 .xlsx 后上传"
"""The reason given for a file that is not a readable .xlsx workbook (never a Python class name)."""


def parse_questions(data: bytes) -> tuple[list[QuestionRow], list[dict[str, Any]]]:
    """Read a question-bank spreadsheet. Returns ``(questions, errors)``; ``errors`` is
    ``[{"row": Excel row number, "errors": [Chinese reasons]}]`` (row 1 for the file or header)
    and empty when every row is good. Never raises for bad input."""
    if not data:
        return [], [{"row": 1, "errors": ["上传的文件是空的"]}]
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # InvalidFileException, zipfile.BadZipFile, KeyError …: not an .xlsx
        return [], [{"row": 1, "errors": [NOT_XLSX]}]
    try:
        formulas_book = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception:
        book.close()
        return [], [{"row": 1, "errors": [NOT_XLSX]}]
    try:
        return _parse(book.worksheets[0], formulas_book.worksheets[0])
    finally:
        book.close()
        formulas_book.close()


def _uncached_formulas(values: tuple[Any, ...], cells: tuple[Any, ...]) -> frozenset[int]:
    """Indexes of the row's formula cells that have no cached value (read as ``None``)."""
    return frozenset(
        i for i, c in enumerate(cells) if c.data_type == "f" and (i >= len(values) or values[i] is None)
    )


def _parse(sheet: Any, formula_sheet: Any) -> tuple[list[QuestionRow], list[dict[str, Any]]]:
    """The rows of ``sheet`` (values) read alongside ``formula_sheet`` (the same sheet with its
    formulas): see :func:`parse_questions`."""
    pairs = zip(sheet.iter_rows(values_only=True), formula_sheet.iter_rows(), strict=False)
    first = next(pairs, None)
    header = first[0] if first is not None else None
    if header is None:
        return [], [{"row": 1, "errors": ["表格是空的"]}]
    columns = _header_map(header)
    missing = [name for name in REQUIRED if name not in columns]
    if missing:
        return [], [{"row": 1, "errors": [f"表头缺少列：{'、'.join(missing)}（应为 {' | '.join(HEADERS)}）"]}]
    questions: list[QuestionRow] = []
    errors: list[dict[str, Any]] = []
    seen: dict[str, int] = {}
    for number, (values, cells) in enumerate(pairs, start=2):
        formulas = _uncached_formulas(values, cells)
        if not formulas and all(v is None or str(v).strip() == "" for v in values):
            continue
        if number > MAX_ROWS + 1:
            errors.append({"row": number, "errors": [f"一次最多导入 {MAX_ROWS} 道题"]})
            break
        question, problems = _row(number, values, columns, formulas)
        if question is not None and question.code in seen:
            problems.append(f"题号 {question.code} 与第 {seen[question.code]} 行重复")
        if problems:
            errors.append({"row": number, "errors": problems})
        elif question is not None:
            seen[question.code] = number
            questions.append(question)
    if not questions and not errors:
        errors.append({"row": 2, "errors": ["表格中没有试题"]})
    return questions, errors


def _row(
    number: int, values: tuple[Any, ...], columns: dict[str, int], formulas: frozenset[int] = frozenset()
) -> tuple[QuestionRow | None, list[str]]:
    problems: list[str] = []
    unreadable: set[str] = set()  # columns already refused for what they hold (not "empty" too)

    def cell(name: str) -> str:
        i = columns.get(name)
        if i in formulas:
            if name not in unreadable:
                problems.append(f"{name}{FORMULA}")
                unreadable.add(name)
            return ""
        if i is None or i >= len(values):
            return ""
        try:
            return _text(values[i])
        except ValueError as exc:
            if name not in unreadable:
                problems.append(f"{name}{exc}")
                unreadable.add(name)
            return ""

    code = unicodedata.normalize("NFKC", cell("题号"))
    if "题号" not in unreadable and not _CODE_RE.match(code):
        problems.append(f"题号 {code[:40]!r} 无效（字母、数字、- 或 _，最多 32 个字符）")
    kind = KIND_CODES.get(cell("题型"), cell("题型") if cell("题型") in KIND_NAMES else "")
    if not kind and "题型" not in unreadable:
        problems.append(f"题型 {cell('题型')[:10]!r} 无效（单选、多选或判断）")
    domain = cell("知识领域")
    if "知识领域" not in unreadable and (not domain or len(domain) > 64):
        problems.append("知识领域不能为空，最多 64 个字符")
    raw_level = unicodedata.normalize("NFKC", cell("难度"))
    difficulty = DIFFICULTY_CODES.get(raw_level) or (int(raw_level) if raw_level in ("1", "2", "3") else 0)
    if not difficulty and "难度" not in unreadable:
        problems.append(f"难度 {raw_level[:10]!r} 无效（易、中、难或 1、2、3）")
    stem = cell("题干")
    if "题干" not in unreadable and (not stem or len(stem) > 2000):
        problems.append("题干不能为空，最多 2000 个字符")
    texts = [cell(f"选项{c}") for c in LETTERS]
    while texts and not texts[-1]:
        texts.pop()
    options_unreadable = any(f"选项{c}" in unreadable for c in LETTERS)  # said already: not checked
    if kind == "true_false":
        options: tuple[str, ...] = TRUE_FALSE_OPTIONS
    elif options_unreadable:
        options = tuple(texts)
    else:
        options = tuple(texts)
        if "" in texts:
            problems.append(f"选项不能跳空（选项{LETTERS[texts.index('')]}为空）")
        if len(options) < 2:
            problems.append("单选题和多选题至少需要 2 个选项")
        if any(len(t) > 500 for t in options):
            problems.append("每个选项最多 500 个字符")
    answer: list[int] = []
    try:
        answer = parse_choice(
            cell("答案"),
            kind=kind or "multiple",
            option_count=len(LETTERS) if options_unreadable else len(options) or len(LETTERS),
        )
    except ValueError as exc:
        problems.append(f"答案：{exc}")
    else:
        if not answer and "答案" not in unreadable:
            problems.append("答案不能为空")
        elif answer and kind == "multiple" and len(answer) < 2:
            problems.append("多选题至少有 2 个正确选项")
    status = cell("状态") or "启用"
    if "状态" not in unreadable and status not in ("启用", "停用"):
        problems.append(f"状态 {status[:10]!r} 无效（启用或停用）")
    explanation = cell("解析")  # read before deciding: every refused cell of the row is named
    if problems:
        return None, problems
    return (
        QuestionRow(
            row=number,
            code=code,
            kind=kind,
            domain=domain,
            difficulty=difficulty,
            stem=stem,
            options=options,
            answer=tuple(answer),
            explanation=explanation[:2000],
            active=status == "启用",
        ),
        [],
    )


def questions_xlsx(questions: list[dict[str, Any]]) -> bytes:
    """A spreadsheet of questions (``code``, ``kind``, ``domain``, ``difficulty``, ``stem``,
    ``options``, ``answer``, ``explanation``, ``active``) in the import format, so an export
    can be edited and imported again."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "题库"
    sheet.append(HEADERS)
    for q in questions:
        options = list(q["options"]) if q["kind"] != "true_false" else []
        options += [""] * (len(LETTERS) - len(options))
        sheet.append(
            xlsx_row(
                [
                    q["code"],
                    KIND_NAMES[q["kind"]],
                    q["domain"],
                    DIFFICULTY_NAMES.get(q["difficulty"], str(q["difficulty"])),
                    q["stem"],
                    *options,
                    letters(q["answer"]),
                    q["explanation"],
                    "启用" if q["active"] else "停用",
                ]
            )
        )
    sheet.column_dimensions["E"].width = 60
    buf = io.BytesIO()
    no_formulas(book).save(buf)
    return buf.getvalue()
