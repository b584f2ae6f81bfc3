"""Shared helpers of the training use cases: row look-ups, output shapes, the seat and lock SQL."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from piccolo.query.functions.aggregate import Count

from talent_pool.db import is_sqlite
from talent_pool.tables import Division
from training.errors import (
    TrainingInvalid,
    TrainingNotFound,
)
from training.schemas import (
    CourseOut,
    EnrollmentOut,
    OfferingOut,
    SessionOut,
    TrainingBaseOut,
)
from training.tables import Enrollment, Offering, Session

LIVE_STATUSES = ("confirmed", "waitlisted")
NOT_ADMITTED_REASON = "班级结业时仍在候补名单中，未获得名额，未录取（不计培训记录）"

# The seat decision, made by the database (never check-then-insert in Python).
_TAKE_SEAT_SQL = (
    "UPDATE tr_offering SET confirmed_count = confirmed_count + 1 "
    "WHERE id = {} AND confirmed_count < capacity AND status = 'open' RETURNING id"
)
_NEXT_WAITLIST_SQL = (
    "UPDATE tr_offering SET waitlist_seq = waitlist_seq + 1 "
    "WHERE id = {} AND status = 'open' RETURNING waitlist_seq"
)
_FREE_SEAT_SQL = (
    "UPDATE tr_offering SET confirmed_count = confirmed_count - 1 "
    "WHERE id = {} AND confirmed_count > 0 RETURNING id"
)
# Row locks that serialise checks which are not database constraints (PostgreSQL only: an
# SQLite write transaction is IMMEDIATE and already exclusive). FOR NO KEY UPDATE does not
# block foreign-key checks (FOR KEY SHARE) of other transactions inserting rows that refer to it.
_LOCK_OFFERING_SQL = "SELECT id FROM tr_offering WHERE id = {} FOR NO KEY UPDATE"
_LOCK_PRACTITIONER_SQL = "SELECT id FROM tp_practitioner WHERE id = {} FOR NO KEY UPDATE"


# --------------------------------------------------------------------------- helpers


async def _lock_row(sql: str, row_id: int) -> None:
    """Lock one row until the end of the current transaction (no-op on SQLite)."""
    if not is_sqlite(Offering._meta.db):
        await Offering.raw(sql, row_id)


def _require_aware(now: dt.datetime) -> None:
    if now.tzinfo is None or now.utcoffset() is None:
        raise TrainingInvalid("时间戳必须带时区（UTC）", field="now")


def _base_out(row: Mapping[str, Any]) -> TrainingBaseOut:
    return TrainingBaseOut.model_validate(dict(row))


def _course_out(row: Mapping[str, Any]) -> CourseOut:
    return CourseOut.model_validate(dict(row))


def _offering_columns() -> list[Any]:
    """Offering columns plus what a trainee needs to choose: base and course (one join each)."""
    return [
        *Offering.all_columns(),
        Offering.training_base.name.as_alias("training_base_name"),
        Offering.training_base.district_code.as_alias("district_code"),
        Offering.course.title.as_alias("course_title"),
        Offering.course.category.as_alias("course_category"),
        Offering.course.hours.as_alias("course_hours"),
    ]


async def _offerings_out(rows: Sequence[Mapping[str, Any]]) -> list[OfferingOut]:
    """Rows selected with :func:`_offering_columns` → ``OfferingOut`` (two batched look-ups:
    session counts and district names)."""
    if not rows:
        return []
    ids = [r["id"] for r in rows]
    counts = await (
        Session.select(Session.offering, Count(Session.id, alias="n"))
        .where(Session.offering.is_in(ids))
        .group_by(Session.offering)
    )
    session_count = {c["offering"]: int(c["n"]) for c in counts}
    codes = sorted({r["district_code"] for r in rows})
    divisions = await Division.select(Division.code, Division.name).where(Division.code.is_in(codes))
    district_name = {d["code"]: d["name"] for d in divisions}
    result = []
    for row in rows:
        data = dict(row)
        data["course_id"] = data.pop("course")
        data["training_base_id"] = data.pop("training_base")
        data["district_name"] = district_name.get(data["district_code"], "")
        data["seats_left"] = max(int(data["capacity"]) - int(data["confirmed_count"]), 0)
        data["session_count"] = session_count.get(data["id"], 0)
        result.append(OfferingOut.model_validate(data))
    return result


def _session_out(row: Mapping[str, Any]) -> SessionOut:
    data = dict(row)
    data["offering_id"] = data.pop("offering")
    return SessionOut.model_validate(data)


def _enrollment_columns() -> list[Any]:
    """Enrollment columns plus the offering title and the practitioner's name."""
    return [
        *Enrollment.all_columns(),
        Enrollment.offering.title.as_alias("offering_title"),
        Enrollment.practitioner.name.as_alias("practitioner_name"),
    ]


def _enrollment_out(row: Mapping[str, Any], position: int | None = None) -> EnrollmentOut:
    return EnrollmentOut(
        id=row["id"],
        offering_id=row["offering"],
        practitioner_id=row["practitioner"],
        status=row["status"],
        waitlist_position=position if row["status"] == "waitlisted" else None,
        enrolled_at=row["enrolled_at"],
        status_changed_at=row["status_changed_at"],
        attended_hours=row["attended_hours"],
        outcome_reason=row["outcome_reason"],
        offering_title=row["offering_title"],
        practitioner_name=row["practitioner_name"],
    )


async def _offering_row(offering_id: int) -> dict[str, Any]:
    row = await Offering.select().where(Offering.id == offering_id).first()
    if row is None:
        raise TrainingNotFound(f"班级 {offering_id} 不存在", offering_id=offering_id)
    return row


async def _enrollment_row(enrollment_id: int) -> dict[str, Any]:
    row = await Enrollment.select(*_enrollment_columns()).where(Enrollment.id == enrollment_id).first()
    if row is None:
        raise TrainingNotFound(f"报名记录 {enrollment_id} 不存在", enrollment_id=enrollment_id)
    return row


async def _waitlist_positions(offering_id: int) -> dict[int, int]:
    """Enrollment id → 1-based waitlist position (order of ``waitlist_seq``, then id)."""
    rows = await (
        Enrollment.select(Enrollment.id)
        .where((Enrollment.offering == offering_id) & (Enrollment.status == "waitlisted"))
        .order_by(Enrollment.waitlist_seq)
        .order_by(Enrollment.id)
    )
    return {r["id"]: i for i, r in enumerate(rows, start=1)}


async def _with_position(row: Mapping[str, Any]) -> EnrollmentOut:
    position = None
    if row["status"] == "waitlisted":
        position = (await _waitlist_positions(row["offering"])).get(row["id"])
    return _enrollment_out(row, position)
