"""Recurring sessions, moving and cancelling a session, and the notices they cause: scheduled in
the database (outbox ``due_at``), sent once per person, kind and subject however often the job
runs."""

from __future__ import annotations

import asyncio
import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

import pytest

import training
from talent_pool.outbox import decode_args
from talent_pool.tables import OutboxMessage, Practitioner
from tests.factories import make_offering, register_people
from training import (
    NOTIFY_TASK,
    Notice,
    OfferingNotOpen,
    SessionHasAttendance,
    SessionOverlap,
    SessionTimes,
    TrainingInvalid,
    add_recurring_sessions,
    add_session,
    cancel_session,
    complete_offering,
    enroll,
    get_offering,
    list_sessions,
    move_session,
    notify,
    record_attendance,
)
from training.attendance_schemas import RecurringSessionsIn, SessionCancelIn, SessionMoveIn
from training.schemas import SessionIn
from training.tables import Notification

TIMES = SessionTimes()
SEPT = dt.date(2024, 9, 1)
NOW = dt.datetime(2024, 8, 20, 2, 0, tzinfo=dt.UTC)  # 10:00 in Jinan, before the class


@dataclass
class Recorder:
    """The notifier port, recording (the edge fake)."""

    sent: list[Notice] = field(default_factory=list)
    fail_for: set[int] = field(default_factory=set)

    async def send(self, notice: Notice) -> None:
        if notice.practitioner_id in self.fail_for:
            raise ConnectionError("gateway down")
        self.sent.append(notice)


async def september_class(capacity: int = 10) -> int:
    return await make_offering(capacity, start=SEPT, end=dt.date(2024, 9, 30), hours="8")


def fridays(**kw: object) -> RecurringSessionsIn:
    data: dict[str, object] = {
        "weekdays": [5],
        "first_day": "2024-09-06",
        "last_day": "2024-09-27",
        "starts_at": "14:00",
        "ends_at": "16:00",
        "topic": "回应性照护",
        **kw,
    }
    return RecurringSessionsIn.model_validate(data)


async def reminders() -> list[dict[str, object]]:
    rows = await (
        OutboxMessage.select(OutboxMessage.args, OutboxMessage.due_at)
        .where(OutboxMessage.task == NOTIFY_TASK)
        .order_by(OutboxMessage.id)
    )
    out = []
    for r in rows:
        kind, subject, variant = decode_args(r["args"])
        out.append({"kind": kind, "subject": subject, "variant": variant, "due_at": r["due_at"]})
    return out


async def test_fridays_of_september_make_exactly_four_sessions_at_14_local(db: None) -> None:
    oid = await september_class()
    result = await add_recurring_sessions(oid, fridays(), times=TIMES, now=NOW)
    days = [s.day for s in result.sessions]
    assert days == [dt.date(2024, 9, 6), dt.date(2024, 9, 13), dt.date(2024, 9, 20), dt.date(2024, 9, 27)]
    assert all(d.isoweekday() == 5 for d in days)
    assert {(s.starts_at, s.ends_at, s.hours) for s in result.sessions} == {
        (dt.time(14), dt.time(16), Decimal("2.00"))
    }
    assert [TIMES.instant(s.day, s.starts_at) for s in result.sessions] == [
        dt.datetime(2024, 9, d, 6, 0, tzinfo=dt.UTC) for d in (6, 13, 20, 27)
    ]
    assert result.skipped == []
    assert len(await list_sessions(oid)) == 4 and (await get_offering(oid)).session_count == 4
    # each has its reminder in the database: Thursday 09:00 in Jinan (01:00 UTC)
    due = await reminders()
    assert [(r["kind"], r["due_at"]) for r in due] == [
        ("session_tomorrow", dt.datetime(2024, 9, d, 1, 0, tzinfo=dt.UTC)) for d in (5, 12, 19, 26)
    ]
    assert due[0]["variant"] == {
        "day": "2024-09-06",
        "starts_at": "14:00",
        "not_after": "2024-09-05T16:00:00+00:00",
    }


async def test_holidays_are_skipped_and_bad_ranges_change_nothing(db: None) -> None:
    oid = await september_class()
    result = await add_recurring_sessions(
        oid, fridays(weekdays=[3, 5], skip_dates=["2024-09-13", "2024-09-18"]), times=TIMES, now=NOW
    )
    assert [s.day.isoformat() for s in result.sessions] == [
        "2024-09-06", "2024-09-11", "2024-09-20", "2024-09-25", "2024-09-27",
    ]  # fmt: skip
    assert result.skipped == [dt.date(2024, 9, 13), dt.date(2024, 9, 18)]
    other = await make_offering(5, start=SEPT, end=dt.date(2024, 9, 20), course_code="OTHER")
    with pytest.raises(TrainingInvalid, match="不在班级日期"):
        await add_recurring_sessions(other, fridays(), times=TIMES, now=NOW)  # 27 Sep is after the class
    with pytest.raises(SessionOverlap):  # 15:00 clashes with the Friday sessions already there
        await add_recurring_sessions(oid, fridays(starts_at="15:00", ends_at="17:00"), times=TIMES, now=NOW)
    with pytest.raises(TrainingInvalid, match="没有符合条件"):
        await add_recurring_sessions(
            oid,
            fridays(weekdays=[5], skip_dates=["2024-09-06", "2024-09-13", "2024-09-20", "2024-09-27"]),
            times=TIMES,
            now=NOW,
        )
    assert len(await list_sessions(oid)) == 5 and len(await list_sessions(other)) == 0
    with pytest.raises(ValueError, match="超出允许范围"):
        fridays(first_day="1999-12-31")


async def test_no_reminder_for_a_session_today_or_past(db: None) -> None:
    oid = await september_class()
    at_the_day = dt.datetime(2024, 9, 6, 0, 30, tzinfo=dt.UTC)  # 08:30 in Jinan on the 6th
    await add_session(
        oid,
        SessionIn(day=dt.date(2024, 9, 6), starts_at=dt.time(14), ends_at=dt.time(16)),
        times=TIMES,
        now=at_the_day,
    )
    await add_session(
        oid,
        SessionIn(day=dt.date(2024, 9, 7), starts_at=dt.time(14), ends_at=dt.time(16)),
        times=TIMES,
        now=at_the_day,
    )
    due = await reminders()
    assert [(r["variant"]["day"], r["due_at"]) for r in due] == [  # type: ignore[index]
        ("2024-09-07", dt.datetime(2024, 9, 6, 1, 0, tzinfo=dt.UTC))
    ]
    late = dt.datetime(2024, 9, 6, 2, 0, tzinfo=dt.UTC)  # 10:00 in Jinan: tomorrow's reminder due now
    await add_session(
        oid,
        SessionIn(day=dt.date(2024, 9, 7), starts_at=dt.time(9), ends_at=dt.time(11)),
        times=TIMES,
        now=late,
    )
    assert (await reminders())[-1]["due_at"] is None


async def people_in(oid: int, n: int) -> list[int]:
    people = await register_people(n)
    for i, pid in enumerate(people):
        await Practitioner.update({Practitioner.phone: f"1380000000{i}"}).where(
            Practitioner._meta.primary_key == pid
        )
        await enroll(oid, pid, now=NOW, today=NOW.date())
    return people


async def test_session_tomorrow_is_sent_once_however_often_the_job_runs(db: None) -> None:
    oid = await september_class(capacity=3)
    people = await people_in(oid, 4)  # three confirmed, one waitlisted
    result = await add_recurring_sessions(oid, fridays(), times=TIMES, now=NOW)
    first = result.sessions[0]
    reminder = next(r for r in await reminders() if r["kind"] == "session_tomorrow")
    recorder = Recorder()
    due = dt.datetime(2024, 9, 5, 1, 0, tzinfo=dt.UTC)
    sent = await notify("session_tomorrow", first.id, reminder["variant"], now=due, notifier=recorder)  # type: ignore[arg-type]
    again = await notify("session_tomorrow", first.id, reminder["variant"], now=due, notifier=recorder)  # type: ignore[arg-type]
    both = await asyncio.gather(
        *(
            notify("session_tomorrow", first.id, reminder["variant"], now=due, notifier=recorder)
            for _ in range(3)
        )  # type: ignore[arg-type]
    )
    assert (sent, again, sum(both)) == (3, 0, 0)
    assert sorted(n.practitioner_id for n in recorder.sent) == people[:3]
    assert recorder.sent[0].text == (
        f"{recorder.sent[0].name}您好：明天（2024-09-06 周五）14:00–16:00"
        "「幼儿照护岗前培训」在济南市托育实训基地上课，请准时签到。"
    )
    assert recorder.sent[0].params["starts_at"] == "14:00" and recorder.sent[0].kind == "session_tomorrow"
    rows = await Notification.select().where(Notification.kind == "session_tomorrow")
    assert len(rows) == 3 and {r["subject"] for r in rows} == {f"session:{first.id}:2024-09-06"}
    assert all(r["sent_at"] == due for r in rows)
    # too late (the session's local day has begun): nothing is sent
    second = result.sessions[1]
    variant = {"day": "2024-09-13", "starts_at": "14:00", "not_after": "2024-09-12T16:00:00+00:00"}
    assert (
        await notify(
            "session_tomorrow",
            second.id,
            variant,
            now=dt.datetime(2024, 9, 12, 16, 0, tzinfo=dt.UTC),
            notifier=recorder,
        )
        == 0
    )


async def test_a_failed_send_is_retried_without_resending_the_others(db: None) -> None:
    oid = await september_class(capacity=3)
    people = await people_in(oid, 3)
    session = (await add_recurring_sessions(oid, fridays(), times=TIMES, now=NOW)).sessions[0]
    variant = {"day": "2024-09-06", "starts_at": "14:00", "not_after": "2024-09-05T16:00:00+00:00"}
    flaky = Recorder(fail_for={people[1]})
    with pytest.raises(RuntimeError, match="1 条通知发送失败"):
        await notify("session_tomorrow", session.id, variant, now=NOW, notifier=flaky)
    assert sorted(n.practitioner_id for n in flaky.sent) == [people[0], people[2]]
    flaky.fail_for.clear()
    assert await notify("session_tomorrow", session.id, variant, now=NOW, notifier=flaky) == 1
    assert sorted(n.practitioner_id for n in flaky.sent) == sorted(people)


async def test_moving_and_cancelling_notify_the_enrolled_and_move_the_reminder(db: None) -> None:
    oid = await september_class(capacity=2)
    people = await people_in(oid, 3)
    first, second, *_ = (await add_recurring_sessions(oid, fridays(), times=TIMES, now=NOW)).sessions
    moved = await move_session(
        first.id,
        SessionMoveIn(day=dt.date(2024, 9, 7), starts_at=dt.time(9), ends_at=dt.time(11), reason="场地检修"),
        times=TIMES,
        now=NOW,
    )
    assert (moved.day, moved.starts_at, moved.note) == (dt.date(2024, 9, 7), dt.time(9), "场地检修")
    jobs = await reminders()
    assert jobs[-2]["kind"] == "session_moved" and jobs[-2]["due_at"] is None
    assert jobs[-1]["kind"] == "session_tomorrow" and jobs[-1]["due_at"] == dt.datetime(
        2024, 9, 6, 1, 0, tzinfo=dt.UTC
    )
    recorder = Recorder()
    assert await notify("session_moved", first.id, jobs[-2]["variant"], now=NOW, notifier=recorder) == 2  # type: ignore[arg-type]
    assert recorder.sent[0].text.endswith(
        "「幼儿照护岗前培训」原定 2024-09-06 14:00 的课调整为 2024-09-07 周六 09:00–11:00。原因：场地检修"
    )
    # the old reminder no longer fits the session: nothing sent
    old = {"day": "2024-09-06", "starts_at": "14:00", "not_after": "2024-09-05T16:00:00+00:00"}
    assert await notify("session_tomorrow", first.id, old, now=NOW, notifier=recorder) == 0
    cancelled = await cancel_session(second.id, SessionCancelIn(reason="台风停课"), now=NOW)
    assert (cancelled.status, cancelled.note) == ("cancelled", "台风停课")
    last = (await reminders())[-1]
    assert await notify("session_cancelled", second.id, last["variant"], now=NOW, notifier=recorder) == 2  # type: ignore[arg-type]
    assert sorted(n.practitioner_id for n in recorder.sent if n.kind == "session_cancelled") == people[:2]
    assert (await get_offering(oid)).session_count == 3
    with pytest.raises(OfferingNotOpen, match="已取消"):
        await cancel_session(second.id, SessionCancelIn(reason="again"), now=NOW)
    # the cancelled Friday's time is free again; a session with attendance cannot be moved
    await add_session(
        oid,
        SessionIn(day=dt.date(2024, 9, 13), starts_at=dt.time(14), ends_at=dt.time(15)),
        times=TIMES,
        now=NOW,
    )
    await record_attendance(
        moved.id, [{"practitioner_id": people[0]}], recorded_by="t", now=NOW, today=dt.date(2024, 9, 30)
    )
    with pytest.raises(SessionHasAttendance, match="已有考勤"):  # its own code, not offering_not_open
        await move_session(
            moved.id,
            SessionMoveIn(day=dt.date(2024, 9, 8), starts_at=dt.time(9), ends_at=dt.time(11), reason="x"),
            times=TIMES,
            now=NOW,
        )
    # completion counts only scheduled sessions: 2 + 2 + 1 hours (4 Fridays - 1 cancelled + the new one)
    ended = dt.datetime(2024, 9, 30, 2, 0, tzinfo=dt.UTC)  # after the last session
    report = await complete_offering(oid, completed_on=dt.date(2024, 9, 30), now=ended)
    assert (report.scheduled_hours, report.scheduled_sessions) == (Decimal("7.00"), 4)


async def test_enrollment_and_promotion_notices(db: None) -> None:
    oid = await september_class(capacity=1)
    a, b = await register_people(2)
    first = await enroll(oid, a, now=NOW, today=NOW.date())
    await enroll(oid, b, now=NOW, today=NOW.date())
    jobs = [(r["kind"], r["subject"]) for r in await reminders()]
    assert jobs == [("enrollment_confirmed", first.id)]
    await training.cancel_enrollment(first.id, now=NOW)
    jobs = [(r["kind"], r["subject"]) for r in await reminders()]
    assert jobs[-1][0] == "waitlist_promoted"
    recorder = Recorder()
    # a cancelled enrollment gets no "confirmed" notice any more; the promoted one gets its own
    assert await notify("enrollment_confirmed", first.id, {}, now=NOW, notifier=recorder) == 0
    assert await notify("waitlist_promoted", jobs[-1][1], {}, now=NOW, notifier=recorder) == 1
    assert recorder.sent[0].title == "候补转正" and recorder.sent[0].phone == ""
    inbox = await training.notifications_of(b)
    assert [(n.kind, n.subject, n.title) for n in inbox] == [
        ("waitlist_promoted", f"enrollment:{jobs[-1][1]}", "候补转正")
    ]
