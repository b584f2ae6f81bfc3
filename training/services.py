"""Training use cases (async): the public API of the package, re-exported in ``__init__``.

Every write runs in :func:`talent_pool.db.atomic` (one transaction; joins the caller's).
Nothing here reads the clock or the environment: callers pass ``now`` (timezone-aware) and
local business dates. Hours are decimal hours (``Decimal``).

Concurrency guarantees (PostgreSQL and SQLite):

* seats: ``Offering.confirmed_count`` only changes through conditional ``UPDATE`` statements
  evaluated by the database (``... WHERE confirmed_count < capacity AND status = 'open'``), so
  concurrent enrollments can never overbook;
* one live enrollment per person and offering: the unique ``Enrollment.dedupe_key``;
* one attendance row per session and enrollment: the unique ``Attendance.dedupe_key`` (upsert);
* completion is claimed by a conditional status update, so completing twice (or concurrently)
  records each training once; the ledger is also idempotent on ``source_ref``;
* sessions of one offering never overlap: :func:`add_session` locks the offering row before
  it checks (on SQLite the immediate transaction serialises writers anyway);
* one live enrollment per person and **course** across running offerings is a *soft* rule:
  checked in :func:`enroll`'s transaction after locking the practitioner row (PostgreSQL), not
  a database constraint.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any, Literal

from piccolo.query.functions.aggregate import Count

from talent_pool import is_current_district, record_training
from talent_pool.db import atomic, is_sqlite, is_unique_violation
from talent_pool.schemas import TrainingRecordIn
from talent_pool.tables import Division, Practitioner, TrainingRecord
from training.errors import (
    AlreadyEnrolled,
    AlreadyEnrolledInCourse,
    AttendanceRejected,
    DuplicateCode,
    EnrollmentStateConflict,
    OfferingNotOpen,
    SessionOverlap,
    TrainingInvalid,
    TrainingNotFound,
)
from training.rules import (
    DEFAULT_COMPLETION_RULE,
    CompletionDecision,
    CompletionRule,
    check_session_hours,
    credited_hours,
    evaluate_completion,
    format_hours,
    sessions_overlap,
)
from training.schemas import (
    AttendanceEntry,
    AttendanceMethod,
    AttendanceReport,
    CancellationResult,
    CompletionEntry,
    CompletionReport,
    CourseIn,
    CourseOut,
    EnrollmentOut,
    OfferingIn,
    OfferingOut,
    SessionIn,
    SessionOut,
    TrainingBaseIn,
    TrainingBaseOut,
)
from training.tables import Attendance, Course, Enrollment, Offering, Session, TrainingBase

LIVE_STATUSES = ("confirmed", "waitlisted")
NOT_ADMITTED_REASON = "班级结业时仍在候补名单中，未获得名额，未录取（不计培训记录）"

# The seat decision, made by the database (never check-then-insert in Python).
_TAKE_SEAT_SQL = (
    "UPDATE tr_offering SET confirmed_count = confirmed_count + 1 "
    "WHERE id = {} AND confirmed_count < capacity AND status = 'open' RETURNING id"
)
_NEXT_WAITLIST_SQL = (
    "UPDATE tr_offering SET waitlist_seq = waitlist_seq + 1 "
    "WHERE id = {} AND status = 'open' RETURNING waitlist_seq"
)
_FREE_SEAT_SQL = (
    "UPDATE tr_offering SET confirmed_count = confirmed_count - 1 "
    "WHERE id = {} AND confirmed_count > 0 RETURNING id"
)
# Row locks that serialise checks which are not database constraints (PostgreSQL only: an
# SQLite write transaction is IMMEDIATE and already exclusive). FOR NO KEY UPDATE does not
# block foreign-key checks (FOR KEY SHARE) of other transactions inserting rows that refer to it.
_LOCK_OFFERING_SQL = "SELECT id FROM tr_offering WHERE id = {} FOR NO KEY UPDATE"
_LOCK_PRACTITIONER_SQL = "SELECT id FROM tp_practitioner WHERE id = {} FOR NO KEY UPDATE"


# --------------------------------------------------------------------------- helpers


async def _lock_row(sql: str, row_id: int) -> None:
    """Lock one row until the end of the current transaction (no-op on SQLite)."""
    if not is_sqlite(Offering._meta.db):
        await Offering.raw(sql, row_id)


def _require_aware(now: dt.datetime) -> None:
    if now.tzinfo is None or now.utcoffset() is None:
        raise TrainingInvalid("时间戳必须带时区（UTC）", field="now")


def _base_out(row: Mapping[str, Any]) -> TrainingBaseOut:
    return TrainingBaseOut.model_validate(dict(row))


def _course_out(row: Mapping[str, Any]) -> CourseOut:
    return CourseOut.model_validate(dict(row))


def _offering_columns() -> list[Any]:
    """Offering columns plus what a trainee needs to choose: base and course (one join each)."""
    return [
        *Offering.all_columns(),
        Offering.training_base.name.as_alias("training_base_name"),
        Offering.training_base.district_code.as_alias("district_code"),
        Offering.course.title.as_alias("course_title"),
        Offering.course.category.as_alias("course_category"),
        Offering.course.hours.as_alias("course_hours"),
    ]


async def _offerings_out(rows: Sequence[Mapping[str, Any]]) -> list[OfferingOut]:
    """Rows selected with :func:`_offering_columns` → ``OfferingOut`` (two batched look-ups:
    session counts and district names)."""
    if not rows:
        return []
    ids = [r["id"] for r in rows]
    counts = await (
        Session.select(Session.offering, Count(Session.id, alias="n"))
        .where(Session.offering.is_in(ids))
        .group_by(Session.offering)
    )
    session_count = {c["offering"]: int(c["n"]) for c in counts}
    codes = sorted({r["district_code"] for r in rows})
    divisions = await Division.select(Division.code, Division.name).where(Division.code.is_in(codes))
    district_name = {d["code"]: d["name"] for d in divisions}
    result = []
    for row in rows:
        data = dict(row)
        data["course_id"] = data.pop("course")
        data["training_base_id"] = data.pop("training_base")
        data["district_name"] = district_name.get(data["district_code"], "")
        data["seats_left"] = max(int(data["capacity"]) - int(data["confirmed_count"]), 0)
        data["session_count"] = session_count.get(data["id"], 0)
        result.append(OfferingOut.model_validate(data))
    return result


def _session_out(row: Mapping[str, Any]) -> SessionOut:
    data = dict(row)
    data["offering_id"] = data.pop("offering")
    return SessionOut.model_validate(data)


def _enrollment_columns() -> list[Any]:
    """Enrollment columns plus the offering title and the practitioner's name."""
    return [
        *Enrollment.all_columns(),
        Enrollment.offering.title.as_alias("offering_title"),
        Enrollment.practitioner.name.as_alias("practitioner_name"),
    ]


def _enrollment_out(row: Mapping[str, Any], position: int | None = None) -> EnrollmentOut:
    return EnrollmentOut(
        id=row["id"],
        offering_id=row["offering"],
        practitioner_id=row["practitioner"],
        status=row["status"],
        waitlist_position=position if row["status"] == "waitlisted" else None,
        enrolled_at=row["enrolled_at"],
        status_changed_at=row["status_changed_at"],
        attended_hours=row["attended_hours"],
        outcome_reason=row["outcome_reason"],
        offering_title=row["offering_title"],
        practitioner_name=row["practitioner_name"],
    )


async def _offering_row(offering_id: int) -> dict[str, Any]:
    row = await Offering.select().where(Offering.id == offering_id).first()
    if row is None:
        raise TrainingNotFound(f"班级 {offering_id} 不存在", offering_id=offering_id)
    return row


async def _enrollment_row(enrollment_id: int) -> dict[str, Any]:
    row = await Enrollment.select(*_enrollment_columns()).where(Enrollment.id == enrollment_id).first()
    if row is None:
        raise TrainingNotFound(f"报名记录 {enrollment_id} 不存在", enrollment_id=enrollment_id)
    return row


async def _waitlist_positions(offering_id: int) -> dict[int, int]:
    """Enrollment id → 1-based waitlist position (order of ``waitlist_seq``, then id)."""
    rows = await (
        Enrollment.select(Enrollment.id)
        .where((Enrollment.offering == offering_id) & (Enrollment.status == "waitlisted"))
        .order_by(Enrollment.waitlist_seq)
        .order_by(Enrollment.id)
    )
    return {r["id"]: i for i, r in enumerate(rows, start=1)}


async def _with_position(row: Mapping[str, Any]) -> EnrollmentOut:
    position = None
    if row["status"] == "waitlisted":
        position = (await _waitlist_positions(row["offering"])).get(row["id"])
    return _enrollment_out(row, position)


# --------------------------------------------------------------------------- bases & courses


async def create_training_base(data: TrainingBaseIn) -> TrainingBaseOut:
    """Register a training base (实训基地).

    ``district_code`` must be a current district/county of the city (the talent-pool division
    table); raises :class:`TrainingInvalid` otherwise.
    """
    if not await is_current_district(data.district_code):
        raise TrainingInvalid(f"区县代码 {data.district_code} 不是本市现行区县", field="district_code")
    async with atomic():
        row = TrainingBase(
            name=data.name,
            district_code=data.district_code,
            address=data.address.strip(),
            accredited=data.accredited,
            active=data.active,
        )
        await row.save()
    return _base_out(row.to_dict())


async def get_training_base(training_base_id: int) -> TrainingBaseOut:
    """One training base; raises :class:`TrainingNotFound`."""
    row = await TrainingBase.select().where(TrainingBase.id == training_base_id).first()
    if row is None:
        raise TrainingNotFound(f"实训基地 {training_base_id} 不存在")
    return _base_out(row)


async def list_training_bases(district_code: str | None = None) -> list[TrainingBaseOut]:
    """Training bases (all, or those of one district), in id order."""
    query = TrainingBase.select().order_by(TrainingBase.id)
    if district_code is not None:
        query = query.where(TrainingBase.district_code == district_code)
    return [_base_out(r) for r in await query]


async def count_accredited_bases(district_code: str | None = None) -> int:
    """Number of training bases that are accredited **and** active (the plan's 实训基地
    indicator, target 10), for the city or one district."""
    by_district = await accredited_bases_by_district()
    return sum(by_district.values()) if district_code is None else by_district.get(district_code, 0)


async def accredited_bases_by_district() -> dict[str, int]:
    """``{district_code: n}`` of accredited and active bases (the rule of
    :func:`count_accredited_bases`) in one query, for a targets table of every district."""
    rows = await (
        TrainingBase.select(TrainingBase.district_code, Count(TrainingBase.id, alias="n"))
        .where((TrainingBase.accredited == True) & (TrainingBase.active == True))  # noqa: E712
        .group_by(TrainingBase.district_code)
    )
    return {r["district_code"]: int(r["n"]) for r in rows}


async def create_course(data: CourseIn) -> CourseOut:
    """Add a course to the catalog. ``code`` is normalised (trimmed, upper case) and unique:
    raises :class:`DuplicateCode` when it is taken (also under concurrency)."""
    async with atomic() as tx:
        savepoint = await tx.savepoint()
        row = Course(
            code=data.code,
            title=data.title,
            category=data.category,
            hours=data.hours,
            level=data.level.strip(),
            description=data.description.strip(),
        )
        try:
            await row.save()
        except Exception as exc:
            if is_unique_violation(exc, "code"):
                await savepoint.rollback_to()
                raise DuplicateCode(f"课程代码 {data.code} 已存在", code=data.code) from None
            raise
        await savepoint.release()
    return _course_out(row.to_dict())


async def get_course(course_id: int) -> CourseOut:
    """One course; raises :class:`TrainingNotFound`."""
    row = await Course.select().where(Course.id == course_id).first()
    if row is None:
        raise TrainingNotFound(f"课程 {course_id} 不存在")
    return _course_out(row)


async def list_courses() -> list[CourseOut]:
    """The course catalog in code order."""
    return [_course_out(r) for r in await Course.select().order_by(Course.code)]


# --------------------------------------------------------------------------- offerings & sessions


async def create_offering(data: OfferingIn) -> OfferingOut:
    """Open an offering (开班) of a course at a base.

    Raises :class:`TrainingNotFound` for an unknown course or base, :class:`TrainingInvalid`
    when ``end_date < start_date``, ``capacity < 1``, or the base is not active and accredited.
    """
    if data.end_date < data.start_date:
        raise TrainingInvalid("结束日期早于开始日期", field="end_date")
    if data.capacity < 1:
        raise TrainingInvalid("班级容量至少为 1", field="capacity")
    course = await get_course(data.course_id)
    base = await get_training_base(data.training_base_id)
    if not (base.active and base.accredited):
        raise TrainingInvalid(f"实训基地「{base.name}」未认定或已停用，不能开班", field="training_base_id")
    async with atomic():
        row = Offering(
            course=course.id,
            training_base=base.id,
            title=" ".join(data.title.split()) or course.title,
            start_date=data.start_date,
            end_date=data.end_date,
            capacity=data.capacity,
            confirmed_count=0,
            waitlist_seq=0,
            status="open",
        )
        await row.save()
    return await get_offering(int(row.id))


async def get_offering(offering_id: int) -> OfferingOut:
    """One offering with its seat count, base, course, ``seats_left`` and ``session_count``;
    raises :class:`TrainingNotFound`."""
    row = await Offering.select(*_offering_columns()).where(Offering.id == offering_id).first()
    if row is None:
        raise TrainingNotFound(f"班级 {offering_id} 不存在", offering_id=offering_id)
    return (await _offerings_out([row]))[0]


async def list_offerings(
    open_only: bool = False,
    training_base_id: int | None = None,
    *,
    today: dt.date | None = None,
) -> list[OfferingOut]:
    """Offerings by start date ascending, then id (optionally of one base).

    ``open_only``: only offerings with status open; with ``today`` (the caller's local business
    date) also only those that can still be enrolled in, i.e. ``end_date >= today`` (the last
    day still counts, as in :func:`enroll`). ``today`` is ignored without ``open_only`` (staff
    lists include past offerings).
    """
    query = Offering.select(*_offering_columns()).order_by(Offering.start_date).order_by(Offering.id)
    if open_only:
        query = query.where(Offering.status == "open")
        if today is not None:
            query = query.where(Offering.end_date >= today)
    if training_base_id is not None:
        query = query.where(Offering.training_base == training_base_id)
    return await _offerings_out(await query)


async def add_session(offering_id: int, data: SessionIn) -> SessionOut:
    """Schedule a session (课次) of an offering.

    ``day`` must lie within the offering's dates; ``ends_at`` after ``starts_at``; ``hours``
    default to the exact clock length, and when given must be > 0 and at most the clock length
    (:func:`training.rules.check_session_hours`). A session overlapping another session of the
    same offering on the same day — an identical duplicate included — is refused (touching is
    fine: 08:00–10:00 then 10:00–12:00); the offering row is locked for the check, so concurrent
    calls cannot both pass it.

    Raises :class:`TrainingNotFound`, :class:`TrainingInvalid` (day outside the offering, end
    not after start, hours not positive or above the clock length, inexact length without
    explicit hours), :class:`SessionOverlap` (a ``Conflict``), :class:`OfferingNotOpen` when the
    offering is completed or cancelled.
    """
    try:
        hours = check_session_hours(data.starts_at, data.ends_at, data.hours)
    except ValueError as exc:
        raise TrainingInvalid(str(exc), field="hours") from None
    async with atomic():
        await _lock_row(_LOCK_OFFERING_SQL, offering_id)
        offering = await _offering_row(offering_id)
        if offering["status"] in ("completed", "cancelled"):
            raise OfferingNotOpen(f"班级 {offering_id} 已结业或已取消，不能再排课")
        if not (offering["start_date"] <= data.day <= offering["end_date"]):
            raise TrainingInvalid(
                f"课次日期 {data.day} 不在班级日期 {offering['start_date']}–{offering['end_date']} 内",
                field="day",
            )
        same_day = await (
            Session.select(Session.id, Session.starts_at, Session.ends_at)
            .where((Session.offering == offering_id) & (Session.day == data.day))
            .order_by(Session.starts_at)
            .order_by(Session.id)
        )
        for other in same_day:
            if sessions_overlap((data.starts_at, data.ends_at), (other["starts_at"], other["ends_at"])):
                raise SessionOverlap(
                    f"课次时间重叠：{data.day} {data.starts_at:%H:%M}–{data.ends_at:%H:%M} 与本班级课次 "
                    f"{other['id']}（{other['starts_at']:%H:%M}–{other['ends_at']:%H:%M}）重叠",
                    offering_id=offering_id,
                    session_id=other["id"],
                    day=data.day.isoformat(),
                )
        row = Session(
            offering=offering_id,
            day=data.day,
            starts_at=data.starts_at,
            ends_at=data.ends_at,
            hours=hours,
            topic=data.topic.strip(),
        )
        await row.save()
    saved = await Session.select().where(Session.id == row.id).first()
    assert saved is not None
    return _session_out(saved)


async def list_sessions(offering_id: int) -> list[SessionOut]:
    """Sessions of an offering by day and start time; raises :class:`TrainingNotFound`."""
    await _offering_row(offering_id)
    rows = await (
        Session.select()
        .where(Session.offering == offering_id)
        .order_by(Session.day)
        .order_by(Session.starts_at)
        .order_by(Session.id)
    )
    return [_session_out(r) for r in rows]


async def get_session(session_id: int) -> SessionOut:
    """One session (课次); raises :class:`TrainingNotFound`."""
    row = await Session.select().where(Session.id == session_id).first()
    if row is None:
        raise TrainingNotFound(f"课次 {session_id} 不存在", session_id=session_id)
    return _session_out(row)


# --------------------------------------------------------------------------- enrollment


async def enroll(
    offering_id: int, practitioner_id: int, *, now: dt.datetime, today: dt.date | None = None
) -> EnrollmentOut:
    """Enroll a practitioner (报名): a confirmed seat when one is free, else the waitlist.

    The seat is taken by one conditional ``UPDATE`` in the database (``confirmed_count <
    capacity AND status = 'open'``), so concurrent calls never overbook; the waitlist sequence
    comes from another row-locked counter, so positions are distinct. ``now`` (aware) is stored
    as ``enrolled_at``. ``today`` (the caller's local business date): when given and after the
    offering's ``end_date``, enrollment is closed (报名已截止).

    One live place per course: a person who holds a confirmed or waitlisted enrollment in
    **another** offering of the same course that is still running (not completed or cancelled)
    is refused with :class:`AlreadyEnrolledInCourse` — cancel that enrollment first to switch.
    This is a soft rule: checked in this transaction after locking the practitioner's row
    (PostgreSQL; SQLite serialises writers), not a database constraint. A completed or
    not-completed enrollment does not block enrolling again (retaking a course).

    Raises :class:`TrainingNotFound` (offering or practitioner), :class:`OfferingNotOpen`
    (offering not open, or ``today > end_date``), :class:`AlreadyEnrolledInCourse`,
    :class:`AlreadyEnrolled` when the person already holds a confirmed or waitlisted
    enrollment in the offering (unique ``dedupe_key``; the failed insert is rolled back to a
    savepoint, nothing else was written).
    """
    _require_aware(now)
    async with atomic() as tx:
        offering = await _offering_row(offering_id)
        if offering["status"] != "open":
            raise OfferingNotOpen(f"班级 {offering_id} 未开放报名", status=offering["status"])
        if today is not None and today > offering["end_date"]:
            raise OfferingNotOpen(
                f"报名已截止：班级 {offering_id} 已于 {offering['end_date']} 结束",
                end_date=offering["end_date"].isoformat(),
                today=today.isoformat(),
            )
        if not await Practitioner.exists().where(Practitioner._meta.primary_key == practitioner_id):
            raise TrainingNotFound(f"从业人员 {practitioner_id} 不存在")
        await _lock_row(_LOCK_PRACTITIONER_SQL, practitioner_id)
        other = await (
            Enrollment.select(Enrollment.offering, Enrollment.offering.title.as_alias("title"))
            .where(
                (Enrollment.practitioner == practitioner_id)
                & (Enrollment.offering != offering_id)
                & Enrollment.status.is_in(list(LIVE_STATUSES))
                & (Enrollment.offering.course == offering["course"])
                & Enrollment.offering.status.not_in(["completed", "cancelled"])
            )
            .order_by(Enrollment.id)
            .first()
        )
        if other is not None:
            raise AlreadyEnrolledInCourse(offering_id, practitioner_id, other["offering"], other["title"])
        # Insert first (before touching the counter), behind a savepoint: a unique violation
        # aborts a PostgreSQL transaction, and the caller's transaction must stay usable.
        savepoint = await tx.savepoint()
        try:
            inserted = await Enrollment.insert(
                Enrollment(
                    offering=offering_id,
                    practitioner=practitioner_id,
                    status="waitlisted",
                    dedupe_key=f"{offering_id}:{practitioner_id}",
                    enrolled_at=now,
                )
            )
        except Exception as exc:
            if is_unique_violation(exc, "dedupe_key"):
                await savepoint.rollback_to()
                raise AlreadyEnrolled(offering_id, practitioner_id) from None
            raise
        await savepoint.release()
        enrollment_id = inserted[0]["id"]
        if await Offering.raw(_TAKE_SEAT_SQL, offering_id):
            await Enrollment.update({Enrollment.status: "confirmed"}).where(Enrollment.id == enrollment_id)
        else:
            seq = await Offering.raw(_NEXT_WAITLIST_SQL, offering_id)
            if not seq:
                raise OfferingNotOpen(f"班级 {offering_id} 未开放报名")
            await Enrollment.update({Enrollment.waitlist_seq: seq[0]["waitlist_seq"]}).where(
                Enrollment.id == enrollment_id
            )
        # The offering row is locked by this transaction: every enrollment with a smaller
        # waitlist_seq has committed, so the position computed here is exact.
        return await _with_position(await _enrollment_row(enrollment_id))


async def _promote_next(offering_id: int, now: dt.datetime) -> dict[str, Any] | None:
    """Give a free seat to the earliest waitlisted enrollment (same conditional update as
    :func:`enroll`); returns the promoted row or ``None``. Runs inside the caller's transaction."""
    while True:
        candidate = await (
            Enrollment.select(Enrollment.id)
            .where((Enrollment.offering == offering_id) & (Enrollment.status == "waitlisted"))
            .order_by(Enrollment.waitlist_seq)
            .order_by(Enrollment.id)
            .first()
        )
        if candidate is None:
            return None
        if not await Offering.raw(_TAKE_SEAT_SQL, offering_id):
            return None
        promoted = (
            await Enrollment.update({Enrollment.status: "confirmed", Enrollment.status_changed_at: now})
            .where((Enrollment.id == candidate["id"]) & (Enrollment.status == "waitlisted"))
            .returning(Enrollment.id)
        )
        if promoted:
            return await _enrollment_row(candidate["id"])
        # cancelled concurrently: give the seat back and try the next one
        await Offering.raw(_FREE_SEAT_SQL, offering_id)


async def cancel_enrollment(enrollment_id: int, *, now: dt.datetime) -> CancellationResult:
    """Cancel an enrollment; a confirmed seat is freed and given to the earliest waitlisted
    enrollment, all in one transaction (decrement and promotion are conditional updates).

    Cancelling releases the ``dedupe_key`` so the person may enroll again (at the back of the
    queue). Cancelling an already cancelled enrollment changes nothing (``changed=False``).
    Raises :class:`TrainingNotFound`, :class:`EnrollmentStateConflict` (completed / not
    completed, or changed concurrently), :class:`OfferingNotOpen` (offering completed/cancelled).
    """
    _require_aware(now)
    async with atomic():
        row = await _enrollment_row(enrollment_id)
        previous = row["status"]
        if previous == "cancelled":
            return CancellationResult(
                enrollment=_enrollment_out(row),
                previous_status=previous,
                changed=False,
                seat_freed=False,
            )
        if previous not in LIVE_STATUSES:
            raise EnrollmentStateConflict(f"报名记录 {enrollment_id} 已结业，不能取消")
        offering = await _offering_row(row["offering"])
        if offering["status"] in ("completed", "cancelled"):
            raise OfferingNotOpen(f"班级 {offering['id']} 已结业或已取消，不能取消报名")
        changed = (
            await Enrollment.update(
                {
                    Enrollment.status: "cancelled",
                    Enrollment.status_changed_at: now,
                    Enrollment.dedupe_key: (f"{row['offering']}:{row['practitioner']}:x{enrollment_id}"),
                }
            )
            .where((Enrollment.id == enrollment_id) & (Enrollment.status == previous))
            .returning(Enrollment.id)
        )
        if not changed:
            raise EnrollmentStateConflict(f"报名记录 {enrollment_id} 状态已变化，请重试")
        promoted = None
        seat_freed = previous == "confirmed"
        if seat_freed:
            await Offering.raw(_FREE_SEAT_SQL, row["offering"])
            promoted = await _promote_next(row["offering"], now)
        return CancellationResult(
            enrollment=_enrollment_out(await _enrollment_row(enrollment_id)),
            previous_status=previous,
            changed=True,
            seat_freed=seat_freed,
            promoted=_enrollment_out(promoted) if promoted else None,
        )


async def get_enrollment(enrollment_id: int) -> EnrollmentOut:
    """One enrollment (with its current waitlist position); raises :class:`TrainingNotFound`."""
    return await _with_position(await _enrollment_row(enrollment_id))


_ROSTER_RANK = {
    "confirmed": 0,
    "completed": 0,
    "not_completed": 0,
    "waitlisted": 1,
    "not_admitted": 2,
    "cancelled": 3,
}


async def list_enrollments(offering_id: int) -> list[EnrollmentOut]:
    """Enrollments of an offering (the roster, with names): confirmed (or, after completion,
    completed / not completed) first by id, then the waitlist by position, then not admitted,
    then cancelled. Raises :class:`TrainingNotFound`."""
    await _offering_row(offering_id)
    rows = await Enrollment.select(*_enrollment_columns()).where(Enrollment.offering == offering_id)
    positions = await _waitlist_positions(offering_id)
    rank = _ROSTER_RANK

    def key(r: Mapping[str, Any]) -> tuple[int, int, int]:
        return (rank.get(r["status"], 3), positions.get(r["id"], 0), r["id"])

    return [_enrollment_out(r, positions.get(r["id"])) for r in sorted(rows, key=key)]


async def enrollments_of_practitioner(practitioner_id: int) -> list[EnrollmentOut]:
    """All enrollments of one practitioner (any status), newest first, with waitlist positions."""
    rows = await (
        Enrollment.select(*_enrollment_columns())
        .where(Enrollment.practitioner == practitioner_id)
        .order_by(Enrollment.id, ascending=False)
    )
    result = []
    for r in rows:
        result.append(await _with_position(r))
    return result


# --------------------------------------------------------------------------- attendance


async def record_attendance(
    session_id: int,
    entries: Sequence[AttendanceEntry | Mapping[str, Any]],
    *,
    recorded_by: str,
    method: AttendanceMethod = "roster",
    now: dt.datetime,
    today: dt.date | None = None,
) -> AttendanceReport:
    """Record presence at a session (考勤): an idempotent upsert per (session, enrollment).

    Each entry names a ``practitioner_id`` or an ``enrollment_id`` of this offering and
    ``present``. Only **confirmed** enrollments can attend. The whole batch is validated first:
    if any row is bad (malformed, unknown person, not enrolled, waitlisted/cancelled, the same
    person twice with different values) :class:`AttendanceRejected` lists every bad row
    (``rows=[{"row", "reason", ...}]``) and nothing is written. Identical duplicate rows count
    once. Re-recording overwrites ``present``/``method``/``recorded_by``/``recorded_at``.

    ``today`` (the caller's local business date): when given, a session whose ``day`` is after
    it has not happened yet and the whole batch is rejected (课次尚未开始) — nothing is written.

    Raises :class:`TrainingNotFound` (session), :class:`OfferingNotOpen` (offering completed or
    cancelled), :class:`TrainingInvalid` (empty ``recorded_by``, naive ``now``, future session).
    """
    _require_aware(now)
    recorded_by = recorded_by.strip()
    if not recorded_by:
        raise TrainingInvalid("记录人不能为空", field="recorded_by")
    if method not in ("roster", "qr", "batch"):
        raise TrainingInvalid(f"考勤方式 {method} 无效", field="method")
    async with atomic():
        session = await Session.select().where(Session.id == session_id).first()
        if session is None:
            raise TrainingNotFound(f"课次 {session_id} 不存在")
        if today is not None and session["day"] > today:
            raise TrainingInvalid(
                f"课次尚未开始（课次日期 {session['day']}，今天 {today}），不能记录考勤",
                field="session_id",
                session_id=session_id,
                day=session["day"].isoformat(),
            )
        offering = await _offering_row(session["offering"])
        if offering["status"] in ("completed", "cancelled"):
            raise OfferingNotOpen(f"班级 {offering['id']} 已结业或已取消，不能再记录考勤")
        enrollments = await Enrollment.select(
            Enrollment.id, Enrollment.practitioner, Enrollment.status
        ).where(Enrollment.offering == offering["id"])
        by_id = {e["id"]: e for e in enrollments}
        live_by_person: dict[int, dict[str, Any]] = {}
        for e in sorted(enrollments, key=lambda e: e["status"] == "cancelled"):
            live_by_person.setdefault(e["practitioner"], e)

        bad: list[dict[str, object]] = []
        chosen: dict[int, tuple[int, bool]] = {}  # enrollment id -> (row, present)
        for index, raw in enumerate(entries):
            try:
                entry = raw if isinstance(raw, AttendanceEntry) else AttendanceEntry.model_validate(raw)
            except Exception as exc:
                bad.append({"row": index, "reason": f"格式错误：{exc}"})
                continue
            if entry.enrollment_id is not None:
                found = by_id.get(entry.enrollment_id)
                who: dict[str, object] = {"enrollment_id": entry.enrollment_id}
                missing = f"报名记录 {entry.enrollment_id} 不属于本班级"
            else:
                assert entry.practitioner_id is not None
                found = live_by_person.get(entry.practitioner_id)
                who = {"practitioner_id": entry.practitioner_id}
                missing = f"人员 {entry.practitioner_id} 未报名本班级"
            if found is None:
                bad.append({"row": index, "reason": missing, **who})
                continue
            if found["status"] != "confirmed":
                label = {"waitlisted": "候补中", "cancelled": "已取消"}.get(found["status"], found["status"])
                bad.append({"row": index, "reason": f"报名状态为{label}，不能记录考勤", **who})
                continue
            previous = chosen.get(found["id"])
            if previous is not None and previous[1] != entry.present:
                bad.append({"row": index, "reason": f"与第 {previous[0]} 行重复且出勤不一致", **who})
                continue
            chosen.setdefault(found["id"], (index, entry.present))
        if bad:
            raise AttendanceRejected(bad)
        if chosen:
            rows = [
                Attendance(
                    session=session_id,
                    enrollment=enrollment_id,
                    present=present,
                    method=method,
                    recorded_by=recorded_by,
                    recorded_at=now,
                    dedupe_key=f"{session_id}:{enrollment_id}",
                )
                for enrollment_id, (_, present) in chosen.items()
            ]
            await Attendance.insert(*rows).on_conflict(
                target=Attendance.dedupe_key,
                action="DO UPDATE",
                values=[
                    Attendance.present,
                    Attendance.method,
                    Attendance.recorded_by,
                    Attendance.recorded_at,
                ],
            )
    present_count = sum(1 for _, p in chosen.values() if p)
    return AttendanceReport(
        session_id=session_id,
        recorded=len(chosen),
        present=present_count,
        absent=len(chosen) - present_count,
        enrollment_ids=sorted(chosen),
    )


# --------------------------------------------------------------------------- completion


async def _attended(offering_id: int) -> dict[int, tuple[Decimal, int]]:
    """Enrollment id → (attended hours, attended sessions) over the offering's sessions."""
    rows = await Attendance.select(Attendance.enrollment, Attendance.session.hours.as_alias("hours")).where(
        (Attendance.session.offering == offering_id) & (Attendance.present == True)  # noqa: E712
    )
    totals: dict[int, tuple[Decimal, int]] = {}
    for r in rows:
        hours, count = totals.get(r["enrollment"], (Decimal(0), 0))
        totals[r["enrollment"]] = (hours + Decimal(r["hours"]), count + 1)
    return totals


def _sum_hours(values: Iterable[Any]) -> Decimal:
    return sum((Decimal(v) for v in values), Decimal(0))


async def _stored_report(
    offering: Mapping[str, Any], scheduled_hours: Decimal, scheduled_sessions: int, rule: str
) -> CompletionReport:
    rows = await (
        Enrollment.select()
        .where(
            (Enrollment.offering == offering["id"]) & Enrollment.status.is_in(["completed", "not_completed"])
        )
        .order_by(Enrollment.id)
    )
    refs = [f"training:enrollment:{r['id']}" for r in rows if r["status"] == "completed"]
    records: dict[str, tuple[int, Decimal]] = {}
    if refs:
        found = await TrainingRecord.select(
            TrainingRecord._meta.primary_key, TrainingRecord.source_ref, TrainingRecord.hours
        ).where(TrainingRecord.source_ref.is_in(refs))
        records = {t["source_ref"]: (t["id"], Decimal(t["hours"])) for t in found}
    entries = [
        CompletionEntry(
            enrollment_id=r["id"],
            practitioner_id=r["practitioner"],
            status=r["status"],
            attended_hours=r["attended_hours"] or Decimal(0),
            scheduled_hours=scheduled_hours,
            reason=r["outcome_reason"],
            training_record_id=records.get(f"training:enrollment:{r['id']}", (None, None))[0],
            credited_hours=records.get(f"training:enrollment:{r['id']}", (None, None))[1],
        )
        for r in rows
    ]
    not_admitted = await (
        Enrollment.select(Enrollment.id)
        .where((Enrollment.offering == offering["id"]) & (Enrollment.status == "not_admitted"))
        .order_by(Enrollment.id)
    )
    not_admitted_ids = [r["id"] for r in not_admitted]
    return CompletionReport(
        offering_id=offering["id"],
        completed_on=offering["completed_on"],
        scheduled_hours=scheduled_hours,
        scheduled_sessions=scheduled_sessions,
        completed=sum(1 for e in entries if e.status == "completed"),
        not_completed=sum(1 for e in entries if e.status == "not_completed"),
        waitlisted=len(not_admitted_ids),
        already_completed=True,
        rule=rule,
        entries=entries,
        not_admitted=len(not_admitted_ids),
        not_admitted_ids=not_admitted_ids,
    )


async def default_completion_date(offering_id: int, today: dt.date) -> dt.date:
    """The date to pass as ``completed_on`` when staff complete an offering on ``today``.

    The day of the offering's last session when that is on or before ``today`` — so a training
    counts in the year it actually ended, even when the completion is entered in January for a
    class that ended in December — otherwise ``today`` (sessions still to come:
    :func:`complete_offering` will then refuse, as it should). ``today`` also when the offering
    has no sessions yet. Raises :class:`TrainingNotFound`.
    """
    await _offering_row(offering_id)
    days = await Session.select(Session.day).where(Session.offering == offering_id)
    if not days:
        return today
    last_day: dt.date = max(r["day"] for r in days)
    return last_day if last_day <= today else today


async def complete_offering(
    offering_id: int,
    *,
    completed_on: dt.date,
    rule: CompletionRule = DEFAULT_COMPLETION_RULE,
    now: dt.datetime | None = None,
) -> CompletionReport:
    """Close an offering (结业): decide completion of every confirmed enrollment and feed the
    talent-pool ledger, all in one transaction.

    Rule: :data:`training.rules.DEFAULT_COMPLETION_RULE` (attended hours ≥ 80 % of scheduled
    hours — a configurable default, see :mod:`training.rules`) unless ``rule`` is given. Each
    completed enrollment gets one ``talent_pool.record_training`` call (course category and
    title, ``completed_on``, provider = base name, ``source_ref="training:enrollment:{id}"``)
    inside the same transaction as its status update. The record's hours are the hours the
    person attended, capped at the course hours and rounded down to the ledger's 0.1 h
    (:func:`training.rules.credited_hours`, reported as ``CompletionEntry.credited_hours``) —
    never simply the course hours: exam eligibility reads hours from the ledger. An enrollment
    whose credit would be under 0.1 h is ``not_completed``. ``now`` (aware, optional) stamps
    ``status_changed_at``.

    Waitlisted enrollments never had a seat, so they are not evaluated: completion closes them
    with status ``not_admitted`` (未录取, with ``outcome_reason`` saying so) — the waitlist of a
    finished class is not left dangling, and these people never get a training record (listed
    in ``not_admitted_ids``, counted in ``not_admitted`` and ``waitlisted``). Use
    :func:`default_completion_date` for ``completed_on`` so the training counts in the year of
    the last session.

    Idempotent: completing an already completed offering writes nothing and returns the stored
    outcome (``already_completed=True``); concurrent calls are serialised by a conditional status
    update. Raises :class:`TrainingNotFound`, :class:`OfferingNotOpen` (cancelled offering),
    :class:`TrainingInvalid` (no sessions, or ``completed_on`` before the last session day).
    """
    if now is not None:
        _require_aware(now)
    async with atomic():
        offering = await _offering_row(offering_id)
        sessions = await Session.select(Session.day, Session.hours).where(Session.offering == offering_id)
        scheduled_hours = _sum_hours(s["hours"] for s in sessions)
        if offering["status"] == "completed":
            return await _stored_report(offering, scheduled_hours, len(sessions), rule.source)
        if offering["status"] == "cancelled":
            raise OfferingNotOpen(f"班级 {offering_id} 已取消，不能结业")
        if not sessions:
            raise TrainingInvalid(f"班级 {offering_id} 没有课次，不能结业")
        last_day = max(s["day"] for s in sessions)
        if completed_on < last_day:
            raise TrainingInvalid(f"结业日期 {completed_on} 早于最后一次课 {last_day}", field="completed_on")
        claimed = (
            await Offering.update({Offering.status: "completed", Offering.completed_on: completed_on})
            .where((Offering.id == offering_id) & Offering.status.is_in(["open", "closed"]))
            .returning(Offering.id)
        )
        if not claimed:  # completed or cancelled meanwhile
            offering = await _offering_row(offering_id)
            if offering["status"] == "completed":
                return await _stored_report(offering, scheduled_hours, len(sessions), rule.source)
            raise OfferingNotOpen(f"班级 {offering_id} 已取消，不能结业")
        course = await Course.select().where(Course.id == offering["course"]).first()
        base_id = offering["training_base"]
        base = await TrainingBase.select().where(TrainingBase.id == base_id).first()
        assert course is not None and base is not None
        attended = await _attended(offering_id)
        confirmed = await (
            Enrollment.select()
            .where((Enrollment.offering == offering_id) & (Enrollment.status == "confirmed"))
            .order_by(Enrollment.id)
        )
        entries: list[CompletionEntry] = []
        for e in confirmed:
            hours, count = attended.get(e["id"], (Decimal(0), 0))
            decision = evaluate_completion(
                scheduled_hours=scheduled_hours,
                attended_hours=hours,
                scheduled_sessions=len(sessions),
                attended_sessions=count,
                rule=rule,
            )
            credit = credited_hours(hours, Decimal(course["hours"]))
            if decision.completed and credit <= 0:
                decision = CompletionDecision(
                    False,
                    f"{decision.reason}；可计学时 {format_hours(credit)} 不足 0.1 学时，不计培训记录",
                )
            status: Literal["completed", "not_completed"] = (
                "completed" if decision.completed else "not_completed"
            )
            await Enrollment.update(
                {
                    Enrollment.status: status,
                    Enrollment.status_changed_at: now,
                    Enrollment.attended_hours: hours,
                    Enrollment.outcome_reason: decision.reason,
                }
            ).where((Enrollment.id == e["id"]) & (Enrollment.status == "confirmed"))
            record_id = None
            record_hours = None
            if decision.completed:
                record = await record_training(
                    TrainingRecordIn(
                        practitioner_id=e["practitioner"],
                        category=course["category"],
                        title=course["title"],
                        hours=credit,
                        completed_on=completed_on,
                        provider=base["name"],
                        source="system",
                        source_ref=f"training:enrollment:{e['id']}",
                    )
                )
                record_id = record.id
                record_hours = Decimal(record.hours)
            entries.append(
                CompletionEntry(
                    enrollment_id=e["id"],
                    practitioner_id=e["practitioner"],
                    status=status,
                    attended_hours=hours,
                    scheduled_hours=scheduled_hours,
                    reason=decision.reason,
                    training_record_id=record_id,
                    credited_hours=record_hours,
                )
            )
        closed = await (
            Enrollment.update(
                {
                    Enrollment.status: "not_admitted",
                    Enrollment.status_changed_at: now,
                    Enrollment.outcome_reason: NOT_ADMITTED_REASON,
                }
            )
            .where((Enrollment.offering == offering_id) & (Enrollment.status == "waitlisted"))
            .returning(Enrollment.id)
        )
        not_admitted_ids = sorted(r["id"] for r in closed)
    return CompletionReport(
        offering_id=offering_id,
        completed_on=completed_on,
        scheduled_hours=scheduled_hours,
        scheduled_sessions=len(sessions),
        completed=sum(1 for x in entries if x.status == "completed"),
        not_completed=sum(1 for x in entries if x.status == "not_completed"),
        waitlisted=len(not_admitted_ids),
        already_completed=False,
        rule=rule.source,
        entries=entries,
        not_admitted=len(not_admitted_ids),
        not_admitted_ids=not_admitted_ids,
    )
