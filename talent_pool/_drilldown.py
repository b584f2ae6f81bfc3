"""Regulator drill-down below the targets table: a district's employers, an employer's people.

Same definitions as :mod:`talent_pool.targets` (README.md, table "indicator / computed from"), on
the year's reference date ``d`` (:func:`talent_pool.target_rules.reference_date`: 31 December, or
the local ``today`` in the current year):

- *employed* — a confirmed (``active``) employment with ``start_date <= d`` and no ``end_date``
  or ``end_date >= d``; an unconfirmed claim counts nowhere;
- *certified* — holds on ``d`` a qualifying credential issued on or before ``d``, not expired on
  ``d``, not revoked, suspended or superseded on or before ``d``
  (:func:`~talent_pool.target_rules.credential_counts`, the same rule as the SQL here);
- *trained* — at least one training record completed in the local-date year up to ``d``.

Counts are of distinct people per employer (a person with two employments at the same employer
counts once there; a person employed by two employers counts at each). One statement per call,
never a query per employer or per person.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from pydantic import BaseModel

from talent_pool import target_rules as rules
from talent_pool._registry import get_employer
from talent_pool.errors import ValidationFailed
from talent_pool.tables import Credential, Division, Employment, PlanIndicator, TrainingRecord


class EmployerSummary(BaseModel):
    """One employer of a district on the reference date ``as_of``: ``employed`` people,
    ``certified`` of them (持证), ``trained_people`` with ≥ 1 training in the year, ``trainings``
    (training records of those people in the year); ``certification_rate`` in % (0.1, half-up;
    ``None`` when nobody is employed) and ``certification_met`` against the plan's 持证率 target
    (exact comparison; ``None`` without people or without a target)."""

    employer_id: int
    name: str
    kind: str
    street: str
    employed: int
    certified: int
    trained_people: int
    trainings: int
    certification_rate: Decimal | None
    certification_met: bool | None


class EmployerPerson(BaseModel):
    """One person employed by an employer on ``as_of`` with their standing for the year:
    ``valid_credentials`` (titles and numbers counting toward 持证率 on ``as_of``),
    ``trainings`` (records completed in the year up to ``as_of``)."""

    practitioner_id: int
    name: str
    id_number: str
    phone: str
    position: str
    start_date: dt.date
    certified: bool
    valid_credentials: list[str]
    trainings: int


def _as_of(year: int, today: dt.date) -> dt.date:
    try:
        return rules.reference_date(year, today)
    except ValueError as exc:
        raise ValidationFailed(str(exc)) from None


_EMPLOYERS_SQL = """
WITH employed AS (
    SELECT DISTINCT e.employer AS eid, e.practitioner AS pid
    FROM tp_employment e JOIN tp_employer r ON r.id = e.employer
    WHERE e.status = 'active' AND e.start_date <= {} AND (e.end_date IS NULL OR e.end_date >= {})
      AND r.district_code = {}
),
certified AS (
    SELECT DISTINCT c.practitioner AS pid FROM tp_credential c
    WHERE c.qualifying = TRUE AND c.issued_on <= {}
      AND (c.expires_on IS NULL OR c.expires_on >= {})
      AND NOT (c.status IN ('revoked', 'suspended', 'superseded')
               AND (c.status_changed_on IS NULL OR c.status_changed_on <= {}))
),
trained AS (
    SELECT t.practitioner AS pid, COUNT(*) AS n FROM tp_training_record t
    WHERE t.completed_on >= {} AND t.completed_on <= {}
    GROUP BY t.practitioner
)
SELECT r.id AS employer_id, r.name, r.kind, r.street,
       COUNT(em.pid) AS employed, COUNT(c.pid) AS certified, COUNT(t.pid) AS trained_people,
       COALESCE(SUM(t.n), 0) AS trainings
FROM tp_employer r
LEFT JOIN employed em ON em.eid = r.id
LEFT JOIN certified c ON c.pid = em.pid
LEFT JOIN trained t ON t.pid = em.pid
WHERE r.district_code = {}
GROUP BY r.id, r.name, r.kind, r.street
ORDER BY r.name, r.id
"""


async def _certification_target() -> tuple[str, Decimal] | None:
    row = (
        await PlanIndicator.select(PlanIndicator.op, PlanIndicator.target)
        .where(
            (PlanIndicator.key == "certification_rate") & (PlanIndicator.in_scope == True)  # noqa: E712
        )
        .first()
    )
    return None if row is None else (row["op"], Decimal(row["target"]))


async def district_employers(district_code: str, year: int, *, today: dt.date) -> list[EmployerSummary]:
    """Every employer registered in ``district_code`` (by name) with its people, 持证 and
    trained counts for ``year`` as of its reference date (see the module docstring); employers
    with nobody employed are listed with zeros. ``today`` is the local business date.
    Raises :class:`ValidationFailed` for a code that is not a current district or a future year."""
    as_of = _as_of(year, today)
    if not await Division.exists().where((Division.code == district_code) & (Division.level == "district")):
        raise ValidationFailed(f"范围 {district_code} 不是本市区县代码")
    year_start = dt.date(year, 1, 1)
    rows = await Employment.raw(
        _EMPLOYERS_SQL, as_of, as_of, district_code, as_of, as_of, as_of, year_start, as_of, district_code
    )
    target = await _certification_target()
    out = []
    for r in rows:
        employed, certified = int(r["employed"] or 0), int(r["certified"] or 0)
        out.append(
            EmployerSummary(
                employer_id=r["employer_id"],
                name=r["name"],
                kind=r["kind"],
                street=r["street"] or "",
                employed=employed,
                certified=certified,
                trained_people=int(r["trained_people"] or 0),
                trainings=int(r["trainings"] or 0),
                certification_rate=rules.percent(certified, employed),
                certification_met=None
                if target is None
                else rules.rate_met(target[0], certified, employed, target[1]),
            )
        )
    return out


async def employer_people(employer_id: int, year: int, *, today: dt.date) -> list[EmployerPerson]:
    """The people ``employer_id`` employs on ``year``'s reference date (by name), each with the
    credentials counting toward 持证率 on that date and the trainings completed in the year up
    to it. Full ID numbers and phones: the caller masks them for roles that must not see them.
    Raises :class:`NotFound` for an unknown employer, :class:`ValidationFailed` for a future year."""
    as_of = _as_of(year, today)
    await get_employer(employer_id)
    rows = await (
        Employment.select(
            Employment.practitioner.id.as_alias("practitioner_id"),
            Employment.practitioner.name.as_alias("name"),
            Employment.practitioner.id_number.as_alias("id_number"),
            Employment.practitioner.phone.as_alias("phone"),
            Employment.position,
            Employment.start_date,
        )
        .where(
            (Employment.employer == employer_id)
            & (Employment.status == "active")
            & (Employment.start_date <= as_of)
            & (Employment.end_date.is_null() | (Employment.end_date >= as_of))
        )
        .order_by(Employment.practitioner.name, Employment.practitioner.id, Employment.start_date)
    )
    first: dict[int, dict[str, object]] = {}
    for r in rows:  # one line per person: their earliest current employment here
        first.setdefault(r["practitioner_id"], r)
    ids = list(first)
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
        if rules.credential_row_counts(c, as_of):
            creds.setdefault(c["practitioner"], []).append(f"{c['title']}（{c['number']}）")
    trained: dict[int, int] = {}
    for t in await TrainingRecord.select(TrainingRecord.practitioner).where(
        TrainingRecord.practitioner.is_in(ids)
        & (TrainingRecord.completed_on >= dt.date(year, 1, 1))
        & (TrainingRecord.completed_on <= as_of)
    ):
        trained[t["practitioner"]] = trained.get(t["practitioner"], 0) + 1
    return [
        EmployerPerson(
            practitioner_id=pid,
            name=str(r["name"]),
            id_number=str(r["id_number"]),
            phone=str(r["phone"] or ""),
            position=str(r["position"]),
            start_date=r["start_date"],  # type: ignore[arg-type]
            certified=bool(creds.get(pid)),
            valid_credentials=creds.get(pid, []),
            trainings=trained.get(pid, 0),
        )
        for pid, r in first.items()
    ]
