"""The projection rule of the targets, exactly (talent_pool.target_rules)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from talent_pool.target_rules import credential_counts, project, projection_status, year_fraction


def test_year_fraction_counts_the_reference_day_and_leap_years() -> None:
    assert year_fraction(dt.date(2026, 1, 1)) == (1, 365)
    assert year_fraction(dt.date(2026, 12, 31)) == (365, 365)
    assert year_fraction(dt.date(2028, 12, 31)) == (366, 366)


def test_projection_continues_the_pace_to_31_december() -> None:
    assert project(5000, dt.date(2026, 6, 30)) == Decimal("10082.87")  # 5000 × 365 / 181
    assert project(7, dt.date(2026, 12, 31)) == Decimal("7.00")
    assert project(1, dt.date(2026, 7, 1), 2) == Decimal("1.00")  # 365 / 364, not 2.01 / 2


def test_status_compares_the_projection_exactly() -> None:
    target = Decimal(10000)
    # person-trainings ≥ 10,000 a year. 5,000 by 1 July (day 182): 5000 × 365 = 1,825,000 ≥
    # 10,000 × 182 → on track; by 2 July (day 183): 1,825,000 < 1,830,000 → at risk
    assert (
        projection_status(">=", 5000, None, target, dt.date(2026, 7, 1), accrues=True, percent=False)
        == "on_track"
    )
    assert (
        projection_status(">=", 5000, None, target, dt.date(2026, 7, 2), accrues=True, percent=False)
        == "at_risk"
    )
    # on 31 December the year is complete
    assert projection_status(
        ">=", 9999, None, target, dt.date(2026, 12, 31), accrues=True, percent=False
    ) == ("not_met")
    # a level (certification rate ≥ 90 %) is judged as it stands: 9 of 10
    rate = Decimal(90)
    assert (
        projection_status(">=", 9, 10, rate, dt.date(2026, 3, 1), accrues=False, percent=True) == "on_track"
    )
    assert projection_status(">=", 8, 10, rate, dt.date(2026, 3, 1), accrues=False, percent=True) == "at_risk"
    assert projection_status(">=", 9, 10, rate, dt.date(2026, 12, 31), accrues=False, percent=True) == "met"
    assert projection_status(">=", 0, 0, rate, dt.date(2026, 3, 1), accrues=False, percent=True) is None


def test_an_ended_status_without_a_date_has_always_applied() -> None:
    """Revoked, suspended or superseded with no change date (an imported or hand-edited row) does
    not count — the same fail-closed reading as ``certification.rules.status_on`` and the
    targets' SQL; a dated change counts from its date only."""
    on = dt.date(2026, 6, 1)
    base = {"qualifying": True, "issued_on": dt.date(2025, 1, 1), "expires_on": None, "on": on}
    for status in ("revoked", "suspended", "superseded"):
        assert not credential_counts(status=status, status_changed_on=None, **base)
        assert credential_counts(status=status, status_changed_on=on + dt.timedelta(days=1), **base)
        assert not credential_counts(status=status, status_changed_on=on, **base)
    assert credential_counts(status="valid", status_changed_on=None, **base)
