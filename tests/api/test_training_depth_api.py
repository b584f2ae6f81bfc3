"""Training in depth through the HTTP API, as a trainee, a base, an employer and a regulator
would use it: rotating-QR check-in (50 at once recorded once; an expired photo refused),
recurring sessions, offline batches, employer bulk enrollment, reminders sent once through the
app's own background dispatcher, the subsidy xlsx, the trainer pool by district."""

from __future__ import annotations

import asyncio
import datetime as dt
import io
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from service.accounts import AccountIn, create_account
from service.sms import RecordingSms
from talent_pool.db import atomic
from talent_pool.outbox import decode_args, enqueue
from talent_pool.tables import OutboxMessage, Practitioner, TrainingRecord
from tests.factories import (
    PASSWORD,
    admin_headers,
    employ,
    employer_with_staff,
    login,
    make_employer,
    make_id,
    make_offering,
    register_people,
)
from tests.servers import serve_in_process, settings_for, wait_for
from training import NOTIFY_TASK, get_offering
from training.tables import Attendance, Notification
from worker.clock import FixedClock

DAY = dt.date(2026, 12, 4)  # a Friday
AT_1350 = dt.datetime(2026, 12, 4, 5, 50, tzinfo=dt.UTC)  # 13:50 in Jinan


@pytest.fixture
async def clocked(db: None, pg_engine: Any, tmp_path: Path) -> AsyncIterator[Any]:
    """The app in-process on a fixed clock (13:50 in Jinan on 4 December 2026)."""
    from service.app import create_app

    clock = FixedClock(AT_1350)
    sms = RecordingSms()
    app = create_app(settings_for(tmp_path), engine=pg_engine, clock=clock, sms=sms)
    async with serve_in_process(app) as c:
        c.clock = clock
        c.sms = sms
        yield c


async def staff_login(client: Any, username: str, role: str, **scope: int) -> dict[str, str]:
    await create_account(AccountIn(username=username, password=PASSWORD, role=role, **scope))
    return await login(client, username)


async def trainees(client: Any, people: list[int], prefix: str = "trainee-") -> list[dict[str, str]]:
    """Verified trainee logins for practitioners (phones on record) — created as the real-name
    verification would leave them."""
    for i, pid in enumerate(people):
        await Practitioner.update({Practitioner.phone: f"139{i:08d}"}).where(
            Practitioner._meta.primary_key == pid
        )
    await asyncio.gather(
        *(
            create_account(
                AccountIn(username=f"{prefix}{pid}", password=PASSWORD, role="trainee", practitioner_id=pid)
            )
            for pid in people
        )
    )
    return [await login(client, f"{prefix}{pid}") for pid in people]


async def class_with_session(client: Any, capacity: int = 60) -> tuple[int, int, int, dict[str, str]]:
    oid = await make_offering(  # a 2 h course: the 14:00–16:00 session delivers it
        capacity, start=DAY - dt.timedelta(days=3), end=DAY + dt.timedelta(days=20), hours="2"
    )
    base_id = (await get_offering(oid)).training_base_id
    base = await staff_login(client, "base1", "base_staff", training_base_id=base_id)
    r = await client.post(
        f"/api/offerings/{oid}/sessions",
        headers=base,
        json={"day": DAY.isoformat(), "starts_at": "14:00", "ends_at": "16:00", "topic": "安全照护"},
    )
    assert r.status_code == 201, r.text
    return oid, r.json()["id"], base_id, base


async def test_qr_check_in_as_a_trainee_and_a_base_would(clocked: Any) -> None:
    oid, sid, _, base = await class_with_session(clocked)
    people = await register_people(3)
    a, b, c = await trainees(clocked, people)
    for headers in (a, b, c):
        assert (
            await clocked.post(f"/api/offerings/{oid}/enrollments", headers=headers, json={})
        ).status_code == 201
    shown = await clocked.post(f"/api/sessions/{sid}/checkin-token", headers=base, json={})
    assert shown.status_code == 201, shown.text
    body = shown.json()
    assert body["url"] == f"http://127.0.0.1:8000/checkin?t={body['token']}"
    assert body["expires_at"] == "2026-12-04T05:50:30Z" and body["refresh_seconds"] == 15
    first = await clocked.post("/api/checkin", headers=a, json={"token": body["token"]})
    assert first.status_code == 201, first.text
    assert (first.json()["status"], first.json()["late"]) == ("checked_in", False)
    second = await clocked.post("/api/checkin", headers=a, json={"token": body["token"]})
    assert (second.json()["status"], second.json()["attendance_id"]) == (
        "already_checked_in",
        first.json()["attendance_id"],
    )
    clocked.clock.advance(dt.timedelta(seconds=31))  # a photo of the screen, forwarded
    expired = await clocked.post("/api/checkin", headers=b, json={"token": body["token"]})
    assert expired.status_code == 422
    assert (expired.json()["code"], expired.json()["detail"]) == (
        "checkin_refused",
        "二维码已过期，请扫描屏幕上最新的二维码",
    )
    forged = await clocked.post("/api/checkin", headers=b, json={"token": body["token"][:-3] + "AAA"})
    assert forged.status_code == 422 and forged.json()["detail"] == "二维码无效"
    fresh = (await clocked.post(f"/api/sessions/{sid}/checkin-token", headers=base, json={})).json()["token"]
    clocked.clock.set(dt.datetime(2026, 12, 4, 6, 12, tzinfo=dt.UTC))  # 14:12: late
    late = await clocked.post(
        "/api/checkin",
        headers=b,
        json={
            "token": (await clocked.post(f"/api/sessions/{sid}/checkin-token", headers=base, json={})).json()[
                "token"
            ]
        },
    )
    assert late.json()["late"] is True and fresh
    # roles: a trainee cannot show the code; staff of another base cannot either
    assert (await clocked.post(f"/api/sessions/{sid}/checkin-token", headers=a, json={})).status_code == 403
    other_base = await make_offering(5, course_code="OTHER", base_name="别的基地")
    other = await staff_login(
        clocked, "base2", "base_staff", training_base_id=(await get_offering(other_base)).training_base_id
    )
    assert (
        await clocked.post(f"/api/sessions/{sid}/checkin-token", headers=other, json={})
    ).status_code == 403
    assert (await clocked.post("/api/checkin", headers=base, json={"token": fresh})).status_code == 403
    rows = (await clocked.get(f"/api/sessions/{sid}/attendance", headers=base)).json()
    assert [(r["practitioner_id"], r["method"], r["late"]) for r in rows] == [
        (people[0], "qr", False),
        (people[1], "qr", True),
    ]
    history = (await clocked.get(f"/api/sessions/{sid}/attendance/history", headers=base)).json()
    assert [(h["present_before"], h["present_after"], h["changed_by"]) for h in history] == [
        (None, True, f"trainee-{people[0]}"),
        (None, True, f"trainee-{people[1]}"),
    ]
    # check-out at 16:05 → minutes from 13:50 (counted from 14:00) to 16:00
    clocked.clock.set(dt.datetime(2026, 12, 4, 8, 5, tzinfo=dt.UTC))
    out_token = (
        await clocked.post(f"/api/sessions/{sid}/checkin-token", headers=base, json={"purpose": "checkout"})
    ).json()["token"]
    out = await clocked.post("/api/checkin", headers=a, json={"token": out_token})
    assert (out.json()["status"], out.json()["attended_minutes"]) == ("checked_out", 120)
    # b cancels after checking in: the row stays on record, marked as of a cancelled enrollment,
    # so the check-in screen no longer counts b (a trial: 已签到 2 / 应到 1 after cancel + re-enroll)
    b_row = next(r for r in rows if r["practitioner_id"] == people[1])
    cancelled = await clocked.delete(f"/api/enrollments/{b_row['enrollment_id']}", headers=b)
    assert cancelled.status_code in (200, 204), cancelled.text
    after = (await clocked.get(f"/api/sessions/{sid}/attendance", headers=base)).json()
    assert [(r["practitioner_id"], r["present"], r["enrollment_status"]) for r in after] == [
        (people[0], True, "confirmed"),
        (people[1], True, "cancelled"),
    ]


async def test_a_class_cannot_be_completed_before_its_sessions_have_ended(clocked: Any) -> None:
    """Fresh-user trial: a trainee checked in 10 minutes before a 14:00–16:00 session and the base
    completed the class at once — a training record for a class not yet held. Then a class was
    completed while its session was running. Both are refused (409) until the session has ended."""
    oid, sid, _, base = await class_with_session(clocked)
    (person,) = await register_people(1)
    (trainee,) = await trainees(clocked, [person])
    assert (
        await clocked.post(f"/api/offerings/{oid}/enrollments", headers=trainee, json={})
    ).status_code == 201
    token = (await clocked.post(f"/api/sessions/{sid}/checkin-token", headers=base, json={})).json()["token"]
    checked = await clocked.post("/api/checkin", headers=trainee, json={"token": token})
    assert checked.json()["status"] == "checked_in"  # 13:50: the check-in window is open
    expected = f"班级 {oid} 还有 1 次课未结束（最后一次课 2026-12-04 16:00 结束），全部课次结束后才能结业"
    for at in (AT_1350, dt.datetime(2026, 12, 4, 7, 59, tzinfo=dt.UTC)):  # before it, then 15:59 during it
        clocked.clock.set(at)
        refused = await clocked.post(f"/api/offerings/{oid}/complete", headers=base)
        assert refused.status_code == 409, refused.text
        body = refused.json()
        assert (body["code"], body["detail"]) == ("sessions_not_over", expected)
        assert (body["pending_sessions"], body["last_ends_at"]) == (1, "2026-12-04T08:00:00+00:00")
    assert (await get_offering(oid)).status == "open"
    assert await TrainingRecord.count() == 0
    clocked.clock.set(dt.datetime(2026, 12, 4, 8, 0, tzinfo=dt.UTC))  # 16:00: the session has ended
    done = await clocked.post(f"/api/offerings/{oid}/complete", headers=base)
    assert done.status_code == 201, done.text
    assert (done.json()["completed"], done.json()["completed_on"]) == (1, "2026-12-04")


async def test_fifty_concurrent_check_ins_are_recorded_exactly_once(clocked: Any) -> None:
    oid, sid, _, base = await class_with_session(clocked)
    people = await register_people(50)
    logins = await trainees(clocked, people)
    enrolled = await asyncio.gather(
        *(clocked.post(f"/api/offerings/{oid}/enrollments", headers=h, json={}) for h in logins)
    )
    assert {r.status_code for r in enrolled} == {201}
    token = (await clocked.post(f"/api/sessions/{sid}/checkin-token", headers=base, json={})).json()["token"]
    scans = await asyncio.gather(
        *(clocked.post("/api/checkin", headers=h, json={"token": token}) for h in logins for _ in range(2))
    )
    assert {r.status_code for r in scans} == {201}
    statuses = [r.json()["status"] for r in scans]
    assert (statuses.count("checked_in"), statuses.count("already_checked_in")) == (50, 50)
    assert await Attendance.count().where(Attendance.session == sid) == 50
    rows = (await clocked.get(f"/api/sessions/{sid}/attendance", headers=base)).json()
    assert sorted(r["practitioner_id"] for r in rows) == sorted(people)


async def test_recurring_sessions_and_an_offline_batch_uploaded_twice(clocked: Any) -> None:
    oid = await make_offering(30, start=dt.date(2024, 9, 1), end=dt.date(2024, 9, 30))
    base_id = (await get_offering(oid)).training_base_id
    base = await staff_login(clocked, "base1", "base_staff", training_base_id=base_id)
    r = await clocked.post(
        f"/api/offerings/{oid}/recurring-sessions",
        headers=base,
        json={
            "weekdays": [5],
            "first_day": "2024-09-06",
            "last_day": "2024-09-27",
            "starts_at": "14:00",
            "ends_at": "16:00",
        },
    )
    assert r.status_code == 201, r.text
    sessions = r.json()["sessions"]
    assert [s["day"] for s in sessions] == ["2024-09-06", "2024-09-13", "2024-09-20", "2024-09-27"]
    assert {s["starts_at"] for s in sessions} == {"14:00:00"}
    assert all(dt.date.fromisoformat(s["day"]).isoweekday() == 5 for s in sessions)
    bad = await clocked.post(
        f"/api/offerings/{oid}/recurring-sessions",
        headers=base,
        json={
            "weekdays": [8],
            "first_day": "2024-09-06",
            "last_day": "2024-09-27",
            "starts_at": "14:00",
            "ends_at": "16:00",
        },
    )
    assert bad.status_code == 400 and "1（周一）至 7" in bad.text
    people = await register_people(3)
    for p in people:
        from training import enroll

        await enroll(oid, p, now=dt.datetime(2024, 8, 1, tzinfo=dt.UTC), today=dt.date(2024, 8, 1))
    rows = [
        {"row_id": f"pad7-{i}", "session_id": sessions[0]["id"], "id_number": make_id(i + 1), "present": True}
        for i in range(3)
    ] + [{"row_id": "pad7-x", "session_id": sessions[0]["id"], "id_number": 370102199001010011}]
    first = await clocked.post(
        f"/api/training-bases/{base_id}/attendance-batches", headers=base, json={"rows": rows}
    )
    assert first.status_code == 201, first.text
    assert [(x["row_id"], x["status"]) for x in first.json()["rows"]] == [
        ("pad7-0", "recorded"), ("pad7-1", "recorded"), ("pad7-2", "recorded"), ("pad7-x", "refused"),
    ]  # fmt: skip
    assert "格式错误：id_number" in first.json()["rows"][3]["reason"]
    before = await Attendance.select().order_by(Attendance.id)
    second = await clocked.post(
        f"/api/training-bases/{base_id}/attendance-batches", headers=base, json={"rows": rows}
    )
    assert (second.json()["recorded"], second.json()["duplicate"], second.json()["refused"]) == (0, 3, 1)
    assert await Attendance.select().order_by(Attendance.id) == before
    admin = await admin_headers(clocked)
    employer = await make_employer()
    hr = await staff_login(clocked, "hr1", "employer_staff", employer_id=employer)
    assert (
        await clocked.post(
            f"/api/training-bases/{base_id}/attendance-batches", headers=hr, json={"rows": rows}
        )
    ).status_code == 403
    assert (
        await clocked.post(
            f"/api/training-bases/{base_id}/attendance-batches", headers=admin, json={"rows": rows}
        )
    ).status_code == 201


async def test_an_employer_books_five_staff_into_four_seats(clocked: Any) -> None:
    employer, staff = await employer_with_staff(5)
    hr = await staff_login(clocked, "hr1", "employer_staff", employer_id=employer)
    oid = await make_offering(4, start=DAY, end=DAY + dt.timedelta(days=5))
    refused = await clocked.post(
        f"/api/offerings/{oid}/staff-enrollments", headers=hr, json={"practitioner_ids": staff}
    )
    assert refused.status_code == 409
    assert (refused.json()["code"], refused.json()["seats_left"], refused.json()["requested"]) == (
        "not_enough_seats",
        4,
        5,
    )
    filled = await clocked.post(
        f"/api/offerings/{oid}/staff-enrollments",
        headers=hr,
        json={"practitioner_ids": staff, "policy": "fill_and_waitlist"},
    )
    assert filled.status_code == 201, filled.text
    body = filled.json()
    assert (len(body["confirmed"]), len(body["waitlisted"]), body["seats_left"]) == (4, 1, 0)
    other = await make_employer(credit_code=_code("91370100MA3C8H2X0"), name="别家")
    (outsider,) = (await register_people(6, prefix="人员"))[5:]
    await employ(other, [outsider])
    not_ours = await clocked.post(
        f"/api/offerings/{oid}/staff-enrollments", headers=hr, json={"practitioner_ids": [outsider]}
    )
    assert not_ours.status_code == 422 and not_ours.json()["rows"] == [
        {"practitioner_id": outsider, "reason": "不是本机构在职员工"}
    ]
    assert (
        await clocked.post(
            f"/api/offerings/{oid}/staff-enrollments",
            headers=hr,
            json={"practitioner_ids": [outsider], "employer_id": other},
        )
    ).status_code == 403
    trainee = (await trainees(clocked, [outsider]))[0]
    assert (
        await clocked.post(
            f"/api/offerings/{oid}/staff-enrollments", headers=trainee, json={"practitioner_ids": [outsider]}
        )
    ).status_code == 403


def _code(first17: str) -> str:
    from talent_pool.identity import uscc_check_character

    return first17 + uscc_check_character(first17)


async def sms_count(client: Any, fragment: str) -> int:
    return sum(1 for _, text in client.sms.sent if fragment in text)


async def test_reminders_are_sent_once_even_when_the_job_runs_twice(clocked: Any) -> None:
    oid, _, _, base = await class_with_session(clocked, capacity=2)
    people = await register_people(2)
    logins = await trainees(clocked, people)
    for h in logins:
        await clocked.post(f"/api/offerings/{oid}/enrollments", headers=h, json={})
    await wait_for(lambda: sms_count(clocked, "名额已确认"))
    await wait_for(lambda: _equals(sms_count(clocked, "名额已确认"), 2))
    # a session three days ahead: its reminder waits in the database until 09:00 the day before
    r = await clocked.post(
        f"/api/offerings/{oid}/sessions",
        headers=base,
        json={"day": "2026-12-07", "starts_at": "09:00", "ends_at": "11:00"},
    )
    assert r.status_code == 201
    scheduled = await OutboxMessage.select().where(OutboxMessage.due_at.is_not_null())
    assert [row["due_at"] for row in scheduled] == [dt.datetime(2026, 12, 6, 1, 0, tzinfo=dt.UTC)]
    rt = clocked.app.state.rt
    await rt.dispatcher.relay()
    assert await sms_count(clocked, "明天") == 0  # not due yet
    # the broker delivers it twice: a second outbox row with the same job
    async with atomic():
        await enqueue(NOTIFY_TASK, *decode_args(scheduled[0]["args"]), due_at=scheduled[0]["due_at"])
    clocked.clock.set(dt.datetime(2026, 12, 6, 1, 0, 5, tzinfo=dt.UTC))  # 09:00:05 the day before
    await rt.dispatcher.relay()  # (the app's own dispatcher may have taken them first)
    await wait_for(lambda: _equals(_done_reminders(), 2))
    assert await sms_count(clocked, "明天（2026-12-07 周一）09:00–11:00") == 2
    assert await Notification.count().where(Notification.kind == "session_tomorrow") == 2
    inbox = (await clocked.get("/api/me/notifications", headers=logins[0])).json()
    assert [n["kind"] for n in inbox] == ["session_tomorrow", "enrollment_confirmed"]
    assert (await clocked.get("/api/me/notifications", headers=base)).status_code == 403


async def _done_reminders() -> int:
    return await OutboxMessage.count().where(
        (OutboxMessage.task == NOTIFY_TASK)
        & OutboxMessage.due_at.is_not_null()
        & OutboxMessage.done_at.is_not_null()
    )


async def _equals(awaitable: Any, value: int) -> bool:
    return await awaitable == value


async def test_subsidy_xlsx_and_the_trainer_pool_by_district(clocked: Any) -> None:
    from openpyxl import load_workbook

    admin = await admin_headers(clocked)
    oid, sid, _, base = await class_with_session(clocked)
    employer, staff = await employer_with_staff(2)
    for p in staff:
        from training import enroll

        await enroll(oid, p, now=AT_1350, today=DAY)
    await clocked.post(
        f"/api/sessions/{sid}/attendance",
        headers=base,
        json={"entries": [{"practitioner_id": p} for p in staff]},
    )
    assert (
        await clocked.post(f"/api/offerings/{oid}/subsidy", headers=base, json={"subsidised": True})
    ).status_code == 403
    assert (
        await clocked.post(f"/api/offerings/{oid}/subsidy", headers=admin, json={"subsidised": True})
    ).json()["subsidised"]
    clocked.clock.set(dt.datetime(2026, 12, 24, 2, 0, tzinfo=dt.UTC))
    assert (await clocked.post(f"/api/offerings/{oid}/complete", headers=base)).status_code == 201
    roster = (await clocked.get(f"/api/offerings/{oid}/subsidy-roster", headers=base)).json()
    assert [r["practitioner_id"] for r in roster["eligible"]] == staff and roster[
        "completed_on"
    ] == "2026-12-04"
    xlsx = await clocked.get(f"/api/offerings/{oid}/subsidy-roster.xlsx", headers=base)
    assert xlsx.status_code == 200
    assert xlsx.headers["content-type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert "filename*=UTF-8''" in xlsx.headers["content-disposition"]
    ws = load_workbook(io.BytesIO(xlsx.content)).active
    assert ws is not None and ws["A1"].value == "职业培训补贴申请人员花名册"
    assert [ws.cell(row=r, column=2).value for r in (5, 6)] == [
        roster["eligible"][0]["name"],
        roster["eligible"][1]["name"],
    ]
    assert ws["F9"].value == "填报日期：2026-12-24"
    granted = await clocked.post(
        f"/api/offerings/{oid}/subsidy-claims",
        headers=admin,
        json={"enrollment_ids": [roster["eligible"][0]["enrollment_id"]]},
    )
    assert granted.status_code == 201 and len(granted.json()["eligible"]) == 1
    # the trainer pool: a district regulator sees their district only
    district = await staff_login_district(clocked)
    for code, seq in (("370102", 1), ("370103", 2)):
        created = await clocked.post(
            "/api/trainers",
            headers=admin,
            json={
                "id_number": make_id(200 + seq, birth="19800101"),
                "name": f"讲师{chr(0x4E00 + seq)}",
                "district_code": code,
            },
        )
        assert created.status_code == 201, created.text
    mine = (await clocked.get("/api/trainers", headers=district)).json()
    assert [t["district_code"] for t in mine] == ["370102"] and "*" not in mine[0]["id_number"]
    assert (await clocked.get("/api/trainers?district_code=370103", headers=district)).status_code == 403
    as_base = (await clocked.get("/api/trainers", headers=base)).json()
    assert len(as_base) == 2 and all("*" in t["id_number"] for t in as_base)
    assert (
        await clocked.post(
            "/api/trainers",
            headers=base,
            json={"id_number": make_id(203, birth="19800101"), "name": "讲师丙", "district_code": "370103"},
        )
    ).status_code == 403
    assert employer


async def staff_login_district(client: Any) -> dict[str, str]:
    await create_account(
        AccountIn(username="lixia", password=PASSWORD, role="district_admin", district_code="370102")
    )
    return await login(client, "lixia")


async def test_courseware_files_and_a_live_session(clocked: Any) -> None:
    oid, _, base_id, base = await class_with_session(clocked)
    admin = await admin_headers(clocked)
    rt = clocked.app.state.rt
    folder = rt.settings.courseware_path()
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "yezh-01.mp4").write_bytes(b"\x00\x00\x00\x18ftypmp42")
    course = (await get_offering(oid)).course_id
    added = await clocked.post(
        f"/api/courses/{course}/lessons",
        headers=admin,
        json={"title": "回应性照护", "media": "yezh-01.mp4", "duration_seconds": 600},
    )
    assert added.status_code == 201 and added.json()["media_url"] == "/courseware/yezh-01.mp4"
    bad = await clocked.post(
        f"/api/courses/{course}/lessons",
        headers=admin,
        json={"title": "x", "media": "../secret", "duration_seconds": 1},
    )
    assert bad.status_code == 400 and "课件" in bad.text
    (trainee,) = await trainees(clocked, await register_people(1))
    served = await clocked.get("/courseware/yezh-01.mp4", headers=trainee)
    assert served.status_code == 200 and served.content.startswith(b"\x00\x00\x00\x18ftyp")
    assert served.headers["content-type"] == "video/mp4"
    assert (await clocked.get("/courseware/yezh-01.mp4")).status_code == 401
    assert (await clocked.get("/courseware/missing.mp4", headers=trainee)).status_code == 404
    # a live session at 15:00 (the clock stands at 13:50): joined online, counted as attendance
    live = await clocked.post(
        f"/api/offerings/{oid}/sessions",
        headers=base,
        json={
            "day": DAY.isoformat(),
            "starts_at": "16:00",
            "ends_at": "17:00",
            "mode": "live",
            "join_url": "https://live.example.cn/room/7",
        },
    )
    assert live.status_code == 201, live.text
    no_link = await clocked.post(
        f"/api/offerings/{oid}/sessions",
        headers=base,
        json={"day": DAY.isoformat(), "starts_at": "18:00", "ends_at": "19:00", "mode": "live"},
    )
    assert no_link.status_code == 400 and "join_url" in no_link.text
    lid = live.json()["id"]
    outsider = (await trainees(clocked, await register_people(2), prefix="other-"))[1]
    assert (await clocked.post(f"/api/sessions/{lid}/join", headers=outsider)).status_code == 403
    await clocked.post(f"/api/offerings/{oid}/enrollments", headers=trainee, json={})
    early = await clocked.post(f"/api/sessions/{lid}/join", headers=trainee)
    assert early.status_code == 422 and "不在签到时间内" in early.json()["detail"]
    clocked.clock.set(dt.datetime(2026, 12, 4, 7, 58, tzinfo=dt.UTC))  # 15:58
    joined = await clocked.post(f"/api/sessions/{lid}/join", headers=trainee)
    assert (joined.status_code, joined.json()["status"]) == (201, "checked_in")
    clocked.clock.set(dt.datetime(2026, 12, 4, 8, 50, tzinfo=dt.UTC))  # 16:50
    left = await clocked.post(f"/api/sessions/{lid}/leave", headers=trainee)
    assert (left.json()["status"], left.json()["attended_minutes"]) == ("checked_out", 50)
    rows = (await clocked.get(f"/api/sessions/{lid}/attendance", headers=base)).json()
    assert [(r["method"], r["present"], r["attended_minutes"]) for r in rows] == [("live", True, 50)]
    assert base_id
