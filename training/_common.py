"""Shared helpers of the training use cases: row look-ups, output shapes, the seat and lock SQL."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError

from talent_pool.db import fetch_rows, is_sqlite
from talent_pool.validation_text import chinese_message
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
from training.tables import Enrollment, Offering

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


_OFFERINGS_SQL = """
    SELECT o.id, o.course AS course_id, o.training_base AS training_base_id, o.title, o.start_date,
           o.end_date, o.capacity, o.confirmed_count, o.status, o.completed_on, o.subsidised,
           b.name AS training_base_name, b.district_code, COALESCE(d.name, '') AS district_name,
           c.title AS course_title, c.category AS course_category, c.hours AS course_hours,
           (SELECT COUNT(*) FROM tr_session s
            WHERE s.offering = o.id AND s.status = 'scheduled') AS session_count
    FROM tr_offering o
    JOIN tr_training_base b ON b.id = o.training_base
    JOIN tr_course c ON c.id = o.course
    LEFT JOIN tp_division d ON d.code = b.district_code
    WHERE {where}
    ORDER BY o.start_date, o.id
"""


async def _offerings_where(where: str, *args: Any) -> list[OfferingOut]:
    """Offerings with what a trainee needs to choose — base, district, course, ``seats_left``,
    ``session_count`` — in **one** query; ``where`` is a condition on ``o`` (offering), ``b``
    (base) or ``c`` (course) with ``{}`` placeholders for ``args``."""
    rows = await fetch_rows(Offering, _OFFERINGS_SQL.replace("{where}", where), *args)
    return [
        OfferingOut.model_validate(
            {**row, "seats_left": max(int(row["capacity"]) - int(row["confirmed_count"]), 0)}
        )
        for row in rows
    ]


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


def first_error(exc: ValidationError) -> str:
    """``格式错误：<field> <message>`` for the first error of a pydantic ``ValidationError`` (the
    validator's own words, without pydantic's ``Value error, `` prefix; pydantic's English messages
    in Chinese, :func:`talent_pool.validation_text.chinese_message`)."""
    first = exc.errors()[0]
    where = ".".join(str(p) for p in first.get("loc", ()))
    message = chinese_message(str(first.get("msg", "")))
    return f"格式错误：{where} {message}".strip() if where else f"格式错误：{message}"
