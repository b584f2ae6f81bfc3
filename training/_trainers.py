"""The trainer pool (师资库): trainers, qualifications, the courses they may teach, assignment to
sessions without double booking, trainees' evaluations after a course, rank and its history.

No double booking: a trainer teaches at most one of any set of overlapping sessions (same local
day, overlapping clock times, not cancelled). Assigning locks the session row (shared: a move of
that session waits) and the trainer's row (exclusive: two assignments of one trainer queue) and
then checks; moving a session locks its trainers again. PostgreSQL row locks; SQLite serialises
writers anyway.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from talent_pool import is_current_district, mask_id_number, parse_id_number
from talent_pool.db import atomic, is_sqlite, is_unique_violation
from training._catalog import get_course, get_training_base
from training.errors import (
    DuplicateCode,
    OfferingNotOpen,
    TrainerUnavailable,
    TrainingInvalid,
    TrainingNotFound,
)
from training.pool_schemas import (
    EvaluationIn,
    EvaluationOut,
    QualificationIn,
    QualificationOut,
    RankChangeIn,
    RankChangeOut,
    SessionTrainerOut,
    TrainerIn,
    TrainerOut,
)
from training.rules import sessions_overlap
from training.tables import (
    Enrollment,
    Session,
    SessionTrainer,
    Trainer,
    TrainerCourse,
    TrainerEvaluation,
    TrainerQualification,
    TrainerRankChange,
)
from training.trainer_rules import RANK_NAMES, average_score, rank_change_kind

_LOCK_TRAINER_SQL = "SELECT id FROM tr_trainer WHERE id = {} FOR NO KEY UPDATE"
_SHARE_SESSION_SQL = "SELECT id FROM tr_session WHERE id = {} FOR SHARE"


async def _lock(sql: str, row_id: int) -> None:
    if not is_sqlite(Trainer._meta.db):
        await Trainer.raw(sql, row_id)


async def _trainer_row(trainer_id: int) -> dict[str, Any]:
    row = await Trainer.select().where(Trainer.id == trainer_id).first()
    if row is None:
        raise TrainingNotFound(f"讲师 {trainer_id} 不存在", trainer_id=trainer_id)
    return row


async def _trainers_out(rows: Sequence[dict[str, Any]], *, full_ids: bool) -> list[TrainerOut]:
    ids = [r["id"] for r in rows] or [-1]
    quals: dict[int, list[QualificationOut]] = {}
    for q in (
        await TrainerQualification.select()
        .where(TrainerQualification.trainer.is_in(ids))
        .order_by(TrainerQualification.id)
    ):
        quals.setdefault(q["trainer"], []).append(QualificationOut.model_validate(q))
    courses: dict[int, list[int]] = {}
    for c in await TrainerCourse.select(TrainerCourse.trainer, TrainerCourse.course).where(
        TrainerCourse.trainer.is_in(ids)
    ):
        courses.setdefault(c["trainer"], []).append(c["course"])
    scores: dict[int, list[int]] = {}
    for e in await TrainerEvaluation.select(TrainerEvaluation.trainer, TrainerEvaluation.score).where(
        TrainerEvaluation.trainer.is_in(ids)
    ):
        scores.setdefault(e["trainer"], []).append(e["score"])
    return [
        TrainerOut(
            id=r["id"],
            id_number=r["id_number"] if full_ids else mask_id_number(r["id_number"]),
            name=r["name"],
            phone=r["phone"] if full_ids else "",
            district_code=r["district_code"],
            training_base_id=r["training_base"],
            rank=r["rank"],
            rank_name=RANK_NAMES.get(r["rank"], r["rank"]),
            title=r["title"],
            active=r["active"],
            qualifications=quals.get(r["id"], []),
            course_ids=sorted(courses.get(r["id"], [])),
            evaluations=len(scores.get(r["id"], [])),
            average_score=average_score(scores.get(r["id"], [])),
        )
        for r in rows
    ]


async def create_trainer(data: TrainerIn, *, today: dt.date) -> TrainerOut:
    """Add a trainer to the pool. The ID number is validated and normalised (GB 11643; one
    trainer per number); ``district_code`` must be a current district; a given base must exist and
    lie in that district. Raises ``InvalidIdNumber``, :class:`TrainingInvalid`,
    :class:`TrainingNotFound`, :class:`DuplicateCode` (the person is already in the pool)."""
    number = parse_id_number(data.id_number, today=today).number
    name = " ".join(data.name.split())
    if not name:
        raise TrainingInvalid("姓名不能为空", field="name")
    if not await is_current_district(data.district_code):
        raise TrainingInvalid(f"区县代码 {data.district_code} 不是本市现行区县", field="district_code")
    if data.training_base_id is not None:
        base = await get_training_base(data.training_base_id)
        if base.district_code != data.district_code:
            raise TrainingInvalid("讲师所属实训基地不在所填区县", field="training_base_id")
    async with atomic() as tx:
        savepoint = await tx.savepoint()
        try:
            inserted = await Trainer.insert(
                Trainer(
                    id_number=number,
                    name=name,
                    phone=data.phone.strip(),
                    district_code=data.district_code,
                    training_base=data.training_base_id,
                    rank=data.rank,
                    title=data.title.strip(),
                    active=True,
                )
            ).returning(Trainer.id)
        except Exception as exc:
            if is_unique_violation(exc):
                await savepoint.rollback_to()
                raise DuplicateCode("该身份证号的讲师已在师资库中", field="id_number") from None
            raise
        await savepoint.release()
        trainer_id = inserted[0]["id"]
        for q in data.qualifications:
            await _insert_qualification(trainer_id, q)
    return await get_trainer(trainer_id, full_ids=True)


async def _insert_qualification(trainer_id: int, data: QualificationIn) -> None:
    if data.issued_on and data.expires_on and data.expires_on < data.issued_on:
        raise TrainingInvalid("证书有效期早于发证日期", field="expires_on")
    await TrainerQualification.insert(
        TrainerQualification(
            trainer=trainer_id,
            name=data.name,
            number=data.number.strip(),
            issuer=data.issuer.strip(),
            issued_on=data.issued_on,
            expires_on=data.expires_on,
        )
    )


async def add_qualification(trainer_id: int, data: QualificationIn) -> TrainerOut:
    """Record a qualification of a trainer. Raises :class:`TrainingNotFound`, :class:`TrainingInvalid`."""
    async with atomic():
        await _trainer_row(trainer_id)
        await _insert_qualification(trainer_id, data)
    return await get_trainer(trainer_id, full_ids=True)


async def get_trainer(trainer_id: int, *, full_ids: bool = False) -> TrainerOut:
    """One trainer with qualifications, courses and evaluation summary (ID number masked unless
    ``full_ids``). Raises :class:`TrainingNotFound`."""
    return (await _trainers_out([await _trainer_row(trainer_id)], full_ids=full_ids))[0]


async def list_trainers(
    *, district_code: str | None = None, course_id: int | None = None, full_ids: bool = False
) -> list[TrainerOut]:
    """The pool (all, one district's, or those who may teach ``course_id``), by district then id."""
    query = Trainer.select().order_by(Trainer.district_code).order_by(Trainer.id)
    if district_code is not None:
        query = query.where(Trainer.district_code == district_code)
    if course_id is not None:
        allowed = await TrainerCourse.select(TrainerCourse.trainer).where(TrainerCourse.course == course_id)
        query = query.where(Trainer.id.is_in([r["trainer"] for r in allowed] or [-1]))
    return await _trainers_out(await query, full_ids=full_ids)


async def allow_course(trainer_id: int, course_id: int, *, by: str, now: dt.datetime) -> TrainerOut:
    """Let a trainer teach a course (授课资格); doing it again changes nothing. Raises
    :class:`TrainingNotFound`."""
    await get_course(course_id)
    async with atomic():
        await _trainer_row(trainer_id)
        await TrainerCourse.insert(
            TrainerCourse(trainer=trainer_id, course=course_id, approved_by=by, approved_at=now)
        ).on_conflict(target=(TrainerCourse.trainer, TrainerCourse.course), action="DO NOTHING")
    return await get_trainer(trainer_id, full_ids=True)


async def _clashes(
    trainer_id: int, session_id: int, day: dt.date, starts_at: dt.time, ends_at: dt.time
) -> None:
    others = await Session.raw(
        "SELECT s.id, s.starts_at, s.ends_at, o.title FROM tr_session_trainer st "
        "JOIN tr_session s ON s.id = st.session JOIN tr_offering o ON o.id = s.offering "
        "WHERE st.trainer = {} AND s.day = {} AND s.status = 'scheduled' AND s.id <> {}",
        trainer_id,
        day,
        session_id,
    )
    for other in others:
        start, end = other["starts_at"], other["ends_at"]
        if isinstance(start, str):  # SQLite returns text from raw queries
            start, end = dt.time.fromisoformat(start), dt.time.fromisoformat(end)
        if sessions_overlap((starts_at, ends_at), (start, end)):
            raise TrainerUnavailable(
                f"讲师已有时间重叠的课：{day} {start:%H:%M}–{end:%H:%M}"
                f"「{other['title']}」（课次 {other['id']}）",
                trainer_id=trainer_id,
                session_id=other["id"],
            )


async def ensure_trainers_free(session_id: int, day: dt.date, starts_at: dt.time, ends_at: dt.time) -> None:
    """Inside a transaction: lock the rows of the trainers assigned to ``session_id`` and raise
    :class:`TrainerUnavailable` when one teaches another session overlapping the given time."""
    assigned = await SessionTrainer.select(SessionTrainer.trainer).where(SessionTrainer.session == session_id)
    for trainer_id in sorted(r["trainer"] for r in assigned):
        await _lock(_LOCK_TRAINER_SQL, trainer_id)
        await _clashes(trainer_id, session_id, day, starts_at, ends_at)


async def assign_trainer(
    session_id: int, trainer_id: int, *, by: str, now: dt.datetime
) -> list[SessionTrainerOut]:
    """Assign a trainer to a session (排课); assigning again changes nothing. The trainer must be
    active, allowed to teach the offering's course and free at that time (no other scheduled
    session overlapping it on that day — checked with the rows locked, so concurrent assignments
    cannot double-book). Returns the session's trainers. Raises :class:`TrainingNotFound`,
    :class:`TrainerUnavailable`, :class:`OfferingNotOpen` (cancelled session, closed offering)."""
    async with atomic():
        await _lock(_SHARE_SESSION_SQL, session_id)
        rows = await Session.raw(
            "SELECT s.id, s.day, s.starts_at, s.ends_at, s.status, o.course, o.status AS offering_status "
            "FROM tr_session s JOIN tr_offering o ON o.id = s.offering WHERE s.id = {}",
            session_id,
        )
        if not rows:
            raise TrainingNotFound(f"课次 {session_id} 不存在", session_id=session_id)
        session = rows[0]
        if session["status"] != "scheduled" or session["offering_status"] in ("completed", "cancelled"):
            raise OfferingNotOpen("课次已取消或班级已结束，不能排课", session_id=session_id)
        trainer = await _trainer_row(trainer_id)
        if not trainer["active"]:
            raise TrainerUnavailable(f"讲师 {trainer['name']} 已停用", trainer_id=trainer_id)
        if not await TrainerCourse.exists().where(
            (TrainerCourse.trainer == trainer_id) & (TrainerCourse.course == session["course"])
        ):
            raise TrainerUnavailable(f"讲师 {trainer['name']} 未获得该课程的授课资格", trainer_id=trainer_id)
        await _lock(_LOCK_TRAINER_SQL, trainer_id)
        day, starts, ends = (_as(session[k]) for k in ("day", "starts_at", "ends_at"))
        await _clashes(trainer_id, session_id, day, starts, ends)  # type: ignore[arg-type]
        await SessionTrainer.insert(
            SessionTrainer(session=session_id, trainer=trainer_id, assigned_by=by, assigned_at=now)
        ).on_conflict(target=(SessionTrainer.session, SessionTrainer.trainer), action="DO NOTHING")
    return await trainers_of_session(session_id)


def _as(value: Any) -> Any:
    """A date or time from a raw query (SQLite returns text)."""
    if isinstance(value, str):
        return dt.date.fromisoformat(value) if len(value) == 10 else dt.time.fromisoformat(value)
    return value


async def unassign_trainer(session_id: int, trainer_id: int) -> list[SessionTrainerOut]:
    """Take a trainer off a session (nothing happens if they were not on it)."""
    async with atomic():
        await SessionTrainer.delete().where(
            (SessionTrainer.session == session_id) & (SessionTrainer.trainer == trainer_id)
        )
    return await trainers_of_session(session_id)


async def trainers_of_session(session_id: int) -> list[SessionTrainerOut]:
    """Who teaches a session, in order of assignment."""
    rows = await (
        SessionTrainer.select(
            SessionTrainer.session,
            SessionTrainer.trainer,
            SessionTrainer.trainer.name.as_alias("trainer_name"),
            SessionTrainer.trainer.rank.as_alias("rank"),
            SessionTrainer.assigned_by,
            SessionTrainer.assigned_at,
        )
        .where(SessionTrainer.session == session_id)
        .order_by(SessionTrainer.id)
    )
    return [
        SessionTrainerOut(
            session_id=r["session"],
            trainer_id=r["trainer"],
            trainer_name=r["trainer_name"],
            rank=r["rank"],
            assigned_by=r["assigned_by"],
            assigned_at=r["assigned_at"],
        )
        for r in rows
    ]


async def evaluate_trainer(
    offering_id: int, practitioner_id: int, data: EvaluationIn, *, now: dt.datetime
) -> EvaluationOut:
    """A trainee evaluates a trainer of their class after it ended (1–5 points): their enrollment
    must be completed or not completed, and the trainer must have taught a session of the class.
    One evaluation per trainer and enrollment (``Unique(trainer, enrollment)``). Raises
    :class:`TrainingNotFound`, :class:`TrainingInvalid`, :class:`DuplicateCode` (already evaluated)."""
    enrollment = await (
        Enrollment.select(Enrollment.id, Enrollment.status)
        .where((Enrollment.offering == offering_id) & (Enrollment.practitioner == practitioner_id))
        .order_by(Enrollment.id, ascending=False)
        .first()
    )
    if enrollment is None:
        raise TrainingNotFound("您没有参加这个班级")
    if enrollment["status"] not in ("completed", "not_completed"):
        raise TrainingInvalid("班级结业后才能评价讲师", field="offering_id")
    taught = await SessionTrainer.exists().where(
        (SessionTrainer.trainer == data.trainer_id)
        & (SessionTrainer.session.offering == offering_id)
        & (SessionTrainer.session.status == "scheduled")
    )
    if not taught:
        raise TrainingInvalid("该讲师没有在您的班级授课", field="trainer_id")
    async with atomic() as tx:
        savepoint = await tx.savepoint()
        try:
            row = await TrainerEvaluation.insert(
                TrainerEvaluation(
                    trainer=data.trainer_id,
                    enrollment=enrollment["id"],
                    score=data.score,
                    comment=" ".join(data.comment.split()),
                    created_at=now,
                )
            ).returning(*TrainerEvaluation.all_columns())
        except Exception as exc:
            if is_unique_violation(exc):
                await savepoint.rollback_to()
                raise DuplicateCode("您已评价过该讲师", trainer_id=data.trainer_id) from None
            raise
        await savepoint.release()
    r = row[0]
    return EvaluationOut(
        id=r["id"],
        trainer_id=r["trainer"],
        offering_id=offering_id,
        enrollment_id=r["enrollment"],
        score=r["score"],
        comment=r["comment"],
        created_at=r["created_at"],
    )


async def change_rank(trainer_id: int, data: RankChangeIn, *, by: str, today: dt.date) -> RankChangeOut:
    """Change a trainer's rank (晋升/调整) with a reason, effective ``data.decided_on`` (default
    ``today``, local); the change is kept in the history. Raises :class:`TrainingNotFound`,
    :class:`DuplicateCode` when the rank is already that one."""
    async with atomic():
        await _lock(_LOCK_TRAINER_SQL, trainer_id)
        trainer = await _trainer_row(trainer_id)
        if trainer["rank"] == data.rank:
            raise DuplicateCode(f"讲师已是{RANK_NAMES[data.rank]}", rank=data.rank)
        await Trainer.update({Trainer.rank: data.rank}).where(Trainer.id == trainer_id)
        row = await TrainerRankChange.insert(
            TrainerRankChange(
                trainer=trainer_id,
                from_rank=trainer["rank"],
                to_rank=data.rank,
                reason=data.reason,
                decided_by=by,
                decided_on=data.decided_on or today,
            )
        ).returning(*TrainerRankChange.all_columns())
    return _rank_out(row[0])


def _rank_out(r: dict[str, Any]) -> RankChangeOut:
    return RankChangeOut(
        id=r["id"],
        trainer_id=r["trainer"],
        from_rank=r["from_rank"],
        to_rank=r["to_rank"],
        kind=rank_change_kind(r["from_rank"], r["to_rank"]),
        reason=r["reason"],
        decided_by=r["decided_by"],
        decided_on=r["decided_on"],
        created_at=r["created_at"],
    )


async def rank_history(trainer_id: int) -> list[RankChangeOut]:
    """A trainer's rank changes, oldest first. Raises :class:`TrainingNotFound`."""
    await _trainer_row(trainer_id)
    rows = (
        await TrainerRankChange.select()
        .where(TrainerRankChange.trainer == trainer_id)
        .order_by(TrainerRankChange.id)
    )
    return [_rank_out(r) for r in rows]


async def evaluations_of(trainer_id: int) -> list[EvaluationOut]:
    """Trainees' evaluations of a trainer, newest first (no names: evaluations are anonymous to
    readers). Raises :class:`TrainingNotFound`."""
    await _trainer_row(trainer_id)
    rows = await (
        TrainerEvaluation.select(
            *TrainerEvaluation.all_columns(), TrainerEvaluation.enrollment.offering.as_alias("o")
        )
        .where(TrainerEvaluation.trainer == trainer_id)
        .order_by(TrainerEvaluation.id, ascending=False)
    )
    return [
        EvaluationOut(
            id=r["id"],
            trainer_id=r["trainer"],
            offering_id=r["o"],
            enrollment_id=r["enrollment"],
            score=r["score"],
            comment=r["comment"],
            created_at=r["created_at"],
        )
        for r in rows
    ]
