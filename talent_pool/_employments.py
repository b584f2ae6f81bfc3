"""Employments: who works where (任职), and how an employer's claim becomes a fact.

A regulator (or an import) records an employment directly: it is ``active`` at once (the
service lets a district regulator do so only for a person who already works in the district,
:func:`works_in_district`; README, "Security and personal data"). An
employer **claims** one by the person's full resident ID number *and* name — both must match the
talent pool, and a mismatch answers exactly like an unknown person, so a claim reveals nothing
— and the claim stays ``pending`` (it counts nowhere and shows the employer nothing beyond what
it typed) until the person confirms it in their own account or a regulator approves it. An
employer ends an employment with an end date.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from talent_pool._credit import ensure_not_excluded
from talent_pool._registry import get_employer, get_practitioner, match_practitioner
from talent_pool.db import atomic
from talent_pool.errors import Conflict, NotFound, ValidationFailed
from talent_pool.schemas import EmploymentIn, EmploymentOut, Position
from talent_pool.tables import Employment


async def _ensure_not_open(practitioner_id: int, employer_id: int) -> None:
    open_here = await Employment.exists().where(
        (Employment.practitioner == practitioner_id)
        & (Employment.employer == employer_id)
        & Employment.end_date.is_null()
        & Employment.status.is_in(["active", "pending"])
    )
    if open_here:
        raise Conflict("该人员在此机构已有在职或待确认的任职记录")


async def start_employment(data: EmploymentIn, *, confirmed_by: str = "") -> int:
    """Record that a practitioner works at an employer from ``start_date`` (``active`` at once:
    a regulator's or an import's record); returns the id.

    Raises :class:`NotFound` for unknown people/employers, :class:`Conflict` when the person
    is under a lifetime exclusion (终身禁入, ``detail.lifetime_excluded``) or already has an open
    employment at the same employer, :class:`ValidationFailed` when
    ``end_date`` precedes ``start_date``.
    """
    if data.end_date is not None and data.end_date < data.start_date:
        raise ValidationFailed("离职日期早于入职日期")
    await get_practitioner(data.practitioner_id)
    await get_employer(data.employer_id)
    async with atomic():
        await ensure_not_excluded(data.practitioner_id)
        await _ensure_not_open(data.practitioner_id, data.employer_id)
        row = Employment(
            practitioner=data.practitioner_id,
            employer=data.employer_id,
            position=data.position,
            start_date=data.start_date,
            end_date=data.end_date,
            status="active",
            confirmed_by=confirmed_by[:64],
        )
        await row.save()
        return int(row.id)


async def claim_employment(
    employer_id: int,
    *,
    id_number: str,
    name: str,
    start_date: dt.date,
    position: Position = "carer",
    requested_by: str,
    today: dt.date,
) -> EmploymentOut:
    """An employer claims that the person with this ID number **and** name works there from
    ``start_date``: a ``pending`` employment until the person or a regulator confirms it.

    Raises :class:`NotFound` with one message (``talent_pool.NO_MATCH``) whether the ID is unknown or
    the name differs — a claim cannot be used to test who is in the pool; :class:`InvalidIdNumber`
    / :class:`ValidationFailed` for an ID number or name malformed in itself (the input alone);
    :class:`Conflict` when an open or pending employment at this employer exists, or when the
    person is under a lifetime exclusion (the Chinese message and ``detail.lifetime_excluded``
    say so, never the record's details).
    """
    person = await match_practitioner(id_number, name, today=today)
    await get_employer(employer_id)
    async with atomic():
        await ensure_not_excluded(int(person.id))
        await _ensure_not_open(int(person.id), employer_id)
        row = Employment(
            practitioner=person.id,
            employer=employer_id,
            position=position,
            start_date=start_date,
            status="pending",
            requested_by=requested_by[:64],
        )
        await row.save()
    return await get_employment(int(row.id))


async def decide_employment(
    employment_id: int, *, confirm: bool, by: str, practitioner_id: int | None = None
) -> EmploymentOut:
    """Confirm (``active``) or decline (``declined``) a pending employment. With
    ``practitioner_id`` (the person deciding for themselves) the employment must be theirs.
    Raises :class:`NotFound`, :class:`Conflict` when it is not pending or (confirming) the person
    is under a lifetime exclusion."""
    async with atomic():
        row = await Employment.objects().get(Employment.id == employment_id)
        if row is None or (practitioner_id is not None and row.practitioner != practitioner_id):
            raise NotFound(f"任职记录 {employment_id} 不存在")
        if row.status != "pending":
            raise Conflict("该任职记录不是待确认状态")
        if confirm:
            await ensure_not_excluded(int(row.practitioner))
        row.status = "active" if confirm else "declined"
        row.confirmed_by = by[:64]
        await row.save()
    return await get_employment(employment_id)


async def end_employment(
    employment_id: int, end_date: dt.date, *, employer_id: int | None = None
) -> EmploymentOut:
    """Close an employment on ``end_date`` (local date); with ``employer_id`` it must belong to
    that employer. A pending claim that is ended is declined. Raises NotFound / ValidationFailed."""
    async with atomic():
        row = await Employment.objects().get(Employment.id == employment_id)
        if row is None or (employer_id is not None and row.employer != employer_id):
            raise NotFound(f"任职记录 {employment_id} 不存在")
        if end_date < row.start_date:
            raise ValidationFailed("离职日期早于入职日期")
        row.end_date = end_date
        if row.status == "pending":
            row.status = "declined"
        await row.save()
    return await get_employment(employment_id)


async def transfer_employment(
    employment_id: int,
    *,
    to_employer_id: int,
    on: dt.date,
    position: Position | None = None,
    by: str,
) -> EmploymentOut:
    """Transfer (调动) a person from the employer of an active, open employment to
    ``to_employer_id`` on the local date ``on``: in one transaction the old employment ends the
    day before ``on`` and a new active one starts on ``on`` (same position unless ``position``),
    ``requested_by`` = ``transfer:<old id>`` and ``confirmed_by`` = ``by``. Returns the new one.

    Raises :class:`NotFound` (employment or employer), :class:`Conflict` when the employment is
    not active and open, the person is under a lifetime exclusion or already works at the
    destination, :class:`ValidationFailed` when ``on`` is not after the start or the destination
    is the same employer.
    """
    await get_employer(to_employer_id)
    async with atomic():
        row = await Employment.objects().get(Employment.id == employment_id)
        if row is None:
            raise NotFound(f"任职记录 {employment_id} 不存在")
        if row.status != "active" or row.end_date is not None:
            raise Conflict("只能调动在职（未离职）的任职记录")
        if int(row.employer) == to_employer_id:
            raise ValidationFailed("调入机构与原机构相同", field="employer_id")
        if on <= row.start_date:
            raise ValidationFailed("调动日期须晚于原任职的入职日期", field="on")
        await ensure_not_excluded(int(row.practitioner))
        await _ensure_not_open(int(row.practitioner), to_employer_id)
        row.end_date = on - dt.timedelta(days=1)
        await row.save([Employment.end_date])
        new = Employment(
            practitioner=row.practitioner,
            employer=to_employer_id,
            position=position or row.position,
            start_date=on,
            status="active",
            requested_by=f"transfer:{employment_id}",
            confirmed_by=by[:64],
        )
        await new.save()
    return await get_employment(int(new.id))


_COLUMNS: list[Any] = [
    Employment.id,
    Employment.practitioner.as_alias("practitioner_id"),
    Employment.employer.as_alias("employer_id"),
    Employment.employer.name.as_alias("employer_name"),
    Employment.employer.district_code.as_alias("district_code"),
    Employment.position,
    Employment.start_date,
    Employment.end_date,
    Employment.status,
    Employment.requested_by,
    Employment.confirmed_by,
]


async def get_employment(employment_id: int) -> EmploymentOut:
    """One employment; raises :class:`NotFound`."""
    row = await Employment.select(*_COLUMNS).where(Employment.id == employment_id).first()
    if row is None:
        raise NotFound(f"任职记录 {employment_id} 不存在")
    return EmploymentOut.model_validate(row)


async def employments(
    *,
    practitioner_id: int | None = None,
    employer_id: int | None = None,
    district_code: str | None = None,
    status: Literal["active", "pending", "declined"] | None = None,
) -> list[EmploymentOut]:
    """Employments filtered by person, employer, the employer's district and status, newest first."""
    query = Employment.select(*_COLUMNS).order_by(Employment.id, ascending=False)
    if practitioner_id is not None:
        query = query.where(Employment.practitioner == practitioner_id)
    if employer_id is not None:
        query = query.where(Employment.employer == employer_id)
    if district_code is not None:
        query = query.where(Employment.employer.district_code == district_code)
    if status is not None:
        query = query.where(Employment.status == status)
    return [EmploymentOut.model_validate(r) for r in await query]


async def practitioner_districts(practitioner_id: int, *, pending: bool = False) -> set[str]:
    """Districts of the employers the person works or worked for (confirmed employments; with
    ``pending`` also employers whose claim waits for confirmation — the pre-hire checks)."""
    statuses = ["active", "pending"] if pending else ["active"]
    rows = await Employment.select(Employment.employer.district_code.as_alias("d")).where(
        (Employment.practitioner == practitioner_id) & Employment.status.is_in(statuses)
    )
    return {r["d"] for r in rows}


async def works_in_district(practitioner_id: int, district_code: str, *, on: dt.date) -> bool:
    """Whether the person currently works in ``district_code``: a confirmed (``active``)
    employment at an employer of that district not ended before the local date ``on`` (an ended,
    pending or declined one does not count). The rule for a district regulator recording an
    employment directly (README, "Security and personal data")."""
    return bool(
        await Employment.exists().where(
            (Employment.practitioner == practitioner_id)
            & (Employment.employer.district_code == district_code)
            & (Employment.status == "active")
            & (Employment.end_date.is_null() | (Employment.end_date >= on))
        )
    )


async def employs(employer_id: int, practitioner_id: int, *, on: dt.date) -> bool:
    """Whether the employer has a confirmed employment of the person covering the local date ``on``."""
    return bool(
        await Employment.exists().where(
            (Employment.employer == employer_id)
            & (Employment.practitioner == practitioner_id)
            & (Employment.status == "active")
            & (Employment.start_date <= on)
            & (Employment.end_date.is_null() | (Employment.end_date >= on))
        )
    )
