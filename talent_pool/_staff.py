"""An employer's staff and what the employer must check (持证上岗, annual training)."""

from __future__ import annotations

import datetime as dt

from talent_pool._credit import check_status
from talent_pool._registry import get_employer
from talent_pool.schemas import (
    StaffMember,
)
from talent_pool.tables import (
    Credential,
    Employment,
    TrainingRecord,
)
from talent_pool.target_rules import credential_row_counts


# The plan states person-trainings in 万人次 (10,000 person-trainings); we store plain counts.
async def staff_of_employer(employer_id: int, *, today: dt.date) -> list[StaffMember]:
    """The employer's current staff on ``today`` (local date) with their valid qualifying
    credentials and the number of trainings completed this calendar year.

    A credential counts when issued on or before ``today``, not expired, not revoked, suspended
    or superseded
    (the certification-rate rule of ``talent_pool.targets``). Each member also carries the check
    status an employer may see (``talent_pool.check_status``: the lifetime-exclusion flag, the
    background check due date and whether it is overdue, the health certificate's status) —
    never the credit records. Raises :class:`NotFound`.
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
            & (Employment.status == "active")
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
        if not credential_row_counts(c, today):
            continue
        creds.setdefault(c["practitioner"], []).append(f"{c['title']}（{c['number']}）")
    trained: dict[int, int] = {}
    for t in await TrainingRecord.select(TrainingRecord.practitioner).where(
        TrainingRecord.practitioner.is_in(ids)
        & (TrainingRecord.completed_on >= dt.date(today.year, 1, 1))
        & (TrainingRecord.completed_on <= today)
    ):
        trained[t["practitioner"]] = trained.get(t["practitioner"], 0) + 1
    checks = await check_status(ids, today=today)
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
            lifetime_excluded=checks[r["practitioner_id"]].lifetime_excluded,
            background_check_due=checks[r["practitioner_id"]].background_check_due,
            background_check_overdue=checks[r["practitioner_id"]].background_check_overdue,
            health_certificate_status=checks[r["practitioner_id"]].health_certificate_status,
        )
        for r in rows
    ]
