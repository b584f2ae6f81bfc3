"""Exam sittings (考试场次), candidates and their eligibility, score entry with its audit trail."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from certification import rules
from certification._common import (
    _CATEGORY_NAMES,
    _already_holds,
    _practitioner_pk,
    _programme,
    _score_out,
    _valid_covering_credential,
)
from certification.errors import (
    Conflict,
    NotEligible,
    NotFound,
    ValidationFailed,
)
from certification.schemas import (
    CandidateOut,
    ResultEventOut,
    ResultIn,
    ResultOut,
    SittingIn,
    SittingOut,
)
from certification.tables import (
    Certificate,
    ExamAttempt,
    ExamResult,
    ExamSitting,
    PracticalMarking,
    Programme,
    ResultEvent,
)
from talent_pool import (
    training_hours,
    training_hours_of,
)
from talent_pool.db import atomic
from talent_pool.tables import Practitioner

# --------------------------------------------------------------------------- sittings


async def _sitting_out(sitting_id: int) -> SittingOut:
    row = await (
        ExamSitting.select(
            *ExamSitting.all_columns(),
            ExamSitting.programme.code.as_alias("programme_code"),
        )
        .where(ExamSitting.id == sitting_id)
        .first()
    )
    if row is None:
        raise NotFound(f"考试场次 {sitting_id} 不存在", sitting_id=sitting_id)
    row["programme_id"] = row.pop("programme")
    return SittingOut.model_validate(row)


async def create_sitting(data: SittingIn, *, today: dt.date) -> SittingOut:
    """Schedule an exam sitting of an active programme.

    ``exam_date`` must fall in the years 2000–2100 and lie at most
    :data:`certification.rules.SITTING_BACKDATE_DAYS` (default 30) days before ``today`` (the
    local business date) — a sitting held earlier cannot be entered after the fact
    ("不能补登 30 天以前的考试"). Raises :class:`NotFound` for an unknown programme,
    :class:`ValidationFailed` for an inactive one or a date outside these bounds."""
    problem = rules.exam_date_problem(data.exam_date, today=today)
    if problem is not None:
        raise ValidationFailed(
            problem,
            field="exam_date",
            exam_date=data.exam_date.isoformat(),
            today=today.isoformat(),
        )
    async with atomic():
        programme = await _programme(data.programme_code)
        if not programme.active:
            raise ValidationFailed(f"证书项目 {programme.code} 已停用，不能安排考试")
        row = ExamSitting(
            programme=programme.id,
            training_base_id=data.training_base_id,
            exam_date=data.exam_date,
            title=data.title.strip() or f"{programme.title}（{programme.level}）{data.exam_date}",
        )
        await row.save()
    return await _sitting_out(int(row.id))


async def get_sitting(sitting_id: int) -> SittingOut:
    """One sitting; raises :class:`NotFound`."""
    return await _sitting_out(sitting_id)


async def _open_sitting(sitting_id: int) -> tuple[ExamSitting, Programme]:
    """The sitting (not cancelled) and its programme; raises NotFound / Conflict."""
    sitting = await ExamSitting.objects().get(ExamSitting.id == sitting_id)
    if sitting is None:
        raise NotFound(f"考试场次 {sitting_id} 不存在", sitting_id=sitting_id)
    if sitting.status == "cancelled":
        raise Conflict(f"考试场次 {sitting_id} 已取消", sitting_id=sitting_id)
    programme = await Programme.objects().get(Programme.id == sitting.programme)
    assert programme is not None  # FK
    return sitting, programme


def _closed(sitting_id: int) -> Conflict:
    return Conflict(
        f"考试场次 {sitting_id} 已发证，报名和成绩已锁定，不能再报名、录入或更正成绩",
        sitting_id=sitting_id,
        status="issued",
    )


async def _ensure_results_open(sitting: ExamSitting) -> None:
    """Registration and results close for good once a certificate is issued from the sitting
    (status ``issued``; a certificate row counts too, for sittings issued before the status
    existed). Raises :class:`Conflict` in Chinese."""
    if sitting.status == "issued" or await Certificate.exists().where(Certificate.sitting == sitting.id):
        raise _closed(int(sitting.id))


async def _lock_open_sitting(sitting_id: int) -> None:
    """Inside a transaction: lock the sitting row while it is still ``scheduled`` (a no-op
    ``UPDATE … WHERE status = 'scheduled' RETURNING id``), so registration and score entry
    serialise with issuance, which locks the same row to close the sitting. Raises
    :class:`Conflict` when the sitting was closed or cancelled meanwhile."""
    locked = await (
        ExamSitting.update({ExamSitting.status: "scheduled"})
        .where((ExamSitting.id == sitting_id) & (ExamSitting.status == "scheduled"))
        .returning(ExamSitting.id)
    )
    if not locked or await Certificate.exists().where(Certificate.sitting == sitting_id):
        raise _closed(sitting_id)


def _candidate_out(row: dict[str, Any], hours: Decimal | None = None) -> CandidateOut:
    return CandidateOut(
        id=row["id"],
        sitting_id=row["sitting"],
        practitioner_id=row["practitioner"],
        theory=_score_out(row["theory"]),
        practical=_score_out(row["practical"]),
        passed=row["passed"],
        training_hours=hours,
    )


async def _eligible_hours(practitioner_id: int, programme: Programme, sitting: ExamSitting) -> Decimal:
    """Training hours that count toward eligibility for ``sitting``: the programme's category
    (any when unset), completed on or before the exam date (training finished after the exam
    cannot qualify for it)."""
    return await training_hours(
        practitioner_id, category=programme.training_category, until=sitting.exam_date
    )


async def register_candidate(sitting_id: int, practitioner_id: int) -> CandidateOut:
    """Register a practitioner for a sitting (idempotent: registering again returns the
    existing registration).

    Eligibility: the practitioner's training hours in the talent-pool ledger
    (``talent_pool.training_hours``, all sources, in the programme's ``training_category`` or
    any category when unset), counting only training completed on or before the sitting's
    ``exam_date``, must be ≥ ``programme.min_training_hours`` (configurable per programme;
    occupations.json ``min_training_hours``: per standard edition).
    A practitioner who on the exam date holds a credential in force of the same programme, or
    of a higher level of the same 1+X certificate (occupations.json
    ``higher_level_covers_lower``) — issued here or recorded in the talent-pool ledger — is
    refused. Registration closes once a certificate is issued from the sitting.
    Raises :class:`NotFound` (sitting, practitioner), :class:`Conflict` (cancelled or closed
    sitting, already holds a certificate: "已持有有效的同级证书 …"), :class:`NotEligible` with a
    Chinese message stating the hours counted up to the exam date and the hours needed
    (``detail``: ``hours_had``, ``hours_needed``, ``category``, ``counted_until``).
    """
    sitting, programme = await _open_sitting(sitting_id)
    await _ensure_results_open(sitting)
    if not await Practitioner.exists().where(_practitioner_pk == practitioner_id):
        raise NotFound(f"从业人员 {practitioner_id} 不存在", practitioner_id=practitioner_id)
    needed = Decimal(programme.min_training_hours)
    hours = await _eligible_hours(practitioner_id, programme, sitting)
    if hours < needed:
        category = _CATEGORY_NAMES.get(programme.training_category or "", "各类培训")
        raise NotEligible(
            f"不符合报考条件：{programme.title}（{programme.level}）要求{category}不少于 "
            f"{needed} 学时，截至考试日期 {sitting.exam_date} 该人员已有 {hours} 学时，"
            f"尚差 {needed - hours} 学时",
            hours_had=str(hours),
            hours_needed=str(needed),
            category=programme.training_category,
            counted_until=sitting.exam_date.isoformat(),
        )
    held = await _valid_covering_credential(practitioner_id, programme, sitting.exam_date)
    if held is not None:
        raise _already_holds(programme, held, practitioner_id)
    async with atomic():
        await _lock_open_sitting(sitting_id)
        await ExamResult.insert(ExamResult(sitting=sitting.id, practitioner=practitioner_id)).on_conflict(
            target=(ExamResult.sitting, ExamResult.practitioner), action="DO NOTHING"
        )
        row = await (
            ExamResult.select()
            .where((ExamResult.sitting == sitting_id) & (ExamResult.practitioner == practitioner_id))
            .first()
        )
    assert row is not None
    return _candidate_out(row, hours)


async def list_candidates(sitting_id: int) -> list[CandidateOut]:
    """The registered candidates of a sitting with their scores (``None`` until entered) and
    their training hours in the programme's category completed up to the exam date (as
    :func:`register_candidate` counts them)."""
    sitting = await ExamSitting.objects().get(ExamSitting.id == sitting_id)
    if sitting is None:
        raise NotFound(f"考试场次 {sitting_id} 不存在", sitting_id=sitting_id)
    programme = await Programme.objects().get(Programme.id == sitting.programme)
    assert programme is not None  # FK
    rows = await ExamResult.select().where(ExamResult.sitting == sitting_id).order_by(ExamResult.id)
    hours = await training_hours_of(
        [r["practitioner"] for r in rows], category=programme.training_category, until=sitting.exam_date
    )
    return [_candidate_out(r, hours[r["practitioner"]]) for r in rows]


async def record_results(
    sitting_id: int,
    entries: Sequence[ResultIn],
    *,
    entered_by: str,
    now: dt.datetime,
    today: dt.date,
) -> list[ResultOut]:
    """Enter theory and practical scores (0–100, at most one decimal, exact) for candidates.

    The whole batch is validated first; if any row is bad nothing is written and
    :class:`ValidationFailed` is raised with ``detail["rows"]`` = ``[{"row": i (0-based),
    "practitioner_id", "errors": [Chinese reasons]}]`` for every bad row (score out of range,
    too precise, in exponent notation or not finite; practitioner not registered for the
    sitting; listed twice; a component that comes from an online attempt or from double marking —
    those are never typed over). ``passed`` = theory ≥ pass_mark_theory AND practical ≥
    pass_mark_practical (occupations.json ``appraisal``), compared exactly before any rounding;
    scores come back normalised to one decimal (``100.0``).

    Re-entering a candidate's scores corrects them, until a certificate is issued from the
    sitting: from then on the sitting is closed (status ``issued``) and this raises
    :class:`Conflict`. Every entry and correction is kept in ``ce_result_event`` (who, when,
    old and new scores; see :func:`result_history`).

    ``now`` (aware, UTC) stamps ``entered_at``; ``entered_by`` (required) names the examiner.
    ``today`` (the local date; pass it from the service) refuses results for a sitting whose
    ``exam_date`` is still in the future (:class:`ValidationFailed` "考试尚未举行").
    Raises :class:`NotFound` (sitting), :class:`Conflict` (cancelled or closed sitting).
    """
    if now.tzinfo is None:
        raise ValidationFailed("录入时间必须带时区")
    entered_by = (entered_by or "").strip()
    if not entered_by:
        raise ValidationFailed("必须注明成绩录入人", field="entered_by")
    sitting, programme = await _open_sitting(sitting_id)
    await _ensure_results_open(sitting)
    if sitting.exam_date > today:
        raise ValidationFailed(
            f"考试尚未举行（考试日期 {sitting.exam_date}，今天 {today}），不能录入成绩",
            sitting_id=sitting_id,
            exam_date=sitting.exam_date.isoformat(),
        )
    registered = {
        r["practitioner"]: r["id"]
        for r in await ExamResult.select(ExamResult.id, ExamResult.practitioner).where(
            ExamResult.sitting == sitting_id
        )
    }
    ids = list(registered.values()) or [0]
    online = {
        r["practitioner"]
        for r in await ExamAttempt.select(ExamAttempt.practitioner).where(ExamAttempt.result.is_in(ids))
    }
    marked = {
        r["practitioner"]
        for r in await PracticalMarking.select(PracticalMarking.practitioner).where(
            PracticalMarking.result.is_in(ids)
        )
    }
    bad: list[dict[str, Any]] = []
    seen: set[int] = set()
    good: list[tuple[int, Decimal, Decimal, bool]] = []
    for i, entry in enumerate(entries):
        errors = []
        if entry.practitioner_id in online:
            errors.append(f"从业人员 {entry.practitioner_id} 的理论成绩来自在线考试，不能手工录入")
        if entry.practitioner_id in marked:
            errors.append(f"从业人员 {entry.practitioner_id} 的实操成绩来自考评员双评，不能手工录入")
        for label, value in (("理论知识考试", entry.theory), ("技能操作考核", entry.practical)):
            problem = rules.score_problem(value)
            if problem:
                errors.append(f"{label}：{problem}")
        if entry.practitioner_id not in registered:
            errors.append(f"从业人员 {entry.practitioner_id} 未报名本场考试")
        if entry.practitioner_id in seen:
            errors.append(f"从业人员 {entry.practitioner_id} 在本批次中重复出现")
        seen.add(entry.practitioner_id)
        if errors:
            bad.append({"row": i, "practitioner_id": entry.practitioner_id, "errors": errors})
            continue
        theory, practical = rules.to_score(entry.theory), rules.to_score(entry.practical)
        passed = rules.exam_passed(
            theory,
            practical,
            pass_mark_theory=Decimal(programme.pass_mark_theory),
            pass_mark_practical=Decimal(programme.pass_mark_practical),
        )
        good.append((entry.practitioner_id, theory, practical, passed))
    if bad:
        raise ValidationFailed(
            f"成绩有 {len(bad)} 行错误，本批次未保存任何成绩", rows=bad, sitting_id=sitting_id
        )
    by = entered_by[:64]
    async with atomic():
        # serialises with issuance: once a certificate is issued no score changes
        await _lock_open_sitting(sitting_id)
        for practitioner_id, theory, practical, passed in good:
            result_id = registered[practitioner_id]
            old = await (
                ExamResult.select(ExamResult.theory, ExamResult.practical, ExamResult.passed)
                .where(ExamResult.id == result_id)
                .first()
            )
            assert old is not None
            await ExamResult.update(
                {
                    ExamResult.theory: theory,
                    ExamResult.practical: practical,
                    ExamResult.passed: passed,
                    ExamResult.entered_by: by,
                    ExamResult.entered_at: now,
                }
            ).where(ExamResult.id == result_id)
            first = old["theory"] is None and old["practical"] is None
            await ResultEvent.insert(
                ResultEvent(
                    result=result_id,
                    sitting=sitting_id,
                    practitioner=practitioner_id,
                    action="entry" if first else "correction",
                    old_theory=old["theory"],
                    old_practical=old["practical"],
                    old_passed=old["passed"],
                    new_theory=theory,
                    new_practical=practical,
                    new_passed=passed,
                    entered_by=by,
                    entered_at=now,
                )
            )
    return [ResultOut(practitioner_id=p, theory=t, practical=q, passed=ok) for p, t, q, ok in good]


async def result_history(sitting_id: int, *, practitioner_id: int | None = None) -> list[ResultEventOut]:
    """The audit of score entries and corrections of a sitting (optionally one candidate),
    oldest first. Raises :class:`NotFound` for an unknown sitting."""
    await _sitting_out(sitting_id)
    query = ResultEvent.select().where(ResultEvent.sitting == sitting_id)
    if practitioner_id is not None:
        query = query.where(ResultEvent.practitioner == practitioner_id)
    return [
        ResultEventOut(
            id=r["id"],
            sitting_id=r["sitting"],
            practitioner_id=r["practitioner"],
            action=r["action"],
            old_theory=_score_out(r["old_theory"]),
            old_practical=_score_out(r["old_practical"]),
            old_passed=r["old_passed"],
            new_theory=rules.display_score(Decimal(str(r["new_theory"]))),
            new_practical=rules.display_score(Decimal(str(r["new_practical"]))),
            new_passed=r["new_passed"],
            entered_by=r["entered_by"],
            entered_at=r["entered_at"],
        )
        for r in await query.order_by(ResultEvent.id)
    ]
