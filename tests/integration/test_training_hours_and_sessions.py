"""Second round of tester defects in training (each test failed before its fix), on PostgreSQL."""

from __future__ import annotations

import asyncio
import datetime as dt
from decimal import Decimal

import pytest

from talent_pool import Conflict, ValidationFailed, count_rows, training_hours
from talent_pool.tables import TrainingRecord
from tests.factories import OFFERING_START, make_offering, register_people
from training import (
    AlreadyEnrolled,
    AlreadyEnrolledInCourse,
    CompletionRule,
    CourseHoursNotHeld,
    SessionOverlap,
    TrainingInvalid,
    add_session,
    cancel_enrollment,
    complete_offering,
    completion_preview,
    create_offering,
    enroll,
    get_offering,
    list_offerings,
    list_sessions,
    record_attendance,
)
from training.schemas import OfferingIn, SessionIn
from training.tables import Enrollment, Session

NOW = dt.datetime(2026, 12, 2, 1, 0, tzinfo=dt.UTC)
START = OFFERING_START
AFTER = dt.date(2099, 12, 31)  # a local date after every session: attendance recorded afterwards
END = START + dt.timedelta(days=6)
AFTER_CLASS = dt.datetime(2026, 12, 8, 1, 0, tzinfo=dt.UTC)  # every session of the week has ended


def at(day: dt.date, start: tuple[int, int], end: tuple[int, int], hours: str | None = None) -> SessionIn:
    return SessionIn(
        day=day,
        starts_at=dt.time(*start),
        ends_at=dt.time(*end),
        hours=None if hours is None else Decimal(hours),
    )


async def ledger_hours(practitioner_id: int) -> list[Decimal]:
    rows = await TrainingRecord.select(TrainingRecord.hours).where(
        TrainingRecord.practitioner == practitioner_id
    )
    return [Decimal(r["hours"]) for r in rows]


async def sibling_offering(oid: int, *, start: dt.date = START, title: str = "第2期") -> int:
    """Another offering of the same course at the same base as ``oid``."""
    first = await get_offering(oid)
    out = await create_offering(
        OfferingIn(
            course_id=first.course_id,
            training_base_id=first.training_base_id,
            title=title,
            start_date=start,
            end_date=start + dt.timedelta(days=6),
            capacity=5,
        )
    )
    return out.id


# 1 ----------------------------------------------------------------- ledger holds attended hours


async def test_ledger_gets_attended_hours_not_course_hours(db: None) -> None:
    oid = await make_offering()  # course of 16 h
    (a,) = await register_people(1)
    await enroll(oid, a, now=NOW, today=NOW.date())
    # 16 h scheduled (8 + 6 + 2), the course's hours; 14 h attended (87.5 % ≥ 80 %)
    spans = [((8, 0), (16, 0)), ((8, 0), (14, 0)), ((8, 0), (10, 0))]
    ids = [
        (await add_session(oid, at(START + dt.timedelta(days=d), *span))).id for d, span in enumerate(spans)
    ]
    for sid in ids[:2]:
        await record_attendance(sid, [{"practitioner_id": a}], recorded_by="t", now=NOW, today=AFTER)
    done_on = START + dt.timedelta(days=2)
    report = await complete_offering(oid, completed_on=done_on, now=AFTER_CLASS)
    (entry,) = report.entries
    assert entry.status == "completed" and entry.credited_hours == Decimal("14")
    assert await ledger_hours(a) == [Decimal("14")]
    assert await training_hours(a) == Decimal("14")
    # idempotent: nothing new, the stored report shows the same credited hours
    again = await complete_offering(oid, completed_on=done_on, now=AFTER_CLASS)
    assert again.already_completed and again.entries[0].credited_hours == Decimal("14")
    assert again.entries[0].training_record_id == entry.training_record_id
    assert await count_rows(TrainingRecord) == 1


async def test_ledger_hours_are_capped_at_the_course_hours(db: None) -> None:
    oid = await make_offering(hours="6")
    a, b = await register_people(2)
    for p in (a, b):
        await enroll(oid, p, now=NOW, today=NOW.date())
    sessions = [await add_session(oid, at(START + dt.timedelta(days=d), (8, 0), (12, 0))) for d in range(2)]
    await record_attendance(
        sessions[0].id,
        [{"practitioner_id": a}, {"practitioner_id": b}],
        recorded_by="t",
        now=NOW,
        today=AFTER,
    )
    await record_attendance(
        sessions[1].id,
        [{"practitioner_id": a}, {"practitioner_id": b, "present": False}],
        recorded_by="t",
        now=NOW,
        today=AFTER,
    )
    report = await complete_offering(
        oid, completed_on=END, rule=CompletionRule(min_hours_percent=Decimal(50)), now=AFTER_CLASS
    )
    by_person = {e.practitioner_id: e for e in report.entries}
    assert by_person[a].attended_hours == Decimal(8) and by_person[a].credited_hours == Decimal(6)
    assert by_person[b].attended_hours == Decimal(4) and by_person[b].credited_hours == Decimal(4)
    assert await ledger_hours(a) == [Decimal(6)]
    assert await ledger_hours(b) == [Decimal(4)]


async def test_ledger_hours_round_down_to_the_ledger_precision(db: None) -> None:
    oid = await make_offering(hours="0.8")  # 0.75 of 0.8 h attended: 93.75 %
    (a,) = await register_people(1)
    await enroll(oid, a, now=NOW, today=NOW.date())
    s = await add_session(oid, at(START, (9, 0), (9, 45)))  # 0.75 h
    await record_attendance(s.id, [{"practitioner_id": a}], recorded_by="t", now=NOW, today=AFTER)
    report = await complete_offering(oid, completed_on=START, now=NOW)
    assert report.entries[0].attended_hours == Decimal("0.75")
    assert report.entries[0].credited_hours == Decimal("0.7")  # never more than attended
    assert await ledger_hours(a) == [Decimal("0.7")]


# 2 ----------------------------------------------------------------- session validation


async def test_session_hours_cannot_exceed_the_clock_length(db: None) -> None:
    oid = await make_offering()
    with pytest.raises(TrainingInvalid) as err:
        await add_session(oid, at(START, (9, 0), (9, 30), hours="16"))
    assert "学时" in err.value.message
    with pytest.raises(TrainingInvalid):
        await add_session(oid, at(START, (9, 0), (9, 50), hours="0.84"))  # 50 min = 0.8333 h
    ok = await add_session(oid, at(START, (9, 0), (9, 50), hours="0.83"))
    assert ok.hours == Decimal("0.83")
    less = await add_session(oid, at(START, (10, 0), (12, 0), hours="1.5"))  # breaks excluded
    assert less.hours == Decimal("1.5")
    assert await count_rows(Session) == 2


async def test_session_hours_must_be_positive_and_end_after_start(db: None) -> None:
    oid = await make_offering()
    bad = SessionIn.model_construct(
        day=START, starts_at=dt.time(9), ends_at=dt.time(10), hours=Decimal(0), topic=""
    )
    with pytest.raises(TrainingInvalid):
        await add_session(oid, bad)
    for start, end, hours in [((10, 0), (9, 0), None), ((10, 0), (10, 0), None), ((10, 0), (9, 0), "1")]:
        with pytest.raises(TrainingInvalid) as err:
            await add_session(oid, at(START, start, end, hours))
        assert "结束时间必须晚于开始时间" in err.value.message
    assert await count_rows(Session) == 0


async def test_overlapping_sessions_of_one_offering_are_rejected(db: None) -> None:
    oid = await make_offering()
    first = await add_session(oid, at(START, (9, 0), (12, 0)))
    for start, end in [
        ((9, 0), (12, 0)),
        ((11, 0), (13, 0)),
        ((8, 0), (9, 30)),
        ((10, 0), (11, 0)),
        ((8, 0), (13, 0)),
    ]:
        with pytest.raises(SessionOverlap) as err:
            await add_session(oid, at(START, start, end))
        assert isinstance(err.value, Conflict)
        assert "时间重叠" in err.value.message and str(first.id) in err.value.message
    # touching is not overlapping; another day or another offering is fine
    await add_session(oid, at(START, (12, 0), (13, 0)))
    await add_session(oid, at(START, (8, 0), (9, 0)))
    await add_session(oid, at(START + dt.timedelta(days=1), (9, 0), (12, 0)))
    other = await sibling_offering(oid)
    await add_session(other, at(START, (9, 0), (12, 0)))
    assert len(await list_sessions(oid)) == 4


async def test_concurrent_identical_sessions_store_one(db: None) -> None:
    oid = await make_offering()
    results = await asyncio.gather(
        *(add_session(oid, at(START, (9, 0), (12, 0))) for _ in range(6)), return_exceptions=True
    )
    assert sum(1 for r in results if isinstance(r, SessionOverlap)) == 5
    assert not [r for r in results if isinstance(r, BaseException) and not isinstance(r, SessionOverlap)]
    assert await count_rows(Session) == 1


# 3 ----------------------------------------------------------------- open offerings for today


async def test_open_offerings_exclude_ended_ones_when_today_is_given(db: None) -> None:
    later = await make_offering(course_code="C-LATER", start=START + dt.timedelta(days=20))
    past = await make_offering(course_code="C-PAST", start=START - dt.timedelta(days=30))
    current = await make_offering(course_code="C-NOW", start=START)
    today = START + dt.timedelta(days=2)
    ids = [o.id for o in await list_offerings(open_only=True, today=today)]
    assert ids == [current, later]  # start date ascending, the ended one left out
    assert [o.id for o in await list_offerings(open_only=True)] == [past, current, later]
    # the last day still counts as enrollable
    ids = [o.id for o in await list_offerings(open_only=True, today=START + dt.timedelta(days=6))]
    assert ids == [current, later]
    base_id = (await get_offering(later)).training_base_id
    assert [o.id for o in await list_offerings(open_only=True, training_base_id=base_id, today=today)] == [
        later
    ]


# 4 ----------------------------------------------------------------- one live place per course


async def test_enrolling_in_two_offerings_of_one_course_is_refused(db: None) -> None:
    first = await make_offering(title="第1期", hours="1")  # the 1 h session delivers the course
    second = await sibling_offering(first)
    a, b = await register_people(2)
    held = await enroll(first, a, now=NOW, today=NOW.date())
    with pytest.raises(AlreadyEnrolledInCourse) as err:
        await enroll(second, a, now=NOW, today=NOW.date())
    assert isinstance(err.value, Conflict)
    assert err.value.message.startswith("已报名同一课程的其他班次") and "第1期" in err.value.message
    assert await count_rows(Enrollment) == 1
    assert (await get_offering(second)).confirmed_count == 0
    with pytest.raises(AlreadyEnrolled):  # the same offering keeps its own error
        await enroll(first, a, now=NOW, today=NOW.date())
    # a waitlisted place counts too
    full = await sibling_offering(first, title="第3期")
    await cancel_enrollment(held.id, now=NOW)
    assert (
        await enroll(second, a, now=NOW, today=NOW.date())
    ).status == "confirmed"  # cancelled one released it
    with pytest.raises(AlreadyEnrolledInCourse):
        await enroll(full, a, now=NOW, today=NOW.date())
    assert (await enroll(full, b, now=NOW, today=NOW.date())).status == "confirmed"


async def test_a_finished_offering_does_not_block_the_next_one(db: None) -> None:
    first = await make_offering(title="第1期", hours="1")  # the 1 h session delivers the course
    (a,) = await register_people(1)
    await enroll(first, a, now=NOW, today=NOW.date())
    s = await add_session(first, at(START, (9, 0), (10, 0)))
    await record_attendance(
        s.id, [{"practitioner_id": a, "present": False}], recorded_by="t", now=NOW, today=AFTER
    )
    await complete_offering(first, completed_on=START, now=NOW)  # not completed: may retake the course
    second = await sibling_offering(first, start=START + dt.timedelta(days=10))
    assert (await enroll(second, a, now=NOW, today=NOW.date())).status == "confirmed"


async def test_concurrent_enrollments_in_sibling_offerings_keep_one(db: None) -> None:
    first = await make_offering()
    siblings = [first] + [await sibling_offering(first, title=f"第{i}期") for i in range(2, 6)]
    (a,) = await register_people(1)
    results = await asyncio.gather(
        *(enroll(o, a, now=NOW, today=NOW.date()) for o in siblings), return_exceptions=True
    )
    refused = [r for r in results if isinstance(r, AlreadyEnrolledInCourse)]
    assert len(refused) == 4, results
    assert await count_rows(Enrollment) == 1


async def test_bad_session_changes_nothing(db: None) -> None:
    oid = await make_offering()
    with pytest.raises(ValidationFailed):
        await add_session(oid, at(START, (9, 0), (10, 0), hours="2"))
    assert await count_rows(Session) == 0


# 5 ------------------------------------------------- completion against the course's hours


async def _class_of_sessions(
    course_hours: str, spans: list[tuple[str, str]], people: int
) -> tuple[int, list[int], list[int]]:
    """An offering of a ``course_hours`` course with one session per day (``(starts, ends)``
    clock times, HH:MM) from START, and ``people`` confirmed trainees; returns (offering,
    session ids, practitioner ids)."""
    oid = await make_offering(hours=course_hours)
    ids = await register_people(people)
    for p in ids:
        await enroll(oid, p, now=NOW, today=NOW.date())
    sessions = []
    for d, (starts, ends) in enumerate(spans):
        s = await add_session(
            oid,
            SessionIn(
                day=START + dt.timedelta(days=d),
                starts_at=dt.time.fromisoformat(starts),
                ends_at=dt.time.fromisoformat(ends),
            ),
        )
        sessions.append(s.id)
    return oid, sessions, ids


async def test_eighty_percent_of_the_course_hours_completes_and_less_does_not(db: None) -> None:
    """Scheduled exactly to the course's 10 h: 8 h attended (80 %) completes and credits 8 h;
    7.5 h (75 %) does not. (Same outcome under the old scheduled-hours rule — a guard on the
    boundary, not the regression test.)"""
    spans = [("08:00", "10:00")] * 3 + [("08:00", "09:30"), ("08:00", "08:30"), ("08:00", "10:00")]
    oid, s, (a, b) = await _class_of_sessions("10", spans, 2)  # 2+2+2+1.5+0.5+2 = 10 h
    present = {s[0]: [a, b], s[1]: [a, b], s[2]: [a, b], s[3]: [b], s[5]: [a]}  # a 8 h, b 7.5 h
    for sid, who in present.items():
        entries = [{"practitioner_id": p} for p in who]
        await record_attendance(sid, entries, recorded_by="t", now=NOW, today=AFTER)
    preview = await completion_preview(oid, today=AFTER_CLASS.date())
    report = await complete_offering(oid, completed_on=START + dt.timedelta(days=5), now=AFTER_CLASS)
    outcome = {e.practitioner_id: (e.status, e.credited_hours, e.reason) for e in report.entries}
    assert outcome[a][:2] == ("completed", Decimal("8"))
    assert outcome[a][2].startswith("出勤 8.0 / 10.0 学时（80.0%）")
    assert outcome[b] == ("not_completed", None, "出勤 7.5 / 10.0 学时（75.0%），未达到 80%")
    assert [(e.status, e.reason) for e in preview.entries] == [(e.status, e.reason) for e in report.entries]
    assert await ledger_hours(a) == [Decimal("8")] and await ledger_hours(b) == []


async def test_extra_sessions_do_not_raise_the_bar_above_the_course_hours(db: None) -> None:
    """A 16 h course scheduled over 20 h: 12.8 h attended is 80 % of the course (64 % of the
    schedule) — completed, crediting 12.8 h; 8 h is not. Failed before the fix (the rule
    measured against the 20 scheduled hours)."""
    spans = [("08:00", "16:00"), ("08:00", "12:48"), ("08:00", "15:12")]  # 8 + 4.8 + 7.2 = 20 h
    oid, s, (a, b) = await _class_of_sessions("16", spans, 2)
    both = [{"practitioner_id": a}, {"practitioner_id": b}]
    await record_attendance(s[0], both, recorded_by="t", now=NOW, today=AFTER)  # 8 h each
    await record_attendance(  # a 12.8 h, b 8 h
        s[1], [both[0], {"practitioner_id": b, "present": False}], recorded_by="t", now=NOW, today=AFTER
    )
    report = await complete_offering(oid, completed_on=START + dt.timedelta(days=2), now=AFTER_CLASS)
    outcome = {e.practitioner_id: (e.status, e.credited_hours) for e in report.entries}
    assert outcome == {a: ("completed", Decimal("12.8")), b: ("not_completed", None)}
    assert report.entries[0].reason.startswith("出勤 12.8 / 16.0 学时（80.0%）")
    assert await training_hours(a) == Decimal("12.8")


async def test_a_class_scheduled_short_of_the_course_is_refused_and_writes_nothing(db: None) -> None:
    """The trial in the service: one 1 h session of a 16 h course, attended — refused with the
    numbers, nothing written; the preview (nobody completes) gives the same reason."""
    oid, s, (a,) = await _class_of_sessions("16", [("00:00", "01:00")], 1)
    await record_attendance(s[0], [{"practitioner_id": a}], recorded_by="t", now=NOW, today=AFTER)
    preview = await completion_preview(oid, today=AFTER_CLASS.date())
    with pytest.raises(CourseHoursNotHeld) as refused:
        await complete_offering(oid, completed_on=START, now=AFTER_CLASS)
    assert refused.value.message == (
        f"班级 {oid} 不能结业：班级仅安排 1.0 学时，课程要求 16.0 学时，结业至少需出勤 12.8 学时（80%），"
        "无人能够结业；请补足课次后再结业"
    )
    assert (preview.completed, preview.entries[0].status) == (0, "not_completed")
    assert preview.entries[0].reason.endswith(refused.value.message.split("：", 1)[1])
    assert await count_rows(TrainingRecord) == 0 and await ledger_hours(a) == []
    assert [r["status"] for r in await Enrollment.select(Enrollment.status)] == ["confirmed"]
