"""The question bank (题库) of a programme: import and export as xlsx, the staff's list, and the
blueprint (组卷蓝图) papers are drawn by."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from collections import Counter
from decimal import Decimal
from typing import Any

from piccolo.custom_types import Combinable
from piccolo.query.functions.aggregate import Count

from certification._common import _programme
from certification.errors import ValidationFailed
from certification.exam_rules import BlueprintCell, blueprint_problems, difficulty_name, letters
from certification.exam_schemas import (
    BankCellOut,
    BankImportOut,
    BankSummaryOut,
    BlueprintOut,
    BlueprintRowIn,
    BlueprintRowOut,
    QuestionOut,
    QuestionPageOut,
)
from certification.question_xlsx import parse_questions, questions_xlsx
from certification.tables import BlueprintRow, Programme, Question
from talent_pool.db import atomic


def json_value(value: Any) -> Any:
    """A JSON column's value as Python (drivers return text or decoded values)."""
    return json.loads(value) if isinstance(value, str | bytes) else value


def _cell_name(domain: str, difficulty: int) -> str:
    return f"{domain}·{difficulty_name(difficulty)}"


async def active_counts(programme_id: int) -> Counter[tuple[str, int]]:
    """How many active questions the programme's bank holds per ``(domain, difficulty)``."""
    rows = await Question.select(Question.domain, Question.difficulty).where(
        (Question.programme == programme_id) & (Question.active == True)  # noqa: E712
    )
    return Counter((r["domain"], r["difficulty"]) for r in rows)


async def import_questions(programme_code: str, data: bytes, *, now: dt.datetime) -> BankImportOut:
    """Import a question-bank spreadsheet (:mod:`certification.question_xlsx`) into the
    programme's bank: a new 题号 adds a question, a known one (of this programme) updates it.

    All or nothing: when any row is bad nothing is saved and :class:`ValidationFailed` lists
    every bad row (``detail["rows"]``: ``[{"row": Excel row, "errors": [Chinese reasons]}]``);
    a 题号 that belongs to another programme is such an error. Parsing runs in a thread.
    Raises :class:`NotFound` for an unknown programme."""
    programme = await _programme(programme_code)
    questions, errors = await asyncio.to_thread(parse_questions, data)
    if not errors:
        owners = {
            r["code"]: r["programme.code"]
            for r in await Question.select(Question.code, Question.programme.code).where(
                Question.code.is_in([q.code for q in questions]) & (Question.programme != programme.id)
            )
        }
        errors = [
            {"row": q.row, "errors": [f"题号 {q.code} 已属于证书项目 {owners[q.code]}"]}
            for q in questions
            if q.code in owners
        ]
    if errors:
        raise ValidationFailed(
            f"题库文件有 {len(errors)} 行错误，未导入任何试题", rows=errors, programme_code=programme.code
        )
    created = updated = 0
    async with atomic():
        existing = {
            r["code"]: r["id"]
            for r in await Question.select(Question.id, Question.code).where(
                Question.code.is_in([q.code for q in questions])
            )
        }
        for q in questions:
            values: dict[str, Any] = {
                "kind": q.kind,
                "domain": q.domain,
                "difficulty": q.difficulty,
                "stem": q.stem,
                "options": list(q.options),
                "answer": list(q.answer),
                "explanation": q.explanation,
                "active": q.active,
                "updated_at": now,
            }
            if q.code in existing:
                await Question.update(**values).where(Question.id == existing[q.code])
                updated += 1
            else:
                await Question.insert(Question(code=q.code, programme=programme.id, **values))
                created += 1
    counts = await active_counts(int(programme.id))
    return BankImportOut(
        created=created,
        updated=updated,
        active_by_cell={_cell_name(d, k): n for (d, k), n in sorted(counts.items())},
    )


async def _question_rows(programme_id: int) -> list[dict[str, Any]]:
    rows = (
        await Question.select()
        .where(Question.programme == programme_id)
        .order_by(Question.code)
        .output(load_json=True)
    )
    for r in rows:
        r["options"], r["answer"] = json_value(r["options"]), json_value(r["answer"])
    return list(rows)


def _question_out(r: dict[str, Any], programme_code: str) -> QuestionOut:
    return QuestionOut(
        id=r["id"],
        code=r["code"],
        programme_code=programme_code,
        kind=r["kind"],
        domain=r["domain"],
        difficulty=r["difficulty"],
        stem=r["stem"],
        options=list(json_value(r["options"])),
        answer=letters(json_value(r["answer"])),
        explanation=r["explanation"],
        active=r["active"],
    )


async def list_questions(programme_code: str) -> list[QuestionOut]:
    """The programme's bank with the answers (staff only; never for candidates), by 题号.
    Raises :class:`NotFound`."""
    programme = await _programme(programme_code)
    return [_question_out(r, programme.code) for r in await _question_rows(int(programme.id))]


async def question_page(
    programme_code: str,
    *,
    domain: str | None = None,
    difficulty: int | None = None,
    active: bool | None = None,
    limit: int = 20,
    offset: int = 0,
) -> QuestionPageOut:
    """One page of the programme's bank with the answers (staff only), by 题号, filtered by
    ``domain`` (exact), ``difficulty`` (1 易 · 2 中 · 3 难) and ``active`` (``None``: any),
    ``limit`` rows from ``offset`` (both ≥ 0; the caller bounds ``limit``). Raises
    :class:`NotFound` for an unknown programme."""
    programme = await _programme(programme_code)
    where: Combinable = Question.programme == programme.id
    if domain is not None:
        where &= Question.domain == domain
    if difficulty is not None:
        where &= Question.difficulty == difficulty
    if active is not None:
        where &= Question.active == active
    total = await Question.count().where(where)
    rows = (
        await Question.select()
        .where(where)
        .order_by(Question.code)
        .limit(limit)
        .offset(offset)
        .output(load_json=True)
    )
    return QuestionPageOut(
        items=[_question_out(r, programme.code) for r in rows], total=total, limit=limit, offset=offset
    )


async def bank_summaries() -> dict[str, BankSummaryOut]:
    """Every programme's bank size by domain and difficulty, active and retired apart, keyed by
    programme code (programmes without questions are absent). One grouped statement."""
    rows = await Question.select(
        Question.programme.code.as_alias("programme_code"),
        Question.domain,
        Question.difficulty,
        Question.active,
        Count(Question.id, alias="n"),
    ).group_by(Question.programme.code, Question.domain, Question.difficulty, Question.active)
    cells: dict[str, dict[tuple[str, int], list[int]]] = {}
    for r in rows:
        cell = cells.setdefault(r["programme_code"], {}).setdefault((r["domain"], r["difficulty"]), [0, 0])
        cell[0 if r["active"] else 1] += int(r["n"])
    return {
        code: BankSummaryOut(
            programme_code=code,
            active=sum(n[0] for n in by_cell.values()),
            retired=sum(n[1] for n in by_cell.values()),
            cells=[
                BankCellOut(
                    domain=d,
                    difficulty=k,
                    difficulty_name=difficulty_name(k),
                    active=n[0],
                    retired=n[1],
                )
                for (d, k), n in sorted(by_cell.items())
            ],
        )
        for code, by_cell in sorted(cells.items())
    }


async def export_questions(programme_code: str) -> bytes:
    """The programme's bank as an xlsx in the import format (written in a thread). Raises
    :class:`NotFound`."""
    programme = await _programme(programme_code)
    rows = await _question_rows(int(programme.id))
    return await asyncio.to_thread(questions_xlsx, rows)


def _cell(row: dict[str, Any]) -> BlueprintCell:
    return BlueprintCell(row["domain"], row["difficulty"], row["question_count"], Decimal(str(row["points"])))


async def _blueprint_cells(programme_id: int) -> list[BlueprintCell]:
    rows = await BlueprintRow.select().where(BlueprintRow.programme == programme_id).order_by(BlueprintRow.id)
    return [_cell(r) for r in rows]


def _blueprint_out(
    programme_code: str, cells: list[BlueprintCell], counts: Counter[tuple[str, int]]
) -> BlueprintOut:
    """A blueprint against the bank's active questions per ``(domain, difficulty)``."""
    problems = blueprint_problems(cells, counts) if cells else ["本证书项目尚未设置组卷蓝图"]
    return BlueprintOut(
        programme_code=programme_code,
        rows=[
            BlueprintRowOut(
                domain=c.domain,
                difficulty=c.difficulty,
                difficulty_name=difficulty_name(c.difficulty),
                question_count=c.count,
                points=c.points.quantize(Decimal("0.1")),
                available=counts.get((c.domain, c.difficulty), 0),
            )
            for c in cells
        ],
        total_points=sum((c.points * c.count for c in cells), Decimal(0)).quantize(Decimal("0.1")),
        question_count=sum(c.count for c in cells),
        problems=problems,
    )


async def blueprints() -> dict[str, BlueprintOut]:
    """Every programme's blueprint against its bank (as :func:`get_blueprint`), keyed by
    programme code — programmes without a blueprint included (``problems`` says so). Two
    statements whatever the number of programmes."""
    cells: dict[int, list[BlueprintCell]] = {}
    for r in await BlueprintRow.select().order_by(BlueprintRow.id):
        cells.setdefault(int(r["programme"]), []).append(_cell(r))
    counts: dict[int, Counter[tuple[str, int]]] = {}
    for r in (
        await Question.select(
            Question.programme, Question.domain, Question.difficulty, Count(Question.id, alias="n")
        )
        .where(Question.active == True)  # noqa: E712
        .group_by(Question.programme, Question.domain, Question.difficulty)
    ):
        counts.setdefault(int(r["programme"]), Counter())[r["domain"], r["difficulty"]] = int(r["n"])
    return {
        p["code"]: _blueprint_out(p["code"], cells.get(p["id"], []), counts.get(p["id"], Counter()))
        for p in await Programme.select(Programme.id, Programme.code)
    }


async def get_blueprint(programme_code: str) -> BlueprintOut:
    """The programme's blueprint and whether a paper can be drawn from it now (``problems``).
    Raises :class:`NotFound`."""
    programme = await _programme(programme_code)
    pid = int(programme.id)
    return _blueprint_out(programme.code, await _blueprint_cells(pid), await active_counts(pid))


async def set_blueprint(programme_code: str, rows: list[BlueprintRowIn]) -> BlueprintOut:
    """Replace the programme's blueprint. Checked against the bank as it is now
    (:func:`certification.exam_rules.blueprint_problems`): each row at most the active questions
    of its domain and difficulty, no row twice, exact points adding up to 100. Raises
    :class:`ValidationFailed` with every problem in Chinese (``detail["problems"]``), e.g.
    "题库中「喂养照料·难」只有 3 道可用试题，蓝图要求 5 道"; :class:`NotFound`."""
    programme = await _programme(programme_code)
    cells = [BlueprintCell(r.domain, r.difficulty, r.question_count, r.points) for r in rows]
    async with atomic():
        # lock the programme row: two blueprint edits at once end as one of them, whole
        await Programme.update({Programme.code: Programme.code}).where(Programme.id == programme.id)
        problems = blueprint_problems(cells, await active_counts(int(programme.id)))
        if problems:
            raise ValidationFailed(
                "组卷蓝图无效：" + "；".join(problems), problems=problems, programme_code=programme.code
            )
        await BlueprintRow.delete().where(BlueprintRow.programme == programme.id)
        await BlueprintRow.insert(
            *(
                BlueprintRow(
                    programme=programme.id,
                    domain=c.domain,
                    difficulty=c.difficulty,
                    question_count=c.count,
                    points=c.points,
                )
                for c in cells
            )
        )
    return await get_blueprint(programme.code)
