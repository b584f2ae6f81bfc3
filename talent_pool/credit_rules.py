"""Pure rules of the credit and checks part of the registry (信用与审查; no I/O).

Sources: 《托育机构设置标准（试行）》(国卫人口发〔2019〕58号) and 《托育机构管理规范（试行）》
require that staff have no record of child abuse or sexual offences and hold a health
certificate; Jinan's plan asks for a check before hiring and every year after (issue 12,
"Credit and checks"). Dates are local calendar dates.
"""

from __future__ import annotations

import datetime as dt

CHECK_INTERVAL_YEARS = 1
"""A background check holds for one year; the next one is due on the same date a year later."""


def add_years(day: dt.date, years: int) -> dt.date:
    """``day`` moved ``years`` calendar years; 29 February becomes 28 February in a common year."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def background_check_due(last_checked_on: dt.date | None, first_start: dt.date | None) -> dt.date | None:
    """When the next background check is due (local date).

    With a check on record: one year after the latest check. Without one: the start of the
    person's earliest current employment (the check must come *before* hiring). ``None`` when
    there is neither (nobody employs the person and they were never checked).
    """
    if last_checked_on is not None:
        return add_years(last_checked_on, CHECK_INTERVAL_YEARS)
    return first_start


def is_overdue(due: dt.date | None, today: dt.date) -> bool:
    """Overdue once ``today`` is after the due date (a check due today is not yet overdue)."""
    return due is not None and today > due


def health_status(expires_on: dt.date | None, today: dt.date, *, within_days: int = 30) -> str:
    """``missing`` (no certificate), ``expired`` (``expires_on`` before ``today``), ``expiring``
    (within ``within_days`` days, inclusive) or ``valid``."""
    if expires_on is None:
        return "missing"
    if expires_on < today:
        return "expired"
    if (expires_on - today).days <= within_days:
        return "expiring"
    return "valid"
