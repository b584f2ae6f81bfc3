"""Pure training rules (no I/O, no clock): completion, credited hours, session length.

Completion rule — source and status
-----------------------------------
The default is a **configurable default, not a cited regulation**: a trainee completes an
offering when the hours of the sessions they attended (plus, in a blended class, the hours of
the course's online lessons they watched) are at least **80 %** of the **course's hours**
(课程学时, ``tr_course.hours``) (``DEFAULT_COMPLETION_RULE``). The base is the course's
required hours, not the hours the class happened to schedule: a fresh-user trial completed a
16-hour course — and counted a 培训人次 — with one 15-minute session, because 1 of 1 scheduled
hours is 100 %. A class whose sessions (and lessons) add up to less than the required share of
the course's hours cannot be completed at all (:func:`held_hours_short`; the service refuses
with 409 ``course_hours_not_held``). An 80 % attendance requirement is the common
practice of vocational training programmes in China (attendance below it means no completion
certificate), but the programme owner (city health commission / the training base) should set
the value; callers pass their own :class:`CompletionRule` to
``training.services.complete_offering``. Optionally a minimum share of sessions attended can be
required as well (both conditions must then hold).

All arithmetic is exact :class:`~decimal.Decimal`; the comparison happens before any rounding
(``attended * 100 >= scheduled * percent``), never on floats. Nobody completes without
attending: zero attended hours (and no online learning) is never a completion, whatever the
rule's percentages.

Per course (``tr_course_rule``, set by the city) the rule may also require a share of the
course's online lessons watched (``min_online_percent``: seconds watched without skipping ÷
the lessons' length, :mod:`training.online_rules`) and a quiz pass mark (``quiz_pass_score``,
points of 100; the best attempt counts). Each criterion applies only where it can: the hours
rule whenever the course has hours — also in an online-only class (no sessions), where the
lessons watched are the attended hours: the rule displayed (出勤学时（含线上学习）不少于课程学时的
80%) is the rule applied, so a few minutes of a one-hour course never complete it (a trial found
an online-only class "达到结业要求" with 32 % of 1.5 minutes watched of a 1-hour course) —, the
online share when the course has lessons.

Hours credited to the ledger — source and status
------------------------------------------------
**Design decision** (not a regulation): exam eligibility is read from the talent-pool ledger
(training hours by category, docs/architecture.md), so the ledger must hold the hours a person really
trained. A completed enrollment therefore credits its **attended hours, capped at the course's
hours** (``min(attended, course.hours)``) — never the course hours when the offering scheduled
(or the person attended) fewer, and never more than the catalog promises when the offering
scheduled extra sessions. See :func:`credited_hours`.

The ledger stores hours with one decimal place (``tp_training_record.hours`` is
``NUMERIC(6,1)``) while sessions may last e.g. 0.75 h, so the credited value is rounded
**down** to 0.1 h (0.75 → 0.7): the ledger never holds more than was attended, and the rounding
is done here, exactly, instead of by the database. A completion worth less than 0.1 h cannot be
recorded and is not a completion.

Sessions — status
-----------------
A session's ``hours`` are > 0 and at most its clock length (``ends_at - starts_at``; fewer
when breaks are not counted), and ``ends_at`` is after ``starts_at`` on the same day
(:func:`check_session_hours`). Two sessions of one offering on the same day must not overlap
(:func:`sessions_overlap`; touching — one ends at 10:00, the next starts at 10:00 — is fine).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal

HOURS_QUANTUM = Decimal("0.01")
LEDGER_HOURS_QUANTUM = Decimal("0.1")
"""Precision of hours in the talent-pool ledger (``NUMERIC(6,1)``)."""

__all__ = [
    "DEFAULT_COMPLETION_RULE",
    "CompletionDecision",
    "CompletionRule",
    "check_session_hours",
    "credited_hours",
    "evaluate_completion",
    "format_hours",
    "held_hours_short",
    "session_hours",
    "sessions_overlap",
]


@dataclass(frozen=True)
class CompletionRule:
    """When a confirmed enrollment counts as completed.

    ``min_hours_percent``: attended hours (sessions plus online lessons watched) ≥ this
    percentage (0–100) of the course's hours (课程学时).
    ``min_sessions_percent``: when not ``None``, attended sessions ≥ this percentage of the
    scheduled sessions as well. ``min_online_percent``: when not ``None``, seconds of the
    course's video lessons watched without skipping ≥ this percentage of their length.
    ``quiz_pass_score``: when not ``None``, the best quiz score (0–100 points) must reach it.
    ``source`` documents where the numbers come from.
    """

    min_hours_percent: Decimal = Decimal(80)
    min_sessions_percent: Decimal | None = None
    source: str = "默认规则（可配置）：出勤学时（含线上学习）不少于课程学时的 80%"
    min_online_percent: Decimal | None = None
    quiz_pass_score: Decimal | None = None

    def __post_init__(self) -> None:
        for value in (
            self.min_hours_percent,
            self.min_sessions_percent,
            self.min_online_percent,
            self.quiz_pass_score,
        ):
            if value is not None and not (Decimal(0) <= Decimal(value) <= Decimal(100)):
                raise ValueError("completion percentages and pass marks must be within 0–100")


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


def _online_text(covered: int, total: int) -> str:
    minutes = (Decimal(covered) / 60).quantize(Decimal("0.1"), rounding=ROUND_DOWN)
    share = (Decimal(covered) * 100 / Decimal(total)).quantize(Decimal("0.1"), rounding=ROUND_DOWN)
    return f"线上学习 {minutes} / {Decimal(total) / 60:.1f} 分钟（{share}%）"


def _score_text(score: Decimal) -> str:
    return f"{Decimal(score).normalize():f}"


def evaluate_completion(
    *,
    scheduled_hours: Decimal,
    attended_hours: Decimal,
    scheduled_sessions: int,
    attended_sessions: int,
    rule: CompletionRule = DEFAULT_COMPLETION_RULE,
    online_seconds: int = 0,
    online_total_seconds: int = 0,
    quiz_score: Decimal | None = None,
    course_hours: Decimal | None = None,
) -> CompletionDecision:
    """Decide completion for one enrollment (hours are decimal hours, online time whole seconds).

    Attendance (when sessions are scheduled, and in an online-only class — no sessions, lessons —
    whenever ``course_hours`` is given): ``(attended_hours + online_seconds / 3600) * 100 >=
    course_hours * rule.min_hours_percent`` — measured against the **course's** hours (课程学时),
    so a class that scheduled fewer hours than the course requires cannot complete anyone (the
    online hours count because a blended course delivers part of its hours as lessons).
    ``course_hours`` ``None`` (callers without a course) falls back to ``scheduled_hours``,
    without online hours. And, when ``rule.min_sessions_percent`` is set, ``attended_sessions *
    100 >= scheduled_sessions * rule.min_sessions_percent``. Online (when the course has lessons,
    ``online_total_seconds > 0``, and ``rule.min_online_percent`` is set): ``online_seconds * 100
    >= online_total_seconds * rule.min_online_percent``. Quiz (when ``rule.quiz_pass_score`` is
    set): ``quiz_score`` (best attempt, ``None`` = no attempt) ``>= quiz_pass_score``. Exact
    comparisons, no rounding. Nothing scheduled (no sessions, no lessons) or nothing done (no
    hours attended, nothing watched): not completed. The reason names every criterion with its
    numbers. Raises ``ValueError`` for negative inputs or attendance above the schedule.
    """
    scheduled_hours = Decimal(scheduled_hours)
    attended_hours = Decimal(attended_hours)
    if min(scheduled_hours, attended_hours) < 0 or min(scheduled_sessions, attended_sessions) < 0:
        raise ValueError("hours and session counts must not be negative")
    if min(online_seconds, online_total_seconds) < 0:
        raise ValueError("online seconds must not be negative")
    if attended_hours > scheduled_hours or attended_sessions > scheduled_sessions:
        raise ValueError("attendance cannot exceed the schedule")
    online = online_total_seconds > 0
    has_sessions = scheduled_hours > 0 and scheduled_sessions > 0
    if not has_sessions and not online:
        return CompletionDecision(False, "班级没有安排课时，无法结业")
    if attended_hours == 0 and online_seconds == 0:
        if not online:
            return CompletionDecision(False, f"未出勤（0 / {format_hours(scheduled_hours)} 学时），不能结业")
        return CompletionDecision(False, "未出勤，也未进行线上学习，不能结业")
    met: list[str] = []
    reasons: list[str] = []
    if has_sessions or (online and course_hours is not None and Decimal(course_hours) > 0):
        # An online-only class (no sessions) applies the same hours rule, its lessons being
        # its hours: the rule shown (出勤学时（含线上学习）不少于课程学时的 80%) is the rule applied.
        required = scheduled_hours if course_hours is None else Decimal(course_hours)
        if required <= 0:
            required = scheduled_hours
        # Online hours count towards the course's hours only when the base is the course.
        online_hours = Decimal(online_seconds) / 3600 if course_hours is not None else Decimal(0)
        done = attended_hours + online_hours
        shown_online = format_hours(online_hours.quantize(HOURS_QUANTUM, rounding=ROUND_DOWN))
        if has_sessions:
            online_part = f" + 线上 {shown_online}" if online_hours else ""
            done_text = f"出勤 {format_hours(attended_hours)}{online_part}"
        else:
            done_text = f"线上 {shown_online}"
        hours_text = f"{done_text} / {format_hours(required)} 学时（{_percent(done, required)}）"
        if done * 100 < required * rule.min_hours_percent:
            reasons.append(f"{hours_text}，未达到 {_pct_label(rule.min_hours_percent)}")
        else:
            met.append(hours_text)
    if has_sessions:
        sessions_text = f"出勤 {attended_sessions} / {scheduled_sessions} 次课"
        if (
            rule.min_sessions_percent is not None
            and attended_sessions * 100 < scheduled_sessions * rule.min_sessions_percent
        ):
            reasons.append(f"{sessions_text}，未达到 {_pct_label(rule.min_sessions_percent)}")
        else:
            met.append(sessions_text)
    if online and rule.min_online_percent is not None:
        text = _online_text(online_seconds, online_total_seconds)
        if online_seconds * 100 < online_total_seconds * rule.min_online_percent:
            reasons.append(f"{text}，未达到 {_pct_label(rule.min_online_percent)}")
        else:
            met.append(text)
    elif online and online_seconds:
        met.append(_online_text(online_seconds, online_total_seconds))
    if rule.quiz_pass_score is not None:
        pass_mark = _score_text(rule.quiz_pass_score)
        if quiz_score is None:
            reasons.append(f"未参加结业测验（及格 {pass_mark} 分）")
        elif Decimal(quiz_score) < rule.quiz_pass_score:
            reasons.append(f"结业测验 {_score_text(quiz_score)} 分，未达到 {pass_mark} 分")
        else:
            met.append(f"结业测验 {_score_text(quiz_score)} 分（及格 {pass_mark} 分）")
    if reasons:
        return CompletionDecision(False, "；".join(reasons))
    return CompletionDecision(True, f"{'，'.join(met)}，达到结业要求")


def held_hours_short(
    *, scheduled_hours: Decimal, online_total_seconds: int, course_hours: Decimal, rule: CompletionRule
) -> str | None:
    """Why nobody can complete a class whose scheduled (held) hours fall short of the course, or
    ``None`` when they suffice.

    Short means ``(scheduled_hours + online_total_seconds / 3600) * 100 < course_hours *
    rule.min_hours_percent``: even a trainee present at every session and watching every lesson
    would not reach the completion rule's share of the course's hours (课程学时). Returns a
    Chinese message with the numbers (``班级仅安排 1.0 学时，课程要求 16.0 学时，至少需 12.8 学时…``).
    Rule source: the completion rule of this module (configurable default, 80 % of the course's
    hours); design decision — a class that never delivered the course must not produce training
    records (培训人次), so completion is refused rather than closing everyone 未结业 for the
    base's missing sessions. Exact ``Decimal`` comparison."""
    held = Decimal(scheduled_hours) + Decimal(online_total_seconds) / 3600
    course_hours = Decimal(course_hours)
    if held * 100 >= course_hours * rule.min_hours_percent:
        return None
    needed = course_hours * rule.min_hours_percent / 100
    lesson_hours = (Decimal(online_total_seconds) / 3600).quantize(Decimal("0.1"), rounding=ROUND_DOWN)
    online = f"（含线上课件 {format_hours(lesson_hours)} 学时）" if online_total_seconds else ""
    return (
        f"班级仅安排 {format_hours(held.quantize(HOURS_QUANTUM, rounding=ROUND_DOWN))} 学时{online}，"
        f"课程要求 {format_hours(course_hours)} 学时，结业至少需出勤 {format_hours(needed.normalize())} 学时"
        f"（{_pct_label(rule.min_hours_percent)}），无人能够结业；"
        + ("请补足课次后再结业" if scheduled_hours else "请补足课次或线上课件后再结业")
    )


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


def credited_hours(attended_hours: Decimal, course_hours: Decimal) -> Decimal:
    """Hours a completed enrollment credits to the talent-pool ledger (design decision, see
    the module docstring): the attended hours capped at the course hours, rounded **down** to
    the ledger's 0.1 h (``0.75`` → ``Decimal("0.7")``; ``20`` of a 16 h course → ``16``).

    Exact ``Decimal`` arithmetic. May return ``0.0`` (less than 0.1 h attended): the caller must
    then not record a training. Raises ``ValueError`` for negative inputs.
    """
    attended_hours = Decimal(attended_hours)
    course_hours = Decimal(course_hours)
    if attended_hours < 0 or course_hours < 0:
        raise ValueError("hours must not be negative")
    return min(attended_hours, course_hours).quantize(LEDGER_HOURS_QUANTUM, rounding=ROUND_DOWN)


def _seconds(value: dt.time) -> int:
    return value.hour * 3600 + value.minute * 60 + value.second


def check_session_hours(starts_at: dt.time, ends_at: dt.time, hours: Decimal | None) -> Decimal:
    """The hours of a session from ``starts_at`` to ``ends_at`` (local clock, same day).

    ``hours`` given: must be > 0 and at most the clock length (exact: ``hours * 3600 <=
    seconds``; fewer is allowed — breaks need not count). ``None``: the exact clock length
    (:func:`session_hours`). Raises ``ValueError`` with a Chinese message when ``ends_at`` is
    not after ``starts_at``, the hours are not positive or exceed the clock length, or the
    length is inexact and no hours were given.
    """
    seconds = _seconds(ends_at) - _seconds(starts_at)
    if seconds <= 0:
        raise ValueError("结束时间必须晚于开始时间")
    if hours is None:
        return session_hours(starts_at, ends_at)
    hours = Decimal(hours)
    if hours <= 0:
        raise ValueError("课次学时必须大于 0")
    if hours * 3600 > seconds:
        raise ValueError(
            f"课次学时 {format_hours(hours)} 超过上课时长"
            f"（{starts_at.strftime('%H:%M')}–{ends_at.strftime('%H:%M')}，{seconds // 60} 分钟）"
        )
    return hours


def sessions_overlap(a: tuple[dt.time, dt.time], b: tuple[dt.time, dt.time]) -> bool:
    """True when two ``(starts_at, ends_at)`` intervals of the same day overlap (half-open:
    a session ending at 10:00 and one starting at 10:00 do not)."""
    return a[0] < b[1] and b[0] < a[1]
