"""Completion (结业) waits until every scheduled session has ended (fresh-user trial, HIGH): a
class completed before its sessions were held gave trainees training records — and a class
completed while a session ran left people 未结业 for good. On PostgreSQL; each test failed before
the fix."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

import asyncpg
import pytest

from talent_pool import count_rows
from talent_pool.db import atomic
from talent_pool.tables import TrainingRecord
from tests.factories import OFFERING_START, make_offering, register_people
from training import (
    CourseHoursNotHeld,
    OfferingNotOpen,
    SessionsNotOver,
    SessionTimes,
    add_session,
    cancel_session,
    complete_offering,
    enroll,
    get_offering,
    move_session,
    record_attendance,
)
from training.attendance_schemas import SessionCancelIn, SessionMoveIn
from training.schemas import SessionIn
from training.tables import Enrollment, Session

DAY = OFFERING_START  # 2026-12-01
LAST = DAY + dt.timedelta(days=2)
BEFORE = dt.datetime(2026, 11, 30, 1, 0, tzinfo=dt.UTC)


def local(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    """The aware UTC instant of a Jinan wall time."""
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=ZoneInfo("Asia/Shanghai")).astimezone(
        dt.UTC
    )


async def two_sessions_one_present(course_hours: str = "4") -> tuple[int, int, int]:
    """An offering (course of ``course_hours``) with sessions 09:00–12:00 on DAY and 14:00–15:00
    on LAST, one trainee present at the first; returns (offering, practitioner, last session id)."""
    oid = await make_offering(hours=course_hours)
    (person,) = await register_people(1)
    await enroll(oid, person, now=BEFORE, today=BEFORE.date())
    first = await add_session(oid, SessionIn(day=DAY, starts_at=dt.time(9), ends_at=dt.time(12)))
    last = await add_session(oid, SessionIn(day=LAST, starts_at=dt.time(14), ends_at=dt.time(15)))
    await record_attendance(
        first.id, [{"practitioner_id": person}], recorded_by="t", now=local(DAY, 12), today=DAY
    )
    return oid, person, last.id


@pytest.mark.parametrize(
    ("now", "pending"),
    [
        (local(DAY, 8, 50), 2),  # before the first session (check-in already open)
        (local(DAY, 10), 2),  # during the first
        (local(LAST, 14, 59), 1),  # during the last
    ],
)
async def test_completion_is_refused_until_the_last_session_has_ended(
    db: None, now: dt.datetime, pending: int
) -> None:
    oid, _, _ = await two_sessions_one_present()
    with pytest.raises(SessionsNotOver) as caught:
        await complete_offering(oid, completed_on=LAST, now=now)
    assert caught.value.message == (
        f"班级 {oid} 还有 {pending} 次课未结束（最后一次课 2026-12-03 15:00 结束），全部课次结束后才能结业"
    )
    assert caught.value.detail["pending_sessions"] == pending
    assert caught.value.detail["last_ends_at"] == "2026-12-03T07:00:00+00:00"
    # nothing written: the class is still open, the seat confirmed, no training record
    assert (await get_offering(oid)).status == "open"
    assert [r["status"] for r in await Enrollment.select(Enrollment.status)] == ["confirmed"]
    assert await count_rows(TrainingRecord) == 0
    report = await complete_offering(oid, completed_on=LAST, now=local(LAST, 15))  # ended exactly now
    assert report.scheduled_sessions == 2 and not report.already_completed


async def test_a_cancelled_session_does_not_hold_completion_back(db: None) -> None:
    oid, _, last = await two_sessions_one_present(course_hours="3")  # the 3 h held deliver it
    await cancel_session(last, SessionCancelIn(reason="停电"), now=local(DAY, 13))
    report = await complete_offering(oid, completed_on=DAY, now=local(DAY, 13))
    assert (report.scheduled_sessions, report.completed) == (1, 1)


async def test_session_end_is_read_in_the_business_zone_given(db: None) -> None:
    """15:00 in Jinan is 07:00 UTC; in a zone 8 hours behind Jinan the same wall time is later."""
    oid, _, _ = await two_sessions_one_present()
    utc = SessionTimes(zone=ZoneInfo("UTC"))
    with pytest.raises(SessionsNotOver):
        await complete_offering(oid, completed_on=LAST, now=local(LAST, 15), times=utc)
    done = await complete_offering(
        oid, completed_on=LAST, now=dt.datetime(2026, 12, 3, 15, 0, tzinfo=dt.UTC), times=utc
    )
    assert (done.scheduled_sessions, done.already_completed) == (2, False)


# --------------------------------------------------------------------------- moves in flight
# Completion and a move (调课) of one offering are serialised on the offering row. Each test
# runs one of them in a transaction it keeps open, starts the other, waits until that one
# either finished or waits on a lock (pg_stat_activity), then commits: the order is fixed, not
# left to timing. Without the lock the second one finishes inside the first one's transaction
# and decides on what it can see — the state before the first one's change.

AFTER = local(LAST, 16)  # every session of two_sessions_one_present has ended
T = TypeVar("T")


def _later(go: asyncio.Event, work: Callable[[], Awaitable[T]]) -> asyncio.Task[T]:
    """``work`` as a task that starts once ``go`` is set. Created before the caller's
    transaction opens, so it does not join it (the transaction is in the task's context)."""

    async def run() -> T:
        await go.wait()
        return await work()

    return asyncio.create_task(run())


async def _blocked(url: str, task: asyncio.Task[Any]) -> bool:
    """Wait until ``task`` is done (False) or a transaction of this database waits on a lock
    (True)."""
    conn = await asyncpg.connect(url)
    try:
        for _ in range(6000):  # a guard against hanging, not a timed assertion
            if task.done():
                return False
            waiting = await conn.fetchval(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
            if waiting:
                return True
            await asyncio.sleep(0.01)
    finally:
        await conn.close()
    raise AssertionError("the concurrent call neither finished nor waited on a lock")


def _move(day: dt.date, starts: int, ends: dt.time) -> SessionMoveIn:
    return SessionMoveIn(day=day, starts_at=dt.time(starts), ends_at=ends, reason="教室检修")


async def test_a_move_after_completion_began_waits_and_is_refused(db: None, test_db_url: str) -> None:
    """The trial's race: completion checks that every session has ended while a move puts one
    into the future — without the lock both succeed, and the class is completed with a session
    still to be held."""
    oid, _, last = await two_sessions_one_present()
    go = asyncio.Event()
    future = LAST + dt.timedelta(days=2)
    moving = _later(
        go, lambda: move_session(last, _move(future, 14, dt.time(15)), times=SessionTimes(), now=AFTER)
    )
    async with atomic():
        report = await complete_offering(oid, completed_on=LAST, now=AFTER)
        go.set()
        waited = await _blocked(test_db_url, moving)
    with pytest.raises(OfferingNotOpen):
        await moving
    assert waited and not report.already_completed
    assert (await get_offering(oid)).status == "completed"
    assert await Session.select(Session.day).where(Session.id == last).first() == {"day": LAST}


async def test_completion_after_a_move_began_waits_and_sees_the_moved_session(
    db: None, test_db_url: str
) -> None:
    oid, _, last = await two_sessions_one_present()
    go = asyncio.Event()
    completing = _later(go, lambda: complete_offering(oid, completed_on=LAST, now=AFTER))
    async with atomic():
        await move_session(
            last, _move(LAST + dt.timedelta(days=2), 14, dt.time(15)), times=SessionTimes(), now=AFTER
        )
        go.set()
        waited = await _blocked(test_db_url, completing)
    with pytest.raises(SessionsNotOver):
        await completing
    assert waited
    assert (await get_offering(oid)).status == "open"
    assert await count_rows(TrainingRecord) == 0


async def test_completion_decides_on_the_hours_of_a_cancellation_that_committed_first(
    db: None, test_db_url: str
) -> None:
    """The last session (1 h, missed) of a 4.5 h course is cancelled while completion starts: it
    must decide on the 3 hours left — short of 80 % of the course's 4.5 h, so it is refused
    (:class:`CourseHoursNotHeld`) — not on the 4 hours it could read before the cancellation
    committed (enough to be held; the trainee closed 未结业 with 3 of 4.5 h). Failed before
    completion locked the offering row before reading the sessions. (It used to move the session
    back into the past; a move to a start before now is refused since —
    :class:`training.SessionInPast`. Until the rule measured attendance against the course's
    hours it expected a completion on 3 of 3 scheduled hours.)"""
    oid, _, last = await two_sessions_one_present(course_hours="4.5")
    go = asyncio.Event()
    completing = _later(go, lambda: complete_offering(oid, completed_on=LAST, now=AFTER))
    async with atomic():
        await cancel_session(last, SessionCancelIn(reason="教室检修"), now=AFTER)
        go.set()
        waited = await _blocked(test_db_url, completing)
    with pytest.raises(CourseHoursNotHeld) as refused:
        await completing
    assert waited
    assert refused.value.detail["scheduled_hours"] == "3.00"
    assert (await get_offering(oid)).status == "open"
    assert await count_rows(TrainingRecord) == 0
