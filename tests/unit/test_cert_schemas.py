"""certification input shapes: exam dates within 2000–2100, strict programme updates, and the
Chinese names of certificate and sitting statuses."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from pydantic import ValidationError

from certification import rules
from certification.schemas import ProgrammeUpdate, SittingIn


@pytest.mark.parametrize("day", [dt.date(1999, 12, 31), dt.date(2101, 1, 1), dt.date(1, 1, 1)])
def test_sitting_exam_date_outside_2000_2100_is_rejected(day: dt.date) -> None:
    with pytest.raises(ValidationError) as err:
        SittingIn(programme_code="1X-YEZH-1", exam_date=day)
    assert "2000" in str(err.value) and "2100" in str(err.value)


@pytest.mark.parametrize("day", [dt.date(2000, 1, 1), dt.date(2100, 12, 31)])
def test_sitting_exam_date_bounds_are_inclusive(day: dt.date) -> None:
    assert SittingIn(programme_code="1X-YEZH-1", exam_date=day).exam_date == day


def test_backdating_rule_allows_exactly_the_configured_days() -> None:
    today = dt.date(2026, 11, 20)
    limit = rules.SITTING_BACKDATE_DAYS
    assert limit == 30
    assert rules.exam_date_problem(today - dt.timedelta(days=limit), today=today) is None
    assert rules.exam_date_problem(today + dt.timedelta(days=400), today=today) is None
    assert rules.exam_date_problem(today - dt.timedelta(days=limit + 1), today=today) == (
        "不能补登 30 天以前的考试"
    )
    assert rules.exam_date_problem(today - dt.timedelta(days=400)) is None  # no today: no check
    assert rules.exam_date_problem(dt.date(1999, 1, 1)) is not None


@pytest.mark.parametrize("years", [0, -1, 101])
def test_programme_update_validity_years_must_be_1_to_100(years: int) -> None:
    with pytest.raises(ValidationError):
        ProgrammeUpdate(validity_years=years)


def test_programme_update_rejects_unknown_fields_and_keeps_null_as_unchanged() -> None:
    with pytest.raises(ValidationError) as err:
        ProgrammeUpdate.model_validate({"validity_year": 3})  # typo: must not be dropped silently
    assert "validity_year" in str(err.value)
    with pytest.raises(ValidationError):
        ProgrammeUpdate.model_validate({"pass_mark_theory": 70, "code": "X"})
    one = ProgrammeUpdate.model_validate({"validity_years": 1})
    assert one.validity_years == 1
    unchanged = ProgrammeUpdate.model_validate({"validity_years": None, "pass_mark_theory": "70"})
    assert unchanged.model_dump(exclude_none=True, exclude={"no_expiry"}) == {"pass_mark_theory": Decimal(70)}
    assert ProgrammeUpdate.model_validate({"no_expiry": True}).no_expiry is True
    with pytest.raises(ValidationError):  # contradictory: a number of years and "no expiry"
        ProgrammeUpdate.model_validate({"validity_years": 3, "no_expiry": True})


def test_status_names_are_chinese() -> None:
    assert {s: rules.status_name(s) for s in ("valid", "suspended", "revoked", "superseded", "expired")} == {
        "valid": "有效",
        "suspended": "暂停",
        "revoked": "吊销",
        "superseded": "已换发",
        "expired": "过期",
    }
    assert {s: rules.sitting_status_name(s) for s in ("scheduled", "issued", "cancelled")} == {
        "scheduled": "待考",
        "issued": "已发证",
        "cancelled": "已取消",
    }
    assert rules.status_name("weird") == "weird"  # unknown codes are shown as they are
