"""Credit and checks (信用与审查): commendations and violations (红黑名单), background checks
before hiring and every year after, health certificates, and the lifetime exclusion (终身禁入)
that blocks every new employment.

Who may record and read is the service's business (regulators record; employers see only
:class:`~talent_pool.credit_schemas.CheckStatus` of their own staff). Rules:
``talent_pool.credit_rules``. Dates are local calendar dates.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable
from typing import Any

from talent_pool._registry import is_current_district
from talent_pool.credit_rules import background_check_due, health_status, is_overdue
from talent_pool.credit_schemas import (
    EXCLUDED_MESSAGE,
    BackgroundCheckIn,
    BackgroundCheckOut,
    CheckListRow,
    CheckStatus,
    CreditFile,
    CreditRecordIn,
    CreditRecordOut,
    HealthCertificateIn,
    HealthCertificateOut,
)
from talent_pool.db import atomic
from talent_pool.errors import Conflict, NotFound, ValidationFailed
from talent_pool.tables import BackgroundCheck, CreditRecord, Employment, HealthCertificate, Practitioner


async def _require_person(practitioner_id: int) -> None:
    if not await Practitioner.exists().where(Practitioner.id == practitioner_id):
        raise NotFound(f"从业人员 {practitioner_id} 不存在")


def _out(row: dict[str, Any]) -> dict[str, Any]:
    return {**row, "practitioner_id": row["practitioner"]}


async def record_credit(
    practitioner_id: int,
    data: CreditRecordIn,
    *,
    recorded_by_id: int | None,
    recorded_by: str,
    today: dt.date,
) -> CreditRecordOut:
    """Record a commendation or violation on the local date ``today``.

    Raises :class:`NotFound` for an unknown person, :class:`ValidationFailed` when
    ``occurred_on`` is after ``today`` or a lifetime exclusion is set on a commendation.
    """
    if data.occurred_on > today:
        raise ValidationFailed("发生日期不能晚于今天", field="occurred_on")
    if data.lifetime_exclusion and data.kind != "violation":
        raise ValidationFailed("终身禁入只能随违规记录（黑名单）登记", field="lifetime_exclusion")
    async with atomic():
        await _require_person(practitioner_id)
        row = CreditRecord(
            practitioner=practitioner_id,
            kind=data.kind,
            title=data.title,
            evidence=data.evidence,
            occurred_on=data.occurred_on,
            recorded_on=today,
            recorded_by_id=recorded_by_id,
            recorded_by=recorded_by[:64],
            lifetime_exclusion=data.lifetime_exclusion,
        )
        await row.save()
    return CreditRecordOut.model_validate(_out(row.to_dict()))


async def credit_record_owner(record_id: int) -> int:
    """The practitioner id of a credit record; raises :class:`NotFound`."""
    row = await CreditRecord.select(CreditRecord.practitioner).where(CreditRecord.id == record_id).first()
    if row is None:
        raise NotFound(f"信用记录 {record_id} 不存在")
    return int(row["practitioner"])


async def withdraw_credit(
    record_id: int, *, reason: str, withdrawn_by: str, today: dt.date
) -> CreditRecordOut:
    """Withdraw (撤销) a credit record entered in error, on the local date ``today``, with the
    reason and who did it; it stays on file but counts nowhere (a withdrawn lifetime exclusion
    no longer blocks employments). Raises :class:`NotFound`, :class:`Conflict` when already
    withdrawn, :class:`ValidationFailed` without a reason."""
    if not reason.strip():
        raise ValidationFailed("撤销须填写原因", field="reason")
    async with atomic():
        row = await CreditRecord.objects().get(CreditRecord.id == record_id)
        if row is None:
            raise NotFound(f"信用记录 {record_id} 不存在")
        if row.withdrawn_on is not None:
            raise Conflict("该信用记录已撤销")
        row.withdrawn_on = today
        row.withdrawn_reason = reason.strip()
        row.withdrawn_by = withdrawn_by[:64]
        await row.save()
    return CreditRecordOut.model_validate(_out(row.to_dict()))


async def record_background_check(
    practitioner_id: int,
    data: BackgroundCheckIn,
    *,
    recorded_by_id: int | None,
    recorded_by: str,
    today: dt.date,
) -> BackgroundCheckOut:
    """Record a background check done on ``data.checked_on`` (not after ``today``).
    Raises :class:`NotFound`, :class:`ValidationFailed`."""
    if data.checked_on > today:
        raise ValidationFailed("审查日期不能晚于今天", field="checked_on")
    if data.result == "concern" and not data.note:
        raise ValidationFailed("审查发现问题时须填写说明", field="note")
    async with atomic():
        await _require_person(practitioner_id)
        row = BackgroundCheck(
            practitioner=practitioner_id,
            kind=data.kind,
            checked_on=data.checked_on,
            result=data.result,
            note=data.note,
            recorded_by_id=recorded_by_id,
            recorded_by=recorded_by[:64],
        )
        await row.save()
    return BackgroundCheckOut.model_validate(_out(row.to_dict()))


async def record_health_certificate(
    practitioner_id: int,
    data: HealthCertificateIn,
    *,
    recorded_by_id: int | None,
    recorded_by: str,
    today: dt.date,
) -> HealthCertificateOut:
    """Record a health certificate. Raises :class:`NotFound`, :class:`ValidationFailed` when it
    expires before it is issued or is issued after ``today``."""
    if data.expires_on < data.issued_on:
        raise ValidationFailed("健康证有效期截止日早于发证日期", field="expires_on")
    if data.issued_on > today:
        raise ValidationFailed("发证日期不能晚于今天", field="issued_on")
    async with atomic():
        await _require_person(practitioner_id)
        row = HealthCertificate(
            practitioner=practitioner_id,
            number=data.number,
            issuer=data.issuer,
            issued_on=data.issued_on,
            expires_on=data.expires_on,
            recorded_by_id=recorded_by_id,
            recorded_by=recorded_by[:64],
        )
        await row.save()
    return HealthCertificateOut.model_validate(_out(row.to_dict()))


async def is_excluded(practitioner_id: int) -> bool:
    """Whether a lifetime exclusion (终身禁入) is on the person's record (and not withdrawn)."""
    return bool(
        await CreditRecord.exists().where(
            (CreditRecord.practitioner == practitioner_id)
            & (CreditRecord.lifetime_exclusion == True)  # noqa: E712
            & CreditRecord.withdrawn_on.is_null()
        )
    )


async def ensure_not_excluded(practitioner_id: int) -> None:
    """Raise :class:`Conflict` (:data:`EXCLUDED_MESSAGE`, ``detail.lifetime_excluded``) when the
    person is under a lifetime exclusion — called before every new or confirmed employment."""
    if await is_excluded(practitioner_id):
        raise Conflict(EXCLUDED_MESSAGE, lifetime_excluded=True)


def _current(today: dt.date) -> Any:
    return (
        (Employment.status == "active")
        & (Employment.start_date <= today)
        & (Employment.end_date.is_null() | (Employment.end_date >= today))
    )


async def check_status(
    practitioner_ids: Iterable[int], *, today: dt.date, within_days: int = 30
) -> dict[int, CheckStatus]:
    """:class:`CheckStatus` of each person on the local date ``today`` (what an employer may
    see): the exclusion flag, the latest background check and when the next is due (a year after
    it; without one, the start of the earliest current employment), the latest-expiring health
    certificate and its status (``expiring`` within ``within_days`` days)."""
    ids = sorted(set(practitioner_ids))
    if not ids:
        return {}
    excluded = {
        r["practitioner"]
        for r in await CreditRecord.select(CreditRecord.practitioner).where(
            CreditRecord.practitioner.is_in(ids)
            & (CreditRecord.lifetime_exclusion == True)  # noqa: E712
            & CreditRecord.withdrawn_on.is_null()
        )
    }
    last_check: dict[int, dt.date] = {}
    for r in await BackgroundCheck.select(BackgroundCheck.practitioner, BackgroundCheck.checked_on).where(
        BackgroundCheck.practitioner.is_in(ids)
    ):
        p = r["practitioner"]
        last_check[p] = max(last_check.get(p, r["checked_on"]), r["checked_on"])
    first_start: dict[int, dt.date] = {}
    for r in await Employment.select(Employment.practitioner, Employment.start_date).where(
        Employment.practitioner.is_in(ids) & _current(today)
    ):
        p = r["practitioner"]
        first_start[p] = min(first_start.get(p, r["start_date"]), r["start_date"])
    health: dict[int, dt.date] = {}
    for r in await HealthCertificate.select(
        HealthCertificate.practitioner, HealthCertificate.expires_on
    ).where(HealthCertificate.practitioner.is_in(ids) & (HealthCertificate.issued_on <= today)):
        p = r["practitioner"]
        health[p] = max(health.get(p, r["expires_on"]), r["expires_on"])
    out = {}
    for p in ids:
        due = background_check_due(last_check.get(p), first_start.get(p))
        out[p] = CheckStatus(
            practitioner_id=p,
            lifetime_excluded=p in excluded,
            last_background_check=last_check.get(p),
            background_check_due=due,
            background_check_overdue=is_overdue(due, today),
            health_certificate_expires_on=health.get(p),
            health_certificate_status=health_status(health.get(p), today, within_days=within_days),
        )
    return out


async def credit_file(practitioner_id: int, *, today: dt.date) -> CreditFile:
    """The person's whole credit file, newest first. Raises :class:`NotFound`."""
    await _require_person(practitioner_id)
    records = (
        await CreditRecord.select()
        .where(CreditRecord.practitioner == practitioner_id)
        .order_by(CreditRecord.id, ascending=False)
    )
    checks = (
        await BackgroundCheck.select()
        .where(BackgroundCheck.practitioner == practitioner_id)
        .order_by(BackgroundCheck.checked_on, ascending=False)
    )
    health = (
        await HealthCertificate.select()
        .where(HealthCertificate.practitioner == practitioner_id)
        .order_by(HealthCertificate.expires_on, ascending=False)
    )
    return CreditFile(
        status=(await check_status([practitioner_id], today=today))[practitioner_id],
        credit_records=[CreditRecordOut.model_validate(_out(r)) for r in records],
        background_checks=[BackgroundCheckOut.model_validate(_out(r)) for r in checks],
        health_certificates=[HealthCertificateOut.model_validate(_out(r)) for r in health],
    )


async def _current_rows(
    today: dt.date, district_code: str | None, employer_id: int | None, employer_ids: Collection[int] | None
) -> list[dict[str, Any]]:
    if district_code is not None and not await is_current_district(district_code):
        # a list filtered by a district that does not exist would be empty, not "nobody is due"
        raise ValidationFailed(
            f"区县代码 {district_code[:20]} 不是本市现行区县（应为 6 位行政区划代码，如 370102 历下区）",
            field="district_code",
        )
    query = Employment.select(
        Employment.id.as_alias("employment_id"),
        Employment.practitioner.as_alias("practitioner_id"),
        Employment.practitioner.name.as_alias("name"),
        Employment.employer.as_alias("employer_id"),
        Employment.employer.name.as_alias("employer_name"),
        Employment.employer.district_code.as_alias("district_code"),
    ).where(_current(today))
    if district_code is not None:
        query = query.where(Employment.employer.district_code == district_code)
    if employer_id is not None:
        query = query.where(Employment.employer == employer_id)
    if employer_ids is not None:
        query = query.where(Employment.employer.is_in(list(employer_ids) or [-1]))
    return list(await query.order_by(Employment.employer.district_code).order_by(Employment.id))


async def background_checks_overdue(
    *,
    today: dt.date,
    district_code: str | None = None,
    employer_id: int | None = None,
    employer_ids: Collection[int] | None = None,
) -> list[CheckListRow]:
    """Currently employed people (on the local date ``today``) whose background check is overdue:
    never checked although employed (due at the start of their earliest current employment), or
    last checked more than a year ago. One row per person and current employment (a person
    working in two districts appears under each), filtered by the employer's district or the
    employer, or a set of employers (``employer_ids``: a street's or a functional zone's, for
    scopes the employer table does not name directly). ``due_on`` is the due date, ``status``
    ``overdue``.

    The drill-down "background check overdue" of the targets (issue 12) calls this. Raises
    :class:`ValidationFailed` for a ``district_code`` that is not one of the city's current
    districts (the same for :func:`health_certificates_expiring`).
    """
    rows = await _current_rows(today, district_code, employer_id, employer_ids)
    status = await check_status((r["practitioner_id"] for r in rows), today=today)
    return [
        CheckListRow(**r, due_on=status[r["practitioner_id"]].background_check_due, status="overdue")
        for r in rows
        if status[r["practitioner_id"]].background_check_overdue
    ]


async def health_certificates_expiring(
    *,
    today: dt.date,
    within_days: int = 30,
    district_code: str | None = None,
    employer_id: int | None = None,
    employer_ids: Collection[int] | None = None,
) -> list[CheckListRow]:
    """Currently employed people whose health certificate is missing, expired or expires within
    ``within_days`` days of ``today`` (inclusive); one row per person and current employment;
    ``due_on`` is the expiry (``None`` when missing), ``status`` missing | expired | expiring."""
    if not 0 <= within_days <= 366:
        raise ValidationFailed("天数应在 0 至 366 之间", field="within_days")
    rows = await _current_rows(today, district_code, employer_id, employer_ids)
    status = await check_status((r["practitioner_id"] for r in rows), today=today, within_days=within_days)
    out = []
    for r in rows:
        s = status[r["practitioner_id"]]
        if s.health_certificate_status != "valid":
            out.append(
                CheckListRow(**r, due_on=s.health_certificate_expires_on, status=s.health_certificate_status)
            )
    return out
