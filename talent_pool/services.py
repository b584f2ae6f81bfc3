"""Talent-pool use cases (async). The public API of the package, re-exported in ``__init__``.

Every write runs in :func:`talent_pool.db.atomic`, so a caller that already holds a transaction
(training completion, certificate issuance) feeds the ledger in *its* transaction.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from piccolo.query.methods.select import Count

from talent_pool import reference
from talent_pool.db import atomic
from talent_pool.errors import Conflict, NotFound, ValidationFailed
from talent_pool.identity import MIN_WORKING_AGE, age_on, parse_credit_code, parse_id_number
from talent_pool.schemas import (
    CredentialIn,
    CredentialOut,
    CredentialStatus,
    EmployerIn,
    EmployerOut,
    EmploymentIn,
    PractitionerIn,
    PractitionerOut,
    PractitionerRecord,
    StaffMember,
    TrainingRecordIn,
    TrainingRecordOut,
)
from talent_pool.tables import (
    Credential,
    Division,
    Employer,
    Employment,
    OutboxMessage,
    PlanIndicator,
    Practitioner,
    TrainingRecord,
)
from talent_pool.target_rules import credential_counts

# The plan states person-trainings in 万人次 (10,000 person-trainings); we store plain counts.
_UNIT_SCALE = {"万人次/年": (Decimal(10000), "人次/年")}


async def seed_reference_data() -> dict[str, int]:
    """Load Jinan's divisions and the plan indicator table (idempotent upsert).

    Returns counts ``{"divisions": n, "indicators": m}`` of rows present afterwards.
    """
    doc = reference.jinan_divisions()
    rows: list[dict[str, Any]] = [
        {
            "code": doc["city"]["code"],
            "name": doc["city"]["name"],
            "level": "city",
            "parent_code": None,
        }
    ]
    for d in doc["districts"]:
        rows.append(
            {
                "code": d["code"],
                "name": d["name"],
                "level": "district",
                "parent_code": doc["city"]["code"],
                "kind": d["kind"],
                "township_count": d["township_count"],
            }
        )
    for z in doc["functional_zones"]:
        if z.get("code"):
            rows.append(
                {
                    "code": z["code"],
                    "name": z["name"],
                    "level": "functional_zone",
                    "parent_code": doc["city"]["code"],
                    "township_count": z.get("township_count"),
                }
            )
    for code in doc["retired_address_codes"]["codes"]:
        rows.append({"code": code, "name": f"已撤销行政区划 {code}", "level": "retired"})
    plan = reference.plan_indicators()
    async with atomic():
        existing = {r["code"] for r in await Division.select(Division.code)}
        new = [Division(**r) for r in rows if r["code"] not in existing]
        if new:
            await Division.insert(*new)
        have = {r["key"] for r in await PlanIndicator.select(PlanIndicator.key)}
        for ind in plan["indicators"]:
            scale, unit = _UNIT_SCALE.get(ind["unit"], (Decimal(1), ind["unit"]))
            values = {
                "category": ind["category"],
                "name": ind["name"],
                "unit": unit,
                "op": ind["op"],
                "target": Decimal(str(ind["target"])) * scale,
                "kind": ind["kind"],
                "in_scope": ind["in_scope"],
                "plan": plan["plan"],
            }
            if ind["key"] in have:
                continue  # targets may have been edited by the regulator: never overwrite
            await PlanIndicator.insert(PlanIndicator(key=ind["key"], **values))
        return {
            "divisions": await Division.count(),
            "indicators": await PlanIndicator.count(),
        }


async def list_districts() -> list[dict[str, str]]:
    """The city's current districts/counties: ``[{"code", "name"}]`` in code order."""
    rows = await (
        Division.select(Division.code, Division.name)
        .where(Division.level == "district")
        .order_by(Division.code)
    )
    return [{"code": r["code"], "name": r["name"]} for r in rows]


async def is_current_district(code: str) -> bool:
    """Whether ``code`` is one of the city's current districts/counties (not a retired code)."""
    return bool(await Division.exists().where((Division.code == code) & (Division.level == "district")))


async def _require_district(code: str) -> None:
    if not await is_current_district(code):
        raise ValidationFailed(f"区县代码 {code} 不是本市现行区县", field="district_code")


async def register_employer(data: EmployerIn) -> EmployerOut:
    """Register a childcare employer.

    Raises :class:`InvalidCreditCode` (GB 32100), :class:`ValidationFailed` for an unknown
    district, :class:`Conflict` when the credit code is already registered.
    """
    code = parse_credit_code(data.credit_code)
    await _require_district(data.district_code)
    async with atomic():
        if await Employer.exists().where(Employer.credit_code == code):
            raise Conflict(f"统一社会信用代码 {code} 已登记", credit_code=code)
        row = Employer(
            credit_code=code,
            name=data.name,
            kind=data.kind,
            district_code=data.district_code,
            street=data.street.strip(),
            address=data.address.strip(),
        )
        await row.save()
    return EmployerOut.model_validate(row.to_dict())


async def get_employer(employer_id: int) -> EmployerOut:
    """One employer; raises :class:`NotFound`."""
    row = await Employer.objects().get(Employer.id == employer_id)
    if row is None:
        raise NotFound(f"机构 {employer_id} 不存在")
    return EmployerOut.model_validate(row.to_dict())


async def register_practitioner(data: PractitionerIn, *, today: dt.date | None = None) -> PractitionerOut:
    """Find or create the practitioner with this resident ID number.

    The ID is normalised and validated (GB 11643-1999; retired address codes accepted).
    An existing person with the same ID is returned unchanged when the name matches; a
    different name raises :class:`Conflict` (a typo or a stolen identity — a human decides).
    Raises :class:`InvalidIdNumber` for a bad number and :class:`ValidationFailed` for a person
    under 16 on ``today`` (the minimum working age of the Labour Law, art. 15).
    """
    rid = parse_id_number(data.id_number, today=today)
    if age_on(rid.birth_date, today or dt.date.today()) < MIN_WORKING_AGE:
        raise ValidationFailed(
            f"身份证号 {rid.number} 的持有人未满 {MIN_WORKING_AGE} 周岁，"
            "不能登记为从业人员（《劳动法》第十五条）",
            field="id_number",
        )
    async with atomic():
        existing = await Practitioner.objects().get(Practitioner.id_number == rid.number)
        if existing is not None:
            if existing.name != data.name:
                raise Conflict(
                    f"身份证号 {rid.number} 已登记为另一姓名",
                    id_number=rid.number,
                )
            return PractitionerOut.model_validate(existing.to_dict())
        row = Practitioner(
            id_number=rid.number,
            name=data.name,
            gender=rid.gender,
            birth_date=rid.birth_date,
            phone=data.phone.strip(),
        )
        await row.save()
    return PractitionerOut.model_validate(row.to_dict())


async def get_practitioner(practitioner_id: int) -> PractitionerOut:
    """One practitioner; raises :class:`NotFound`."""
    row = await Practitioner.objects().get(Practitioner.id == practitioner_id)
    if row is None:
        raise NotFound(f"从业人员 {practitioner_id} 不存在")
    return PractitionerOut.model_validate(row.to_dict())


async def find_practitioner(id_number: str) -> PractitionerOut | None:
    """The practitioner with this (normalised) ID number, or ``None``."""
    rid = parse_id_number(id_number)
    row = await Practitioner.objects().get(Practitioner.id_number == rid.number)
    return PractitionerOut.model_validate(row.to_dict()) if row else None


async def start_employment(data: EmploymentIn) -> int:
    """Record that a practitioner works at an employer from ``start_date``; returns the id.

    Raises :class:`NotFound` for unknown people/employers, :class:`Conflict` when the person
    already has an open employment at the same employer, :class:`ValidationFailed` when
    ``end_date`` precedes ``start_date``.
    """
    if data.end_date is not None and data.end_date < data.start_date:
        raise ValidationFailed("离职日期早于入职日期")
    await get_practitioner(data.practitioner_id)
    await get_employer(data.employer_id)
    async with atomic():
        open_here = await Employment.exists().where(
            (Employment.practitioner == data.practitioner_id)
            & (Employment.employer == data.employer_id)
            & Employment.end_date.is_null()
        )
        if open_here:
            raise Conflict("该人员在此机构已有在职记录")
        row = Employment(
            practitioner=data.practitioner_id,
            employer=data.employer_id,
            position=data.position,
            start_date=data.start_date,
            end_date=data.end_date,
        )
        await row.save()
        return int(row.id)


async def end_employment(employment_id: int, end_date: dt.date) -> None:
    """Close an employment on ``end_date`` (local date). Raises NotFound / ValidationFailed."""
    async with atomic():
        row = await Employment.objects().get(Employment.id == employment_id)
        if row is None:
            raise NotFound(f"任职记录 {employment_id} 不存在")
        if end_date < row.start_date:
            raise ValidationFailed("离职日期早于入职日期")
        row.end_date = end_date
        await row.save()


async def record_training(data: TrainingRecordIn) -> TrainingRecordOut:
    """Add a completed training to the ledger (one person-training); idempotent on ``source_ref``.

    Called by ``training`` on completion inside its own transaction, and by imports.
    Raises :class:`NotFound` for an unknown practitioner.
    """
    async with atomic():
        existing = await TrainingRecord.objects().get(TrainingRecord.source_ref == data.source_ref)
        if existing is not None:
            return TrainingRecordOut.model_validate(existing.to_dict())
        if not await Practitioner.exists().where(Practitioner.id == data.practitioner_id):
            raise NotFound(f"从业人员 {data.practitioner_id} 不存在")
        row = TrainingRecord(
            practitioner=data.practitioner_id,
            category=data.category,
            title=data.title,
            hours=data.hours,
            completed_on=data.completed_on,
            provider=data.provider,
            source=data.source,
            source_ref=data.source_ref,
        )
        await row.save()
    return TrainingRecordOut.model_validate(row.to_dict())


async def record_credential(data: CredentialIn) -> CredentialOut:
    """Add a credential to the ledger; idempotent on ``source_ref``.

    Called by ``certification`` on issuance in the same transaction, and by imports.
    Raises :class:`NotFound` for an unknown practitioner, :class:`ValidationFailed` when the
    expiry precedes the issue date.
    """
    if data.expires_on is not None and data.expires_on < data.issued_on:
        raise ValidationFailed("有效期截止日早于发证日期")
    async with atomic():
        existing = await Credential.objects().get(Credential.source_ref == data.source_ref)
        if existing is not None:
            return CredentialOut.model_validate(existing.to_dict())
        if not await Practitioner.exists().where(Practitioner.id == data.practitioner_id):
            raise NotFound(f"从业人员 {data.practitioner_id} 不存在")
        row = Credential(
            practitioner=data.practitioner_id,
            kind=data.kind,
            programme_code=data.programme_code,
            level=data.level,
            title=data.title,
            number=data.number,
            issuer=data.issuer,
            issued_on=data.issued_on,
            expires_on=data.expires_on,
            qualifying=data.qualifying,
            status="valid",
            source=data.source,
            source_ref=data.source_ref,
        )
        await row.save()
    return CredentialOut.model_validate(row.to_dict())


async def update_credential_status(
    source_ref: str, status: CredentialStatus, *, on: dt.date, reason: str = ""
) -> CredentialOut:
    """Change a credential's status (revoked / suspended / superseded / valid) as of ``on``.

    The credential stops counting toward the certification rate from ``on`` (local date).
    Raises :class:`NotFound` for an unknown ``source_ref``.
    """
    async with atomic():
        row = await Credential.objects().get(Credential.source_ref == source_ref)
        if row is None:
            raise NotFound(f"资质记录 {source_ref} 不存在")
        row.status = status
        row.status_changed_on = on
        row.status_reason = reason
        await row.save()
    return CredentialOut.model_validate(row.to_dict())


async def training_hours(
    practitioner_id: int,
    *,
    category: str | None = None,
    since: dt.date | None = None,
    until: dt.date | None = None,
) -> Decimal:
    """Total recorded training hours (decimal hours) of a practitioner from every source,
    optionally of one category, completed on or after ``since`` and/or on or before ``until``
    (local dates, inclusive). Used for exam eligibility: pass the exam date as ``until``."""
    hours = await training_hours_of([practitioner_id], category=category, since=since, until=until)
    return hours[practitioner_id]


async def training_hours_of(
    practitioner_ids: list[int],
    *,
    category: str | None = None,
    since: dt.date | None = None,
    until: dt.date | None = None,
) -> dict[int, Decimal]:
    """:func:`training_hours` for many practitioners in one query: ``{id: hours}`` with every
    requested id present (0 when none recorded)."""
    totals = {pid: Decimal(0) for pid in practitioner_ids}
    if not practitioner_ids:
        return totals
    query = TrainingRecord.select(TrainingRecord.practitioner, TrainingRecord.hours).where(
        TrainingRecord.practitioner.is_in(practitioner_ids)
    )
    if category is not None:
        query = query.where(TrainingRecord.category == category)
    if since is not None:
        query = query.where(TrainingRecord.completed_on >= since)
    if until is not None:
        query = query.where(TrainingRecord.completed_on <= until)
    for r in await query:
        totals[r["practitioner"]] += Decimal(r["hours"])
    return totals


async def practitioner_record(practitioner_id: int) -> PractitionerRecord:
    """The whole record of one practitioner. Raises :class:`NotFound`."""
    person = await get_practitioner(practitioner_id)
    employments = await (
        Employment.select(
            Employment.id,
            Employment.position,
            Employment.start_date,
            Employment.end_date,
            Employment.employer.id.as_alias("employer_id"),
            Employment.employer.name.as_alias("employer_name"),
            Employment.employer.district_code.as_alias("district_code"),
        )
        .where(Employment.practitioner == practitioner_id)
        .order_by(Employment.start_date)
    )
    trainings = await TrainingRecord.select().where(TrainingRecord.practitioner == practitioner_id)
    credentials = await Credential.select().where(Credential.practitioner == practitioner_id)
    return PractitionerRecord(
        practitioner=person,
        employments=employments,
        trainings=[TrainingRecordOut.model_validate(t) for t in trainings],
        credentials=[CredentialOut.model_validate(c) for c in credentials],
    )


async def enqueue(task: str, *args: Any) -> int:
    """Write an outbox message for ``task(*args)`` in the current transaction; returns its id.

    The relay (``worker.outbox``) dispatches it after commit. Arguments must be JSON values.
    """
    row = OutboxMessage(task=task, args=list(args))
    await row.save()
    return int(row.id)


async def count_rows(table: type[Any]) -> int:
    """Row count of a table (for reports and tests)."""
    result = await table.select(Count()).first()
    return int(result["count"]) if result else 0


async def staff_of_employer(employer_id: int, *, today: dt.date) -> list[StaffMember]:
    """The employer's current staff on ``today`` (local date) with their valid qualifying
    credentials and the number of trainings completed this calendar year.

    A credential counts when issued on or before ``today``, not expired, not revoked/suspended
    (the certification-rate rule of ``talent_pool.targets``). Raises :class:`NotFound`.
    """
    await get_employer(employer_id)
    rows = await (
        Employment.select(
            Employment.practitioner.id.as_alias("practitioner_id"),
            Employment.practitioner.name.as_alias("name"),
            Employment.practitioner.id_number.as_alias("id_number"),
            Employment.position,
            Employment.start_date,
        )
        .where(
            (Employment.employer == employer_id)
            & (Employment.start_date <= today)
            & (Employment.end_date.is_null() | (Employment.end_date >= today))
        )
        .order_by(Employment.practitioner.name)
    )
    ids = [r["practitioner_id"] for r in rows]
    if not ids:
        return []
    creds: dict[int, list[str]] = {}
    for c in await Credential.select(
        Credential.practitioner,
        Credential.title,
        Credential.number,
        Credential.issued_on,
        Credential.expires_on,
        Credential.status,
        Credential.status_changed_on,
        Credential.qualifying,
    ).where(Credential.practitioner.is_in(ids)):
        if not credential_counts(
            qualifying=c["qualifying"],
            issued_on=c["issued_on"],
            expires_on=c["expires_on"],
            status=c["status"],
            status_changed_on=c["status_changed_on"],
            on=today,
        ):
            continue
        creds.setdefault(c["practitioner"], []).append(f"{c['title']}（{c['number']}）")
    trained: dict[int, int] = {}
    for t in await TrainingRecord.select(TrainingRecord.practitioner).where(
        TrainingRecord.practitioner.is_in(ids)
        & (TrainingRecord.completed_on >= dt.date(today.year, 1, 1))
        & (TrainingRecord.completed_on <= today)
    ):
        trained[t["practitioner"]] = trained.get(t["practitioner"], 0) + 1
    return [
        StaffMember(
            practitioner_id=r["practitioner_id"],
            name=r["name"],
            id_number=r["id_number"],
            position=r["position"],
            start_date=r["start_date"],
            valid_credentials=creds.get(r["practitioner_id"], []),
            trainings_this_year=trained.get(r["practitioner_id"], 0),
            certified=bool(creds.get(r["practitioner_id"])),
        )
        for r in rows
    ]
