"""Rotating-QR self check-in and check-out, live join, offline batch uploads (idempotent per row
id, a report per row) and corrections with who/when/why, on the real PostgreSQL database."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest

from tests.factories import make_id, make_offering, register_people, training_base
from training import (
    CheckinRefused,
    OfferingNotOpen,
    SessionTimes,
    add_session,
    attendance_history,
    check_in,
    correct_attendance,
    enroll,
    issue_checkin_token,
    join_live,
    record_attendance,
    session_attendance,
    upload_attendance_batch,
)
from training.attendance_schemas import CorrectionIn
from training.schemas import SessionIn
from training.tables import Attendance, AttendanceChange, AttendanceUpload

KEY = b"checkin-test-key-0123456789abcdef"
TIMES = SessionTimes()
DAY = dt.date(2024, 9, 6)
START = dt.datetime(2024, 9, 6, 6, 0, tzinfo=dt.UTC)  # 14:00 in Jinan
BEFORE = dt.datetime(2024, 8, 30, 2, 0, tzinfo=dt.UTC)


async def setup(n: int = 3, capacity: int = 10, mode: str = "offline") -> tuple[int, int, list[int]]:
    # a 2 h course: its one 14:00–16:00 session delivers it (completion needs the course's hours)
    oid = await make_offering(capacity, start=dt.date(2024, 9, 1), end=dt.date(2024, 9, 30), hours="2")
    session = await add_session(
        oid,
        SessionIn.model_validate(
            {
                "day": DAY,
                "starts_at": "14:00",
                "ends_at": "16:00",
                "mode": mode,
                "join_url": "https://live.example.cn/room/7" if mode == "live" else "",
            }
        ),
        times=TIMES,
        now=BEFORE,
    )
    people = await register_people(n)
    for pid in people:
        await enroll(oid, pid, now=BEFORE, today=BEFORE.date())
    return oid, session.id, people


async def scan(
    session_id: int, pid: int, at: dt.datetime, purpose: str = "checkin", issued: dt.datetime | None = None
):  # type: ignore[no-untyped-def]
    token = await issue_checkin_token(session_id, purpose, key=KEY, now=issued or at)  # type: ignore[arg-type]
    return await check_in(token.token, pid, key=KEY, times=TIMES, now=at, by="trainee")


async def test_check_in_once_late_mark_and_check_out(db: None) -> None:
    _, sid, (a, b, _c) = await setup()
    first = await scan(sid, a, START - dt.timedelta(minutes=10))
    assert (first.status, first.late, first.checked_in_at) == (
        "checked_in",
        False,
        START - dt.timedelta(minutes=10),
    )
    again = await scan(sid, a, START - dt.timedelta(minutes=9))
    assert (again.status, again.attendance_id, again.checked_in_at) == (
        "already_checked_in",
        first.attendance_id,
        first.checked_in_at,
    )
    late = await scan(sid, b, START + dt.timedelta(minutes=6))
    assert (late.status, late.late) == ("checked_in", True)
    out = await scan(sid, a, START + dt.timedelta(hours=2, minutes=3), purpose="checkout")
    assert (out.status, out.attended_minutes) == ("checked_out", 120)
    out_b = await scan(sid, b, START + dt.timedelta(hours=1, minutes=50), purpose="checkout")
    assert out_b.attended_minutes == 104  # 14:06 to 15:50
    assert (
        await scan(sid, a, START + dt.timedelta(hours=2, minutes=4), purpose="checkout")
    ).status == "already_checked_out"
    rows = await Attendance.select().where(Attendance.session == sid).order_by(Attendance.id)
    assert [(r["method"], r["present"], r["late"]) for r in rows] == [("qr", True, False), ("qr", True, True)]
    history = await attendance_history(sid)
    assert [(h.present_before, h.present_after, h.method, h.changed_by) for h in history] == [
        (None, True, "qr", "trainee"),
        (None, True, "qr", "trainee"),
    ]


async def test_expired_tokens_windows_and_strangers_are_refused(db: None) -> None:
    _, sid, (a, _b, waiting) = await setup(capacity=2)  # the third person is waitlisted
    at = START - dt.timedelta(minutes=5)
    token = await issue_checkin_token(sid, "checkin", key=KEY, now=at)
    with pytest.raises(CheckinRefused, match="二维码已过期") as expired:  # a photo forwarded 31 s later
        await check_in(token.token, a, key=KEY, times=TIMES, now=at + dt.timedelta(seconds=31), by="t")
    assert expired.value.detail["reason"] == "expired"
    with pytest.raises(CheckinRefused, match="不在签到时间内（本课次签到时间 09-06 13:30–09-06 14:30）"):
        await scan(sid, a, START - dt.timedelta(minutes=31))
    with pytest.raises(CheckinRefused, match="不在签到时间内"):
        await scan(sid, a, START + dt.timedelta(minutes=31))
    with pytest.raises(CheckinRefused, match="候补") as waitlisted:
        await scan(sid, waiting, at)
    assert waitlisted.value.detail["reason"] == "not_confirmed"
    other_oid = await make_offering(
        5, start=dt.date(2024, 9, 1), end=dt.date(2024, 9, 30), course_code="OTHER"
    )
    outsider = (await register_people(4))[-1]
    await enroll(other_oid, outsider, now=BEFORE, today=BEFORE.date())
    with pytest.raises(CheckinRefused, match="未报名") as not_enrolled:
        await scan(sid, outsider, at)
    assert not_enrolled.value.detail["reason"] == "not_enrolled"
    with pytest.raises(CheckinRefused, match="尚未签到"):
        await scan(sid, a, START + dt.timedelta(hours=2), purpose="checkout")
    assert await Attendance.count() == 0


async def test_fifty_concurrent_scans_record_each_person_once(db: None) -> None:
    _, sid, people = await setup(n=25, capacity=25)
    at = START - dt.timedelta(minutes=1)
    results = await asyncio.gather(*(scan(sid, pid, at) for pid in people for _ in range(2)))
    assert sorted(r.status for r in results).count("checked_in") == 25
    assert await Attendance.count().where(Attendance.session == sid) == 25
    assert await AttendanceChange.count() == 25


async def test_roster_absent_then_scan_turns_present_with_history(db: None) -> None:
    _, sid, (a, _b, _c) = await setup()
    await record_attendance(
        sid, [{"practitioner_id": a, "present": False}], recorded_by="base1", now=BEFORE, today=DAY
    )
    result = await scan(sid, a, START + dt.timedelta(minutes=2))
    assert result.status == "checked_in" and not result.late
    history = await attendance_history(sid)
    assert [(h.present_before, h.present_after, h.method, h.changed_by) for h in history] == [
        (None, False, "roster", "base1"),
        (False, True, "qr", "trainee"),
    ]


async def test_live_sessions_are_joined_online_not_scanned(db: None) -> None:
    _, sid, (a, _b, _c) = await setup(mode="live")
    with pytest.raises(CheckinRefused, match="直播课次无需扫码"):
        await issue_checkin_token(sid, "checkin", key=KEY, now=START)
    joined = await join_live(sid, a, times=TIMES, now=START + dt.timedelta(minutes=1), by="t")
    left = await join_live(sid, a, leaving=True, times=TIMES, now=START + dt.timedelta(minutes=91), by="t")
    assert (joined.status, left.status, left.attended_minutes) == ("checked_in", "checked_out", 90)
    rows = await session_attendance(sid)
    assert [(r.method, r.present, r.attended_minutes) for r in rows] == [("live", True, 90)]


def row(row_id: str, session_id: int, **person: object) -> dict[str, object]:
    return {"row_id": row_id, "session_id": session_id, "present": True, **person}


async def test_a_batch_uploaded_twice_gives_the_same_rows(db: None) -> None:
    oid, sid, (a, b, c) = await setup()
    from training import get_offering

    base_id = (await get_offering(oid)).training_base_id
    batch = [
        row("dev1-0001", sid, practitioner_id=a, scanned_at="2024-09-06T13:55:00+08:00"),
        row("dev1-0002", sid, id_number=make_id(2)),
        row("dev1-0003", sid, practitioner_id=c, present=False),
    ]
    first = await upload_attendance_batch(base_id, batch, by="base1-pad", now=START, today=DAY)
    assert [(r.row_id, r.status) for r in first.rows] == [
        ("dev1-0001", "recorded"), ("dev1-0002", "recorded"), ("dev1-0003", "recorded"),
    ]  # fmt: skip
    rows_before = await Attendance.select().order_by(Attendance.id)
    history_before = await AttendanceChange.count()
    second = await upload_attendance_batch(
        base_id, batch, by="base1-pad", now=START + dt.timedelta(hours=1), today=DAY
    )
    assert (second.recorded, second.duplicate, second.refused) == (0, 3, 0)
    assert [r.attendance_id for r in second.rows] == [r.attendance_id for r in first.rows]
    assert (
        await Attendance.select().order_by(Attendance.id) == rows_before
    )  # nothing changed, not even the times
    assert await AttendanceChange.count() == history_before == 3
    assert rows_before[0]["checked_in_at"] == dt.datetime(2024, 9, 6, 5, 55, tzinfo=dt.UTC)
    assert await AttendanceUpload.count() == 3
    # the same batch twice at once: still one row per person
    again = [row(f"dev2-{i}", sid, practitioner_id=p) for i, p in enumerate((a, b))]
    reports = await asyncio.gather(
        *(upload_attendance_batch(base_id, again, by="pad", now=START, today=DAY) for _ in range(3))
    )
    assert sorted((r.already_recorded, r.duplicate) for r in reports) == [(0, 2), (0, 2), (2, 0)]
    assert await Attendance.count() == 3 and await AttendanceChange.count() == 3


async def test_each_refused_row_says_why_and_good_rows_still_count(db: None) -> None:
    oid, sid, (a, b, c) = await setup(capacity=2)  # c is waitlisted
    from training import get_offering

    base_id = (await get_offering(oid)).training_base_id
    other_base = await training_base(name="另一基地")
    other_oid = await make_offering(
        5, start=dt.date(2024, 9, 1), end=dt.date(2024, 9, 30), course_code="OTHER", base_name="别处基地"
    )
    other_session = await add_session(
        other_oid, SessionIn(day=DAY, starts_at=dt.time(9), ends_at=dt.time(10)), times=TIMES, now=BEFORE
    )
    future = await add_session(
        oid,
        SessionIn(day=dt.date(2024, 9, 20), starts_at=dt.time(9), ends_at=dt.time(10)),
        times=TIMES,
        now=BEFORE,
    )
    await record_attendance(
        sid, [{"practitioner_id": b, "present": False}], recorded_by="base1", now=BEFORE, today=DAY
    )
    report = await upload_attendance_batch(
        base_id,
        [
            row("r1", sid, practitioner_id=a),
            row("r2", sid, practitioner_id=a, present=False),
            row("r3", sid, practitioner_id=b),
            row("r4", sid, practitioner_id=c),
            row("r5", other_session.id, practitioner_id=a),
            row("r6", future.id, practitioner_id=a),
            row("r7", sid, id_number="3.70102199E+17"),
            row("r8", sid, id_number="37010219900101001"),
            {"row_id": "r9", "session_id": str(sid), "practitioner_id": a},
            {"row_id": "bad id!", "session_id": sid, "practitioner_id": a},
            row("r1", sid, practitioner_id=a),
            row("r1", sid, practitioner_id=b),
            row("r10", 999999, practitioner_id=a),
            row("r11", sid, practitioner_id=a, enrollment_id=1),
        ],
        by="pad",
        now=START,
        today=DAY,
    )
    got = [(r.row_id, r.status, r.reason) for r in report.rows]
    assert got[0] == ("r1", "recorded", "")
    assert got[1] == ("r2", "refused", "与第 1 行矛盾（同一人同一课次出勤不一致）")
    assert got[2] == ("r3", "refused", "已有考勤记录（名单录入：缺勤），如需更改请提交更正并说明原因")
    assert got[3] == ("r4", "refused", "报名状态为候补中，不能记录考勤")
    assert got[4] == ("r5", "refused", f"课次 {other_session.id} 不存在或不属于本实训基地")
    assert got[5] == ("r6", "refused", "课次尚未开始（课次日期 2024-09-20，今天 2024-09-06）")
    assert got[6][1] == "refused" and got[6][2].endswith(
        "（疑似被 Excel 转成了数字，请把身份证号列设为文本）"
    )
    assert got[7][1] == "refused" and "身份证号码" in got[7][2]
    assert got[8][:2] == ("r9", "refused") and got[8][2].startswith("格式错误：session_id")
    assert got[9] == ("bad id!", "refused", "格式错误：row_id 行编号 row_id 须为 1–64 位字母、数字或 _.:-")
    assert got[10] == ("r1", "duplicate", "")
    assert got[11] == ("r1", "refused", "行编号与第 1 行相同但内容不同")
    assert got[12] == ("r10", "refused", "课次 999999 不存在或不属于本实训基地")
    assert got[13][1] == "refused" and "之一" in got[13][2]
    assert (report.recorded, report.refused, report.duplicate) == (1, 12, 1)
    assert other_base
    # an unknown ID number and a known person who is not enrolled get the same answer
    (known,) = (await register_people(4))[3:]
    same = await upload_attendance_batch(
        base_id,
        [
            row("u1", sid, id_number=make_id(77)),
            row("u2", sid, practitioner_id=known),
            row("u3", sid, id_number=make_id(4)),
        ],
        by="pad",
        now=START,
        today=DAY,
    )
    assert {r.reason for r in same.rows} == {"该人员未报名本课次所属的班级"}
    # a later upload that reuses a row id for other content is refused too
    reuse = await upload_attendance_batch(
        base_id, [row("r1", sid, practitioner_id=a, present=False)], by="pad", now=START, today=DAY
    )
    assert reuse.rows[0].reason == "行编号 r1 已用于内容不同的一行"


async def test_corrections_keep_who_when_why(db: None) -> None:
    oid, sid, (a, b, _c) = await setup()
    await record_attendance(
        sid, [{"practitioner_id": a}, {"practitioner_id": b}], recorded_by="base1", now=START, today=DAY
    )
    later = START + dt.timedelta(days=1)
    fixed = await correct_attendance(
        sid,
        CorrectionIn(practitioner_id=a, present=False, reason="核对监控：实际未到场"),
        by="base1-lead",
        now=later,
        today=DAY,
    )
    assert (fixed.present, fixed.method, fixed.practitioner_id) == (False, "correct", a)
    last = (await attendance_history(sid))[-1]
    assert (last.enrollment_id, last.present_before, last.present_after, last.method) == (
        fixed.enrollment_id, True, False, "correct",
    )  # fmt: skip
    assert (last.changed_by, last.changed_at, last.reason) == ("base1-lead", later, "核对监控：实际未到场")
    with pytest.raises(ValueError, match="原因"):
        CorrectionIn(practitioner_id=a, present=True, reason="   ")
    from training import complete_offering

    await complete_offering(oid, completed_on=DAY, now=later)
    with pytest.raises(OfferingNotOpen, match="已结业"):
        await correct_attendance(
            sid, CorrectionIn(practitioner_id=b, present=False, reason="x"), by="b", now=later, today=DAY
        )
