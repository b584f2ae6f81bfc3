"""Drill-down lists behind the targets: the people a regulator should act on.

Each list is one row **per person and employment** in the scope on the reference date ``d``
(a person working for two employers appears under each, every column of a row — employment,
employer id, name, district, street — taken from that one employment and its employer), ordered
by district, employer, name. Lists are data: :data:`DRILL_DOWNS` maps a list name to a
:class:`DrillDown` (a predicate on the person ``p.id`` and optional extra columns); another
package adds a list by registering one (:func:`register_drill_down`), e.g. background checks
overdue.

Built in (the 2021–2025 plan's talent indicators; 持证上岗):

- ``uncertified`` — employed on ``d`` without a qualifying credential counting on ``d``;
- ``untrained`` — employed on ``d`` without a training record completed from 1 January to ``d``;
- ``expiring`` — employed on ``d``, certified on ``d``, but every counting credential expires
  within 90 days after ``d`` (``due_on``: the latest such expiry; ``detail``: its number).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from talent_pool.errors import ValidationFailed
from talent_pool.schemas import ShortfallPage, ShortfallPerson
from talent_pool.tables import Employment
from talent_pool.target_rules import CREDENTIAL_COUNTS_SQL, credential_counts_args

EXPIRING_WITHIN_DAYS = 90

_COUNTING = "c.practitioner = p.id AND " + CREDENTIAL_COUNTS_SQL


@dataclass(frozen=True)
class DrillDown:
    """A drill-down list: ``where(d)`` → (SQL predicate over ``p`` (tp_practitioner) with ``{}``
    placeholders, its values); ``columns(d)`` → (SQL for ``due_on, detail``, values)."""

    name: str
    title: str
    where: Callable[[dt.date], tuple[str, list[object]]]
    columns: Callable[[dt.date], tuple[str, list[object]]] = field(
        default=lambda d: ("NULL AS due_on, '' AS detail", [])
    )


def _uncertified(d: dt.date) -> tuple[str, list[object]]:
    return f"NOT EXISTS (SELECT 1 FROM tp_credential c WHERE {_COUNTING})", credential_counts_args(d)


def _untrained(d: dt.date) -> tuple[str, list[object]]:
    return (
        "NOT EXISTS (SELECT 1 FROM tp_training_record t WHERE t.practitioner = p.id "
        "AND t.completed_on >= {} AND t.completed_on <= {})",
        [dt.date(d.year, 1, 1), d],
    )


def _expiring(d: dt.date) -> tuple[str, list[object]]:
    end = d + dt.timedelta(days=EXPIRING_WITHIN_DAYS)
    return (
        f"EXISTS (SELECT 1 FROM tp_credential c WHERE {_COUNTING} AND c.expires_on <= {{}}) "
        f"AND NOT EXISTS (SELECT 1 FROM tp_credential c WHERE {_COUNTING} "
        "AND (c.expires_on IS NULL OR c.expires_on > {}))",
        [*credential_counts_args(d), end, *credential_counts_args(d), end],
    )


def _expiring_columns(d: dt.date) -> tuple[str, list[object]]:
    latest = f"(SELECT MAX(c.expires_on) FROM tp_credential c WHERE {_COUNTING})"
    return (
        f"{latest} AS due_on, (SELECT MAX(c.number) FROM tp_credential c WHERE {_COUNTING} "
        f"AND c.expires_on = {latest}) AS detail",
        [*credential_counts_args(d), *credential_counts_args(d), *credential_counts_args(d)],
    )


DRILL_DOWNS: dict[str, DrillDown] = {}


def register_drill_down(drill_down: DrillDown) -> None:
    """Add (or replace) a drill-down list — the extension point for lists owned elsewhere."""
    DRILL_DOWNS[drill_down.name] = drill_down


register_drill_down(DrillDown("uncertified", "未持有效证书的从业人员", _uncertified))
register_drill_down(DrillDown("untrained", "本年度未参加培训的从业人员", _untrained))
register_drill_down(
    DrillDown("expiring", f"证书{EXPIRING_WITHIN_DAYS}天内到期的从业人员", _expiring, _expiring_columns)
)

# The indicator a list pulls down (the former /shortfall/{indicator} names).
BY_INDICATOR = {"certification_rate": "uncertified", "trainings_per_practitioner": "untrained"}


def _scope_filter(scope: str) -> tuple[str, list[object]]:
    if scope == "city":
        return "", []
    kind, _, code = scope.partition(":")
    if kind == "zone":
        return " AND r.street_code IN (SELECT s.code FROM tp_division s WHERE s.zone_code = {})", [code]
    if kind == "street":
        return " AND r.street_code = {}", [code]
    if kind == "employer":
        return " AND r.id = {}", [int(code)]
    return " AND r.district_code = {}", [scope]


async def drill_down(
    list_name: str, scope: str, as_of: dt.date, *, limit: int = 100, offset: int = 0
) -> ShortfallPage:
    """One page of the list ``list_name`` (a key of :data:`DRILL_DOWNS`) in ``scope`` (a scope
    key already resolved by the caller) on the local date ``as_of``. ``total`` counts rows
    (person × employment), ``people_total`` distinct people. Raises :class:`ValidationFailed`
    for an unknown list."""
    spec = DRILL_DOWNS.get(list_name)
    if spec is None:
        raise ValidationFailed(f"清单 {list_name} 不存在（可用：{'、'.join(DRILL_DOWNS)}）")
    where, where_args = spec.where(as_of)
    scope_sql, scope_args = _scope_filter(scope)
    body = f"""
        FROM tp_employment e
        JOIN tp_employer r ON r.id = e.employer
        JOIN tp_practitioner p ON p.id = e.practitioner
        WHERE e.status = 'active' AND e.start_date <= {{}} AND (e.end_date IS NULL OR e.end_date >= {{}})
          {scope_sql} AND {where}
    """
    args: list[object] = [as_of, as_of, *scope_args, *where_args]
    counted = await Employment.raw(f"SELECT COUNT(*) AS n, COUNT(DISTINCT p.id) AS people {body}", *args)
    total, people_total = (int(counted[0]["n"] or 0), int(counted[0]["people"] or 0)) if counted else (0, 0)
    columns, column_args = spec.columns(as_of)
    rows = await Employment.raw(
        f"""SELECT p.id AS practitioner_id, p.name, p.id_number, p.phone, e.id AS employment_id,
               r.id AS employer_id, r.name AS employer_name, r.district_code, r.street_code, {columns}
        {body}
        ORDER BY r.district_code, r.name, p.name, p.id, e.id
        LIMIT {{}} OFFSET {{}}""",
        *column_args,
        *args,
        limit,
        offset,
    )
    people = []
    for r in rows:
        due = r["due_on"]
        if isinstance(due, str):  # SQLite returns dates of an expression as text
            due = dt.date.fromisoformat(due[:10])
        people.append(ShortfallPerson(**{**r, "due_on": due, "detail": r["detail"] or ""}))
    return ShortfallPage(
        indicator=list_name,
        year=as_of.year,
        as_of=as_of,
        scope=scope,
        total=total,
        people_total=people_total,
        people=people,
    )
