"""Completion (结业): the course's completion rule (attendance share, online progress share,
optional quiz pass), a report that says for each person why they did or did not complete, and
one training record per completion in the ledger."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal

from talent_pool import record_training
from talent_pool.db import atomic
from talent_pool.errors import Conflict
from talent_pool.schemas import TrainingRecordIn
from talent_pool.tables import Practitioner, TrainingRecord
from training._common import (
    _LOCK_OFFERING_SQL,
    NOT_ADMITTED_REASON,
    _lock_row,
    _offering_row,
    _require_aware,
)
from training._online import best_quiz_scores, online_totals, rule_for_course
from training.errors import (
    CourseHoursNotHeld,
    NothingHeld,
    OfferingNotOpen,
    OfferingNotStarted,
    SessionsNotOver,
    TrainingInvalid,
)
from training.rules import (
    CompletionDecision,
    CompletionRule,
    credited_hours,
    evaluate_completion,
    format_hours,
    held_hours_short,
)
from training.schedule import SessionTimes
from training.schemas import (
    CompletionEntry,
    CompletionReport,
)
from training.tables import Attendance, Course, Enrollment, Lesson, Offering, Session, TrainingBase

# --------------------------------------------------------------------------- completion

_DEFAULT_TIMES = SessionTimes()
"""Asia/Shanghai and the default windows; the service passes the runtime's own."""


async def _attended(offering_id: int) -> dict[int, tuple[Decimal, int]]:
    """Enrollment id → (attended hours, attended sessions) over the offering's sessions."""
    rows = await Attendance.select(Attendance.enrollment, Attendance.session.hours.as_alias("hours")).where(
        (Attendance.session.offering == offering_id)
        & (Attendance.present == True)  # noqa: E712
        & (Attendance.session.status == "scheduled")
    )
    totals: dict[int, tuple[Decimal, int]] = {}
    for r in rows:
        hours, count = totals.get(r["enrollment"], (Decimal(0), 0))
        totals[r["enrollment"]] = (hours + Decimal(r["hours"]), count + 1)
    return totals


def _sum_hours(values: Iterable[Any]) -> Decimal:
    return sum((Decimal(v) for v in values), Decimal(0))


async def _stored_report(
    offering: Mapping[str, Any], scheduled_hours: Decimal, scheduled_sessions: int, rule: str
) -> CompletionReport:
    rows = await (
        Enrollment.select()
        .where(
            (Enrollment.offering == offering["id"]) & Enrollment.status.is_in(["completed", "not_completed"])
        )
        .order_by(Enrollment.id)
    )
    refs = [f"training:enrollment:{r['id']}" for r in rows if r["status"] == "completed"]
    records: dict[str, tuple[int, Decimal]] = {}
    if refs:
        found = await TrainingRecord.select(
            TrainingRecord._meta.primary_key, TrainingRecord.source_ref, TrainingRecord.hours
        ).where(TrainingRecord.source_ref.is_in(refs))
        records = {t["source_ref"]: (t["id"], Decimal(t["hours"])) for t in found}
    names = await _names([r["practitioner"] for r in rows])
    entries = [
        CompletionEntry(
            enrollment_id=r["id"],
            practitioner_id=r["practitioner"],
            practitioner_name=names.get(r["practitioner"], ""),
            status=r["status"],
            attended_hours=r["attended_hours"] or Decimal(0),
            scheduled_hours=scheduled_hours,
            reason=r["outcome_reason"],
            training_record_id=records.get(f"training:enrollment:{r['id']}", (None, None))[0],
            credited_hours=records.get(f"training:enrollment:{r['id']}", (None, None))[1],
        )
        for r in rows
    ]
    not_admitted = await (
        Enrollment.select(Enrollment.id)
        .where((Enrollment.offering == offering["id"]) & (Enrollment.status == "not_admitted"))
        .order_by(Enrollment.id)
    )
    not_admitted_ids = [r["id"] for r in not_admitted]
    return CompletionReport(
        offering_id=offering["id"],
        completed_on=offering["completed_on"],
        scheduled_hours=scheduled_hours,
        scheduled_sessions=scheduled_sessions,
        completed=sum(1 for e in entries if e.status == "completed"),
        not_completed=sum(1 for e in entries if e.status == "not_completed"),
        waitlisted=len(not_admitted_ids),
        already_completed=True,
        rule=rule,
        entries=entries,
        not_admitted=len(not_admitted_ids),
        not_admitted_ids=not_admitted_ids,
    )


def completion_date(
    session_days: Iterable[dt.date], *, start_date: dt.date, end_date: dt.date, today: dt.date
) -> dt.date:
    """The ``completed_on`` of an offering completed on ``today`` (local date) — the one rule both
    :func:`completion_preview` and the service's completion use, so they always agree.

    With scheduled sessions: the day of the last one when that is on or before ``today`` — a
    training counts in the year it actually ended, even when the completion is entered in
    January for a class that ended in December — otherwise ``today`` (sessions still to come:
    :func:`complete_offering` then refuses). Without sessions (an online-only class, learning
    until the class's end date): ``today``, but at most ``end_date``. Never before
    ``start_date`` (completion itself is refused before it: :class:`OfferingNotStarted`)."""
    days = list(session_days)
    if days:
        last_day = max(days)
        chosen = last_day if last_day <= today else today
    else:
        chosen = min(today, end_date)
    return max(chosen, start_date)


async def default_completion_date(offering_id: int, today: dt.date) -> dt.date:
    """The date to pass as ``completed_on`` when staff complete an offering on ``today``:
    :func:`completion_date` over the offering's scheduled (not cancelled) sessions. Raises
    :class:`TrainingNotFound`."""
    offering = await _offering_row(offering_id)
    days = await Session.select(Session.day).where(
        (Session.offering == offering_id) & (Session.status == "scheduled")
    )
    return completion_date(
        (r["day"] for r in days),
        start_date=offering["start_date"],
        end_date=offering["end_date"],
        today=today,
    )


def _unfinished(
    offering_id: int, sessions: list[dict[str, Any]], *, times: SessionTimes, now: dt.datetime
) -> SessionsNotOver | None:
    """:class:`SessionsNotOver` while any of ``sessions`` (the offering's scheduled, not
    cancelled, ones: ``day`` and ``ends_at``) has not ended at ``now`` (aware UTC), else ``None``:
    a session ends at its local ``day`` + ``ends_at`` in the business zone
    (:meth:`SessionTimes.instant`). A session ending exactly at ``now`` has ended.

    Rule source: completion judges the attendance of every session, so it can only be decided
    once the last one is over — completing earlier would write training records (and 未结业
    outcomes) for classes not yet held (design decision; a fresh-user trial found both)."""
    ends = sorted(times.instant(s["day"], s["ends_at"]) for s in sessions)
    pending = [end for end in ends if end > now]
    if not pending:
        return None
    last = pending[-1]
    local = last.astimezone(times.zone)
    return SessionsNotOver(
        f"班级 {offering_id} 还有 {len(pending)} 次课未结束（最后一次课 {local:%Y-%m-%d %H:%M} 结束），"
        "全部课次结束后才能结业",
        offering_id=offering_id,
        pending_sessions=len(pending),
        last_ends_at=last.isoformat(),
    )


async def _refusal(
    offering: Mapping[str, Any],
    sessions: list[dict[str, Any]],
    course: Mapping[str, Any],
    rule: CompletionRule,
    *,
    now: dt.datetime,
    times: SessionTimes,
) -> Conflict | None:
    """Why an offering that is not completed cannot be completed at ``now`` — the error
    :func:`complete_offering` raises — or ``None``. Checked in this order: cancelled
    (:class:`OfferingNotOpen`), not begun (:class:`OfferingNotStarted`), nothing held
    (:class:`NothingHeld`), sessions still to come (:class:`SessionsNotOver`), schedule short of
    the course's hours (:class:`CourseHoursNotHeld`)."""
    offering_id = offering["id"]
    if offering["status"] == "cancelled":
        return OfferingNotOpen(f"班级 {offering_id} 已取消，不能结业")
    if now.astimezone(times.zone).date() < offering["start_date"]:
        return OfferingNotStarted(
            f"班级 {offering_id} 尚未开班（{offering['start_date']} 开班），开班前不能结业",
            offering_id=offering_id,
            start_date=offering["start_date"].isoformat(),
        )
    if not sessions and not await Lesson.exists().where(Lesson.course == course["id"]):
        return NothingHeld(
            f"班级 {offering_id} 没有已上的课次，课程也没有线上课件，无人可能结业，不能结业；"
            "请先排课并记录考勤",
            offering_id=offering_id,
        )
    unfinished = _unfinished(offering_id, sessions, times=times, now=now)
    if unfinished is not None:
        return unfinished
    online_total, _ = await online_totals(offering_id, course["id"])
    short = _hours_short(sessions, online_total, course, rule)
    if short is not None:
        return CourseHoursNotHeld(
            f"班级 {offering_id} 不能结业：{short}",
            offering_id=offering_id,
            scheduled_hours=str(_sum_hours(s["hours"] for s in sessions)),
            course_hours=str(course["hours"]),
        )
    return None


async def completion_refusal(
    offering_id: int,
    *,
    now: dt.datetime,
    times: SessionTimes = _DEFAULT_TIMES,
    rule: CompletionRule | None = None,
) -> Conflict | None:
    """Why :func:`complete_offering` would refuse this offering at ``now`` (aware UTC) — the very
    error it raises (:class:`OfferingNotOpen`, :class:`OfferingNotStarted`, :class:`NothingHeld`,
    :class:`SessionsNotOver` or :class:`CourseHoursNotHeld`; its ``message`` is the Chinese
    reason, its ``code`` the API's) — or ``None`` when completing now would go ahead (or the
    offering is already completed: completing again returns the stored outcome). ``times`` and
    ``rule`` as for :func:`complete_offering`. The one check both use, so a page that disables
    结业 with this reason and the server cannot disagree. Raises :class:`TrainingNotFound`."""
    _require_aware(now)
    offering, sessions, course, chosen = await _prepare(offering_id, rule)
    if offering["status"] == "completed":
        return None
    return await _refusal(offering, sessions, course, chosen, now=now, times=times)


async def _names(practitioner_ids: list[int]) -> dict[int, str]:
    if not practitioner_ids:
        return {}
    rows = await Practitioner.select(Practitioner._meta.primary_key, Practitioner.name).where(
        Practitioner._meta.primary_key.is_in(practitioner_ids)
    )
    return {r["id"]: r["name"] for r in rows}


def _hours_short(
    sessions: list[dict[str, Any]], online_total: int, course: Mapping[str, Any], rule: CompletionRule
) -> str | None:
    """Why nobody can complete the offering (the Chinese reason of :class:`CourseHoursNotHeld`),
    or ``None``: its scheduled sessions plus the course's online lessons (``online_total``
    seconds) fall short of ``rule``'s share of the course's hours
    (:func:`training.rules.held_hours_short`). An online-only class (no sessions) is held by
    its lessons alone, measured the same way (the completion rule applies to it as well). The
    one condition :func:`complete_offering` refuses on
    (:func:`completion_refusal`) and :func:`completion_preview` reports."""
    if not sessions and not online_total:
        return None  # nothing held at all: offering_not_held, not this
    return held_hours_short(
        scheduled_hours=_sum_hours(s["hours"] for s in sessions),
        online_total_seconds=online_total,
        course_hours=Decimal(course["hours"]),
        rule=rule,
    )


@dataclass
class _Evaluated:
    enrollment: dict[str, Any]
    decision: CompletionDecision
    hours: Decimal
    sessions: int
    credit: Decimal
    online: int
    quiz: Decimal | None


async def _evaluate(
    offering: Mapping[str, Any],
    sessions: list[dict[str, Any]],
    course: Mapping[str, Any],
    rule: CompletionRule,
) -> tuple[list[_Evaluated], int]:
    """Decide every confirmed enrollment of the offering (no writes); returns the decisions and
    the total seconds of the course's lessons."""
    scheduled_hours = _sum_hours(s["hours"] for s in sessions)
    attended = await _attended(offering["id"])
    online_total, online = await online_totals(offering["id"], course["id"])
    short = _hours_short(sessions, online_total, course, rule)
    quizzes = await best_quiz_scores(offering["id"])
    confirmed = await (
        Enrollment.select()
        .where((Enrollment.offering == offering["id"]) & (Enrollment.status == "confirmed"))
        .order_by(Enrollment.id)
    )
    out: list[_Evaluated] = []
    for e in confirmed:
        hours, count = attended.get(e["id"], (Decimal(0), 0))
        watched = online.get(e["id"], 0)
        quiz = quizzes[e["id"]].best_score if e["id"] in quizzes else None
        decision = evaluate_completion(
            scheduled_hours=scheduled_hours,
            attended_hours=hours,
            scheduled_sessions=len(sessions),
            attended_sessions=count,
            rule=rule,
            online_seconds=watched,
            online_total_seconds=online_total,
            quiz_score=quiz,
            course_hours=Decimal(course["hours"]),
        )
        if short is not None:  # complete_offering refuses (CourseHoursNotHeld); the preview says why
            decision = CompletionDecision(False, f"{decision.reason}；{short}")
        credit = credited_hours(hours + Decimal(watched) / 3600, Decimal(course["hours"]))
        if decision.completed and credit <= 0:
            decision = CompletionDecision(
                False,
                f"{decision.reason}；可计学时 {format_hours(credit)} 不足 0.1 学时，不计培训记录",
            )
        out.append(_Evaluated(e, decision, hours, count, credit, watched, quiz))
    return out, online_total


async def _prepare(
    offering_id: int, rule: CompletionRule | None
) -> tuple[dict[str, Any], list[dict[str, Any]], dict[str, Any], CompletionRule]:
    offering = await _offering_row(offering_id)
    sessions = await Session.select(Session.day, Session.hours, Session.ends_at).where(
        (Session.offering == offering_id) & (Session.status == "scheduled")
    )
    course = await Course.select().where(Course.id == offering["course"]).first()
    assert course is not None
    return offering, sessions, course, rule or await rule_for_course(course["id"])


def _entry(
    ev: _Evaluated, status: str, scheduled: Decimal, online_total: int, name: str, record: Any = None
) -> CompletionEntry:
    return CompletionEntry(
        enrollment_id=ev.enrollment["id"],
        practitioner_id=ev.enrollment["practitioner"],
        practitioner_name=name,
        status=status,  # type: ignore[arg-type]
        attended_hours=ev.hours,
        scheduled_hours=scheduled,
        reason=ev.decision.reason,
        training_record_id=record.id if record is not None else None,
        credited_hours=Decimal(record.hours) if record is not None else None,
        online_seconds=ev.online,
        online_total_seconds=online_total,
        quiz_score=ev.quiz,
    )


async def completion_preview(
    offering_id: int, *, today: dt.date, rule: CompletionRule | None = None
) -> CompletionReport:
    """What :func:`complete_offering` would decide now, for each confirmed enrollment and why —
    nothing is written (for a completed offering: the stored outcome). ``rule`` defaults to the
    course's rule. ``completed_on`` is the date a completion on ``today`` (local date) would
    record — :func:`completion_date`, the same rule the service's completion uses. Raises
    :class:`TrainingNotFound`."""
    offering, sessions, course, rule = await _prepare(offering_id, rule)
    scheduled_hours = _sum_hours(s["hours"] for s in sessions)
    if offering["status"] == "completed":
        return await _stored_report(offering, scheduled_hours, len(sessions), rule.source)
    evaluated, online_total = await _evaluate(offering, sessions, course, rule)
    names = await _names([ev.enrollment["practitioner"] for ev in evaluated])
    entries = [
        _entry(
            ev,
            "completed" if ev.decision.completed else "not_completed",
            scheduled_hours,
            online_total,
            names.get(ev.enrollment["practitioner"], ""),
        )
        for ev in evaluated
    ]
    waiting = await Enrollment.count().where(
        (Enrollment.offering == offering_id) & (Enrollment.status == "waitlisted")
    )
    return CompletionReport(
        offering_id=offering_id,
        completed_on=completion_date(
            (s["day"] for s in sessions),
            start_date=offering["start_date"],
            end_date=offering["end_date"],
            today=today,
        ),
        scheduled_hours=scheduled_hours,
        scheduled_sessions=len(sessions),
        completed=sum(1 for e in entries if e.status == "completed"),
        not_completed=sum(1 for e in entries if e.status == "not_completed"),
        waitlisted=waiting,
        already_completed=False,
        rule=rule.source,
        entries=entries,
        not_admitted=waiting,
        not_admitted_ids=[],
    )


async def complete_offering(
    offering_id: int,
    *,
    completed_on: dt.date,
    rule: CompletionRule | None = None,
    now: dt.datetime,
    times: SessionTimes = _DEFAULT_TIMES,
) -> CompletionReport:
    """Close an offering (结业): decide completion of every confirmed enrollment and feed the
    talent-pool ledger, all in one transaction.

    Rule: ``rule`` when given, else the course's rule (``tr_course_rule``, :func:`training.set_course_rule`)
    or :data:`training.rules.DEFAULT_COMPLETION_RULE` (attended hours, plus online lesson hours
    watched, ≥ 80 % of the **course's** hours (课程学时) — a configurable default, see
    :mod:`training.rules`): attendance at the scheduled (not cancelled) sessions measured
    against the course's hours, online progress share of the course's lessons, optional quiz pass
    (:func:`training.rules.evaluate_completion`); every entry's ``reason`` names each criterion
    with its numbers. Each completed enrollment gets one ``talent_pool.record_training`` call
    (course category and title, ``completed_on``, provider = base name,
    ``source_ref="training:enrollment:{id}"`` — the ledger is idempotent on it) inside the same
    transaction as its status update. The record's hours are the hours the person attended plus
    the online hours watched, capped at the course hours and rounded down to the ledger's 0.1 h
    (:func:`training.rules.credited_hours`, reported as ``CompletionEntry.credited_hours``) —
    never simply the course hours: exam eligibility reads hours from the ledger. An enrollment
    whose credit would be under 0.1 h is ``not_completed``. ``now`` (aware UTC) stamps
    ``status_changed_at``.

    Waitlisted enrollments never had a seat, so they are not evaluated: completion closes them
    with status ``not_admitted`` (未录取, with ``outcome_reason`` saying so) — the waitlist of a
    finished class is not left dangling, and these people never get a training record (listed
    in ``not_admitted_ids``, counted in ``not_admitted`` and ``waitlisted``). Use
    :func:`default_completion_date` for ``completed_on`` so the training counts in the year of
    the last session.

    Idempotent: completing an already completed offering writes nothing and returns the stored
    outcome (``already_completed=True``); concurrent calls are serialised by a conditional status
    update. The offering row is locked first (PostgreSQL ``FOR NO KEY UPDATE``, as
    :func:`training.add_session`, :func:`training.move_session` and
    :func:`training.cancel_session` lock it), so the sessions and hours it decides on, and the
    check that they have all ended, are read with no schedule change in flight.

    Only once every scheduled session has ended at ``now``: a session ends at its local
    ``day`` + ``ends_at`` in ``times.zone`` (the business zone; pass the runtime's
    :class:`SessionTimes`). Raises :class:`TrainingNotFound`, :class:`OfferingNotOpen`
    (cancelled offering), :class:`OfferingNotStarted` (the local date of ``now`` is before the
    offering's ``start_date`` — a class not yet begun cannot close anyone 未结业),
    :class:`NothingHeld` (no scheduled session and no online lesson: nothing anyone could have
    completed — an online-only class, lessons and no sessions, completes by its lessons),
    :class:`SessionsNotOver` (a scheduled session has not ended yet — nothing is written),
    :class:`CourseHoursNotHeld` (the offering has sessions, but they plus the course's online
    lessons add up to less than the rule's share of the course's hours — nobody could have
    completed the course; design decision: refused up front, nothing written, rather than
    closing everyone 未结业 — a class that never delivered the course must not produce training
    records or 培训人次; :func:`training.rules.held_hours_short`; :func:`completion_preview`
    shows the same reason on every entry and nobody completed),
    :class:`TrainingInvalid` (``completed_on`` before the start date or the last session day).
    Pass :func:`default_completion_date` (:func:`completion_date`) for ``completed_on``, the
    date :func:`completion_preview` shows.
    """
    _require_aware(now)
    async with atomic():
        # The offering row first, then everything read from it: a session added, moved or
        # cancelled (each locks this row first) commits before this reads the sessions, or
        # waits until this has committed and then finds the offering completed.
        await _lock_row(_LOCK_OFFERING_SQL, offering_id)
        offering, sessions, course, rule = await _prepare(offering_id, rule)
        scheduled_hours = _sum_hours(s["hours"] for s in sessions)
        if offering["status"] == "completed":
            return await _stored_report(offering, scheduled_hours, len(sessions), rule.source)
        # Checked with the offering row locked: no session can be added, moved or cancelled
        # until this transaction ends. Before the date checks: a session still to come is the
        # reason (409), not a completion date before it.
        refusal = await _refusal(offering, sessions, course, rule, now=now, times=times)
        if refusal is not None:
            raise refusal
        if completed_on < offering["start_date"]:
            raise TrainingInvalid(
                f"结业日期 {completed_on} 早于开班日期 {offering['start_date']}", field="completed_on"
            )
        if sessions:
            last_day = max(s["day"] for s in sessions)
            if completed_on < last_day:
                raise TrainingInvalid(
                    f"结业日期 {completed_on} 早于最后一次课 {last_day}", field="completed_on"
                )
        claimed = (
            await Offering.update({Offering.status: "completed", Offering.completed_on: completed_on})
            .where((Offering.id == offering_id) & Offering.status.is_in(["open", "closed"]))
            .returning(Offering.id)
        )
        if not claimed:  # completed or cancelled meanwhile
            offering = await _offering_row(offering_id)
            if offering["status"] == "completed":
                return await _stored_report(offering, scheduled_hours, len(sessions), rule.source)
            raise OfferingNotOpen(f"班级 {offering_id} 已取消，不能结业")
        base = await TrainingBase.select().where(TrainingBase.id == offering["training_base"]).first()
        assert base is not None
        evaluated, online_total = await _evaluate(offering, sessions, course, rule)
        names = await _names([ev.enrollment["practitioner"] for ev in evaluated])
        entries: list[CompletionEntry] = []
        for ev in evaluated:
            e = ev.enrollment
            status: Literal["completed", "not_completed"] = (
                "completed" if ev.decision.completed else "not_completed"
            )
            await Enrollment.update(
                {
                    Enrollment.status: status,
                    Enrollment.live: None,
                    Enrollment.status_changed_at: now,
                    Enrollment.attended_hours: ev.hours,
                    Enrollment.outcome_reason: ev.decision.reason,
                }
            ).where((Enrollment.id == e["id"]) & (Enrollment.status == "confirmed"))
            record = None
            if ev.decision.completed:
                record = await record_training(
                    TrainingRecordIn(
                        practitioner_id=e["practitioner"],
                        category=course["category"],
                        title=course["title"],
                        hours=ev.credit,
                        completed_on=completed_on,
                        provider=base["name"],
                        source="system",
                        source_ref=f"training:enrollment:{e['id']}",
                    )
                )
            entries.append(
                _entry(ev, status, scheduled_hours, online_total, names.get(e["practitioner"], ""), record)
            )
        closed = await (
            Enrollment.update(
                {
                    Enrollment.status: "not_admitted",
                    Enrollment.live: None,
                    Enrollment.status_changed_at: now,
                    Enrollment.outcome_reason: NOT_ADMITTED_REASON,
                }
            )
            .where((Enrollment.offering == offering_id) & (Enrollment.status == "waitlisted"))
            .returning(Enrollment.id)
        )
        not_admitted_ids = sorted(r["id"] for r in closed)
    return CompletionReport(
        offering_id=offering_id,
        completed_on=completed_on,
        scheduled_hours=scheduled_hours,
        scheduled_sessions=len(sessions),
        completed=sum(1 for x in entries if x.status == "completed"),
        not_completed=sum(1 for x in entries if x.status == "not_completed"),
        waitlisted=len(not_admitted_ids),
        already_completed=False,
        rule=rule.source,
        entries=entries,
        not_admitted=len(not_admitted_ids),
        not_admitted_ids=not_admitted_ids,
    )
