"""Completion (结业) of a class that has not started (fresh-user trial, HIGH): a class starting
tomorrow, with no sessions, was completed at once and closed every enrolled person 未结业, dated
today — before the class's own start — while the preview showed another date; a future session
moved into the past let the class complete at once; a move refused for attendance answered
``offering_not_open``. On PostgreSQL; each test failed before the fix."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from talent_pool import count_rows
from talent_pool.tables import TrainingRecord
from tests.factories import make_offering, register_people
from training import (
    NothingHeld,
    OfferingNotStarted,
    SessionHasAttendance,
    SessionInPast,
    SessionTimes,
    add_lesson,
    add_session,
    complete_offering,
    completion_preview,
    default_completion_date,
    enroll,
    get_offering,
    move_session,
    record_attendance,
)
from training.attendance_schemas import SessionMoveIn
from training.online_schemas import LessonIn
from training.schemas import SessionIn
from training.tables import Enrollment

TIMES = SessionTimes()
TODAY = dt.date(2026, 12, 1)
TOMORROW = TODAY + dt.timedelta(days=1)
NOW = dt.datetime.combine(TODAY, dt.time(10), tzinfo=ZoneInfo("Asia/Shanghai")).astimezone(dt.UTC)


async def class_starting_tomorrow(*, with_lesson: bool) -> tuple[int, int]:
    """The trial's class: starts tomorrow, ends in 20 days, one person enrolled, no sessions;
    returns (offering, enrollment)."""
    # with a lesson: an online-only class whose 10-minute lesson covers the course's 0.1 h (a
    # 16-hour course with 10 minutes of lessons cannot be completed: course_hours_not_held)
    hours = "0.1" if with_lesson else "16"
    oid = await make_offering(3, hours=hours, start=TOMORROW, end=TOMORROW + dt.timedelta(days=20))
    if with_lesson:  # the demo's course 1 has online lessons
        course = (await get_offering(oid)).course_id
        await add_lesson(
            course, LessonIn(title="回应性照护", media="yezh-01.mp4", duration_seconds=600), media_base="/c"
        )
    (person,) = await register_people(1)
    eid = (await enroll(oid, person, now=NOW, today=TODAY)).id
    return oid, eid


@pytest.mark.parametrize("with_lesson", [True, False])
async def test_a_class_cannot_be_completed_before_its_start_date(db: None, with_lesson: bool) -> None:
    oid, _ = await class_starting_tomorrow(with_lesson=with_lesson)
    with pytest.raises(OfferingNotStarted) as caught:
        await complete_offering(oid, completed_on=TODAY, now=NOW, times=TIMES)
    assert caught.value.code == "offering_not_started"
    assert caught.value.message == f"班级 {oid} 尚未开班（{TOMORROW} 开班），开班前不能结业"
    assert caught.value.detail["start_date"] == TOMORROW.isoformat()
    # nothing written: class open, the seat confirmed, no training record
    assert (await get_offering(oid)).status == "open"
    assert [r["status"] for r in await Enrollment.select(Enrollment.status)] == ["confirmed"]
    assert await count_rows(TrainingRecord) == 0


async def test_a_started_class_with_no_session_and_no_lesson_cannot_be_completed(db: None) -> None:
    oid, _ = await class_starting_tomorrow(with_lesson=False)
    later = NOW + dt.timedelta(days=3)
    with pytest.raises(NothingHeld) as caught:
        await complete_offering(oid, completed_on=TOMORROW, now=later, times=TIMES)
    assert caught.value.code == "offering_not_held"
    assert "没有已上的课次" in caught.value.message
    assert [r["status"] for r in await Enrollment.select(Enrollment.status)] == ["confirmed"]


async def test_an_online_only_class_completes_by_lessons_once_started(db: None) -> None:
    oid, _ = await class_starting_tomorrow(with_lesson=True)
    later = NOW + dt.timedelta(days=3)
    today = (later.astimezone(TIMES.zone)).date()
    report = await complete_offering(
        oid, completed_on=await default_completion_date(oid, today), now=later, times=TIMES
    )
    assert (report.scheduled_sessions, report.not_completed, report.completed_on) == (0, 1, today)


async def test_preview_and_completion_agree_on_the_completion_date(db: None) -> None:
    """The preview said the class's end date, the completion recorded today."""
    oid, _ = await class_starting_tomorrow(with_lesson=True)
    later = NOW + dt.timedelta(days=3)
    today = later.astimezone(TIMES.zone).date()
    preview = await completion_preview(oid, today=today)
    done_on = await default_completion_date(oid, today)
    report = await complete_offering(oid, completed_on=done_on, now=later, times=TIMES)
    assert preview.completed_on == report.completed_on == today
    # an online-only class completed long after it ended counts on its end date, in both
    oid2 = await make_offering(3, course_code="LATE", start=TODAY, end=TOMORROW)
    course = (await get_offering(oid2)).course_id
    await add_lesson(course, LessonIn(title="课", media="a.mp4", duration_seconds=60), media_base="/c")
    january = dt.date(2027, 1, 15)
    assert (await completion_preview(oid2, today=january)).completed_on == TOMORROW
    assert await default_completion_date(oid2, january) == TOMORROW
    # with sessions: the last session's day in both
    session = await add_session(oid2, SessionIn(day=TODAY, starts_at=dt.time(9), ends_at=dt.time(10)))
    assert session.day == TODAY
    assert (await completion_preview(oid2, today=january)).completed_on == TODAY
    assert await default_completion_date(oid2, january) == TODAY


async def test_a_session_cannot_be_moved_into_the_past(db: None) -> None:
    oid = await make_offering(3, start=TODAY - dt.timedelta(days=2), end=TOMORROW + dt.timedelta(days=20))
    (person,) = await register_people(1)
    await enroll(oid, person, now=NOW, today=TODAY)
    future = await add_session(
        oid, SessionIn(day=TOMORROW, starts_at=dt.time(9), ends_at=dt.time(12)), times=TIMES, now=NOW
    )
    yesterday = TODAY - dt.timedelta(days=1)
    with pytest.raises(SessionInPast) as caught:
        await move_session(
            future.id,
            SessionMoveIn(day=yesterday, starts_at=dt.time(17), ends_at=dt.time(18), reason="调课"),
            times=TIMES,
            now=NOW,
        )
    assert caught.value.code == "session_in_past"
    assert caught.value.message.startswith(f"不能把课次调到已过去的时间（{yesterday} 17:00）")
    # earlier today (09:00 < now 10:00) is past as well; the session is unchanged
    with pytest.raises(SessionInPast):
        await move_session(
            future.id,
            SessionMoveIn(day=TODAY, starts_at=dt.time(9), ends_at=dt.time(9, 30), reason="调课"),
            times=TIMES,
            now=NOW,
        )
    # so the class cannot be completed at once
    with pytest.raises(Exception, match="未结束"):
        await complete_offering(oid, completed_on=TODAY, now=NOW, times=TIMES)
    # a later start today is fine
    moved = await move_session(
        future.id,
        SessionMoveIn(day=TODAY, starts_at=dt.time(15), ends_at=dt.time(16), reason="调课"),
        times=TIMES,
        now=NOW,
    )
    assert (moved.day, moved.starts_at) == (TODAY, dt.time(15))


async def test_moving_a_session_with_attendance_has_its_own_code(db: None) -> None:
    oid = await make_offering(3, start=TODAY, end=TOMORROW + dt.timedelta(days=5))
    (person,) = await register_people(1)
    await enroll(oid, person, now=NOW, today=TODAY)
    s = await add_session(oid, SessionIn(day=TODAY, starts_at=dt.time(8), ends_at=dt.time(9)))
    await record_attendance(s.id, [{"practitioner_id": person}], recorded_by="t", now=NOW, today=TODAY)
    with pytest.raises(SessionHasAttendance) as caught:
        await move_session(
            s.id,
            SessionMoveIn(day=TOMORROW, starts_at=dt.time(9), ends_at=dt.time(10), reason="调课"),
            times=TIMES,
            now=NOW,
        )
    assert caught.value.code == "session_has_attendance"
    assert caught.value.message == f"课次 {s.id} 已有考勤记录，不能调整或取消"
