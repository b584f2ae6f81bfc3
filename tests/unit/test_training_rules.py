"""Pure training rules: completion (exact Decimal, 80 % default) and session length."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from training.rules import (
    DEFAULT_COMPLETION_RULE,
    CompletionDecision,
    CompletionRule,
    evaluate_completion,
    format_hours,
    held_hours_short,
    session_hours,
)


def decide(
    attended: str, scheduled: str = "16", sessions: tuple[int, int] = (4, 4), **kw: Any
) -> CompletionDecision:
    rule = CompletionRule(**kw) if kw else DEFAULT_COMPLETION_RULE
    return evaluate_completion(
        scheduled_hours=Decimal(scheduled),
        attended_hours=Decimal(attended),
        scheduled_sessions=sessions[1],
        attended_sessions=sessions[0],
        rule=rule,
    )


def test_default_is_80_percent_of_hours_and_documented() -> None:
    assert DEFAULT_COMPLETION_RULE.min_hours_percent == Decimal(80)
    assert DEFAULT_COMPLETION_RULE.min_sessions_percent is None
    assert "80%" in DEFAULT_COMPLETION_RULE.source and "可配置" in DEFAULT_COMPLETION_RULE.source


def test_boundary_is_exact_not_float() -> None:
    assert decide("12.8").completed  # exactly 80 %
    assert not decide("12.79").completed
    # 0.1 + 0.2 style inputs: 1/3 of hours, exact comparison on Decimal
    assert decide("2.4", scheduled="3").completed  # 80 % exactly
    assert not decide("2.39", scheduled="3").completed


def test_reason_shows_hours() -> None:
    decision = decide("6", sessions=(2, 4))
    assert not decision.completed
    assert decision.reason == "出勤 6.0 / 16.0 学时（37.5%），未达到 80%"
    ok = decide("16")
    assert ok.completed and "16.0 / 16.0" in ok.reason


def test_sessions_share_can_be_required_too() -> None:
    rule_kw: dict[str, Any] = {"min_sessions_percent": Decimal(75)}
    assert decide("13", sessions=(3, 4), **rule_kw).completed
    decision = decide("13", sessions=(2, 4), **rule_kw)
    assert not decision.completed and "出勤 2 / 4 次课" in decision.reason
    both = decide("1", sessions=(1, 4), **rule_kw)
    assert both.reason.count("未达到") == 2


def test_configurable_threshold() -> None:
    assert decide("8", min_hours_percent=Decimal(50)).completed
    assert not decide("8", min_hours_percent=Decimal("50.01")).completed
    with pytest.raises(ValueError):
        CompletionRule(min_hours_percent=Decimal(101))


def test_no_schedule_and_bad_inputs() -> None:
    assert not decide("0", scheduled="0", sessions=(0, 0)).completed
    with pytest.raises(ValueError):
        decide("17")
    with pytest.raises(ValueError):
        decide("-1")


def test_session_hours_exact() -> None:
    assert session_hours(dt.time(9), dt.time(9, 45)) == Decimal("0.75")
    assert session_hours(dt.time(9), dt.time(12)) == Decimal("3")
    assert session_hours(dt.time(13, 30), dt.time(15)) == Decimal("1.5")
    with pytest.raises(ValueError):
        session_hours(dt.time(9), dt.time(9, 50))  # 0.8333… h is not exact
    with pytest.raises(ValueError):
        session_hours(dt.time(10), dt.time(9))


def test_format_hours() -> None:
    assert format_hours(Decimal("6")) == "6.0"
    assert format_hours(Decimal("6.00")) == "6.0"
    assert format_hours(Decimal("1.25")) == "1.25"
    assert format_hours(Decimal("30")) == "30.0"


def test_credited_hours_are_attended_hours_capped_at_the_course() -> None:
    from training.rules import credited_hours

    assert credited_hours(Decimal("0.5"), Decimal("16")) == Decimal("0.5")
    assert credited_hours(Decimal("16"), Decimal("16")) == Decimal("16")
    assert credited_hours(Decimal("20.00"), Decimal("16.0")) == Decimal("16.0")
    # the ledger keeps one decimal: round down, never credit more than attended
    assert credited_hours(Decimal("0.75"), Decimal("16")) == Decimal("0.7")
    assert credited_hours(Decimal("1.99"), Decimal("16")) == Decimal("1.9")
    assert credited_hours(Decimal("0.05"), Decimal("16")) == Decimal("0.0")
    assert str(credited_hours(Decimal("3.50"), Decimal("16"))) == "3.5"
    with pytest.raises(ValueError):
        credited_hours(Decimal("-1"), Decimal("16"))


def test_nothing_attended_is_never_completed() -> None:
    decision = decide("0", sessions=(0, 4), min_hours_percent=Decimal(0))
    assert not decision.completed and "未出勤" in decision.reason


def test_session_hours_within_clock_length() -> None:
    from training.rules import check_session_hours

    assert check_session_hours(dt.time(9), dt.time(9, 30), None) == Decimal("0.50")
    assert check_session_hours(dt.time(9), dt.time(9, 50), Decimal("0.83")) == Decimal("0.83")
    assert check_session_hours(dt.time(9), dt.time(12), Decimal("3")) == Decimal("3")
    for start, end, hours in [
        (dt.time(9), dt.time(9, 30), Decimal("16")),
        (dt.time(9), dt.time(9, 50), Decimal("0.84")),
        (dt.time(9), dt.time(10), Decimal(0)),
        (dt.time(9), dt.time(10), Decimal("-1")),
        (dt.time(10), dt.time(9), Decimal("1")),
        (dt.time(10), dt.time(10), None),
        (dt.time(9), dt.time(9, 50), None),
    ]:
        with pytest.raises(ValueError):
            check_session_hours(start, end, hours)


def test_sessions_overlap() -> None:
    from training.rules import sessions_overlap

    nine_to_noon = (dt.time(9), dt.time(12))
    assert sessions_overlap(nine_to_noon, nine_to_noon)
    assert sessions_overlap(nine_to_noon, (dt.time(11), dt.time(13)))
    assert sessions_overlap(nine_to_noon, (dt.time(10), dt.time(11)))
    assert not sessions_overlap(nine_to_noon, (dt.time(12), dt.time(13)))
    assert not sessions_overlap(nine_to_noon, (dt.time(8), dt.time(9)))


def test_attendance_is_measured_against_the_course_hours() -> None:
    """The trial: 1 of 1 scheduled hours of a 16 h course was 100 % — now 6.25 % of the course."""
    one = dict(
        scheduled_hours=Decimal(1), attended_hours=Decimal(1), scheduled_sessions=1, attended_sessions=1
    )
    assert evaluate_completion(**one).completed  # type: ignore[arg-type]  # no course: the old base
    d = evaluate_completion(**one, course_hours=Decimal(16))  # type: ignore[arg-type]
    assert d == CompletionDecision(False, "出勤 1.0 / 16.0 学时（6.2%），未达到 80%")
    extra = dict(scheduled_hours=Decimal(20), scheduled_sessions=3, attended_sessions=2)
    ok = evaluate_completion(**extra, attended_hours=Decimal("12.8"), course_hours=Decimal(16))  # type: ignore[arg-type]
    assert ok.completed and ok.reason.startswith("出勤 12.8 / 16.0 学时（80.0%）")
    assert not evaluate_completion(
        **extra, attended_hours=Decimal("12.79"), course_hours=Decimal(16)
    ).completed  # type: ignore[arg-type]


def test_online_hours_count_towards_the_course_hours_of_a_blended_class() -> None:
    """A 10 h course, 8 h in class: 6 h attended + 1 h of lessons watched = 70 % (not completed);
    7 h + 1 h = 80 % (completed) — the lessons deliver part of the course's hours."""
    base = dict(
        scheduled_hours=Decimal(8), scheduled_sessions=2, attended_sessions=1, course_hours=Decimal(10)
    )
    no = evaluate_completion(
        **base, attended_hours=Decimal(6), online_seconds=3600, online_total_seconds=7200
    )  # type: ignore[arg-type]
    assert no == CompletionDecision(False, "出勤 6.0 + 线上 1.0 / 10.0 学时（70.0%），未达到 80%")
    yes = evaluate_completion(
        **base, attended_hours=Decimal(7), online_seconds=3600, online_total_seconds=7200
    )  # type: ignore[arg-type]
    assert yes.completed and yes.reason.startswith("出勤 7.0 + 线上 1.0 / 10.0 学时（80.0%）")


def test_a_class_held_short_of_the_course_is_named_with_its_numbers() -> None:
    rule = DEFAULT_COMPLETION_RULE
    assert (
        held_hours_short(
            scheduled_hours=Decimal("0.25"), online_total_seconds=0, course_hours=Decimal(16), rule=rule
        )
        == "班级仅安排 0.25 学时，课程要求 16.0 学时，结业至少需出勤 12.8 学时（80%），"
        "无人能够结业；请补足课次后再结业"
    )
    assert (
        held_hours_short(  # 12 h + 48 min of lessons = 12.8 h: exactly enough
            scheduled_hours=Decimal(12), online_total_seconds=2880, course_hours=Decimal(16), rule=rule
        )
        is None
    )
    short = held_hours_short(
        scheduled_hours=Decimal(12), online_total_seconds=2879, course_hours=Decimal(16), rule=rule
    )
    assert short is not None and "含线上课件 0.7 学时" in short


def test_an_online_only_class_applies_the_displayed_hours_rule() -> None:
    """No sessions, lessons of 90 s, a 1-hour course (the trial's demo class): 29 s watched is
    not 达到结业要求 — the rule shown (出勤学时（含线上学习）不少于课程学时的 80%) applies to online
    hours too. (Before: "线上学习 0.4 / 1.5 分钟（32.2%），达到结业要求".)"""
    online_only = {
        "scheduled_hours": Decimal(0),
        "attended_hours": Decimal(0),
        "scheduled_sessions": 0,
        "attended_sessions": 0,
        "online_total_seconds": 90,
    }
    d = evaluate_completion(**online_only, online_seconds=29, course_hours=Decimal(1))  # type: ignore[arg-type]
    assert d == CompletionDecision(False, "线上 0.0 / 1.0 学时（0.8%），未达到 80%")
    ok = evaluate_completion(  # type: ignore[arg-type]
        **{**online_only, "online_total_seconds": 3600}, online_seconds=2880, course_hours=Decimal(1)
    )
    assert ok == CompletionDecision(
        True, "线上 0.8 / 1.0 学时（80.0%），线上学习 48.0 / 60.0 分钟（80.0%），达到结业要求"
    )
    short = evaluate_completion(  # type: ignore[arg-type]
        **{**online_only, "online_total_seconds": 3600}, online_seconds=2870, course_hours=Decimal(1)
    )
    assert not short.completed and short.reason == "线上 0.79 / 1.0 学时（79.7%），未达到 80%"
