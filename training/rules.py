"""Pure training rules (no I/O, no clock): completion, session length.

Completion rule — source and status
-----------------------------------
The default is a **configurable default, not a cited regulation**: a trainee completes an
offering when the hours of the sessions they attended are at least **80 %** of the scheduled
hours of the offering (``DEFAULT_COMPLETION_RULE``). An 80 % attendance requirement is the common
practice of vocational training programmes in China (attendance below it means no completion
certificate), but the programme owner (city health commission / the training base) should set
the value; callers pass their own :class:`CompletionRule` to
``training.services.complete_offering``. Optionally a minimum share of sessions attended can be
required as well (both conditions must then hold).

All arithmetic is exact :class:`~decimal.Decimal`; the comparison happens before any rounding
(``attended * 100 >= scheduled * percent``), never on floats.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

HOURS_QUANTUM = Decimal("0.01")

__all__ = [
    "DEFAULT_COMPLETION_RULE",
    "CompletionDecision",
    "CompletionRule",
    "evaluate_completion",
    "format_hours",
    "session_hours",
]


@dataclass(frozen=True)
class CompletionRule:
    """When a confirmed enrollment counts as completed.

    ``min_hours_percent``: attended hours ≥ this percentage (0–100) of the scheduled hours.
    ``min_sessions_percent``: when not ``None``, attended sessions ≥ this percentage of the
    scheduled sessions as well. ``source`` documents where the numbers come from.
    """

    min_hours_percent: Decimal = Decimal(80)
    min_sessions_percent: Decimal | None = None
    source: str = "默认规则（可配置）：出勤学时不少于计划学时的 80%"

    def __post_init__(self) -> None:
        for value in (self.min_hours_percent, self.min_sessions_percent):
            if value is not None and not (Decimal(0) <= Decimal(value) <= Decimal(100)):
                raise ValueError("completion percentages must be within 0–100")


DEFAULT_COMPLETION_RULE = CompletionRule()


@dataclass(frozen=True)
class CompletionDecision:
    """The outcome for one enrollment: ``completed`` and a Chinese ``reason`` that shows the
    numbers (e.g. ``出勤 6.0 / 16.0 学时（37.5%），未达到 80%``)."""

    completed: bool
    reason: str


def format_hours(value: Decimal) -> str:
    """Hours for display with at least one decimal (``Decimal("6")`` → ``"6.0"``,
    ``Decimal("1.25")`` → ``"1.25"``). Display only — never used for comparisons."""
    value = Decimal(value)
    if value == value.quantize(Decimal("0.1")):
        return str(value.quantize(Decimal("0.1")))
    return f"{value.normalize():f}"


def _percent(part: Decimal, whole: Decimal) -> str:
    share = (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"))
    return f"{share}%"


def _pct_label(value: Decimal) -> str:
    return f"{Decimal(value).normalize():f}%"


def evaluate_completion(
    *,
    scheduled_hours: Decimal,
    attended_hours: Decimal,
    scheduled_sessions: int,
    attended_sessions: int,
    rule: CompletionRule = DEFAULT_COMPLETION_RULE,
) -> CompletionDecision:
    """Decide completion for one enrollment (hours are decimal hours).

    Completed iff ``attended_hours * 100 >= scheduled_hours * rule.min_hours_percent`` and, when
    ``rule.min_sessions_percent`` is set, ``attended_sessions * 100 >= scheduled_sessions *
    rule.min_sessions_percent``. Exact comparison, no rounding. With no scheduled hours nothing
    can be completed. Raises ``ValueError`` for negative inputs or attendance above the schedule.
    """
    scheduled_hours = Decimal(scheduled_hours)
    attended_hours = Decimal(attended_hours)
    if min(scheduled_hours, attended_hours) < 0 or min(scheduled_sessions, attended_sessions) < 0:
        raise ValueError("hours and session counts must not be negative")
    if attended_hours > scheduled_hours or attended_sessions > scheduled_sessions:
        raise ValueError("attendance cannot exceed the schedule")
    if scheduled_hours == 0 or scheduled_sessions == 0:
        return CompletionDecision(False, "班级没有安排课时，无法结业")
    hours_text = (
        f"出勤 {format_hours(attended_hours)} / {format_hours(scheduled_hours)} 学时"
        f"（{_percent(attended_hours, scheduled_hours)}）"
    )
    reasons: list[str] = []
    if attended_hours * 100 < scheduled_hours * rule.min_hours_percent:
        reasons.append(f"{hours_text}，未达到 {_pct_label(rule.min_hours_percent)}")
    sessions_text = f"出勤 {attended_sessions} / {scheduled_sessions} 次课"
    if (
        rule.min_sessions_percent is not None
        and attended_sessions * 100 < scheduled_sessions * rule.min_sessions_percent
    ):
        reasons.append(f"{sessions_text}，未达到 {_pct_label(rule.min_sessions_percent)}")
    if reasons:
        return CompletionDecision(False, "；".join(reasons))
    return CompletionDecision(True, f"{hours_text}，{sessions_text}，达到结业要求")


def session_hours(starts_at: dt.time, ends_at: dt.time) -> Decimal:
    """Scheduled decimal hours between two local clock times on the same day.

    Exact: the length in minutes must be a whole multiple of 0.01 h (i.e. of 36 seconds —
    in practice a multiple of 3 minutes), so 45 min → ``Decimal("0.75")`` and 90 min →
    ``Decimal("1.50")``. Raises ``ValueError`` when ``ends_at`` is not after ``starts_at`` or the
    length is not exactly representable (the caller must then give the hours explicitly).
    """
    start = dt.timedelta(hours=starts_at.hour, minutes=starts_at.minute, seconds=starts_at.second)
    end = dt.timedelta(hours=ends_at.hour, minutes=ends_at.minute, seconds=ends_at.second)
    if end <= start:
        raise ValueError("结束时间必须晚于开始时间")
    seconds = int((end - start).total_seconds())
    hours = Decimal(seconds) / Decimal(3600)
    if hours != hours.quantize(HOURS_QUANTUM):
        raise ValueError("课次时长无法精确折算为学时，请填写学时")
    return hours.quantize(HOURS_QUANTUM)
