"""Defects a tester found in training (each test failed before its fix), on real PostgreSQL."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

import training
from talent_pool import Conflict, ValidationFailed, count_rows, training_hours
from talent_pool.tables import TrainingRecord
from tests.factories import OFFERING_START, make_offering, register_people
from training import (
    AttendanceRejected,
    OfferingNotOpen,
    TrainingNotFound,
    add_session,
    cancel_enrollment,
    complete_offering,
    default_completion_date,
    enroll,
    enrollments_of_practitioner,
    get_enrollment,
    get_offering,
    get_session,
    list_enrollments,
    list_offerings,
    list_sessions,
    record_attendance,
)
from training.schemas import SessionIn
from training.tables import Attendance, Enrollment

NOW = dt.datetime(2026, 12, 2, 1, 0, tzinfo=dt.UTC)
START = OFFERING_START
AFTER = dt.date(2099, 12, 31)  # a local date after every session: attendance recorded afterwards
END = START + dt.timedelta(days=6)
NAMES = ["张一", "王二", "李三", "赵四", "刘五", "陈六"]


async def people(n: int) -> list[int]:
    """``n`` registered practitioners named from :data:`NAMES`, in order."""
    return await register_people(n, names=NAMES)


async def offering(capacity: int = 5, hours: str = "16") -> int:
    """A one-week offering 岗前培训第1期 of 幼儿照护岗前培训 (``hours``, default 16 h) at
    历下区托育实训基地."""
    return await make_offering(
        capacity, base_name="历下区托育实训基地", title="岗前培训第1期", end=END, hours=hours
    )


async def session(oid: int, day: dt.date, hours: int = 4) -> int:
    out = await add_session(oid, SessionIn(day=day, starts_at=dt.time(8), ends_at=dt.time(8 + hours)))
    return out.id


# 1 ----------------------------------------------------------------- future sessions


async def test_attendance_for_a_future_session_is_rejected(db: None) -> None:
    oid = await offering()
    (a,) = await people(1)
    await enroll(oid, a, now=NOW, today=NOW.date())
    today_session = await session(oid, START + dt.timedelta(days=1))
    future = await session(oid, START + dt.timedelta(days=2))
    today = START + dt.timedelta(days=1)
    with pytest.raises(ValidationFailed) as err:
        await record_attendance(future, [{"practitioner_id": a}], recorded_by="t", now=NOW, today=today)
    assert "课次尚未开始" in err.value.message
    assert await count_rows(Attendance) == 0
    report = await record_attendance(
        today_session, [{"practitioner_id": a}], recorded_by="t", now=NOW, today=today
    )
    assert report.present == 1
    # without ``today`` the check is the caller's business (backward compatible)
    await record_attendance(future, [{"practitioner_id": a}], recorded_by="t", now=NOW, today=AFTER)
    assert await count_rows(Attendance) == 2


# 2 ----------------------------------------------------------------- enrollment deadline


async def test_enrolling_after_the_end_date_is_closed(db: None) -> None:
    oid = await offering()
    a, b = await people(2)
    with pytest.raises(OfferingNotOpen) as err:
        await enroll(oid, a, now=NOW, today=END + dt.timedelta(days=1))
    assert isinstance(err.value, Conflict) and "报名已截止" in err.value.message
    assert await count_rows(Enrollment) == 0
    assert (await get_offering(oid)).confirmed_count == 0
    assert (await enroll(oid, a, now=NOW, today=END)).status == "confirmed"  # last day still open
    assert (await enroll(oid, b, now=NOW, today=NOW.date())).status == "confirmed"


# 3 ----------------------------------------------------------------- strict attendance rows


async def test_present_yes_is_a_bad_row_and_nothing_is_written(db: None) -> None:
    oid = await offering()
    a, b = await people(2)
    ea = await enroll(oid, a, now=NOW, today=NOW.date())
    await enroll(oid, b, now=NOW, today=NOW.date())
    s1 = await session(oid, START)
    with pytest.raises(AttendanceRejected) as err:
        await record_attendance(
            s1,
            [
                {"practitioner_id": b, "present": True},
                {"enrollment_id": ea.id, "present": "yes"},
                {"enrollment_id": str(ea.id), "present": True},
            ],
            recorded_by="t",
            now=NOW,
            today=AFTER,
        )
    assert [r["row"] for r in err.value.rows] == [2, 3]  # numbered from 1, as people count rows
    assert await count_rows(Attendance) == 0


# 5 ----------------------------------------------------------------- completion date & waitlist


async def test_default_completion_date(db: None) -> None:
    oid = await offering(hours="8")  # the two 4 h sessions deliver the course
    assert await default_completion_date(oid, START) == START  # no sessions yet
    await session(oid, START)
    last = await session(oid, START + dt.timedelta(days=3))
    last_day = (await get_session(last)).day
    assert await default_completion_date(oid, dt.date(2027, 1, 15)) == last_day  # counts in 2026
    assert await default_completion_date(oid, last_day) == last_day
    assert await default_completion_date(oid, START + dt.timedelta(days=1)) == START + dt.timedelta(days=1)
    with pytest.raises(TrainingNotFound):
        await default_completion_date(99999, START)
    done_on = await default_completion_date(oid, dt.date(2027, 1, 15))
    in_january = dt.datetime(2027, 1, 15, 2, 0, tzinfo=dt.UTC)  # completion entered on 15 January
    report = await complete_offering(oid, completed_on=done_on, now=in_january)
    assert report.completed_on == dt.date(2026, 12, 4)


async def test_completion_closes_the_waitlist_as_not_admitted(db: None) -> None:
    oid = await offering(capacity=1, hours="4")  # its one 4 h session delivers the course
    a, w1, w2 = await people(3)
    await enroll(oid, a, now=NOW, today=NOW.date())
    e1 = await enroll(oid, w1, now=NOW, today=NOW.date())
    e2 = await enroll(oid, w2, now=NOW, today=NOW.date())
    assert (e1.status, e2.status) == ("waitlisted", "waitlisted")
    s1 = await session(oid, START)
    await record_attendance(s1, [{"practitioner_id": a}], recorded_by="t", now=NOW, today=AFTER)
    report = await complete_offering(oid, completed_on=START, now=NOW)
    assert (report.completed, report.not_completed) == (1, 0)
    assert report.not_admitted == report.waitlisted == 2
    assert report.not_admitted_ids == [e1.id, e2.id]
    for eid in (e1.id, e2.id):
        closed = await get_enrollment(eid)
        assert closed.status == "not_admitted" and closed.waitlist_position is None
        assert "未录取" in closed.outcome_reason and closed.status_changed_at == NOW
    assert await count_rows(TrainingRecord) == 1
    assert await training_hours(w1) == Decimal(0)
    assert [e.status for e in await enrollments_of_practitioner(w2)] == ["not_admitted"]
    with pytest.raises(Conflict):
        await cancel_enrollment(e1.id, now=NOW)
    again = await complete_offering(oid, completed_on=START, now=NOW)
    assert again.already_completed and again.not_admitted_ids == [e1.id, e2.id]
    assert await count_rows(TrainingRecord) == 1
    roster = await list_enrollments(oid)
    assert [e.status for e in roster] == ["completed", "not_admitted", "not_admitted"]


# 6 ----------------------------------------------------------------- information for trainees


async def test_offering_out_tells_trainees_what_they_need(db: None) -> None:
    oid = await offering(capacity=3)
    a, b = await people(2)
    for p in (a, b):
        await enroll(oid, p, now=NOW, today=NOW.date())
    await session(oid, START)
    await session(oid, START + dt.timedelta(days=1))
    out = await get_offering(oid)
    assert (out.training_base_name, out.district_code, out.district_name) == (
        "历下区托育实训基地",
        "370102",
        "历下区",
    )
    assert (out.course_title, out.course_category, out.course_hours) == (
        "幼儿照护岗前培训",
        "pre_job",
        Decimal("16.0"),
    )
    assert (out.capacity, out.confirmed_count, out.seats_left, out.session_count) == (3, 2, 1, 2)
    assert out.title == "岗前培训第1期" and out.status == "open"  # existing fields kept
    (listed,) = await list_offerings(open_only=True)
    assert listed == out
    dumped = out.model_dump(mode="json")
    assert dumped["seats_left"] == 1 and dumped["course_hours"] == "16.0"


async def test_enrollment_out_names_and_roster_order(db: None) -> None:
    oid = await offering(capacity=2)
    a, b, c, d, e = await people(5)
    ea = await enroll(oid, a, now=NOW, today=NOW.date())
    assert (ea.offering_title, ea.practitioner_name) == ("岗前培训第1期", "张一")
    for p in (b, c, d, e):
        await enroll(oid, p, now=NOW, today=NOW.date())
    waitlisted_c = next(x for x in await list_enrollments(oid) if x.practitioner_id == c)
    await cancel_enrollment(waitlisted_c.id, now=NOW)  # leaves the waitlist
    result = await cancel_enrollment(ea.id, now=NOW)  # frees a seat: d moves up
    assert result.promoted is not None and result.promoted.practitioner_name == "赵四"
    assert result.enrollment.practitioner_name == "张一"
    roster = await list_enrollments(oid)
    assert [(x.practitioner_name, x.status, x.waitlist_position) for x in roster] == [
        ("王二", "confirmed", None),
        ("赵四", "confirmed", None),
        ("刘五", "waitlisted", 1),
        ("张一", "cancelled", None),
        ("李三", "cancelled", None),
    ]
    mine = await enrollments_of_practitioner(e)
    assert [(x.offering_title, x.practitioner_name) for x in mine] == [("岗前培训第1期", "刘五")]
    assert (await get_enrollment(roster[0].id)).offering_title == "岗前培训第1期"


# 7 ----------------------------------------------------------------- sessions


async def test_get_session_and_list_sessions_are_exported(db: None) -> None:
    assert "get_session" in training.__all__ and "list_sessions" in training.__all__
    assert "default_completion_date" in training.__all__
    oid = await offering()
    sid = await session(oid, START, hours=3)
    one = await get_session(sid)
    assert (one.id, one.offering_id, one.day, one.hours) == (sid, oid, START, Decimal("3.00"))
    assert await list_sessions(oid) == [one]
    with pytest.raises(TrainingNotFound):
        await get_session(99999)
