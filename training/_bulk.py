"""Employer bulk enrollment (机构批量报名): an employer books its own current staff into an
offering with a stated policy when seats are short, never over capacity."""

from __future__ import annotations

import datetime as dt

from talent_pool.db import atomic, is_unique_violation
from talent_pool.tables import Employment
from training._common import (
    _LOCK_PRACTITIONER_SQL,
    LIVE_STATUSES,
    _enrollment_columns,
    _enrollment_out,
    _lock_row,
    _offering_row,
    _require_aware,
    _waitlist_positions,
)
from training._enrollment import _place
from training._notify import record_notice
from training.errors import AlreadyEnrolled, NotEnoughSeats, OfferingNotOpen, TrainingInvalid
from training.schemas import BulkEnrollmentIn, BulkEnrollmentResult, EnrollmentOut
from training.tables import Enrollment, Offering

# all seats of an all-or-nothing request in one conditional update (never over capacity)
_TAKE_SEATS_SQL = (
    "UPDATE tr_offering SET confirmed_count = confirmed_count + {} "
    "WHERE id = {} AND confirmed_count + {} <= capacity AND status = 'open' RETURNING id"
)


async def _current_staff(employer_id: int, practitioner_ids: list[int], today: dt.date) -> set[int]:
    rows = await Employment.select(Employment.practitioner).where(
        (Employment.employer == employer_id)
        & Employment.practitioner.is_in(practitioner_ids)
        & (Employment.status == "active")
        & (Employment.start_date <= today)
        & (Employment.end_date.is_null() | (Employment.end_date >= today))
    )
    return {r["practitioner"] for r in rows}


async def _seats_left(offering_id: int) -> int:
    row = await _offering_row(offering_id)
    return max(int(row["capacity"]) - int(row["confirmed_count"]), 0)


async def enroll_staff(
    offering_id: int, employer_id: int, data: BulkEnrollmentIn, *, now: dt.datetime, today: dt.date
) -> BulkEnrollmentResult:
    """Enroll an employer's staff (``data.practitioner_ids``) into an offering, in one transaction.

    Every person must be the employer's current staff on ``today`` (a confirmed employment
    covering the local date) and hold no live place in another running offering of the same
    course; otherwise nothing is written and :class:`TrainingInvalid` lists them (``rows``).
    People already holding a live place in this offering are reported in ``already_enrolled`` and
    left alone (sending the request again is harmless).

    ``all_or_nothing`` (default): all new people get confirmed seats from one conditional
    ``UPDATE … WHERE confirmed_count + n <= capacity``, or :class:`NotEnoughSeats` says how many
    seats remain (``requested``, ``seats_left``) and nothing is written. ``fill_and_waitlist``:
    the free seats in the order given, the rest on the waitlist in that order. Confirmed seats
    record ``enrollment_confirmed`` notices. Raises :class:`OfferingNotOpen` (not open, or after
    the end date), :class:`TrainingNotFound`.
    """
    _require_aware(now)
    ids = list(data.practitioner_ids)
    async with atomic() as tx:
        offering = await _offering_row(offering_id)
        if offering["status"] != "open" or today > offering["end_date"]:
            raise OfferingNotOpen(f"班级 {offering_id} 未开放报名或报名已截止", status=offering["status"])
        staff = await _current_staff(employer_id, ids, today)
        problems: list[dict[str, object]] = [
            {"practitioner_id": p, "reason": "不是本机构在职员工"} for p in ids if p not in staff
        ]
        for pid in sorted(staff):
            await _lock_row(_LOCK_PRACTITIONER_SQL, pid)
        live = await (
            Enrollment.select(*_enrollment_columns(), Enrollment.offering.course.as_alias("course"))
            .where(
                Enrollment.practitioner.is_in(ids)
                & Enrollment.status.is_in(list(LIVE_STATUSES))
                & Enrollment.offering.status.not_in(["completed", "cancelled"])
            )
            .order_by(Enrollment.id)
        )
        here = {r["practitioner"]: r for r in live if r["offering"] == offering_id}
        for r in live:
            if (
                r["offering"] != offering_id
                and r["course"] == offering["course"]
                and r["practitioner"] not in here
            ):
                problems.append(
                    {
                        "practitioner_id": r["practitioner"],
                        "reason": f"已报名同一课程的其他班次"
                        f"（班级 {r['offering']}「{r['offering_title']}」）",
                    }
                )
        if problems:
            raise TrainingInvalid(f"{len(problems)} 人不能报名，未报名任何人", rows=problems)
        new = [p for p in ids if p not in here]
        confirmed: list[int] = []
        waitlisted: list[int] = []
        if data.policy == "all_or_nothing" and new:
            if not await Offering.raw(_TAKE_SEATS_SQL, len(new), offering_id, len(new)):
                left = await _seats_left(offering_id)
                raise NotEnoughSeats(
                    f"名额不足：需要 {len(new)} 个名额，剩余 {left} 个；未报名任何人"
                    "（可改为“先占满名额、其余候补”）",
                    requested=len(new),
                    seats_left=left,
                )
            savepoint = await tx.savepoint()
            try:
                inserted = await Enrollment.insert(
                    *(
                        Enrollment(
                            offering=offering_id,
                            practitioner=p,
                            status="confirmed",
                            live=True,
                            enrolled_at=now,
                        )
                        for p in new
                    )
                ).returning(Enrollment.id)
            except Exception as exc:
                if is_unique_violation(exc):  # enrolled concurrently by someone else
                    await savepoint.rollback_to()
                    raise AlreadyEnrolled(offering_id, -1) from None
                raise
            await savepoint.release()
            confirmed = [r["id"] for r in inserted]
            for enrollment_id in confirmed:
                await record_notice("enrollment_confirmed", enrollment_id)
        else:
            for pid in new:
                enrollment_id = await _place(tx, offering_id, pid, now)
                status = await Enrollment.select(Enrollment.status).where(Enrollment.id == enrollment_id)
                (confirmed if status[0]["status"] == "confirmed" else waitlisted).append(enrollment_id)
        positions = await _waitlist_positions(offering_id)
        rows = {
            r["id"]: r
            for r in await Enrollment.select(*_enrollment_columns()).where(
                Enrollment.id.is_in([*confirmed, *waitlisted] or [-1])
            )
        }

        def out(ids_: list[int]) -> list[EnrollmentOut]:
            return [_enrollment_out(rows[i], positions.get(i)) for i in ids_]

        return BulkEnrollmentResult(
            offering_id=offering_id,
            policy=data.policy,
            requested=len(ids),
            confirmed=out(confirmed),
            waitlisted=out(waitlisted),
            already_enrolled=[
                _enrollment_out(here[p], positions.get(here[p]["id"])) for p in ids if p in here
            ],
            seats_left=await _seats_left(offering_id),
        )
