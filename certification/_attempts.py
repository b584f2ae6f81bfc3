"""Timed online theory attempts (理论在线考试), kept on the server.

Start → a paper drawn from the blueprint and a deadline stored with it; answers saved as the
candidate goes; a save or a submission later than the deadline plus the programme's grace is
refused and the attempt is closed *at the deadline* with what had been saved; a background job
closes an abandoned attempt the same way. Objective questions are marked on closing, with exact
arithmetic; the candidate's theory score is the best closed attempt.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import Any

from certification import exam_rules
from certification._bank import _blueprint_cells, json_value
from certification._scores import set_component
from certification._sittings import _closed, _lock_open_sitting, _open_sitting
from certification.errors import Conflict, NotFound, ValidationFailed
from certification.exam_schemas import (
    AnswerIn,
    AttemptOut,
    AttemptSummaryOut,
    MyExamOut,
    OptionOut,
    PaperItemOut,
)
from certification.tables import AttemptItem, ExamAttempt, ExamResult, ExamSitting, Programme, Question
from talent_pool.db import atomic, is_unique_violation
from talent_pool.outbox import enqueue

CLOSE_TASK = "certification.close_attempt"
"""Background job (``worker.jobs``): close an attempt whose deadline and grace have passed."""


async def _attempt(attempt_id: int) -> dict[str, Any]:
    row = await ExamAttempt.select().where(ExamAttempt.id == attempt_id).first()
    if row is None:
        raise NotFound(f"考试记录 {attempt_id} 不存在", attempt_id=attempt_id)
    return dict(row)


async def _programme_of_sitting(sitting_id: int) -> Programme:
    sitting = await ExamSitting.objects().get(ExamSitting.id == sitting_id)
    assert sitting is not None
    programme = await Programme.objects().get(Programme.id == sitting.programme)
    assert programme is not None
    return programme


async def attempt_owner(attempt_id: int) -> int:
    """The practitioner id whose attempt this is (for the record check). Raises
    :class:`NotFound`."""
    return int((await _attempt(attempt_id))["practitioner"])


async def _items(attempt_id: int) -> list[dict[str, Any]]:
    rows = await AttemptItem.select().where(AttemptItem.attempt == attempt_id).order_by(AttemptItem.position)
    for r in rows:
        r["options"], r["correct"], r["chosen"] = (
            json_value(r["options"]),
            json_value(r["correct"]),
            json_value(r["chosen"]),
        )
    return list(rows)


async def _close(attempt_id: int, *, status: str, closed_at: dt.datetime, now: dt.datetime) -> bool:
    """Close an open attempt (``submitted`` or ``expired``) as of ``closed_at``: mark every
    item, store the exact score, and make the registration's theory score the best closed
    attempt. Returns False when the attempt was closed already (idempotent)."""
    async with atomic():
        closed = await (
            ExamAttempt.update({ExamAttempt.status: status, ExamAttempt.closed_at: closed_at})
            .where((ExamAttempt.id == attempt_id) & (ExamAttempt.status == "open"))
            .returning(ExamAttempt.result, ExamAttempt.sitting, ExamAttempt.number)
        )
        if not closed:
            return False
        items = await _items(attempt_id)
        right = [i["id"] for i in items if exam_rules.is_correct(i["correct"], i["chosen"])]
        wrong = [i["id"] for i in items if i["id"] not in set(right)]
        if right:
            await AttemptItem.update({AttemptItem.is_correct: True}).where(AttemptItem.id.is_in(right))
        if wrong:
            await AttemptItem.update({AttemptItem.is_correct: False}).where(AttemptItem.id.is_in(wrong))
        score = exam_rules.attempt_score([(Decimal(str(i["points"])), i["id"] in set(right)) for i in items])
        await ExamAttempt.update({ExamAttempt.score: score}).where(ExamAttempt.id == attempt_id)
        result_id, sitting_id, number = closed[0]["result"], closed[0]["sitting"], closed[0]["number"]
        scores = [
            Decimal(str(r["score"]))
            for r in await ExamAttempt.select(ExamAttempt.score).where(
                (ExamAttempt.result == result_id) & ExamAttempt.score.is_not_null()
            )
        ]
        await set_component(
            result_id,
            theory=max(scores),
            programme=await _programme_of_sitting(sitting_id),
            by=f"在线理论考试（第 {number} 次）",
            now=now,
        )
    return True


def _overdue(row: dict[str, Any], programme: Programme, now: dt.datetime) -> bool:
    return row["status"] == "open" and not exam_rules.accepts(
        now, row["deadline"], int(programme.grace_seconds)
    )


async def close_attempt(attempt_id: int, *, now: dt.datetime) -> int:
    """The background job ``certification.close_attempt`` (enqueued at start, due at the
    deadline plus the grace): close the attempt at its deadline with what was saved, if it is
    still open and overdue at ``now``. Idempotent; returns 1 when it closed the attempt, else 0
    (unknown id, closed already, not due yet)."""
    row = await ExamAttempt.select().where(ExamAttempt.id == attempt_id).first()
    if row is None:
        return 0
    programme = await _programme_of_sitting(row["sitting"])
    if not _overdue(row, programme, now):
        return 0
    return int(await _close(attempt_id, status="expired", closed_at=row["deadline"], now=now))


async def _view(row: dict[str, Any], programme: Programme, now: dt.datetime) -> AttemptOut:
    items = await _items(int(row["id"]))
    used = await ExamAttempt.count().where(ExamAttempt.result == row["result"])
    is_open = row["status"] == "open"
    score = None if row["score"] is None else Decimal(str(row["score"])).quantize(Decimal("0.1"))
    return AttemptOut(
        id=row["id"],
        sitting_id=row["sitting"],
        number=row["number"],
        status=row["status"],
        started_at=row["started_at"],
        deadline=row["deadline"],
        closed_at=row["closed_at"],
        seconds_left=max(0, int((row["deadline"] - now).total_seconds())) if is_open else 0,
        answered=sum(1 for i in items if i["chosen"]),
        question_count=len(items),
        score=None if is_open else score,
        max_score=Decimal(str(row["max_score"])).quantize(Decimal("0.1")),
        passed=None if is_open or score is None else score >= Decimal(programme.pass_mark_theory),
        attempts_allowed=int(programme.max_attempts),
        attempts_used=used,
        questions=[
            PaperItemOut(
                position=i["position"],
                kind=i["kind"],
                kind_name=exam_rules.kind_name(i["kind"]),
                stem=i["stem"],
                options=[OptionOut(label=exam_rules.LETTERS[n], text=t) for n, t in enumerate(i["options"])],
                points=Decimal(str(i["points"])).quantize(Decimal("0.1")),
                chosen=None if i["chosen"] is None else exam_rules.letters(i["chosen"]),
            )
            for i in items
        ],
    )


async def get_attempt(attempt_id: int, *, now: dt.datetime) -> AttemptOut:
    """The attempt as its candidate sees it (never the answers). An open attempt found overdue
    at ``now`` is closed at its deadline first. Raises :class:`NotFound`."""
    row = await _attempt(attempt_id)
    programme = await _programme_of_sitting(row["sitting"])
    if _overdue(row, programme, now):
        await _close(attempt_id, status="expired", closed_at=row["deadline"], now=now)
        row = await _attempt(attempt_id)
    return await _view(row, programme, now)


async def _draw(programme: Programme, rng: random.Random) -> list[dict[str, Any]]:
    """The paper's items (snapshots of the drawn questions in the order shown)."""
    cells = await _blueprint_cells(int(programme.id))
    if not cells:
        raise ValidationFailed(f"证书项目 {programme.code} 尚未设置组卷蓝图，不能开始在线考试")
    bank_rows = await (
        Question.select(
            Question.id, Question.kind, Question.domain, Question.difficulty, Question.stem, Question.options
        )
        .where((Question.programme == programme.id) & (Question.active == True))  # noqa: E712
        .order_by(Question.id)
        .output(load_json=True)
    )
    by_id = {r["id"]: r for r in bank_rows}
    answers = {
        r["id"]: json_value(r["answer"])
        for r in await Question.select(Question.id, Question.answer).where(
            Question.id.is_in(list(by_id) or [0])
        )
    }
    bank: dict[tuple[str, int], list[tuple[int, str, int]]] = {}
    for r in bank_rows:
        bank.setdefault((r["domain"], r["difficulty"]), []).append(
            (r["id"], r["kind"], len(json_value(r["options"])))
        )
    try:
        drawn = exam_rules.draw_paper(cells, bank, rng)
    except ValueError as exc:
        raise ValidationFailed(f"无法组卷：{exc}", programme_code=programme.code) from exc
    items = []
    for position, item in enumerate(drawn, start=1):
        q = by_id[item.question_id]
        options = json_value(q["options"])
        items.append(
            {
                "position": position,
                "question": item.question_id,
                "kind": q["kind"],
                "stem": q["stem"],
                "options": [options[i] for i in item.order],
                "correct": [shown for shown, i in enumerate(item.order) if i in answers[item.question_id]],
                "points": item.points,
            }
        )
    return items


async def start_attempt(
    sitting_id: int,
    practitioner_id: int,
    *,
    now: dt.datetime,
    today: dt.date,
    rng: random.Random | None = None,
) -> tuple[AttemptOut, bool]:
    """Start (or resume) the candidate's online theory attempt; returns ``(attempt, started)``
    — ``started`` False when an open attempt was resumed (also when a simultaneous call started
    it).

    A new attempt gets a fresh paper drawn from the programme's blueprint (questions and
    options shuffled; ``rng`` for tests, else the system's randomness), no answers, and a
    deadline of ``now`` + ``theory_minutes`` + the candidate's ``extra_minutes``. Refused with
    a Chinese :class:`Conflict`: the sitting closed or cancelled; "考试次数已用完（共 N 次）"
    after ``max_attempts``; theory already passed (no retake then); a theory score typed in by
    staff. :class:`ValidationFailed`: before the exam date, no blueprint, a bank too small for
    it. :class:`NotFound`: not registered for the sitting. Rule source: the programme's
    settings (``max_attempts``, ``theory_minutes``, ``grace_seconds``), configurable.
    """
    # registration first: someone not registered learns nothing about the sitting's state
    result = await (
        ExamResult.select()
        .where((ExamResult.sitting == sitting_id) & (ExamResult.practitioner == practitioner_id))
        .first()
    )
    if result is None:
        raise NotFound("您未报名本场考试", sitting_id=sitting_id)
    sitting, programme = await _open_sitting(sitting_id)
    if sitting.status == "issued":
        raise _closed(sitting_id)
    if today < sitting.exam_date:
        raise ValidationFailed(
            f"考试尚未开始（考试日期 {sitting.exam_date}）", exam_date=sitting.exam_date.isoformat()
        )
    attempts = list(
        await ExamAttempt.select().where(ExamAttempt.result == result["id"]).order_by(ExamAttempt.number)
    )
    for row in attempts:
        if row["status"] == "open":
            if not _overdue(row, programme, now):
                return await _view(row, programme, now), False
            await _close(row["id"], status="expired", closed_at=row["deadline"], now=now)
    if not attempts and result["theory"] is not None:
        raise Conflict("理论成绩已由考务人员录入，不能再参加在线考试", sitting_id=sitting_id)
    allowed = int(programme.max_attempts)
    if len(attempts) >= allowed:
        raise Conflict(f"考试次数已用完（共 {allowed} 次）", attempts_allowed=allowed, sitting_id=sitting_id)
    best = await ExamResult.select(ExamResult.theory).where(ExamResult.id == result["id"]).first()
    if (
        best
        and best["theory"] is not None
        and Decimal(str(best["theory"])) >= Decimal(programme.pass_mark_theory)
    ):
        raise Conflict(f"理论考试已合格（{best['theory']} 分），无需重考", sitting_id=sitting_id)
    items = await _draw(programme, rng or random.SystemRandom())
    number = len(attempts) + 1
    ends = exam_rules.deadline(now, int(programme.theory_minutes), int(result["extra_minutes"] or 0))
    try:
        async with atomic():
            await _lock_open_sitting(sitting_id)  # serialises with issuance
            inserted = await ExamAttempt.insert(
                ExamAttempt(
                    result=result["id"],
                    sitting=sitting_id,
                    practitioner=practitioner_id,
                    number=number,
                    status="open",
                    started_at=now,
                    deadline=ends,
                    max_score=exam_rules.SCORE_MAX,
                )
            ).returning(ExamAttempt.id)
            attempt_id = int(inserted[0]["id"])
            await AttemptItem.insert(*(AttemptItem(attempt=attempt_id, **i) for i in items))
            await enqueue(
                CLOSE_TASK, attempt_id, due_at=ends + dt.timedelta(seconds=int(programme.grace_seconds) + 1)
            )
    except Exception as exc:
        if not is_unique_violation(exc):
            raise
        won = await (
            ExamAttempt.select()
            .where((ExamAttempt.result == result["id"]) & (ExamAttempt.number == number))
            .first()
        )
        assert won is not None  # a simultaneous start won: resume its attempt
        return await _view(won, programme, now), False
    return await _view(await _attempt(attempt_id), programme, now), True


async def _refuse_if_late(row: dict[str, Any], programme: Programme, now: dt.datetime) -> None:
    if row["status"] != "open":
        raise Conflict("本次考试已结束，不能再作答", attempt_id=row["id"], status=row["status"])
    if _overdue(row, programme, now):
        await _close(row["id"], status="expired", closed_at=row["deadline"], now=now)
        closed = await _attempt(row["id"])
        raise Conflict(
            "考试时间已到，本次提交未被接受；试卷已按截止时间收卷，"
            f"以截止前保存的答案计分（得分 {closed['score']}）",
            attempt_id=row["id"],
            status="expired",
            score=str(closed["score"]),
        )


async def save_answers(attempt_id: int, answers: list[AnswerIn], *, now: dt.datetime) -> AttemptOut:
    """Save answers of an open attempt (any subset; a later save of a position replaces the
    earlier one; an empty choice clears it). All or nothing: a position not on the paper, a
    letter beyond the options, several letters for 单选/判断 or a position twice raise
    :class:`ValidationFailed` with every bad row (``detail["rows"]``). After the deadline plus
    the grace: nothing is saved, the attempt is closed at the deadline with what was saved
    before, and :class:`Conflict` says so. Raises :class:`NotFound`."""
    row = await _attempt(attempt_id)
    programme = await _programme_of_sitting(row["sitting"])
    await _refuse_if_late(row, programme, now)
    items = {i["position"]: i for i in await _items(attempt_id)}
    bad: list[dict[str, Any]] = []
    seen: set[int] = set()
    good: list[tuple[int, list[int] | None]] = []
    chosen: list[int] | None
    for n, answer in enumerate(answers):
        item = items.get(answer.position)
        if item is None:
            bad.append(
                {"row": n, "position": answer.position, "errors": [f"试卷中没有第 {answer.position} 题"]}
            )
            continue
        if answer.position in seen:
            bad.append(
                {"row": n, "position": answer.position, "errors": [f"第 {answer.position} 题重复提交"]}
            )
            continue
        seen.add(answer.position)
        try:
            chosen = exam_rules.parse_choice(
                answer.choice, kind=item["kind"], option_count=len(item["options"])
            )
        except ValueError as exc:
            bad.append({"row": n, "position": answer.position, "errors": [str(exc)]})
            continue
        good.append((answer.position, chosen or None))
    if bad:
        raise ValidationFailed(f"有 {len(bad)} 个答案无效，本次未保存任何答案", rows=bad)
    cutoff = now - dt.timedelta(seconds=int(programme.grace_seconds))
    async with atomic():
        still_open = await (
            ExamAttempt.update({ExamAttempt.status: "open"})
            .where(
                (ExamAttempt.id == attempt_id)
                & (ExamAttempt.status == "open")
                & (ExamAttempt.deadline >= cutoff)
            )
            .returning(ExamAttempt.id)
        )
        if not still_open:
            raise Conflict("本次考试已结束，不能再作答", attempt_id=attempt_id)
        for position, chosen in good:
            await AttemptItem.update({AttemptItem.chosen: chosen, AttemptItem.saved_at: now}).where(
                (AttemptItem.attempt == attempt_id) & (AttemptItem.position == position)
            )
    return await _view(await _attempt(attempt_id), programme, now)


async def submit_attempt(attempt_id: int, *, now: dt.datetime) -> AttemptOut:
    """Hand the paper in (交卷): the attempt closes now and is marked; the view shows the score.
    After the deadline plus the grace the attempt is closed at the deadline instead and
    :class:`Conflict` says so. Raises :class:`NotFound`; :class:`Conflict` when closed already."""
    row = await _attempt(attempt_id)
    programme = await _programme_of_sitting(row["sitting"])
    await _refuse_if_late(row, programme, now)
    if not await _close(attempt_id, status="submitted", closed_at=now, now=now):
        raise Conflict("本次考试已结束，不能再交卷", attempt_id=attempt_id)
    return await _view(await _attempt(attempt_id), programme, now)


async def sitting_attempts(sitting_id: int) -> list[AttemptSummaryOut]:
    """Every online attempt of a sitting (the history staff see: who, which attempt, when,
    how many answered, the score), by candidate and attempt. Raises :class:`NotFound`."""
    await _open_sitting(sitting_id)
    rows = await ExamAttempt.select().where(ExamAttempt.sitting == sitting_id).order_by(ExamAttempt.id)
    answered: dict[int, int] = {}
    for r in await AttemptItem.select(AttemptItem.attempt).where(
        AttemptItem.attempt.is_in([r["id"] for r in rows] or [0]) & AttemptItem.chosen.is_not_null()
    ):
        answered[r["attempt"]] = answered.get(r["attempt"], 0) + 1
    return [
        AttemptSummaryOut(
            id=r["id"],
            practitioner_id=r["practitioner"],
            number=r["number"],
            status=r["status"],
            started_at=r["started_at"],
            deadline=r["deadline"],
            closed_at=r["closed_at"],
            answered=answered.get(r["id"], 0),
            score=None if r["score"] is None else Decimal(str(r["score"])).quantize(Decimal("0.1")),
        )
        for r in sorted(rows, key=lambda r: (r["practitioner"], r["number"]))
    ]


async def set_extra_time(sitting_id: int, practitioner_id: int, minutes: int) -> int:
    """Grant a registered candidate ``minutes`` (0–240) of extra time per online attempt (an
    accommodation); applies to attempts started afterwards. Returns the minutes. Raises
    :class:`NotFound` (not registered), :class:`ValidationFailed` (out of range)."""
    if not 0 <= minutes <= 240:
        raise ValidationFailed("延长时间须在 0–240 分钟之间", field="minutes")
    await _open_sitting(sitting_id)
    changed = await (
        ExamResult.update({ExamResult.extra_minutes: minutes})
        .where((ExamResult.sitting == sitting_id) & (ExamResult.practitioner == practitioner_id))
        .returning(ExamResult.id)
    )
    if not changed:
        raise NotFound(f"从业人员 {practitioner_id} 未报名本场考试", practitioner_id=practitioner_id)
    return minutes


async def exams_of(practitioner_id: int) -> list[MyExamOut]:
    """The sittings a practitioner is registered for (newest exam first) with their scores and
    online attempts (:class:`MyExamOut`)."""
    rows = await (
        ExamResult.select(
            ExamResult.id,
            ExamResult.sitting,
            ExamResult.theory,
            ExamResult.practical,
            ExamResult.passed,
            ExamResult.sitting.exam_date.as_alias("exam_date"),
            ExamResult.sitting.status.as_alias("sitting_status"),
            ExamResult.sitting.title.as_alias("title"),
            ExamResult.sitting.programme.code.as_alias("programme_code"),  # type: ignore[union-attr]
            ExamResult.sitting.programme.max_attempts.as_alias("max_attempts"),  # type: ignore[union-attr]
        )
        .where(ExamResult.practitioner == practitioner_id)
        .order_by(ExamResult.sitting.exam_date, ascending=False)
    )
    attempts = await ExamAttempt.select(ExamAttempt.id, ExamAttempt.result, ExamAttempt.status).where(
        ExamAttempt.practitioner == practitioner_id
    )
    used: dict[int, int] = {}
    open_ids: dict[int, int] = {}
    for a in attempts:
        used[a["result"]] = used.get(a["result"], 0) + 1
        if a["status"] == "open":
            open_ids[a["result"]] = a["id"]
    return [
        MyExamOut(
            sitting_id=r["sitting"],
            programme_code=r["programme_code"],
            title=r["title"],
            exam_date=r["exam_date"],
            sitting_status=r["sitting_status"],
            theory=None if r["theory"] is None else Decimal(str(r["theory"])).quantize(Decimal("0.1")),
            practical=None
            if r["practical"] is None
            else Decimal(str(r["practical"])).quantize(Decimal("0.1")),
            passed=r["passed"],
            attempts_used=used.get(r["id"], 0),
            attempts_allowed=r["max_attempts"],
            open_attempt_id=open_ids.get(r["id"]),
        )
        for r in rows
    ]
