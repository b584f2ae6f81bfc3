"""Offline batch attendance (离线考勤批量上传), corrections with reasons (考勤更正), a session's
attendance rows and their history.

A base's device records attendance without a network and uploads its rows later, each with an id
of its own (``row_id``). A row is applied once per base: ``Unique(training_base, client_row_id)``
in ``tr_attendance_upload``, so the same batch uploaded twice (or twice at once) changes nothing
the second time. Rows are judged one by one — the report says for each what happened and why a
row was refused; good rows are applied even when others are refused. A row never overwrites a
different value already recorded (by a scan, the roster or an earlier batch): that needs a
correction, which keeps who, when and why.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import ValidationError

from talent_pool import parse_id_number
from talent_pool.db import atomic
from talent_pool.errors import ValidationFailed
from talent_pool.tables import Practitioner
from training._attendance import _lock_session, write_attendance
from training._common import _offering_row, _require_aware, first_error
from training.attendance_schemas import (
    AttendanceChangeOut,
    AttendanceRow,
    BatchReport,
    BatchRowIn,
    BatchRowReport,
    CorrectionIn,
)
from training.errors import OfferingNotOpen, TrainingInvalid, TrainingNotFound
from training.tables import (
    Attendance,
    AttendanceChange,
    AttendanceUpload,
    Enrollment,
    Session,
    TrainingBase,
)

MAX_BATCH_ROWS = 2000
NOT_ENROLLED = "该人员未报名本课次所属的班级"
_EXCEL_NUMBER = re.compile(r"^\d(\.\d+)?[eE]\+?\d+$")
_METHOD_NAMES = {
    "roster": "名单录入",
    "qr": "扫码签到",
    "batch": "离线上传",
    "live": "直播",
    "correct": "更正",
}


def _digest(row: BatchRowIn) -> str:
    data = row.model_dump(mode="json")
    if row.scanned_at is not None:
        data["scanned_at"] = row.scanned_at.astimezone(dt.UTC).isoformat()
    return hashlib.sha256(json.dumps(data, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


async def _people_by_number(rows: Sequence[BatchRowIn], today: dt.date) -> dict[str, int | str]:
    """``id_number`` as sent → practitioner id, or a Chinese reason it cannot be used."""
    found: dict[str, int | str] = {}
    numbers: dict[str, str] = {}
    for row in rows:
        raw = row.id_number
        if raw is None or raw in found or raw in numbers:
            continue
        try:
            numbers[raw] = parse_id_number(raw, today=today).number
        except (ValueError, ValidationFailed) as exc:
            hint = (
                "（疑似被 Excel 转成了数字，请把身份证号列设为文本）"
                if _EXCEL_NUMBER.match(raw.strip())
                else ""
            )
            found[raw] = f"{getattr(exc, 'message', str(exc))}{hint}"
    if numbers:
        people = await Practitioner.select(Practitioner._meta.primary_key, Practitioner.id_number).where(
            Practitioner.id_number.is_in(sorted(set(numbers.values())))
        )
        by_number = {p["id_number"]: p["id"] for p in people}
        for raw, number in numbers.items():
            # an unknown number gets the answer of a known person who is not enrolled: a batch
            # cannot be used to learn who is in the talent pool
            found[raw] = by_number.get(number, NOT_ENROLLED)
    return found


async def upload_attendance_batch(
    training_base_id: int,
    rows: Sequence[Mapping[str, Any] | BatchRowIn],
    *,
    by: str,
    now: dt.datetime,
    today: dt.date,
) -> BatchReport:
    """Apply an offline device's batch for sessions of one base (see the module docstring).

    Each row (:class:`~training.attendance_schemas.BatchRowIn`) names a session of the base and a
    person (enrollment id, practitioner id or resident ID number) and ``present``. Reported per row:
    ``recorded``; ``already_recorded`` (the same value was there); ``duplicate`` (this row id was
    applied before — by any earlier upload); ``refused`` with the reason (malformed, the row id
    reused for other content, session unknown or of another base, cancelled, not yet held
    (``today``, local), class closed, person not confirmed in the class, contradicting another
    row, or a different value already recorded). Raises :class:`TrainingInvalid` for an empty or
    oversized batch, naive ``now`` or empty ``by``; :class:`TrainingNotFound` for a base that does
    not exist.
    """
    _require_aware(now)
    if not by.strip():
        raise TrainingInvalid("记录人不能为空", field="by")
    if not rows or len(rows) > MAX_BATCH_ROWS:
        raise TrainingInvalid(f"每批 1–{MAX_BATCH_ROWS} 行", field="rows")
    if not await TrainingBase.exists().where(TrainingBase.id == training_base_id):
        raise TrainingNotFound(f"实训基地 {training_base_id} 不存在")
    reports: list[BatchRowReport | None] = [None] * len(rows)
    parsed: list[tuple[int, BatchRowIn, str]] = []
    first_by_id: dict[str, tuple[int, str]] = {}
    for index, raw in enumerate(rows):
        try:
            row = raw if isinstance(raw, BatchRowIn) else BatchRowIn.model_validate(raw)
        except ValidationError as exc:
            row_id = raw.get("row_id") if isinstance(raw, Mapping) else None
            reports[index] = BatchRowReport(
                index=index, row_id=str(row_id or "")[:64], status="refused", reason=first_error(exc)
            )
            continue
        digest = _digest(row)
        seen = first_by_id.get(row.row_id)
        if seen is not None:
            same = seen[1] == digest
            reports[index] = BatchRowReport(
                index=index,
                row_id=row.row_id,
                status="duplicate" if same else "refused",
                reason="" if same else f"行编号与第 {seen[0] + 1} 行相同但内容不同",
                session_id=row.session_id,
            )
            continue
        first_by_id[row.row_id] = (index, digest)
        parsed.append((index, row, digest))
    people = await _people_by_number([r for _, r, _ in parsed], today)
    async with atomic():
        session_ids = sorted({r.session_id for _, r, _ in parsed})
        sessions = {
            s["id"]: s
            for s in await Session.raw(
                "SELECT s.id, s.day, s.status, s.offering, o.training_base, o.status AS offering_status "
                "FROM tr_session s JOIN tr_offering o ON o.id = s.offering WHERE s.id IN ({})".replace(
                    "{}", ", ".join("{}" for _ in session_ids) or "NULL"
                ),
                *session_ids,
            )
            if s["training_base"] == training_base_id
        }
        for session_id in sorted(sessions):
            await _lock_session(session_id)
        known = {
            u["client_row_id"]: u
            for u in await AttendanceUpload.select().where(
                (AttendanceUpload.training_base == training_base_id)
                & AttendanceUpload.client_row_id.is_in([r.row_id for _, r, _ in parsed] or [""])
            )
        }
        offerings = sorted({s["offering"] for s in sessions.values()})
        enrollments = await Enrollment.select(
            Enrollment.id, Enrollment.offering, Enrollment.practitioner, Enrollment.status
        ).where(Enrollment.offering.is_in(offerings or [-1]))
        by_id = {e["id"]: e for e in enrollments}
        live = {
            (e["offering"], e["practitioner"]): e
            for e in enrollments
            if e["status"] in ("confirmed", "waitlisted")
        }
        existing = {
            (a["session"], a["enrollment"]): a
            for a in await Attendance.select(
                Attendance.id,
                Attendance.session,
                Attendance.enrollment,
                Attendance.present,
                Attendance.method,
            ).where(Attendance.session.is_in(sorted(sessions) or [-1]))
        }
        accepted: dict[tuple[int, int], tuple[int, bool]] = {}
        for index, row, digest in parsed:
            report = BatchRowReport(
                index=index, row_id=row.row_id, status="refused", session_id=row.session_id
            )
            reports[index] = report
            upload = known.get(row.row_id)
            if upload is not None:
                if upload["digest"] == digest:
                    report.status, report.attendance_id = "duplicate", upload["attendance"]
                else:
                    report.reason = f"行编号 {row.row_id} 已用于内容不同的一行"
                continue
            session = sessions.get(row.session_id)
            if session is None:
                report.reason = f"课次 {row.session_id} 不存在或不属于本实训基地"
                continue
            if session["status"] != "scheduled":
                report.reason = f"课次 {row.session_id} 已取消"
                continue
            if session["offering_status"] in ("completed", "cancelled"):
                report.reason = "班级已结业或已取消，不能再记录考勤"
                continue
            day = (
                session["day"]
                if isinstance(session["day"], dt.date)
                else dt.date.fromisoformat(session["day"])
            )
            if day > today:
                report.reason = f"课次尚未开始（课次日期 {day}，今天 {today}）"
                continue
            enrollment: dict[str, Any] | None
            if row.enrollment_id is not None:
                enrollment = by_id.get(row.enrollment_id)
                if enrollment is not None and enrollment["offering"] != session["offering"]:
                    enrollment = None
            else:
                person = (
                    row.practitioner_id
                    if row.practitioner_id is not None
                    else people.get(row.id_number or "")
                )
                if isinstance(person, str):
                    report.reason = person
                    continue
                enrollment = live.get((session["offering"], person))
            if enrollment is None:
                report.reason = NOT_ENROLLED
                continue
            if enrollment["status"] != "confirmed":
                report.reason = (
                    "报名状态为候补中，不能记录考勤"
                    if enrollment["status"] == "waitlisted"
                    else "报名已取消或已结业"
                )
                continue
            report.enrollment_id = enrollment["id"]
            key = (row.session_id, enrollment["id"])
            earlier = accepted.get(key)
            if earlier is not None and earlier[1] != row.present:
                report.reason = f"与第 {earlier[0] + 1} 行矛盾（同一人同一课次出勤不一致）"
                continue
            current = existing.get(key)
            if current is not None and current["present"] != row.present:
                method = _METHOD_NAMES.get(current["method"], current["method"])
                value = "出勤" if current["present"] else "缺勤"
                report.reason = f"已有考勤记录（{method}：{value}），如需更改请提交更正并说明原因"
                continue
            report.status = "already_recorded" if current is not None or earlier is not None else "recorded"
            accepted.setdefault(key, (index, row.present))
        by_session: dict[int, dict[int, bool]] = {}
        scans: dict[int, dict[int, dt.datetime]] = {}
        for index, row, _ in parsed:
            done = reports[index]
            assert done is not None
            report = done
            if report.status not in ("recorded", "already_recorded"):
                continue
            assert report.enrollment_id is not None
            by_session.setdefault(row.session_id, {})[report.enrollment_id] = row.present
            if row.scanned_at is not None:
                scans.setdefault(row.session_id, {})[report.enrollment_id] = row.scanned_at.astimezone(dt.UTC)
        written: dict[tuple[int, int], int] = {}
        for session_id, values in by_session.items():
            result = await write_attendance(
                session_id,
                values,
                method="batch",
                by=by,
                now=now,
                touch_unchanged=False,
                checked_in_at=scans.get(session_id),
            )
            written.update({(session_id, e): attendance_id for e, (attendance_id, _) in result.items()})
        uploads = []
        for index, row, digest in parsed:
            done = reports[index]
            assert done is not None
            report = done
            if report.status in ("recorded", "already_recorded") and report.enrollment_id is not None:
                report.attendance_id = written[(row.session_id, report.enrollment_id)]
                uploads.append(
                    AttendanceUpload(
                        training_base=training_base_id,
                        client_row_id=row.row_id,
                        digest=digest,
                        attendance=report.attendance_id,
                        uploaded_by=by,
                        uploaded_at=now,
                    )
                )
        if uploads:
            await AttendanceUpload.insert(*uploads)
    final = [r for r in reports if r is not None]
    return BatchReport(
        recorded=sum(1 for r in final if r.status == "recorded"),
        already_recorded=sum(1 for r in final if r.status == "already_recorded"),
        duplicate=sum(1 for r in final if r.status == "duplicate"),
        refused=sum(1 for r in final if r.status == "refused"),
        rows=final,
    )


async def _session_for_change(session_id: int, today: dt.date) -> dict[str, Any]:
    session = await Session.select().where(Session.id == session_id).first()
    if session is None:
        raise TrainingNotFound(f"课次 {session_id} 不存在", session_id=session_id)
    if session["status"] != "scheduled":
        raise OfferingNotOpen(f"课次 {session_id} 已取消", session_id=session_id)
    if session["day"] > today:
        raise TrainingInvalid(f"课次尚未开始（课次日期 {session['day']}，今天 {today}）", field="session_id")
    offering = await _offering_row(session["offering"])
    if offering["status"] in ("completed", "cancelled"):
        raise OfferingNotOpen(f"班级 {offering['id']} 已结业或已取消，不能更正考勤")
    return session


async def correct_attendance(
    session_id: int, data: CorrectionIn, *, by: str, now: dt.datetime, today: dt.date
) -> AttendanceRow:
    """Correct one person's attendance at a session (更正) with a reason; the value before and
    after, ``by``, ``now`` and the reason are kept in the history (a correction that changes
    nothing writes no history). Only confirmed enrollments; not after the class was completed.
    Raises :class:`TrainingNotFound`, :class:`TrainingInvalid`, :class:`OfferingNotOpen`."""
    _require_aware(now)
    async with atomic():
        session = await _session_for_change(session_id, today)
        query = Enrollment.select(Enrollment.id, Enrollment.status).where(
            Enrollment.offering == session["offering"]
        )
        if data.enrollment_id is not None:
            query = query.where(Enrollment.id == data.enrollment_id)
        else:
            query = query.where(
                (Enrollment.practitioner == data.practitioner_id)
                & Enrollment.status.is_in(["confirmed", "waitlisted"])
            )
        enrollment = await query.first()
        if enrollment is None or enrollment["status"] != "confirmed":
            raise TrainingInvalid("该人员在本班级没有确认的名额", field="enrollment_id")
        await write_attendance(
            session_id,
            {enrollment["id"]: data.present},
            method="correct",
            by=by,
            now=now,
            reason=data.reason,
            touch_unchanged=False,
        )
    rows = [r for r in await session_attendance(session_id) if r.enrollment_id == enrollment["id"]]
    return rows[0]


async def session_attendance(session_id: int) -> list[AttendanceRow]:
    """A session's attendance rows with names and enrollment states (by enrollment). Raises
    :class:`TrainingNotFound`."""
    if not await Session.exists().where(Session.id == session_id):
        raise TrainingNotFound(f"课次 {session_id} 不存在", session_id=session_id)
    rows = await (
        Attendance.select(
            *Attendance.all_columns(),
            Attendance.enrollment.practitioner.as_alias("practitioner_id"),
            Attendance.enrollment.practitioner.name.as_alias("practitioner_name"),  # type: ignore[union-attr]
            Attendance.enrollment.status.as_alias("enrollment_status"),
        )
        .where(Attendance.session == session_id)
        .order_by(Attendance.enrollment)
    )
    return [
        AttendanceRow.model_validate({**r, "session_id": r["session"], "enrollment_id": r["enrollment"]})
        for r in rows
    ]


async def attendance_history(session_id: int) -> list[AttendanceChangeOut]:
    """Every change of the session's attendance rows, oldest first. Raises :class:`TrainingNotFound`."""
    if not await Session.exists().where(Session.id == session_id):
        raise TrainingNotFound(f"课次 {session_id} 不存在", session_id=session_id)
    rows = await (
        AttendanceChange.select(
            *AttendanceChange.all_columns(),
            AttendanceChange.attendance.enrollment.as_alias("enrollment_id"),
            AttendanceChange.attendance.enrollment.practitioner.name.as_alias(  # type: ignore[union-attr]
                "practitioner_name"
            ),
        )
        .where(AttendanceChange.attendance.session == session_id)
        .order_by(AttendanceChange.id)
    )
    return [AttendanceChangeOut.model_validate({**r, "attendance_id": r["attendance"]}) for r in rows]
