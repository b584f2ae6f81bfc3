"""Attendance (考勤): one row per session and enrollment, whole batches validated first; every
change of a row is kept (who, when, how, why) in ``tr_attendance_change``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import ValidationError

from talent_pool.db import atomic, is_sqlite
from training._common import (
    _offering_row,
    _require_aware,
    first_error,
)
from training.errors import (
    AttendanceRejected,
    OfferingNotOpen,
    TrainingInvalid,
    TrainingNotFound,
)
from training.schemas import (
    AttendanceEntry,
    AttendanceMethod,
    AttendanceReport,
)
from training.tables import Attendance, AttendanceChange, Enrollment, Session

# Writers of a session's attendance that read before they write (roster, batch, correction) lock
# the session row exclusively; QR check-ins take a shared lock, so they run in parallel with each
# other but never interleave with a roster write (the history's "before" is exact). PostgreSQL only:
# an SQLite write transaction is exclusive anyway.
_LOCK_SESSION_SQL = "SELECT id FROM tr_session WHERE id = {} FOR NO KEY UPDATE"
_SHARE_SESSION_SQL = "SELECT id FROM tr_session WHERE id = {} FOR SHARE"


async def _lock_session(session_id: int, *, shared: bool = False) -> None:
    if not is_sqlite(Session._meta.db):
        await Session.raw(_SHARE_SESSION_SQL if shared else _LOCK_SESSION_SQL, session_id)


async def write_attendance(
    session_id: int,
    values: Mapping[int, bool],
    *,
    method: str,
    by: str,
    now: dt.datetime,
    reason: str = "",
    touch_unchanged: bool = True,
    checked_in_at: Mapping[int, dt.datetime] | None = None,
    late: Mapping[int, bool | None] | None = None,
) -> dict[int, tuple[int, bool]]:
    """Set ``present`` for enrollments (``{enrollment id: present}``) at a session, inside the
    caller's transaction, after locking the session row; returns ``{enrollment id: (attendance
    id, changed)}``.

    The late mark (迟到): ``late`` gives it per enrollment (``None`` or absent from the mapping:
    keep the stored mark, e.g. a QR check-in's; a new row is not late); an absent row is never
    late. A new row or a changed presence or late mark writes one ``tr_attendance_change`` row
    (values before and after, ``method``, ``by``, ``now``, ``reason``); an unchanged row writes
    none and only refreshes ``method``/``recorded_by``/``recorded_at`` when ``touch_unchanged``.
    ``checked_in_at`` gives the device's scan instants of new present rows."""
    await _lock_session(session_id)
    ids = sorted(values)
    marks = late or {}
    existing = {
        r["enrollment"]: r
        for r in await Attendance.select(
            Attendance.id, Attendance.enrollment, Attendance.present, Attendance.late
        ).where((Attendance.session == session_id) & Attendance.enrollment.is_in(ids or [-1]))
    }

    def late_of(e: int, stored: bool) -> bool:
        given = marks.get(e)
        return values[e] and (stored if given is None else given)

    out: dict[int, tuple[int, bool]] = {}
    history: list[AttendanceChange] = []
    new = [e for e in ids if e not in existing]
    if new:
        scans = checked_in_at or {}
        inserted = await Attendance.insert(
            *(
                Attendance(
                    session=session_id,
                    enrollment=e,
                    present=values[e],
                    late=late_of(e, False),
                    method=method,
                    recorded_by=by,
                    recorded_at=now,
                    checked_in_at=scans.get(e) if values[e] else None,
                )
                for e in new
            )
        ).returning(Attendance.id, Attendance.enrollment)
        for r in inserted:
            e = r["enrollment"]
            out[e] = (r["id"], True)
            history.append(
                _change(r["id"], None, values[e], method, by, now, reason, late_after=late_of(e, False))
            )
    for e in ids:
        row = existing.get(e)
        if row is None:
            continue
        to_late = late_of(e, row["late"])
        changed = row["present"] != values[e] or row["late"] != to_late
        if changed or touch_unchanged:
            await Attendance.update(
                {
                    Attendance.present: values[e],
                    Attendance.late: to_late,
                    Attendance.method: method,
                    Attendance.recorded_by: by,
                    Attendance.recorded_at: now,
                }
            ).where(Attendance.id == row["id"])
        if changed:
            history.append(
                _change(
                    row["id"],
                    row["present"],
                    values[e],
                    method,
                    by,
                    now,
                    reason,
                    late_before=row["late"],
                    late_after=to_late,
                )
            )
        out[e] = (row["id"], changed)
    if history:
        await AttendanceChange.insert(*history)
    return out


def _change(
    attendance_id: int,
    before: bool | None,
    after: bool,
    method: str,
    by: str,
    now: dt.datetime,
    reason: str,
    *,
    late_before: bool | None = None,
    late_after: bool = False,
) -> AttendanceChange:
    return AttendanceChange(
        attendance=attendance_id,
        present_before=before,
        present_after=after,
        late_before=late_before,
        late_after=late_after,
        method=method,
        changed_by=by,
        changed_at=now,
        reason=reason,
    )


# --------------------------------------------------------------------------- attendance


async def record_attendance(
    session_id: int,
    entries: Sequence[AttendanceEntry | Mapping[str, Any]],
    *,
    recorded_by: str,
    method: AttendanceMethod = "roster",
    now: dt.datetime,
    today: dt.date,
) -> AttendanceReport:
    """Record presence at a session (考勤): an idempotent upsert per (session, enrollment).

    Each entry names a ``practitioner_id`` or an ``enrollment_id`` of this offering, ``present`` and
    optionally ``late`` (迟到: present but late, the same as a QR check-in after the grace period — it
    counts as attended for completion; ``None`` keeps the stored mark). The last mark wins; earlier
    ones stay in the history. Only **confirmed** enrollments can attend. The whole batch is
    validated first: if any row is bad (malformed, unknown person, not enrolled,
    waitlisted/cancelled, the same person twice with different values) :class:`AttendanceRejected`
    lists every bad row (``rows=[{"row", "reason", ...}]``, ``row`` numbered from 1 as people
    count rows — the first entry is row 1 — and the reasons name rows the same way) and nothing
    is written. Identical
    duplicate rows count once. Re-recording overwrites
    ``present``/``method``/``recorded_by``/``recorded_at``; every new row and changed value is kept
    in the attendance history (:func:`attendance_history`).

    ``today`` (the caller's local business date): a session whose ``day`` is after
    it has not happened yet and the whole batch is rejected (课次尚未开始) — nothing is written.

    Raises :class:`TrainingNotFound` (session), :class:`OfferingNotOpen` (offering completed or
    cancelled, session cancelled), :class:`TrainingInvalid` (empty ``recorded_by``, naive ``now``,
    future session).
    """
    _require_aware(now)
    recorded_by = recorded_by.strip()
    if not recorded_by:
        raise TrainingInvalid("记录人不能为空", field="recorded_by")
    if method not in ("roster", "qr", "batch"):
        raise TrainingInvalid(f"考勤方式 {method} 无效", field="method")
    async with atomic():
        session = await Session.select().where(Session.id == session_id).first()
        if session is None:
            raise TrainingNotFound(f"课次 {session_id} 不存在")
        if session["status"] == "cancelled":
            raise OfferingNotOpen(f"课次 {session_id} 已取消，不能记录考勤", session_id=session_id)
        if session["day"] > today:
            raise TrainingInvalid(
                f"课次尚未开始（课次日期 {session['day']}，今天 {today}），不能记录考勤",
                field="session_id",
                session_id=session_id,
                day=session["day"].isoformat(),
            )
        offering = await _offering_row(session["offering"])
        if offering["status"] in ("completed", "cancelled"):
            raise OfferingNotOpen(f"班级 {offering['id']} 已结业或已取消，不能再记录考勤")
        enrollments = await Enrollment.select(
            Enrollment.id, Enrollment.practitioner, Enrollment.status
        ).where(Enrollment.offering == offering["id"])
        by_id = {e["id"]: e for e in enrollments}
        live_by_person: dict[int, dict[str, Any]] = {}
        for e in sorted(enrollments, key=lambda e: e["status"] == "cancelled"):
            live_by_person.setdefault(e["practitioner"], e)

        bad: list[dict[str, object]] = []
        chosen: dict[int, tuple[int, bool, bool | None]] = {}  # enrollment id -> (row, present, late)
        for index, raw in enumerate(entries, start=1):  # numbered as people count rows: from 1
            try:
                entry = raw if isinstance(raw, AttendanceEntry) else AttendanceEntry.model_validate(raw)
            except ValidationError as exc:
                bad.append({"row": index, "reason": first_error(exc)})
                continue
            if entry.enrollment_id is not None:
                found = by_id.get(entry.enrollment_id)
                who: dict[str, object] = {"enrollment_id": entry.enrollment_id}
                missing = f"报名记录 {entry.enrollment_id} 不属于本班级"
            else:
                assert entry.practitioner_id is not None
                found = live_by_person.get(entry.practitioner_id)
                who = {"practitioner_id": entry.practitioner_id}
                missing = f"人员 {entry.practitioner_id} 未报名本班级"
            if found is None:
                bad.append({"row": index, "reason": missing, **who})
                continue
            if found["status"] != "confirmed":
                label = {"waitlisted": "候补中", "cancelled": "已取消"}.get(found["status"], found["status"])
                bad.append({"row": index, "reason": f"报名状态为{label}，不能记录考勤", **who})
                continue
            previous = chosen.get(found["id"])
            if previous is not None and previous[1:] != (entry.present, entry.late):
                bad.append({"row": index, "reason": f"与第 {previous[0]} 行重复且出勤不一致", **who})
                continue
            chosen.setdefault(found["id"], (index, entry.present, entry.late))
        if bad:
            raise AttendanceRejected(bad)
        late_count = 0
        if chosen:
            await write_attendance(
                session_id,
                {enrollment_id: present for enrollment_id, (_, present, _) in chosen.items()},
                method=method,
                by=recorded_by,
                now=now,
                late={enrollment_id: late for enrollment_id, (_, _, late) in chosen.items()},
            )
            late_count = await Attendance.count().where(
                (Attendance.session == session_id)
                & Attendance.enrollment.is_in(sorted(chosen))
                & (Attendance.late == True)  # noqa: E712
            )
    present_count = sum(1 for _, p, _ in chosen.values() if p)
    return AttendanceReport(
        session_id=session_id,
        recorded=len(chosen),
        present=present_count,
        absent=len(chosen) - present_count,
        late=late_count,
        enrollment_ids=sorted(chosen),
    )
