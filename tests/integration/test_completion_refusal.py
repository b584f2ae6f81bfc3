"""``training.completion_refusal`` — the one answer to "why would 结业 be refused now", used by
``complete_offering``'s refusal and by the base's class page (which disables the button with its
message): in every case the refusal it returns is the very error the completion raises, code,
message and detail, and ``None`` exactly when the completion goes ahead. On PostgreSQL."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from talent_pool.errors import Conflict
from tests.factories import OFFERING_START, make_offering, register_people
from training import (
    CourseHoursNotHeld,
    NothingHeld,
    OfferingNotStarted,
    SessionsNotOver,
    add_session,
    complete_offering,
    completion_refusal,
    enroll,
)
from training.schemas import SessionIn

DAY = OFFERING_START  # 2026-12-01
BEFORE = dt.datetime(2026, 11, 30, 1, 0, tzinfo=dt.UTC)


def local(day: dt.date, hour: int) -> dt.datetime:
    """The aware UTC instant of a Jinan wall time."""
    return dt.datetime.combine(day, dt.time(hour), tzinfo=ZoneInfo("Asia/Shanghai")).astimezone(dt.UTC)


async def _agree(oid: int, now: dt.datetime) -> Conflict | None:
    """The refusal at ``now``, after checking ``complete_offering`` raises exactly it (or goes
    ahead when there is none)."""
    refusal = await completion_refusal(oid, now=now)
    if refusal is None:
        report = await complete_offering(oid, completed_on=now.date(), now=now)
        assert not report.already_completed
        return None
    with pytest.raises(type(refusal)) as caught:
        await complete_offering(oid, completed_on=now.date(), now=now)
    assert (caught.value.code, caught.value.message, caught.value.detail) == (
        refusal.code,
        refusal.message,
        refusal.detail,
    )
    return refusal


async def test_a_class_without_sessions_or_lessons_is_refused_as_not_held(db: None) -> None:
    oid = await make_offering(hours="4")
    (person,) = await register_people(1)
    await enroll(oid, person, now=BEFORE, today=BEFORE.date())
    before = await _agree(oid, local(DAY - dt.timedelta(days=1), 12))  # the day before it starts
    assert isinstance(before, OfferingNotStarted)
    assert before.message == f"班级 {oid} 尚未开班（2026-12-01 开班），开班前不能结业"
    refusal = await _agree(oid, local(DAY, 12))
    assert isinstance(refusal, NothingHeld) and refusal.code == "offering_not_held"
    assert refusal.message == (
        f"班级 {oid} 没有已上的课次，课程也没有线上课件，无人可能结业，不能结业；请先排课并记录考勤"
    )


async def test_a_class_is_refused_until_its_last_session_ends_then_completes(db: None) -> None:
    oid = await make_offering(hours="4")
    (person,) = await register_people(1)
    await enroll(oid, person, now=BEFORE, today=BEFORE.date())
    await add_session(oid, SessionIn(day=DAY, starts_at=dt.time(9), ends_at=dt.time(13)))
    later = DAY + dt.timedelta(days=2)
    await add_session(oid, SessionIn(day=later, starts_at=dt.time(9), ends_at=dt.time(13)))
    refusal = await _agree(oid, local(DAY, 14))
    assert isinstance(refusal, SessionsNotOver) and refusal.code == "sessions_not_over"
    assert refusal.message == (
        f"班级 {oid} 还有 1 次课未结束（最后一次课 2026-12-03 13:00 结束），全部课次结束后才能结业"
    )
    assert await _agree(oid, local(later, 13)) is None  # the last one ended exactly now: completed
    assert await completion_refusal(oid, now=local(later, 14)) is None  # completed: nothing to refuse


async def test_a_schedule_short_of_the_course_is_refused_with_its_hours(db: None) -> None:
    oid = await make_offering(hours="16")
    await add_session(oid, SessionIn(day=DAY, starts_at=dt.time(9), ends_at=dt.time(13)))
    refusal = await _agree(oid, local(DAY, 14))
    assert isinstance(refusal, CourseHoursNotHeld)
    assert refusal.message.startswith(f"班级 {oid} 不能结业：班级仅安排 4.0 学时，课程要求 16.0 学时")
