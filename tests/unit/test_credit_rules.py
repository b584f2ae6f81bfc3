"""Pure rules of credit and checks (talent_pool.credit_rules) and the talent search's years."""

from __future__ import annotations

import datetime as dt

import pytest

from talent_pool._search import _years
from talent_pool.credit_rules import add_years, background_check_due, health_status, is_overdue

D = dt.date


def test_add_years_moves_29_february_to_28_february() -> None:
    assert add_years(D(2024, 2, 29), 1) == D(2025, 2, 28)
    assert add_years(D(2024, 2, 29), 4) == D(2028, 2, 29)
    assert add_years(D(2025, 11, 29), 1) == D(2026, 11, 29)


def test_due_a_year_after_the_last_check_else_at_hiring() -> None:
    assert background_check_due(D(2025, 11, 29), D(2020, 1, 1)) == D(2026, 11, 29)
    assert background_check_due(None, D(2026, 3, 1)) == D(2026, 3, 1)
    assert background_check_due(None, None) is None


def test_overdue_only_after_the_due_day() -> None:
    assert not is_overdue(D(2026, 11, 29), D(2026, 11, 29))
    assert is_overdue(D(2026, 11, 29), D(2026, 11, 30))
    assert not is_overdue(None, D(2026, 11, 30))


@pytest.mark.parametrize(
    ("expires", "status"),
    [
        (None, "missing"),
        (D(2026, 11, 28), "expired"),
        (D(2026, 11, 29), "expiring"),
        (D(2026, 12, 29), "expiring"),
        (D(2026, 12, 30), "valid"),
    ],
)
def test_health_status(expires: dt.date | None, status: str) -> None:
    assert health_status(expires, D(2026, 11, 29), within_days=30) == status


def test_years_of_experience_count_overlaps_once() -> None:
    assert _years([]) == 0
    assert _years([(D(2020, 1, 1), D(2022, 12, 31))]) == 3
    # two overlapping employments cover 2020-2022 once, not twice
    assert _years([(D(2020, 1, 1), D(2022, 12, 31)), (D(2021, 1, 1), D(2022, 6, 30))]) == 3
    assert _years([(D(2020, 1, 1), D(2020, 12, 31)), (D(2022, 1, 1), D(2022, 12, 31))]) == 2
