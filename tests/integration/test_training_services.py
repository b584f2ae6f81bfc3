"""training services on the real PostgreSQL database."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from talent_pool import Conflict, NotFound, ValidationFailed, count_rows, training_hours
from talent_pool.db import atomic
from talent_pool.tables import TrainingRecord
from tests.factories import OFFERING_START, make_offering, register_people, training_base
from training import (
    AlreadyEnrolled,
    AttendanceRejected,
    CompletionRule,
    DuplicateCode,
    NothingHeld,
    OfferingNotOpen,
    TrainingInvalid,
    TrainingNotFound,
    accredited_bases_by_district,
    add_session,
    cancel_enrollment,
    complete_offering,
    count_accredited_bases,
    create_course,
    create_offering,
    create_training_base,
    enroll,
    enrollments_of_practitioner,
    get_offering,
    list_courses,
    list_enrollments,
    list_offerings,
    list_sessions,
    list_training_bases,
    record_attendance,
)
from training import _completion as training_services
from training.schemas import CourseIn, OfferingIn, SessionIn, TrainingBaseIn
from training.tables import Attendance, Enrollment

NOW = dt.datetime(2026, 11, 29, 1, 0, tzinfo=dt.UTC)
START = OFFERING_START
AFTER = dt.date(2099, 12, 31)  # a local date after every session: attendance recorded afterwards
ENDED = dt.datetime(2026, 12, 8, 1, 0, tzinfo=dt.UTC)  # every session of the class week has ended


async def test_training_bases_and_the_indicator(db: None) -> None:
    with pytest.raises(TrainingInvalid) as err:
        await create_training_base(TrainingBaseIn(name="X", district_code="370199"))
    assert isinstance(err.value, ValidationFailed) and "370199" in err.value.message
    with pytest.raises(TrainingInvalid):  # retired address code is not a current district
        await create_training_base(TrainingBaseIn(name="X", district_code="370111"))
    await training_base()
    await training_base(district_code="370103")
    await training_base(accredited=False)
    await training_base(active=False)
    assert await count_accredited_bases() == 2
    assert await count_accredited_bases("370102") == 1
    assert await count_accredited_bases("370105") == 0
    by_district = await accredited_bases_by_district()
    assert by_district.get("370102") == 1 and sum(by_district.values()) == 2
    assert len(await list_training_bases()) == 4
    assert len(await list_training_bases("370103")) == 1


async def test_course_catalog(db: None) -> None:
    c = await create_course(
        CourseIn(code=" yezh-01 ", title="幼儿照护  基础", category="refresher", hours=Decimal("8"))
    )
    assert (c.code, c.title, c.hours) == ("YEZH-01", "幼儿照护 基础", Decimal("8.0"))
    with pytest.raises(DuplicateCode) as err:
        await create_course(CourseIn(code="YEZH-01", title="另一门", category="other", hours=Decimal("2")))
    assert isinstance(err.value, Conflict)
    with pytest.raises(ValueError):
        CourseIn(code="A", title="t", category="pre_job", hours=Decimal("1.25"))
    assert [x.code for x in await list_courses()] == ["YEZH-01"]


async def test_offering_validation(db: None) -> None:
    course = await create_course(CourseIn(code="C1", title="岗前", category="pre_job", hours=Decimal("16")))
    good = await training_base()
    unaccredited = await training_base(accredited=False)
    args = {"course_id": course.id, "start_date": START, "end_date": START, "capacity": 3}
    with pytest.raises(TrainingInvalid):
        await create_offering(OfferingIn.model_validate(args | {"training_base_id": unaccredited}))
    with pytest.raises(TrainingInvalid):
        await create_offering(
            OfferingIn.model_validate(args | {"training_base_id": good, "end_date": START - dt.timedelta(1)})
        )
    with pytest.raises(TrainingNotFound) as err:
        await create_offering(OfferingIn.model_validate(args | {"training_base_id": 9999}))
    assert isinstance(err.value, NotFound)
    with pytest.raises(ValueError):
        OfferingIn.model_validate(args | {"training_base_id": good, "capacity": 0})
    o = await create_offering(OfferingIn.model_validate(args | {"training_base_id": good}))
    assert (o.title, o.capacity, o.confirmed_count, o.status) == ("岗前", 3, 0, "open")
    assert [x.id for x in await list_offerings(open_only=True, training_base_id=good)] == [o.id]
    assert await list_offerings(training_base_id=unaccredited) == []


async def test_sessions(db: None) -> None:
    oid = await make_offering()
    s = await add_session(
        oid, SessionIn(day=START, starts_at=dt.time(9), ends_at=dt.time(9, 45), topic=" 喂养 ")
    )
    assert (s.hours, s.topic, s.offering_id) == (Decimal("0.75"), "喂养", oid)
    with pytest.raises(TrainingInvalid):  # outside the offering dates
        await add_session(
            oid, SessionIn(day=START - dt.timedelta(1), starts_at=dt.time(9), ends_at=dt.time(10))
        )
    with pytest.raises(TrainingInvalid):  # 50 minutes is not exact in hours
        await add_session(oid, SessionIn(day=START, starts_at=dt.time(9), ends_at=dt.time(9, 50)))
    with pytest.raises(TrainingInvalid):  # end before start
        await add_session(
            oid, SessionIn(day=START, starts_at=dt.time(9), ends_at=dt.time(8), hours=Decimal(1))
        )
    explicit = await add_session(  # inexact clock length: explicit hours, at most 50 minutes
        oid,
        SessionIn(day=START, starts_at=dt.time(8), ends_at=dt.time(8, 50), hours=Decimal("0.8")),
    )
    assert explicit.hours == Decimal("0.8")
    assert [x.id for x in await list_sessions(oid)] == [explicit.id, s.id]


async def test_enroll_waitlist_duplicate_and_errors(db: None) -> None:
    oid = await make_offering(capacity=2)
    a, b, c, d = await register_people(4)
    ea = await enroll(oid, a, now=NOW, today=NOW.date())
    eb = await enroll(oid, b, now=NOW, today=NOW.date())
    ec = await enroll(oid, c, now=NOW, today=NOW.date())
    ed = await enroll(oid, d, now=NOW, today=NOW.date())
    assert (ea.status, eb.status) == ("confirmed", "confirmed")
    assert ea.waitlist_position is None and ea.enrolled_at == NOW
    assert (ec.status, ec.waitlist_position, ed.waitlist_position) == ("waitlisted", 1, 2)
    with pytest.raises(AlreadyEnrolled) as err:
        await enroll(oid, c, now=NOW, today=NOW.date())
    assert isinstance(err.value, Conflict)
    with pytest.raises(TrainingNotFound):
        await enroll(oid, 99999, now=NOW, today=NOW.date())
    with pytest.raises(TrainingNotFound):
        await enroll(99999, a, now=NOW, today=NOW.date())
    with pytest.raises(TrainingInvalid):
        await enroll(oid, a, now=dt.datetime(2026, 11, 29, 9, 0), today=NOW.date())  # naive
    assert (await get_offering(oid)).confirmed_count == 2
    assert await count_rows(Enrollment) == 4
    listed = await list_enrollments(oid)
    assert [(e.practitioner_id, e.status, e.waitlist_position) for e in listed] == [
        (a, "confirmed", None),
        (b, "confirmed", None),
        (c, "waitlisted", 1),
        (d, "waitlisted", 2),
    ]
    mine = await enrollments_of_practitioner(d)
    assert [(e.offering_id, e.waitlist_position) for e in mine] == [(oid, 2)]


async def test_duplicate_inside_callers_transaction_keeps_it_usable(db: None) -> None:
    """The failed insert is rolled back to a savepoint: the caller's transaction goes on."""
    oid = await make_offering(capacity=1)
    a, b = await register_people(2)
    async with atomic():
        await enroll(oid, a, now=NOW, today=NOW.date())
        with pytest.raises(AlreadyEnrolled):
            await enroll(oid, a, now=NOW, today=NOW.date())
        second = await enroll(oid, b, now=NOW, today=NOW.date())
    assert second.status == "waitlisted"
    assert (await get_offering(oid)).confirmed_count == 1
    assert await count_rows(Enrollment) == 2


async def test_cancel_frees_seat_promotes_and_allows_reenroll(db: None) -> None:
    oid = await make_offering(capacity=1)
    a, b, c = await register_people(3)
    ea = await enroll(oid, a, now=NOW, today=NOW.date())
    eb = await enroll(oid, b, now=NOW, today=NOW.date())
    await enroll(oid, c, now=NOW, today=NOW.date())
    later = NOW + dt.timedelta(hours=1)
    result = await cancel_enrollment(ea.id, now=later)
    assert (result.previous_status, result.changed, result.seat_freed) == ("confirmed", True, True)
    assert result.enrollment.status == "cancelled"
    assert result.promoted is not None and result.promoted.id == eb.id
    assert result.promoted.status == "confirmed" and result.promoted.status_changed_at == later
    assert (await get_offering(oid)).confirmed_count == 1
    again = await cancel_enrollment(ea.id, now=later)
    assert (again.changed, again.seat_freed, again.promoted) == (False, False, None)
    # cancelling a waitlisted place frees no seat
    waitlisted = [e for e in await list_enrollments(oid) if e.status == "waitlisted"]
    assert [e.waitlist_position for e in waitlisted] == [1]
    r = await cancel_enrollment(waitlisted[0].id, now=later)
    assert (r.seat_freed, r.promoted) == (False, None)
    # the cancelled person may enroll again, at the back of the queue
    back = await enroll(oid, a, now=later, today=NOW.date())
    assert (back.status, back.waitlist_position) == ("waitlisted", 1)
    with pytest.raises(TrainingNotFound):
        await cancel_enrollment(99999, now=later)


async def _three_sessions(oid: int) -> list[int]:
    ids = []
    for day, (start, end) in enumerate([(9, 15), (9, 15), (8, 12)]):
        s = await add_session(
            oid,
            SessionIn(
                day=START + dt.timedelta(days=day),
                starts_at=dt.time(start),
                ends_at=dt.time(end),
            ),
        )
        ids.append(s.id)
    return ids  # 6 + 6 + 4 = 16 hours


async def test_attendance_batch_is_validated_whole(db: None) -> None:
    oid = await make_offering(capacity=2)
    a, b, c, stranger = await register_people(4)
    ea = await enroll(oid, a, now=NOW, today=NOW.date())
    await enroll(oid, b, now=NOW, today=NOW.date())
    await enroll(oid, c, now=NOW, today=NOW.date())  # waitlisted
    s1, _, _ = await _three_sessions(oid)
    with pytest.raises(AttendanceRejected) as err:
        await record_attendance(
            s1,
            [
                {"practitioner_id": a, "present": True},
                {"practitioner_id": stranger},
                {"practitioner_id": c},
                {"enrollment_id": 99999},
                {"practitioner_id": a, "present": False},
                {"present": True},
                {"enrollment_id": ea.id, "practitioner_id": a},
            ],
            recorded_by="基地老师",
            now=NOW,
            today=AFTER,
        )
    rows = err.value.rows
    assert [r["row"] for r in rows] == [2, 3, 4, 5, 6, 7]  # numbered from 1, as people count rows
    assert rows[3]["reason"] == "与第 1 行重复且出勤不一致"
    assert "未报名" in str(rows[0]["reason"]) and "候补" in str(rows[1]["reason"])
    assert isinstance(err.value, ValidationFailed)
    assert await count_rows(Attendance) == 0  # nothing written

    report = await record_attendance(
        s1,
        [
            {"practitioner_id": a},
            {"enrollment_id": ea.id},
            {"practitioner_id": b, "present": False},
        ],
        recorded_by="基地老师",
        now=NOW,
        today=AFTER,
    )
    assert (report.recorded, report.present, report.absent) == (2, 1, 1)
    # re-recording is an upsert per (session, enrollment)
    again = await record_attendance(
        s1, [{"practitioner_id": b, "present": True}], recorded_by="扫码", method="qr", now=NOW, today=AFTER
    )
    assert again.present == 1
    assert await count_rows(Attendance) == 2
    rows_b = await Attendance.select().where(Attendance.present == True)  # noqa: E712
    assert {r["method"] for r in rows_b} == {"roster", "qr"}
    with pytest.raises(TrainingInvalid):
        await record_attendance(s1, [], recorded_by="  ", now=NOW, today=AFTER)
    with pytest.raises(TrainingNotFound):
        await record_attendance(99999, [], recorded_by="x", now=NOW, today=AFTER)


async def test_completion_feeds_the_ledger_once(db: None) -> None:
    oid = await make_offering(capacity=3, hours="16", category="pre_job")
    a, b, c, w = await register_people(4)
    enrollments = [await enroll(oid, p, now=NOW, today=NOW.date()) for p in (a, b, c, w)]
    s1, s2, s3 = await _three_sessions(oid)
    every = [{"practitioner_id": a}, {"practitioner_id": b}]
    await record_attendance(s1, every, recorded_by="t", now=NOW, today=AFTER)
    await record_attendance(
        s2, [*every[:1], {"practitioner_id": b, "present": False}], recorded_by="t", now=NOW, today=AFTER
    )
    await record_attendance(s3, every, recorded_by="t", method="batch", now=NOW, today=AFTER)
    with pytest.raises(TrainingInvalid):  # before the last session
        await complete_offering(oid, completed_on=START, now=ENDED)
    done_on = START + dt.timedelta(days=3)
    report = await complete_offering(oid, completed_on=done_on, now=ENDED)
    assert (report.scheduled_hours, report.scheduled_sessions) == (Decimal("16"), 3)
    assert (report.completed, report.not_completed, report.waitlisted) == (1, 2, 1)
    assert not report.already_completed and "80%" in report.rule
    by_person = {e.practitioner_id: e for e in report.entries}
    assert by_person[a].status == "completed" and by_person[a].training_record_id is not None
    assert by_person[b].reason == "出勤 10.0 / 16.0 学时（62.5%），未达到 80%"
    assert by_person[c].attended_hours == 0 and by_person[c].status == "not_completed"
    assert w not in by_person

    record = (
        await TrainingRecord.select()
        .where(TrainingRecord.source_ref == f"training:enrollment:{enrollments[0].id}")
        .first()
    )
    assert record is not None
    assert (record["category"], record["hours"], record["completed_on"]) == (
        "pre_job",
        Decimal("16.0"),
        done_on,
    )
    assert record["provider"] == "济南市托育实训基地" and record["source"] == "system"
    assert await training_hours(a, category="pre_job") == Decimal("16.0")
    assert (await get_offering(oid)).status == "completed"

    again = await complete_offering(oid, completed_on=done_on + dt.timedelta(days=5), now=ENDED)
    assert again.already_completed and again.completed_on == done_on
    assert [(e.enrollment_id, e.status, e.reason, e.training_record_id) for e in again.entries] == [
        (e.enrollment_id, e.status, e.reason, e.training_record_id) for e in report.entries
    ]
    assert await count_rows(TrainingRecord) == 1
    statuses = {e.practitioner_id: e.status for e in await list_enrollments(oid)}
    # the waitlist of a finished class is closed: not admitted, never a training record
    assert statuses == {a: "completed", b: "not_completed", c: "not_completed", w: "not_admitted"}
    assert again.waitlisted == again.not_admitted == 1 and again.not_admitted_ids == [enrollments[3].id]
    with pytest.raises(OfferingNotOpen):
        await record_attendance(s1, every, recorded_by="t", now=NOW, today=AFTER)
    with pytest.raises(OfferingNotOpen):
        await enroll(oid, (await register_people(5))[4], now=NOW, today=NOW.date())
    with pytest.raises(Conflict):
        await cancel_enrollment(enrollments[0].id, now=NOW)


async def test_completion_with_a_custom_rule(db: None) -> None:
    oid = await make_offering(capacity=2)
    (a,) = await register_people(1)
    await enroll(oid, a, now=NOW, today=NOW.date())
    s1, s2, _ = await _three_sessions(oid)
    for s in (s1, s2):
        await record_attendance(s, [{"practitioner_id": a}], recorded_by="t", now=NOW, today=AFTER)
    rule = CompletionRule(min_hours_percent=Decimal(75), source="本市规则：75%")
    report = await complete_offering(oid, completed_on=START + dt.timedelta(days=2), rule=rule, now=ENDED)
    assert report.completed == 1 and report.rule == "本市规则：75%"


async def test_completion_is_one_transaction_with_the_ledger(
    db: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """If feeding the ledger fails half-way, nothing of the completion is kept."""
    oid = await make_offering(capacity=2)
    a, b = await register_people(2)
    for p in (a, b):
        await enroll(oid, p, now=NOW, today=NOW.date())
    sessions = await _three_sessions(oid)
    for s in sessions:
        await record_attendance(
            s, [{"practitioner_id": a}, {"practitioner_id": b}], recorded_by="t", now=NOW, today=AFTER
        )
    real = training_services.record_training
    calls = 0

    async def flaky(data):  # type: ignore[no-untyped-def]
        nonlocal calls
        calls += 1
        if calls == 2:
            raise RuntimeError("ledger down")
        return await real(data)

    monkeypatch.setattr(training_services, "record_training", flaky)
    with pytest.raises(RuntimeError):
        await complete_offering(oid, completed_on=START + dt.timedelta(days=3), now=ENDED)
    assert (await get_offering(oid)).status == "open"
    assert {e.status for e in await list_enrollments(oid)} == {"confirmed"}
    assert await count_rows(TrainingRecord) == 0
    monkeypatch.setattr(training_services, "record_training", real)
    report = await complete_offering(oid, completed_on=START + dt.timedelta(days=3), now=ENDED)
    assert report.completed == 2 and await count_rows(TrainingRecord) == 2


async def test_cancelled_offering_and_empty_schedule(db: None) -> None:
    oid = await make_offering()
    with pytest.raises(NothingHeld):  # a 409 now: nothing held that anyone could complete
        await complete_offering(oid, completed_on=START, now=ENDED)
    with pytest.raises(TrainingNotFound):
        await complete_offering(99999, completed_on=START, now=ENDED)
