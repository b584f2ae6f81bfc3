"""Practical assessment with double marking (实操双评): two different assigned examiners enter
item scores for each candidate; a difference beyond the programme's tolerance calls for a third
marking; the final practical score follows :func:`certification.exam_rules.final_practical`."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from certification import exam_rules, rules
from certification._bank import json_value
from certification._scores import set_component
from certification._sittings import _ensure_results_open, _lock_open_sitting, _open_sitting
from certification.errors import Conflict, NotFound, ValidationFailed
from certification.exam_schemas import MarkingOut, PracticalItem, PracticalOut
from certification.tables import ExamResult, PracticalMarking, Programme
from talent_pool.db import atomic, is_unique_violation

DEFAULT_ITEMS = [PracticalItem(code="skill", title="技能操作", max=Decimal(100))]


def practical_items(programme: Programme) -> list[PracticalItem]:
    """The programme's practical items (``practical_items``), or one item 技能操作 out of 100."""
    raw = json_value(programme.practical_items) or []
    return [PracticalItem.model_validate(x) for x in raw] or list(DEFAULT_ITEMS)


def items_problem(items: list[PracticalItem]) -> str | None:
    """Why a list of practical items cannot be used (Chinese), or ``None``: codes must be
    unique and the maxima must add up to exactly 100."""
    codes = [i.code for i in items]
    if len(set(codes)) != len(codes):
        return "考核项目代码不能重复"
    total = sum((i.max for i in items), Decimal(0))
    if total != rules.SCORE_MAX:
        return f"各考核项目满分合计为 {total.normalize():f} 分，须恰好为 100 分"
    for i in items:
        problem = rules.score_problem(i.max)
        if problem is not None:
            return f"考核项目「{i.code}」满分无效：{problem}"
    return None


def _marking_out(row: dict[str, Any]) -> MarkingOut:
    return MarkingOut(
        examiner_id=row["examiner_id"],
        round=row["round"],
        items={k: Decimal(str(v)).quantize(Decimal("0.1")) for k, v in json_value(row["items"]).items()},
        total=Decimal(str(row["total"])).quantize(Decimal("0.1")),
        entered_at=row["entered_at"],
    )


def _state(rows: list[dict[str, Any]], programme: Programme) -> exam_rules.PracticalState:
    totals = [Decimal(str(r["total"])) for r in sorted(rows, key=lambda r: r["round"])]
    return exam_rules.final_practical(totals, Decimal(programme.practical_tolerance))


def _practical_out(
    practitioner_id: int, rows: list[dict[str, Any]], programme: Programme, examiner_id: int | None
) -> PracticalOut:
    state = _state(rows, programme)
    visible = [
        r for r in rows if examiner_id is None or state.status == "final" or r["examiner_id"] == examiner_id
    ]
    return PracticalOut(
        practitioner_id=practitioner_id,
        status=state.status,
        score=state.score,
        rule=state.rule,
        markings=[_marking_out(r) for r in sorted(visible, key=lambda r: r["round"])],
    )


async def record_marking(
    sitting_id: int,
    practitioner_id: int,
    *,
    examiner_id: int,
    items: dict[str, Any],
    now: dt.datetime,
    today: dt.date,
) -> PracticalOut:
    """An assigned examiner's item scores for a candidate (the caller checked the assignment).

    The first and second markings must come from two different examiners; an examiner who marks
    the same candidate again corrects their own marking. A third marking is accepted only when
    the first two differ by more than the programme's ``practical_tolerance`` (and from a third
    examiner). When the rule gives a final score, it becomes the candidate's practical score
    (with the pass decision once the theory is known, and the audit event). Item scores are
    exact numbers from 0 to each item's maximum (:func:`certification.exam_rules.item_problems`).

    Raises :class:`ValidationFailed` (bad items, every reason listed; exam not held yet),
    :class:`Conflict` ("无需第三评", "已完成评分", a closed sitting, practical typed in by
    staff), :class:`NotFound` (sitting, registration). Returns the caller's view
    (:class:`PracticalOut`: the other examiners' markings only once the score is final)."""
    sitting, programme = await _open_sitting(sitting_id)
    await _ensure_results_open(sitting)
    if sitting.exam_date > today:
        raise ValidationFailed(f"考试尚未举行（考试日期 {sitting.exam_date}），不能评分")
    maxima = {i.code: i.max for i in practical_items(programme)}
    problems = exam_rules.item_problems(items, maxima)
    if problems:
        raise ValidationFailed(
            f"评分有 {len(problems)} 处错误，未保存：" + "；".join(problems), problems=problems
        )
    scores = {code: rules.to_score(value) for code, value in items.items()}
    total = sum(scores.values(), Decimal(0))
    result = await (
        ExamResult.select()
        .where((ExamResult.sitting == sitting_id) & (ExamResult.practitioner == practitioner_id))
        .first()
    )
    if result is None:
        raise NotFound(f"从业人员 {practitioner_id} 未报名本场考试", practitioner_id=practitioner_id)
    rid = result["id"]
    for _ in range(3):  # a simultaneous marking of another examiner took the round: look again
        try:
            async with atomic():
                await _lock_open_sitting(sitting_id)
                rows = list(await PracticalMarking.select().where(PracticalMarking.result == rid))
                if not rows and result["practical"] is not None:
                    raise Conflict("实操成绩已由考务人员录入，不能再双评", practitioner_id=practitioner_id)
                own = next((r for r in rows if r["examiner_id"] == examiner_id), None)
                state = _state(rows, programme)
                if own is not None:
                    await PracticalMarking.update(
                        {
                            PracticalMarking.items: {k: str(v) for k, v in scores.items()},
                            PracticalMarking.total: total,
                        }
                    ).where(PracticalMarking.id == own["id"])
                else:
                    if len(rows) == 2 and state.status != "needs_third":
                        raise Conflict("两评分差在允许误差内，无需第三评", practitioner_id=practitioner_id)
                    if len(rows) >= 3:
                        raise Conflict("该考生实操评分已完成，无需再评", practitioner_id=practitioner_id)
                    await PracticalMarking.insert(
                        PracticalMarking(
                            result=rid,
                            sitting=sitting_id,
                            practitioner=practitioner_id,
                            examiner_id=examiner_id,
                            round=len(rows) + 1,
                            items={k: str(v) for k, v in scores.items()},
                            total=total,
                            entered_at=now,
                        )
                    )
                rows = list(await PracticalMarking.select().where(PracticalMarking.result == rid))
                state = _state(rows, programme)
                if state.score is not None:
                    await set_component(
                        rid,
                        practical=state.score,
                        programme=programme,
                        by=f"实操双评（考评员 {examiner_id}）",
                        now=now,
                    )
                else:  # not final (yet, or again after a correction): no practical score
                    await ExamResult.update({ExamResult.practical: None, ExamResult.passed: None}).where(
                        ExamResult.id == rid
                    )
            return _practical_out(practitioner_id, rows, programme, examiner_id)
        except Exception as exc:
            if not is_unique_violation(exc):
                raise
    raise Conflict("其他考评员正在同时评分，请稍后重试", practitioner_id=practitioner_id)


async def practical_overview(sitting_id: int, *, examiner_id: int | None = None) -> list[PracticalOut]:
    """Every registered candidate's practical marking. With ``examiner_id`` (an examiner asking)
    the other examiners' markings are hidden until a candidate's score is final (blind double
    marking); staff (``None``) see all. Raises :class:`NotFound`."""
    _, programme = await _open_sitting(sitting_id)
    registered = [
        r["practitioner"]
        for r in await ExamResult.select(ExamResult.practitioner)
        .where(ExamResult.sitting == sitting_id)
        .order_by(ExamResult.id)
    ]
    rows = await PracticalMarking.select().where(PracticalMarking.sitting == sitting_id)
    by_person: dict[int, list[dict[str, Any]]] = {}
    for r in rows:
        by_person.setdefault(r["practitioner"], []).append(r)
    return [_practical_out(p, by_person.get(p, []), programme, examiner_id) for p in registered]
