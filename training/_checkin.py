"""Self check-in (扫码签到) by rotating QR code, check-out, and joining a live session online.

A trainee's scan records one attendance row for that session and their confirmed enrollment:
``INSERT … ON CONFLICT (session, enrollment) DO NOTHING`` (a second scan, or two at once, find
the same row), or a conditional ``UPDATE … WHERE present = false`` when staff had marked them
absent. Check-ins take a *shared* lock on the session row, so hundreds run in parallel while a
roster write (exclusive lock) waits for them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from talent_pool.db import atomic
from training._attendance import _change, _lock_session
from training._common import _offering_row, _require_aware
from training.attendance_schemas import CheckinResult
from training.checkin_token import CheckinToken, Purpose, issue_token, read_token
from training.errors import CheckinRefused, TrainingNotFound
from training.schedule import SessionTimes, attended_minutes
from training.tables import Attendance, AttendanceChange, Enrollment, Session


async def _session(session_id: int) -> dict[str, Any]:
    row = await Session.select().where(Session.id == session_id).first()
    if row is None:
        raise TrainingNotFound(f"课次 {session_id} 不存在", session_id=session_id)
    return row


def _hm(at: dt.datetime, times: SessionTimes) -> str:
    return at.astimezone(times.zone).strftime("%m-%d %H:%M")


async def issue_checkin_token(
    session_id: int, purpose: Purpose, *, key: bytes, now: dt.datetime
) -> CheckinToken:
    """The QR token of the current 15-second window for a scheduled session
    (:mod:`training.checkin_token`). Raises :class:`TrainingNotFound`, :class:`CheckinRefused`
    for a cancelled session or a live one (live sessions are joined online, not scanned)."""
    _require_aware(now)
    session = await _session(session_id)
    if session["status"] != "scheduled":
        raise CheckinRefused(f"课次 {session_id} 已取消", reason="cancelled")
    if session["mode"] != "offline":
        raise CheckinRefused("直播课次无需扫码，学员在线进入即记考勤", reason="mode")
    return issue_token(key, session_id, purpose, now=now)


async def _confirmed_enrollment(offering_id: int, practitioner_id: int) -> int:
    row = await (
        Enrollment.select(Enrollment.id, Enrollment.status)
        .where(
            (Enrollment.offering == offering_id)
            & (Enrollment.practitioner == practitioner_id)
            & Enrollment.status.is_in(["confirmed", "waitlisted"])
        )
        .first()
    )
    if row is None:
        raise CheckinRefused("您未报名本课次所属的班级，不能签到", reason="not_enrolled")
    if row["status"] != "confirmed":
        raise CheckinRefused("您仍在候补名单中，尚无名额，不能签到", reason="not_confirmed")
    return int(row["id"])


def _result(session_id: int, row: Mapping[str, Any], status: str) -> CheckinResult:
    return CheckinResult(
        session_id=session_id,
        enrollment_id=row["enrollment"],
        attendance_id=row["id"],
        status=status,
        checked_in_at=row["checked_in_at"],
        checked_out_at=row["checked_out_at"],
        late=row["late"],
        attended_minutes=row["attended_minutes"],
    )


async def _arrive(
    session: Mapping[str, Any],
    practitioner_id: int,
    *,
    method: str,
    by: str,
    times: SessionTimes,
    now: dt.datetime,
) -> CheckinResult:
    if session["status"] != "scheduled":
        raise CheckinRefused(f"课次 {session['id']} 已取消", reason="cancelled")
    offering = await _offering_row(session["offering"])
    if offering["status"] in ("completed", "cancelled"):
        raise CheckinRefused("班级已结业或已取消，不能签到", reason="window")
    opens, closes = times.checkin_window(session["day"], session["starts_at"])
    if not opens <= now <= closes:
        raise CheckinRefused(
            f"不在签到时间内（本课次签到时间 {_hm(opens, times)}–{_hm(closes, times)}）",
            reason="window",
            opens=opens.isoformat(),
            closes=closes.isoformat(),
        )
    enrollment_id = await _confirmed_enrollment(offering["id"], practitioner_id)
    late = times.is_late(session["day"], session["starts_at"], now)
    async with atomic():
        await _lock_session(session["id"], shared=True)
        inserted = await (
            Attendance.insert(
                Attendance(
                    session=session["id"],
                    enrollment=enrollment_id,
                    present=True,
                    method=method,
                    recorded_by=by,
                    recorded_at=now,
                    checked_in_at=now,
                    late=late,
                )
            )
            .on_conflict(target=(Attendance.session, Attendance.enrollment), action="DO NOTHING")
            .returning(Attendance.id)
        )
        status = "checked_in"
        if inserted:
            await AttendanceChange.insert(
                _change(inserted[0]["id"], None, True, method, by, now, "", late_after=late)
            )
        else:
            turned = await (
                Attendance.update(
                    {
                        Attendance.present: True,
                        Attendance.method: method,
                        Attendance.recorded_by: by,
                        Attendance.recorded_at: now,
                        Attendance.checked_in_at: now,
                        Attendance.late: late,
                    }
                )
                .where(
                    (Attendance.session == session["id"])
                    & (Attendance.enrollment == enrollment_id)
                    & (Attendance.present == False)  # noqa: E712
                )
                .returning(Attendance.id)
            )
            if turned:
                await AttendanceChange.insert(
                    _change(
                        turned[0]["id"], False, True, method, by, now, "", late_before=False, late_after=late
                    )
                )
            else:
                status = "already_checked_in"
        row = await (
            Attendance.select()
            .where((Attendance.session == session["id"]) & (Attendance.enrollment == enrollment_id))
            .first()
        )
    assert row is not None
    return _result(session["id"], row, status)


async def _leave(
    session: Mapping[str, Any], practitioner_id: int, *, times: SessionTimes, now: dt.datetime
) -> CheckinResult:
    opens, closes = times.checkout_window(session["day"], session["ends_at"])
    if not opens <= now <= closes:
        raise CheckinRefused(
            f"不在签退时间内（本课次签退时间 {_hm(opens, times)}–{_hm(closes, times)}）",
            reason="window",
            opens=opens.isoformat(),
            closes=closes.isoformat(),
        )
    enrollment_id = await _confirmed_enrollment(session["offering"], practitioner_id)
    start = times.instant(session["day"], session["starts_at"])
    end = times.instant(session["day"], session["ends_at"])
    async with atomic():
        row = await (
            Attendance.select()
            .where((Attendance.session == session["id"]) & (Attendance.enrollment == enrollment_id))
            .first()
        )
        if row is None or not row["present"]:
            raise CheckinRefused("尚未签到，不能签退", reason="not_checked_in")
        if row["checked_out_at"] is not None:
            return _result(session["id"], row, "already_checked_out")
        minutes = attended_minutes(start, end, row["checked_in_at"] or start, now)
        updated = await (
            Attendance.update({Attendance.checked_out_at: now, Attendance.attended_minutes: minutes})
            .where((Attendance.id == row["id"]) & Attendance.checked_out_at.is_null())
            .returning(*Attendance.all_columns())
        )
        if not updated:  # checked out by a parallel scan
            again = await Attendance.select().where(Attendance.id == row["id"]).first()
            assert again is not None
            return _result(session["id"], again, "already_checked_out")
    return _result(session["id"], updated[0], "checked_out")


async def check_in(
    token: str, practitioner_id: int, *, key: bytes, times: SessionTimes, now: dt.datetime, by: str
) -> CheckinResult:
    """A trainee scans the session's QR code (check-in, or check-out when the code is a
    check-out code) at ``now``.

    Check-in: the token must be genuine and of the current or previous 15-second window
    (二维码已过期 otherwise), ``now`` inside the session's check-in window (``times``), the person
    confirmed in the offering. Records the attendance row once (present, method ``qr``,
    ``checked_in_at``, ``late`` when more than ``times.late_after`` minutes after the start);
    scanning again answers ``already_checked_in`` with the same row. Check-out: sets
    ``checked_out_at`` and ``attended_minutes`` once, inside the check-out window, after a
    check-in. ``by`` is stored as ``recorded_by``.

    Raises :class:`CheckinRefused` (reason invalid | expired | window | cancelled | not_enrolled
    | not_confirmed | not_checked_in), :class:`TrainingNotFound`.
    """
    _require_aware(now)
    session_id, purpose = read_token(key, token, now=now)
    session = await _session(session_id)
    if session["mode"] != "offline":
        raise CheckinRefused("二维码无效", reason="invalid")
    if purpose == "checkout":
        return await _leave(session, practitioner_id, times=times, now=now)
    return await _arrive(session, practitioner_id, method="qr", by=by, times=times, now=now)


async def join_live(
    session_id: int,
    practitioner_id: int,
    *,
    leaving: bool = False,
    times: SessionTimes,
    now: dt.datetime,
    by: str,
) -> CheckinResult:
    """A trainee enters (or, ``leaving``, leaves) a live online session: the same rules and the
    same single attendance row as a QR check-in (method ``live``), without a token — the login is
    the proof. Raises :class:`CheckinRefused` (also for an offline session), :class:`TrainingNotFound`."""
    _require_aware(now)
    session = await _session(session_id)
    if session["mode"] != "live":
        raise CheckinRefused("线下课次请到现场扫码签到", reason="mode")
    if leaving:
        return await _leave(session, practitioner_id, times=times, now=now)
    return await _arrive(session, practitioner_id, method="live", by=by, times=times, now=now)
