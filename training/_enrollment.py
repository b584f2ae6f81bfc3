"""Enrollment (报名), the waitlist and cancellation; seats are taken by the database."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from talent_pool.db import atomic, is_unique_violation
from talent_pool.tables import Practitioner
from training._common import (
    _FREE_SEAT_SQL,
    _LOCK_PRACTITIONER_SQL,
    _NEXT_WAITLIST_SQL,
    _TAKE_SEAT_SQL,
    LIVE_STATUSES,
    _enrollment_columns,
    _enrollment_out,
    _enrollment_row,
    _lock_row,
    _offering_row,
    _require_aware,
    _waitlist_positions,
    _with_position,
)
from training._notify import record_notice
from training.errors import (
    AlreadyEnrolled,
    AlreadyEnrolledInCourse,
    EnrollmentStateConflict,
    OfferingNotOpen,
    TrainingNotFound,
)
from training.schemas import (
    CancellationResult,
    EnrollmentOut,
)
from training.tables import Enrollment, Offering

# --------------------------------------------------------------------------- enrollment


async def enroll(
    offering_id: int, practitioner_id: int, *, now: dt.datetime, today: dt.date
) -> EnrollmentOut:
    """Enroll a practitioner (报名): a confirmed seat when one is free, else the waitlist.

    The seat is taken by one conditional ``UPDATE`` in the database (``confirmed_count <
    capacity AND status = 'open'``), so concurrent calls never overbook; the waitlist sequence
    comes from another row-locked counter, so positions are distinct. ``now`` (aware) is stored
    as ``enrolled_at``. ``today`` (the caller's local business date): after the offering's
    ``end_date`` enrollment is closed (报名已截止).

    A confirmed seat records the ``enrollment_confirmed`` notice (sent after commit by the
    notification job); a later promotion from the waitlist records ``waitlist_promoted``.

    One live place per course: a person who holds a confirmed or waitlisted enrollment in
    **another** offering of the same course that is still running (not completed or cancelled)
    is refused with :class:`AlreadyEnrolledInCourse` — cancel that enrollment first to switch.
    This is a soft rule: checked in this transaction after locking the practitioner's row
    (PostgreSQL; SQLite serialises writers), not a database constraint. A completed or
    not-completed enrollment does not block enrolling again (retaking a course).

    Raises :class:`TrainingNotFound` (offering or practitioner), :class:`OfferingNotOpen`
    (offering not open, or ``today > end_date``), :class:`AlreadyEnrolledInCourse`,
    :class:`AlreadyEnrolled` when the person already holds a confirmed or waitlisted
    enrollment in the offering (``Unique(offering, practitioner, live)``; the failed insert is
    rolled back to a savepoint, nothing else was written).
    """
    _require_aware(now)
    async with atomic() as tx:
        offering = await _offering_row(offering_id)
        if offering["status"] != "open":
            raise OfferingNotOpen(f"班级 {offering_id} 未开放报名", status=offering["status"])
        if today > offering["end_date"]:
            raise OfferingNotOpen(
                f"报名已截止：班级 {offering_id} 已于 {offering['end_date']} 结束",
                end_date=offering["end_date"].isoformat(),
                today=today.isoformat(),
            )
        if not await Practitioner.exists().where(Practitioner._meta.primary_key == practitioner_id):
            raise TrainingNotFound(f"从业人员 {practitioner_id} 不存在")
        await _lock_row(_LOCK_PRACTITIONER_SQL, practitioner_id)
        other = await (
            Enrollment.select(Enrollment.offering, Enrollment.offering.title.as_alias("title"))
            .where(
                (Enrollment.practitioner == practitioner_id)
                & (Enrollment.offering != offering_id)
                & Enrollment.status.is_in(list(LIVE_STATUSES))
                & (Enrollment.offering.course == offering["course"])
                & Enrollment.offering.status.not_in(["completed", "cancelled"])
            )
            .order_by(Enrollment.id)
            .first()
        )
        if other is not None:
            raise AlreadyEnrolledInCourse(offering_id, practitioner_id, other["offering"], other["title"])
        enrollment_id = await _place(tx, offering_id, practitioner_id, now)
        # The offering row is locked by this transaction: every enrollment with a smaller
        # waitlist_seq has committed, so the position computed here is exact.
        return await _with_position(await _enrollment_row(enrollment_id))


async def _place(tx: Any, offering_id: int, practitioner_id: int, now: dt.datetime) -> int:
    """Insert a live enrollment and give it a seat (conditional ``UPDATE``) or a waitlist number;
    returns its id. A confirmed seat records the ``enrollment_confirmed`` notice. Raises
    :class:`AlreadyEnrolled` (rolled back to a savepoint), :class:`OfferingNotOpen`."""
    # Insert first (before touching the counter), behind a savepoint: a unique violation
    # aborts a PostgreSQL transaction, and the caller's transaction must stay usable.
    savepoint = await tx.savepoint()
    try:
        inserted = await Enrollment.insert(
            Enrollment(
                offering=offering_id,
                practitioner=practitioner_id,
                status="waitlisted",
                live=True,
                enrolled_at=now,
            )
        )
    except Exception as exc:
        if is_unique_violation(exc):
            await savepoint.rollback_to()
            raise AlreadyEnrolled(offering_id, practitioner_id) from None
        raise
    await savepoint.release()
    enrollment_id = int(inserted[0]["id"])
    if await Offering.raw(_TAKE_SEAT_SQL, offering_id):
        await Enrollment.update({Enrollment.status: "confirmed"}).where(Enrollment.id == enrollment_id)
        await record_notice("enrollment_confirmed", enrollment_id)
    else:
        seq = await Offering.raw(_NEXT_WAITLIST_SQL, offering_id)
        if not seq:
            raise OfferingNotOpen(f"班级 {offering_id} 未开放报名")
        await Enrollment.update({Enrollment.waitlist_seq: seq[0]["waitlist_seq"]}).where(
            Enrollment.id == enrollment_id
        )
    return enrollment_id


async def _promote_next(offering_id: int, now: dt.datetime) -> dict[str, Any] | None:
    """Give a free seat to the earliest waitlisted enrollment (same conditional update as
    :func:`enroll`); returns the promoted row or ``None``. Runs inside the caller's transaction."""
    while True:
        candidate = await (
            Enrollment.select(Enrollment.id)
            .where((Enrollment.offering == offering_id) & (Enrollment.status == "waitlisted"))
            .order_by(Enrollment.waitlist_seq)
            .order_by(Enrollment.id)
            .first()
        )
        if candidate is None:
            return None
        if not await Offering.raw(_TAKE_SEAT_SQL, offering_id):
            return None
        promoted = (
            await Enrollment.update({Enrollment.status: "confirmed", Enrollment.status_changed_at: now})
            .where((Enrollment.id == candidate["id"]) & (Enrollment.status == "waitlisted"))
            .returning(Enrollment.id)
        )
        if promoted:
            await record_notice("waitlist_promoted", candidate["id"])
            return await _enrollment_row(candidate["id"])
        # cancelled concurrently: give the seat back and try the next one
        await Offering.raw(_FREE_SEAT_SQL, offering_id)


async def cancel_enrollment(enrollment_id: int, *, now: dt.datetime) -> CancellationResult:
    """Cancel an enrollment; a confirmed seat is freed and given to the earliest waitlisted
    enrollment, all in one transaction (decrement and promotion are conditional updates).

    Cancelling clears ``live`` so the person may enroll again (at the back of the
    queue). Cancelling an already cancelled enrollment changes nothing (``changed=False``).
    Raises :class:`TrainingNotFound`, :class:`EnrollmentStateConflict` (completed / not
    completed, or changed concurrently), :class:`OfferingNotOpen` (offering completed/cancelled).
    """
    _require_aware(now)
    async with atomic():
        row = await _enrollment_row(enrollment_id)
        previous = row["status"]
        if previous == "cancelled":
            return CancellationResult(
                enrollment=_enrollment_out(row),
                previous_status=previous,
                changed=False,
                seat_freed=False,
            )
        if previous not in LIVE_STATUSES:
            raise EnrollmentStateConflict(f"报名记录 {enrollment_id} 已结业，不能取消")
        offering = await _offering_row(row["offering"])
        if offering["status"] in ("completed", "cancelled"):
            raise OfferingNotOpen(f"班级 {offering['id']} 已结业或已取消，不能取消报名")
        changed = (
            await Enrollment.update(
                {
                    Enrollment.status: "cancelled",
                    Enrollment.status_changed_at: now,
                    Enrollment.live: None,
                }
            )
            .where((Enrollment.id == enrollment_id) & (Enrollment.status == previous))
            .returning(Enrollment.id)
        )
        if not changed:
            raise EnrollmentStateConflict(f"报名记录 {enrollment_id} 状态已变化，请重试")
        promoted = None
        seat_freed = previous == "confirmed"
        if seat_freed:
            await Offering.raw(_FREE_SEAT_SQL, row["offering"])
            promoted = await _promote_next(row["offering"], now)
        return CancellationResult(
            enrollment=_enrollment_out(await _enrollment_row(enrollment_id)),
            previous_status=previous,
            changed=True,
            seat_freed=seat_freed,
            promoted=_enrollment_out(promoted) if promoted else None,
        )


async def get_enrollment(enrollment_id: int) -> EnrollmentOut:
    """One enrollment (with its current waitlist position); raises :class:`TrainingNotFound`."""
    return await _with_position(await _enrollment_row(enrollment_id))


_ROSTER_RANK = {
    "confirmed": 0,
    "completed": 0,
    "not_completed": 0,
    "waitlisted": 1,
    "not_admitted": 2,
    "cancelled": 3,
}


async def list_enrollments(offering_id: int) -> list[EnrollmentOut]:
    """Enrollments of an offering (the roster, with names): confirmed (or, after completion,
    completed / not completed) first by id, then the waitlist by position, then not admitted,
    then cancelled. Raises :class:`TrainingNotFound`."""
    await _offering_row(offering_id)
    rows = await Enrollment.select(*_enrollment_columns()).where(Enrollment.offering == offering_id)
    positions = await _waitlist_positions(offering_id)
    rank = _ROSTER_RANK

    def key(r: Mapping[str, Any]) -> tuple[int, int, int]:
        return (rank.get(r["status"], 3), positions.get(r["id"], 0), r["id"])

    return [_enrollment_out(r, positions.get(r["id"])) for r in sorted(rows, key=key)]


async def enrollments_of_practitioner(practitioner_id: int) -> list[EnrollmentOut]:
    """All enrollments of one practitioner (any status), newest first, with waitlist positions."""
    rows = await (
        Enrollment.select(*_enrollment_columns())
        .where(Enrollment.practitioner == practitioner_id)
        .order_by(Enrollment.id, ascending=False)
    )
    result = []
    for r in rows:
        result.append(await _with_position(r))
    return result


async def enrolled_in(offering_id: int, practitioner_id: int) -> bool:
    """Whether the person has (or had) an enrollment, not cancelled, in the offering."""
    return bool(
        await Enrollment.exists().where(
            (Enrollment.practitioner == practitioner_id)
            & (Enrollment.offering == offering_id)
            & (Enrollment.status != "cancelled")
        )
    )


async def enrolled_at_base(training_base_id: int, practitioner_id: int) -> bool:
    """Whether the person has (or had) an enrollment, not cancelled, in an offering of the base."""
    return bool(
        await Enrollment.exists().where(
            (Enrollment.practitioner == practitioner_id)
            & (Enrollment.offering.training_base == training_base_id)
            & (Enrollment.status != "cancelled")
        )
    )
