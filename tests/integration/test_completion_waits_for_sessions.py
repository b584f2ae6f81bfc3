"""Completion (结业) waits until every scheduled session has ended (fresh-user trial, HIGH): a
class completed before its sessions were held gave trainees training records — and a class
completed while a session ran left people 未结业 for good. On PostgreSQL; each test failed before
the fix."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from talent_pool import count_rows
from talent_pool.tables import TrainingRecord
from tests.factories import OFFERING_START, make_offering, register_people
from training import (
    SessionsNotOver,
    SessionTimes,
    add_session,
    cancel_session,
    complete_offering,
    enroll,
    get_offering,
    record_attendance,
)
from training.attendance_schemas import SessionCancelIn
from training.schemas import SessionIn
from training.tables import Enrollment

DAY = OFFERING_START  # 2026-12-01
LAST = DAY + dt.timedelta(days=2)
BEFORE = dt.datetime(2026, 11, 30, 1, 0, tzinfo=dt.UTC)


def local(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    """The aware UTC instant of a Jinan wall time."""
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=ZoneInfo("Asia/Shanghai")).astimezone(
        dt.UTC
    )


async def two_sessions_one_present() -> tuple[int, int, int]:
    """An offering with sessions 09:00–12:00 on DAY and 14:00–15:00 on LAST, one trainee present
    at the first; returns (offering, practitioner, last session id)."""
    oid = await make_offering(hours="4")
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
    oid, _, last = await two_sessions_one_present()
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
