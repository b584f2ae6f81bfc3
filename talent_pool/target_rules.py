"""Pure rules for the plan's talent indicators (no I/O).

Source: 济南市普惠托育服务发展规划（2021-2025年）(济发改社会〔2021〕239号), indicator table:
持证率 ≥ 90 %, 人均接受培训次数 ≥ 1 次/年, 培训人次 ≥ 1 万人次/年, 实训基地 ≥ 10 个.
Comparisons are exact: ``numerator * 100 >= target * denominator`` — never on a rounded %.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

ONE_DECIMAL = Decimal("0.1")
TWO_DECIMALS = Decimal("0.01")


def reference_date(year: int, today: dt.date) -> dt.date:
    """The date a year's figures are taken at: 31 December, or ``today`` for the current year.

    Raises ``ValueError`` for a year after ``today``'s year.
    """
    if year > today.year:
        raise ValueError(f"{year} 年尚未开始")
    return min(dt.date(year, 12, 31), today)


def compare(op: str, value: Decimal, target: Decimal) -> bool:
    """Apply a plan operator (``>=``, ``<=``, ``>``, ``<``, ``=``) exactly."""
    if op == ">=":
        return value >= target
    if op == "<=":
        return value <= target
    if op == ">":
        return value > target
    if op == "<":
        return value < target
    if op == "=":
        return value == target
    raise ValueError(f"unknown operator {op!r}")


def rate_met(op: str, numerator: int, denominator: int, target_percent: Decimal) -> bool | None:
    """Whether ``numerator/denominator`` (as %) meets ``target_percent``; None when no data.

    Exact: compares ``numerator * 100`` with ``target * denominator``.
    """
    if denominator == 0:
        return None
    return compare(op, Decimal(numerator) * 100, target_percent * denominator)


def ratio_met(op: str, numerator: int, denominator: int, target: Decimal) -> bool | None:
    """Whether ``numerator/denominator`` meets ``target`` (e.g. trainings per person ≥ 1)."""
    if denominator == 0:
        return None
    return compare(op, Decimal(numerator), target * denominator)


def percent(numerator: int, denominator: int) -> Decimal | None:
    """``numerator/denominator`` in % rounded half-up to 0.1 for display; None when 0/0."""
    if denominator == 0:
        return None
    return (Decimal(numerator) * 100 / Decimal(denominator)).quantize(ONE_DECIMAL, ROUND_HALF_UP)


def per_person(numerator: int, denominator: int) -> Decimal | None:
    """``numerator/denominator`` rounded half-up to 0.01 for display; None when 0/0."""
    if denominator == 0:
        return None
    return (Decimal(numerator) / Decimal(denominator)).quantize(TWO_DECIMALS, ROUND_HALF_UP)


def credential_counts(
    *,
    qualifying: bool,
    issued_on: dt.date,
    expires_on: dt.date | None,
    status: str,
    status_changed_on: dt.date | None,
    on: dt.date,
) -> bool:
    """Whether a credential counts toward 持证率 on date ``on`` (the SQL in ``targets`` is the same rule):
    qualifying, issued on or before ``on``, not expired on ``on``, and not revoked, suspended or
    superseded (replaced by a renewed or reissued certificate) on or before ``on``. A later
    change does not rewrite history; such a status without a change date (an imported or
    hand-edited row) counts as changed all along — fail closed, as
    :func:`certification.rules.status_on` and the targets' SQL read it."""
    if not qualifying or issued_on > on:
        return False
    if expires_on is not None and expires_on < on:
        return False
    return not (
        status in ("revoked", "suspended", "superseded")
        and (status_changed_on is None or status_changed_on <= on)
    )


CREDENTIAL_COUNTS_SQL = (
    "c.qualifying = {} AND c.issued_on <= {} AND (c.expires_on IS NULL OR c.expires_on >= {}) "
    "AND NOT (c.status IN ('revoked', 'suspended', 'superseded') "
    "AND (c.status_changed_on IS NULL OR c.status_changed_on <= {}))"
)
""":func:`credential_counts` as a SQL condition over ``c`` (``tp_credential``), with Piccolo's
``{}`` placeholders; its values: :func:`credential_counts_args`."""


def credential_counts_args(on: dt.date) -> list[object]:
    """The values of :data:`CREDENTIAL_COUNTS_SQL` on local date ``on``."""
    return [True, on, on, on]


def credential_row_counts(row: Mapping[str, Any], on: dt.date) -> bool:
    """:func:`credential_counts` for a credential row (column → value: ``qualifying``,
    ``issued_on``, ``expires_on``, ``status``, ``status_changed_on``)."""
    return credential_counts(
        qualifying=row["qualifying"],
        issued_on=row["issued_on"],
        expires_on=row["expires_on"],
        status=row["status"],
        status_changed_on=row["status_changed_on"],
        on=on,
    )


@functools.lru_cache(maxsize=64)
def year_fraction(as_of: dt.date) -> tuple[int, int]:
    """``(elapsed, days_in_year)``: the days of ``as_of``'s year from 1 January to ``as_of``
    inclusive, and the days of that year (365 or 366). Cached: a dashboard asks it for the same
    date hundreds of times."""
    start = dt.date(as_of.year, 1, 1)
    return (as_of - start).days + 1, (dt.date(as_of.year + 1, 1, 1) - start).days


def project(numerator: int, as_of: dt.date, denominator: int | None = None) -> Decimal:
    """The full-year projection of a count that accrues through the year (person-trainings):
    the pace so far continued to 31 December — ``numerator × days_in_year ÷ elapsed`` (÷
    ``denominator`` for a per-person figure, the denominator being a level) — computed exactly,
    then rounded half-up to 0.01 for display. On 31 December the projection is the value."""
    elapsed, days = year_fraction(as_of)
    exact = Decimal(numerator) * days / (Decimal(elapsed) * (denominator or 1))
    return exact.quantize(TWO_DECIMALS, ROUND_HALF_UP)


def projection_status(
    op: str,
    numerator: int,
    denominator: int | None,
    target: Decimal,
    as_of: dt.date,
    *,
    accrues: bool,
    percent: bool,
) -> str | None:
    """How a year-to-date figure stands against its full-year ``target``:

    - on 31 December the year is complete: ``"met"`` / ``"not_met"``;
    - before it: ``"on_track"`` when the *projection* meets the target, else ``"at_risk"``.

    Projection rule: an indicator that accrues (person-trainings, trainings per practitioner)
    is projected linearly — the numerator × days_in_year ÷ elapsed days, the denominator (people
    employed, a level) as it is on ``as_of``; a level (certification rate, training bases) is
    projected as its current value. Exact: ``numerator × days × (100 if percent) op target ×
    denominator × elapsed`` — never on a rounded figure. ``None`` when the denominator is 0.
    """
    if denominator == 0:
        return None
    elapsed, days = year_fraction(as_of)
    num = Decimal(numerator) * (100 if percent else 1)
    den = Decimal(1 if denominator is None else denominator)
    if accrues:
        num, den = num * days, den * elapsed
    ok = compare(op, num, target * den)
    if elapsed == days:
        return "met" if ok else "not_met"
    return "on_track" if ok else "at_risk"
