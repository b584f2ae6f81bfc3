"""The drill-down list ``background_overdue`` (背景审查逾期) of the targets API, registered with
:func:`talent_pool._target_lists.register_drill_down` so ``GET /api/targets/lists/background_overdue``
and the regulator's list pages serve it like the built-in lists.

Same rule as :func:`talent_pool._credit.background_checks_overdue` and
:mod:`talent_pool.credit_rules` (a check holds one year; without one, the check is due at the
start of the earliest current employment; overdue once the reference date is *after* the due
date), on the reference date ``d`` (local date), counting only checks done on or before ``d``:

- checked before: the latest check on or before ``d`` was on or before :func:`last_overdue_check`
  of ``d`` (a year and more ago);
- never checked: a current (confirmed, not ended on ``d``) employment started before ``d``.

Columns: ``due_on`` is the latest check (``None`` when never checked), ``detail`` says which case.
"""

from __future__ import annotations

import datetime as dt

from talent_pool._target_lists import DrillDown, register_drill_down
from talent_pool.credit_rules import CHECK_INTERVAL_YEARS, add_years

LIST_NAME = "background_overdue"


def last_overdue_check(d: dt.date) -> dt.date:
    """The latest check date that is overdue on ``d``: the largest ``c`` with
    ``add_years(c, 1) < d`` (so ``c`` and every earlier date are overdue on ``d``, every later
    one is not; :func:`~talent_pool.credit_rules.add_years` maps 29 February to 28 February)."""
    c = add_years(d - dt.timedelta(days=1), -CHECK_INTERVAL_YEARS)
    while add_years(c + dt.timedelta(days=1), CHECK_INTERVAL_YEARS) < d:
        c += dt.timedelta(days=1)
    while add_years(c, CHECK_INTERVAL_YEARS) >= d:
        c -= dt.timedelta(days=1)
    return c


_CHECKED = "SELECT 1 FROM tp_background_check b WHERE b.practitioner = p.id AND b.checked_on <= {}"


def _overdue(d: dt.date) -> tuple[str, list[object]]:
    sql = (
        f"((EXISTS ({_CHECKED}) AND NOT EXISTS ({_CHECKED} AND b.checked_on > {{}})) "
        f"OR (NOT EXISTS ({_CHECKED}) AND EXISTS (SELECT 1 FROM tp_employment e2 "
        "WHERE e2.practitioner = p.id AND e2.status = 'active' AND e2.start_date < {} "
        "AND (e2.end_date IS NULL OR e2.end_date >= {}))))"
    )
    return sql, [d, d, last_overdue_check(d), d, d, d]


def _columns(d: dt.date) -> tuple[str, list[object]]:
    latest = (
        "(SELECT MAX(b.checked_on) FROM tp_background_check b "
        "WHERE b.practitioner = p.id AND b.checked_on <= {})"
    )
    return (
        f"{latest} AS due_on, "
        f"CASE WHEN {latest} IS NULL THEN '从未审查' ELSE '上次审查已满一年' END AS detail",
        [d, d],
    )


register_drill_down(DrillDown(LIST_NAME, "背景审查逾期的从业人员", _overdue, _columns))
