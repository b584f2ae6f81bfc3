"""Sessions in depth: recurring sessions (每周固定时间排课), moving (调课) and cancelling (停课)
a session, each telling the enrolled through the notification job."""

from __future__ import annotations

import datetime as dt
from typing import Any

from talent_pool.db import atomic
from training._common import _LOCK_OFFERING_SQL, _lock_row, _offering_row, _require_aware, _session_out
from training._notify import record_notice, schedule_session_reminder
from training._offerings import _same_day_overlap
from training._trainers import ensure_trainers_free
from training.attendance_schemas import (
    RecurringSessionsIn,
    RecurringSessionsResult,
    SessionCancelIn,
    SessionMoveIn,
)
from training.errors import (
    OfferingNotOpen,
    SessionHasAttendance,
    SessionInPast,
    SessionOverlap,
    TrainingInvalid,
    TrainingNotFound,
)
from training.rules import check_session_hours
from training.schedule import SessionTimes, recurring_days
from training.schemas import SessionOut
from training.tables import Attendance, Session


def _hours(starts_at: dt.time, ends_at: dt.time, hours: Any) -> Any:
    try:
        return check_session_hours(starts_at, ends_at, hours)
    except ValueError as exc:
        raise TrainingInvalid(str(exc), field="hours") from None


def _in_offering(offering: dict[str, Any], day: dt.date) -> None:
    if not offering["start_date"] <= day <= offering["end_date"]:
        raise TrainingInvalid(
            f"课次日期 {day} 不在班级日期 {offering['start_date']}–{offering['end_date']} 内",
            field="day",
            day=day.isoformat(),
        )


async def add_recurring_sessions(
    offering_id: int, data: RecurringSessionsIn, *, times: SessionTimes, now: dt.datetime | None = None
) -> RecurringSessionsResult:
    """Create the sessions of ``data`` (chosen weekdays from ``first_day`` to ``last_day``,
    inclusive, skipping ``skip_dates``) at the same local times, all in one transaction — all or
    none. Each session lies on its local date (no UTC arithmetic) and gets its "session tomorrow"
    reminder (:func:`training.add_session` rules: ``times`` gives the zone and reminder time).

    Raises :class:`TrainingNotFound`, :class:`TrainingInvalid` (range outside the offering's
    dates, no matching day, end not after start, more than
    :data:`training.schedule.MAX_RECURRING_SESSIONS`), :class:`SessionOverlap` (any day clashes
    with a session of the offering — nothing is created), :class:`OfferingNotOpen`.
    """
    hours = _hours(data.starts_at, data.ends_at, data.hours)
    if data.mode == "live" and not data.join_url.startswith("https://"):
        raise TrainingInvalid("直播课次须填写以 https:// 开头的直播链接 join_url", field="join_url")
    try:
        days, skipped = recurring_days(data.first_day, data.last_day, data.weekdays, data.skip_dates)
    except ValueError as exc:
        raise TrainingInvalid(str(exc), field="weekdays") from None
    if not days:
        raise TrainingInvalid("所选日期范围内没有符合条件的上课日期", field="weekdays")
    async with atomic():
        await _lock_row(_LOCK_OFFERING_SQL, offering_id)
        offering = await _offering_row(offering_id)
        if offering["status"] in ("completed", "cancelled"):
            raise OfferingNotOpen(f"班级 {offering_id} 已结业或已取消，不能再排课")
        _in_offering(offering, days[0])
        _in_offering(offering, days[-1])
        for day in days:
            await _same_day_overlap(offering_id, day, data.starts_at, data.ends_at)
        inserted = await Session.insert(
            *(
                Session(
                    offering=offering_id,
                    day=day,
                    starts_at=data.starts_at,
                    ends_at=data.ends_at,
                    hours=hours,
                    topic=data.topic.strip(),
                    status="scheduled",
                    mode=data.mode,
                    join_url=data.join_url.strip(),
                )
                for day in days
            )
        ).returning(Session.id)
        ids = [r["id"] for r in inserted]
        rows = await Session.select().where(Session.id.is_in(ids)).order_by(Session.day).order_by(Session.id)
        for row in rows:
            await schedule_session_reminder(row, times, now)
    return RecurringSessionsResult(sessions=[_session_out(r) for r in rows], skipped=skipped)


async def _changeable(session_id: int) -> tuple[dict[str, Any], dict[str, Any]]:
    session = await Session.select().where(Session.id == session_id).first()
    if session is None:
        raise TrainingNotFound(f"课次 {session_id} 不存在", session_id=session_id)
    offering = await _offering_row(session["offering"])
    if offering["status"] in ("completed", "cancelled"):
        raise OfferingNotOpen(f"班级 {offering['id']} 已结业或已取消，不能调整课次")
    if session["status"] == "cancelled":
        raise OfferingNotOpen(f"课次 {session_id} 已取消", session_id=session_id)
    if await Attendance.exists().where(Attendance.session == session_id):
        raise SessionHasAttendance(f"课次 {session_id} 已有考勤记录，不能调整或取消", session_id=session_id)
    return session, offering


async def move_session(
    session_id: int, data: SessionMoveIn, *, times: SessionTimes, now: dt.datetime
) -> SessionOut:
    """Move a session (调课) to another local day and time within the offering's dates, and tell
    the confirmed enrollees (``session_moved``, with ``data.reason``); the reminder follows the new
    day. The session must not overlap another of the offering, and every trainer assigned to it
    must be free at the new time (their rows locked, as in :func:`training.assign_trainer`).

    The new start (local ``day`` + ``starts_at`` in ``times.zone``) must not be before ``now``:
    a move reschedules a session still to come. Moving into the past would fabricate a held
    session — with nobody able to attend it — and let the class be completed at once (fresh-user
    trial). A session that was really held at another time is recorded with
    :func:`training.add_session` (allowed in the past, within the class's dates: the class has
    then started), not by moving a future one.

    Raises :class:`TrainingNotFound`, :class:`TrainingInvalid`, :class:`SessionInPast` (new
    start before ``now``), :class:`SessionOverlap`, :class:`training.TrainerUnavailable`,
    :class:`OfferingNotOpen` (offering closed or session cancelled),
    :class:`SessionHasAttendance` (attendance already recorded).
    """
    _require_aware(now)
    hours = _hours(data.starts_at, data.ends_at, data.hours)
    new_start = times.instant(data.day, data.starts_at)
    if new_start < now:
        local_now = now.astimezone(times.zone)
        raise SessionInPast(
            f"不能把课次调到已过去的时间（{data.day} {data.starts_at:%H:%M}），"
            f"现在是 {local_now:%Y-%m-%d %H:%M}；已上过的课请用“排课”补录",
            field="day",
        )
    async with atomic():
        await _lock_row(_LOCK_OFFERING_SQL, (await _changeable(session_id))[0]["offering"])
        session, offering = await _changeable(session_id)
        _in_offering(offering, data.day)
        if (session["day"], session["starts_at"], session["ends_at"]) == (
            data.day,
            data.starts_at,
            data.ends_at,
        ):
            raise SessionOverlap("新的上课时间与原时间相同", session_id=session_id)
        await _same_day_overlap(offering["id"], data.day, data.starts_at, data.ends_at, exclude=session_id)
        # the session row first (a concurrent assignment holds it shared), then its trainers
        await Session.update(
            {
                Session.day: data.day,
                Session.starts_at: data.starts_at,
                Session.ends_at: data.ends_at,
                Session.hours: hours,
                Session.note: data.reason,
            }
        ).where(Session.id == session_id)
        await ensure_trainers_free(session_id, data.day, data.starts_at, data.ends_at)
        moved = await Session.select().where(Session.id == session_id).first()
        assert moved is not None
        await record_notice(
            "session_moved",
            session_id,
            {
                "day": data.day.isoformat(),
                "starts_at": data.starts_at.strftime("%H:%M"),
                "ends_at": data.ends_at.strftime("%H:%M"),
                "from_day": session["day"].isoformat(),
                "from_starts_at": session["starts_at"].strftime("%H:%M"),
                "reason": data.reason,
            },
        )
        await schedule_session_reminder(moved, times, now)
    return _session_out(moved)


async def cancel_session(session_id: int, data: SessionCancelIn, *, now: dt.datetime) -> SessionOut:
    """Cancel a session (停课): it stays listed with status ``cancelled`` and the reason, no
    longer counts (schedule, completion, overlaps, trainers' time), and the confirmed enrollees
    are told (``session_cancelled``). Raises :class:`TrainingNotFound`, :class:`OfferingNotOpen`
    (offering closed or already cancelled), :class:`SessionHasAttendance` (attendance already
    recorded)."""
    _require_aware(now)
    async with atomic():
        await _lock_row(_LOCK_OFFERING_SQL, (await _changeable(session_id))[0]["offering"])
        session, _ = await _changeable(session_id)
        await Session.update({Session.status: "cancelled", Session.note: data.reason}).where(
            Session.id == session_id
        )
        await record_notice(
            "session_cancelled",
            session_id,
            {
                "day": session["day"].isoformat(),
                "starts_at": session["starts_at"].strftime("%H:%M"),
                "ends_at": session["ends_at"].strftime("%H:%M"),
                "reason": data.reason,
            },
        )
        cancelled = await Session.select().where(Session.id == session_id).first()
    assert cancelled is not None
    return _session_out(cancelled)
