"""Training subsidies (职业培训补贴): subsidised offerings, the roster of eligible trainees
(:mod:`training.subsidy` for the rule), its xlsx, and the grants recorded against it."""

from __future__ import annotations

import asyncio
import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from talent_pool.db import atomic, is_unique_violation
from talent_pool.tables import Employment, TrainingRecord
from training._common import _offering_row, _require_aware
from training._offerings import get_offering
from training.errors import DuplicateCode, OfferingNotOpen, TrainingInvalid
from training.schemas import OfferingOut
from training.subsidy import (
    SubsidyExcluded,
    SubsidyRoster,
    SubsidyRow,
    certificate_number,
    roster_xlsx,
    subsidy_period,
)
from training.tables import Enrollment, Offering, SubsidyClaim


async def set_subsidised(offering_id: int, subsidised: bool) -> OfferingOut:
    """Flag an offering as subsidised (or not). Un-flagging is refused once a subsidy was
    recorded for it (:class:`OfferingNotOpen`). Raises :class:`TrainingNotFound`."""
    async with atomic():
        await _offering_row(offering_id)
        if not subsidised and await SubsidyClaim.exists().where(
            SubsidyClaim.enrollment.offering == offering_id
        ):
            raise OfferingNotOpen("已有人员领取该班级的培训补贴，不能取消补贴标记")
        await Offering.update({Offering.subsidised: subsidised}).where(Offering.id == offering_id)
    return await get_offering(offering_id)


async def subsidy_roster(offering_id: int) -> SubsidyRoster:
    """Who of a completed, subsidised offering is eligible for the subsidy, and why the others
    are not (:mod:`training.subsidy`): completed, employed in the city on the completion date, not
    subsidised for the same course in the same year. Hours are those of the training record.
    Raises :class:`TrainingNotFound`, :class:`OfferingNotOpen` (not subsidised, or not completed)."""
    offering = await get_offering(offering_id)
    if not offering.subsidised:
        raise OfferingNotOpen("该班级不是补贴性培训班级", offering_id=offering_id)
    if offering.status != "completed" or offering.completed_on is None:
        raise OfferingNotOpen("班级结业后才能生成补贴名单", offering_id=offering_id)
    completed_on = offering.completed_on
    year = subsidy_period(completed_on)
    rows = await (
        Enrollment.select(
            Enrollment.id,
            Enrollment.practitioner,
            Enrollment.practitioner.name.as_alias("name"),
            Enrollment.practitioner.id_number.as_alias("id_number"),
        )
        .where((Enrollment.offering == offering_id) & (Enrollment.status == "completed"))
        .order_by(Enrollment.id)
    )
    people = [r["practitioner"] for r in rows] or [-1]
    hours = {
        t["source_ref"]: Decimal(t["hours"])
        for t in await TrainingRecord.select(TrainingRecord.source_ref, TrainingRecord.hours).where(
            TrainingRecord.source_ref.is_in([f"training:enrollment:{r['id']}" for r in rows] or [""])
        )
    }
    employers: dict[int, str] = {}
    for e in await (
        Employment.select(Employment.practitioner, Employment.employer.name.as_alias("employer_name"))
        .where(
            Employment.practitioner.is_in(people)
            & (Employment.status == "active")
            & (Employment.start_date <= completed_on)
            & (Employment.end_date.is_null() | (Employment.end_date >= completed_on))
        )
        .order_by(Employment.id)
    ):
        employers.setdefault(e["practitioner"], e["employer_name"])
    claims = {
        c["practitioner"]: c
        for c in await SubsidyClaim.select(SubsidyClaim.practitioner, SubsidyClaim.enrollment).where(
            SubsidyClaim.practitioner.is_in(people)
            & (SubsidyClaim.course == offering.course_id)
            & (SubsidyClaim.period_year == year)
        )
    }
    eligible: list[SubsidyRow] = []
    excluded: list[SubsidyExcluded] = []
    for r in rows:
        claim = claims.get(r["practitioner"])
        reason = ""
        if claim is not None and claim["enrollment"] == r["id"]:
            reason = "已领取本次培训补贴"
        elif claim is not None:
            reason = f"{year} 年已享受过该课程的培训补贴"
        elif r["practitioner"] not in employers:
            reason = f"结业日（{completed_on}）不在本市托育机构在职"
        if reason:
            excluded.append(
                SubsidyExcluded(
                    enrollment_id=r["id"],
                    practitioner_id=r["practitioner"],
                    name=r["name"],
                    reason=reason,
                    claimed=claim is not None and claim["enrollment"] == r["id"],
                )
            )
            continue
        eligible.append(
            SubsidyRow(
                enrollment_id=r["id"],
                practitioner_id=r["practitioner"],
                name=r["name"],
                id_number=r["id_number"],
                course=offering.course_title,
                hours=hours.get(f"training:enrollment:{r['id']}", Decimal(0)),
                start_date=offering.start_date,
                end_date=offering.end_date,
                completed_on=completed_on,
                certificate_number=certificate_number(completed_on, r["id"]),
                employer=employers[r["practitioner"]],
            )
        )
    return SubsidyRoster(
        offering_id=offering_id,
        offering_title=offering.title,
        training_base_name=offering.training_base_name,
        course_title=offering.course_title,
        course_category=offering.course_category,
        start_date=offering.start_date,
        end_date=offering.end_date,
        completed_on=completed_on,
        period_year=year,
        eligible=eligible,
        excluded=excluded,
    )


@dataclass(frozen=True)
class SubsidyExport:
    """The roster as a workbook: ``file_name`` (Chinese, dated), ``content`` (xlsx bytes) and the
    ``practitioner_ids`` whose full ID numbers it shows (for the audit trail)."""

    file_name: str
    content: bytes
    practitioner_ids: list[int]


async def subsidy_roster_xlsx(offering_id: int, *, today: dt.date) -> SubsidyExport:
    """The roster (:func:`subsidy_roster`) as the xlsx of :func:`training.subsidy.roster_xlsx`,
    built in a worker thread and dated ``today`` (local). Raises as :func:`subsidy_roster`."""
    roster = await subsidy_roster(offering_id)
    data = await asyncio.to_thread(roster_xlsx, roster, prepared_on=today)
    return SubsidyExport(
        f"培训补贴花名册-班级{offering_id}-{today.isoformat()}.xlsx",
        data,
        [r.practitioner_id for r in roster.eligible],
    )


async def record_subsidy_claims(
    offering_id: int, enrollment_ids: list[int], *, by: str, now: dt.datetime, claimed_on: dt.date
) -> SubsidyRoster:
    """Record that the subsidy was granted to these enrollments of the roster (all or none):
    each must be eligible now; the same person and course cannot be subsidised twice in a year
    even by concurrent requests (``Unique(practitioner, course, period_year)``). Returns the
    roster afterwards. Raises :class:`TrainingInvalid` (``rows``: who is not eligible),
    :class:`DuplicateCode` (granted concurrently), :class:`OfferingNotOpen`, :class:`TrainingNotFound`."""
    _require_aware(now)
    async with atomic() as tx:
        roster = await subsidy_roster(offering_id)
        eligible = {r.enrollment_id: r for r in roster.eligible}
        bad = [
            {"enrollment_id": e, "reason": "不在可申请补贴名单中"}
            for e in enrollment_ids
            if e not in eligible
        ]
        if bad:
            raise TrainingInvalid(f"{len(bad)} 人不在可申请补贴名单中，未记录任何补贴", rows=bad)
        assert roster.period_year is not None
        offering = await _offering_row(offering_id)
        savepoint = await tx.savepoint()
        try:
            await SubsidyClaim.insert(
                *(
                    SubsidyClaim(
                        enrollment=e,
                        practitioner=eligible[e].practitioner_id,
                        course=offering["course"],
                        period_year=roster.period_year,
                        claimed_on=claimed_on,
                        recorded_by=by,
                        recorded_at=now,
                    )
                    for e in dict.fromkeys(enrollment_ids)
                )
            )
        except Exception as exc:
            if is_unique_violation(exc):
                await savepoint.rollback_to()
                raise DuplicateCode("其中有人员本年度已享受过该课程的培训补贴") from None
            raise
        await savepoint.release()
    return await subsidy_roster(offering_id)
