"""The flow :mod:`tests.integration.test_training_depth_sqlite` runs in a subprocess on a fresh
embedded SQLite file (``TUOYU_DATA_DIR``); prints one ``RESULT <json>`` line."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import os
from typing import Any


async def main() -> None:
    from talent_pool.db import default_database_url, engine_for_url, use_engine

    engine = engine_for_url(default_database_url(os.environ["TUOYU_DATA_DIR"]))
    use_engine(engine)
    from service.bootstrap import prepare

    await prepare(engine)
    import training
    from tests.factories import employ, make_employer, make_id, make_offering, register_people
    from training.attendance_schemas import CorrectionIn, RecurringSessionsIn
    from training.online_schemas import HeartbeatIn, LessonIn
    from training.pool_schemas import TrainerIn
    from training.schemas import BulkEnrollmentIn, SessionIn
    from training.tables import Attendance, Notification

    out: dict[str, Any] = {}
    times = training.SessionTimes()
    before = dt.datetime(2024, 8, 20, 2, tzinfo=dt.UTC)
    oid = await make_offering(3, start=dt.date(2024, 9, 1), end=dt.date(2024, 9, 30), hours="8")
    result = await training.add_recurring_sessions(
        oid,
        RecurringSessionsIn.model_validate(
            {
                "weekdays": [5],
                "first_day": "2024-09-06",
                "last_day": "2024-09-27",
                "starts_at": "14:00",
                "ends_at": "16:00",
            }
        ),
        times=times,
        now=before,
    )
    out["days"] = [s.day.isoformat() for s in result.sessions]
    out["weekdays"] = sorted({s.day.isoweekday() for s in result.sessions})
    people = await register_people(4)
    for p in people:
        await training.enroll(oid, p, now=before, today=before.date())
    sid = result.sessions[0].id
    at = dt.datetime(2024, 9, 6, 5, 55, tzinfo=dt.UTC)
    key = b"k" * 32
    token = await training.issue_checkin_token(sid, "checkin", key=key, now=at)
    a = await training.check_in(token.token, people[0], key=key, times=times, now=at, by="t")
    b = await training.check_in(token.token, people[0], key=key, times=times, now=at, by="t")
    out["scans"] = [a.status, b.status, a.attendance_id == b.attendance_id]
    try:
        await training.check_in(
            token.token, people[1], key=key, times=times, now=at + dt.timedelta(seconds=31), by="t"
        )
    except training.CheckinRefused as exc:
        out["expired"] = exc.message
    base_id = (await training.get_offering(oid)).training_base_id
    rows = [
        {"row_id": "r1", "session_id": sid, "id_number": make_id(2)},
        {"row_id": "r2", "session_id": sid, "practitioner_id": people[2], "present": False},
        {"row_id": "r3", "session_id": sid, "practitioner_id": people[3]},
    ]
    first = await training.upload_attendance_batch(base_id, rows, by="pad", now=at, today=dt.date(2024, 9, 6))
    snapshot = await Attendance.select().order_by(Attendance.id)
    second = await training.upload_attendance_batch(
        base_id, rows, by="pad", now=at, today=dt.date(2024, 9, 6)
    )
    out["batch"] = [
        [r.status for r in first.rows],
        [r.status for r in second.rows],
        snapshot == await Attendance.select().order_by(Attendance.id),
    ]
    await training.correct_attendance(
        sid,
        CorrectionIn(practitioner_id=people[2], present=True, reason="补签"),
        by="lead",
        now=at,
        today=dt.date(2024, 9, 6),
    )
    out["history"] = [(h.method, h.reason) for h in await training.attendance_history(sid)][-1]
    staff = (await register_people(7))[4:]
    employer = await make_employer()
    await employ(employer, staff, start_date=dt.date(2024, 1, 1))
    other = await make_offering(2, course_code="BULK", start=dt.date(2024, 9, 1), end=dt.date(2024, 9, 30))
    try:
        await training.enroll_staff(
            other, employer, BulkEnrollmentIn(practitioner_ids=staff), now=before, today=before.date()
        )
    except training.NotEnoughSeats as exc:
        out["short"] = exc.detail
    filled = await training.enroll_staff(
        other,
        employer,
        BulkEnrollmentIn(practitioner_ids=staff, policy="fill_and_waitlist"),
        now=before,
        today=before.date(),
    )
    out["filled"] = [len(filled.confirmed), len(filled.waitlisted), filled.seats_left]
    t = await training.create_trainer(
        TrainerIn(id_number=make_id(90, birth="19800101"), name="讲师甲", district_code="370102"),
        today=before.date(),
    )
    course = (await training.get_offering(oid)).course_id
    await training.allow_course(t.id, course, by="city", now=before)
    await training.assign_trainer(sid, t.id, by="base", now=before)
    clash = await training.add_session(
        other,
        SessionIn(day=dt.date(2024, 9, 6), starts_at=dt.time(15), ends_at=dt.time(17)),
        times=times,
        now=before,
    )
    await training.allow_course(t.id, (await training.get_offering(other)).course_id, by="city", now=before)
    try:
        await training.assign_trainer(clash.id, t.id, by="base", now=before)
    except training.TrainerUnavailable as exc:
        out["double_booked"] = exc.code
    lesson = await training.add_lesson(
        course, LessonIn(title="视频", media="v.mp4", duration_seconds=60), media_base="/courseware"
    )
    eid = (await training.enrollments_of_practitioner(people[0]))[0].id
    day = dt.date(2024, 9, 6)
    p0 = await training.heartbeat(eid, lesson.id, HeartbeatIn(position=0), now=at, today=day)
    p1 = await training.heartbeat(
        eid, lesson.id, HeartbeatIn(position=15), now=at + dt.timedelta(seconds=15), today=day
    )
    out["progress"] = [p0.credited, p1.credited, p1.covered_seconds]
    # a second lesson played at the same time shares the enrollment's one clock
    lesson2 = await training.add_lesson(
        course, LessonIn(title="视频二", media="v2.mp4", duration_seconds=60), media_base="/courseware"
    )
    await training.heartbeat(eid, lesson2.id, HeartbeatIn(position=0), now=at, today=day)
    later = at + dt.timedelta(seconds=30)
    both = await asyncio.gather(
        training.heartbeat(eid, lesson.id, HeartbeatIn(position=30), now=later, today=day),
        training.heartbeat(eid, lesson2.id, HeartbeatIn(position=15), now=later, today=day),
    )
    out["two_lessons"] = sorted(p.credited for p in both)

    class Rec:
        sent: list[int] = []

        async def send(self, notice: training.Notice) -> None:
            self.sent.append(notice.practitioner_id)

    rec = Rec()
    variant = {"day": "2024-09-13", "starts_at": "14:00", "not_after": "2024-09-12T16:00:00+00:00"}
    n1 = await training.notify("session_tomorrow", result.sessions[1].id, variant, now=before, notifier=rec)
    n2 = await training.notify("session_tomorrow", result.sessions[1].id, variant, now=before, notifier=rec)
    out["notices"] = [n1, n2, await Notification.count()]
    for later in result.sessions[1:]:
        await training.record_attendance(
            later.id,
            [{"practitioner_id": people[0]}],
            recorded_by="t",
            now=before,
            today=dt.date(2024, 9, 30),
        )
    await training.set_subsidised(oid, True)
    ended = dt.datetime(2024, 9, 30, 2, tzinfo=dt.UTC)  # after the last session: completion may run
    report = await training.complete_offering(oid, completed_on=dt.date(2024, 9, 30), now=ended)
    out["completed"] = [report.completed, report.not_completed, report.not_admitted]
    export = await training.subsidy_roster_xlsx(oid, today=dt.date(2024, 10, 8))
    out["xlsx"] = export.content[:2] == b"PK"
    print("RESULT " + json.dumps(out, ensure_ascii=False, default=str))


if __name__ == "__main__":
    asyncio.run(main())
