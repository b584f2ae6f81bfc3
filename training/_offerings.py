"""Offerings (开班) and their sessions (课次)."""

from __future__ import annotations

import datetime as dt

from talent_pool.db import atomic
from training._catalog import get_course, get_training_base
from training._common import (
    _LOCK_OFFERING_SQL,
    _lock_row,
    _offering_row,
    _offerings_where,
    _session_out,
)
from training._notify import schedule_session_reminder
from training.errors import (
    OfferingNotOpen,
    SessionOverlap,
    TrainingInvalid,
    TrainingNotFound,
)
from training.rules import (
    check_session_hours,
    sessions_overlap,
)
from training.schedule import SessionTimes
from training.schemas import (
    OfferingIn,
    OfferingOut,
    SessionIn,
    SessionOut,
)
from training.tables import Offering, Session

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
    found = await _offerings_where("o.id = {}", offering_id)
    if not found:
        raise TrainingNotFound(f"班级 {offering_id} 不存在", offering_id=offering_id)
    return found[0]


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
    conditions: list[str] = ["1 = 1"]
    args: list[object] = []
    if open_only:
        conditions.append("o.status = 'open'")
        if today is not None:
            conditions.append("o.end_date >= {}")
            args.append(today)
    if training_base_id is not None:
        conditions.append("o.training_base = {}")
        args.append(training_base_id)
    return await _offerings_where(" AND ".join(conditions), *args)


DEFAULT_TIMES = SessionTimes()


async def _same_day_overlap(
    offering_id: int, day: dt.date, starts_at: dt.time, ends_at: dt.time, exclude: int | None = None
) -> None:
    """Raise :class:`SessionOverlap` when a scheduled (not cancelled) session of the offering
    overlaps ``starts_at``–``ends_at`` on ``day`` (``exclude``: a session id to ignore)."""
    same_day = await (
        Session.select(Session.id, Session.starts_at, Session.ends_at)
        .where((Session.offering == offering_id) & (Session.day == day) & (Session.status == "scheduled"))
        .order_by(Session.starts_at)
        .order_by(Session.id)
    )
    for other in same_day:
        if other["id"] != exclude and sessions_overlap(
            (starts_at, ends_at), (other["starts_at"], other["ends_at"])
        ):
            raise SessionOverlap(
                f"课次时间重叠：{day} {starts_at:%H:%M}–{ends_at:%H:%M} 与本班级课次 "
                f"{other['id']}（{other['starts_at']:%H:%M}–{other['ends_at']:%H:%M}）重叠",
                offering_id=offering_id,
                session_id=other["id"],
                day=day.isoformat(),
            )


async def add_session(
    offering_id: int,
    data: SessionIn,
    *,
    times: SessionTimes = DEFAULT_TIMES,
    now: dt.datetime | None = None,
) -> SessionOut:
    """Schedule a session (课次) of an offering.

    ``day`` must lie within the offering's dates; ``ends_at`` after ``starts_at``; ``hours``
    default to the exact clock length, and when given must be > 0 and at most the clock length
    (:func:`training.rules.check_session_hours`). A session overlapping another session of the
    same offering on the same day — an identical duplicate included — is refused (touching is
    fine: 08:00–10:00 then 10:00–12:00); the offering row is locked for the check, so concurrent
    calls cannot both pass it.

    The "session tomorrow" reminder is recorded in the same transaction, due at
    ``times.reminder_at`` local time the day before (none for a session on or before the local day
    of ``now``; ``times`` gives the business zone). A cancelled session of the offering does not
    block the time.

    A session may lie in the past (design decision): a base records a session that was held —
    e.g. a class run on paper before it was entered, attendance then recorded from the sign-in
    sheet. That cannot fabricate the completion of a class that has not started: the day must
    lie within the offering's dates, so a past session means the class has begun, and
    :func:`training.complete_offering` refuses before ``start_date`` anyway
    (:class:`training.OfferingNotStarted`). Moving a future session into the past is refused
    (:func:`training.move_session`).

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
        await _same_day_overlap(offering_id, data.day, data.starts_at, data.ends_at)
        row = Session(
            offering=offering_id,
            day=data.day,
            starts_at=data.starts_at,
            ends_at=data.ends_at,
            hours=hours,
            topic=data.topic.strip(),
            status="scheduled",
            mode=data.mode,
            join_url=data.join_url.strip(),
        )
        await row.save()
        saved = await Session.select().where(Session.id == row.id).first()
        assert saved is not None
        await schedule_session_reminder(saved, times, now)
    return _session_out(saved)


async def list_sessions(offering_id: int) -> list[SessionOut]:
    """Sessions of an offering by day and start time, cancelled ones included (``status``);
    raises :class:`TrainingNotFound`."""
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
