"""The ledger: training records and credentials from every source, and what is read from them."""

import datetime as dt
from decimal import Decimal
from typing import Any

from piccolo.query.methods.select import Count

from talent_pool._registry import get_practitioner
from talent_pool.db import atomic
from talent_pool.errors import NotFound, ValidationFailed
from talent_pool.schemas import (
    CredentialIn,
    CredentialOut,
    CredentialStatus,
    PractitionerRecord,
    TrainingRecordIn,
    TrainingRecordOut,
)
from talent_pool.tables import (
    Credential,
    Employment,
    Practitioner,
    TrainingRecord,
)


# The plan states person-trainings in 万人次 (10,000 person-trainings); we store plain counts.
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


async def record_credentials(items: list[CredentialIn]) -> int:
    """:func:`record_credential` for a batch in one statement (issuance of a sitting): rows whose
    ``source_ref`` exists already are left alone. Returns how many were inserted. Raises
    :class:`ValidationFailed` when an expiry precedes its issue date (nothing is written)."""
    for data in items:
        if data.expires_on is not None and data.expires_on < data.issued_on:
            raise ValidationFailed("有效期截止日早于发证日期")
    if not items:
        return 0
    rows = [
        Credential(
            practitioner=d.practitioner_id,
            kind=d.kind,
            programme_code=d.programme_code,
            level=d.level,
            title=d.title,
            number=d.number,
            issuer=d.issuer,
            issued_on=d.issued_on,
            expires_on=d.expires_on,
            qualifying=d.qualifying,
            status="valid",
            source=d.source,
            source_ref=d.source_ref,
        )
        for d in items
    ]
    async with atomic():
        inserted = (
            await Credential.insert(*rows)
            .on_conflict(target=Credential.source_ref, action="DO NOTHING")
            .returning(Credential.source_ref)
        )
    return len(inserted)


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


async def count_rows(table: type[Any]) -> int:
    """Row count of a table (for reports and tests)."""
    result = await table.select(Count()).first()
    return int(result["count"]) if result else 0
