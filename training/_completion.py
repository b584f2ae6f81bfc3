"""Completion (结业): the completion rule, and one training record per completion in the ledger."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any, Literal

from talent_pool import record_training
from talent_pool.db import atomic
from talent_pool.schemas import TrainingRecordIn
from talent_pool.tables import TrainingRecord
from training._common import (
    NOT_ADMITTED_REASON,
    _offering_row,
    _require_aware,
)
from training.errors import (
    OfferingNotOpen,
    TrainingInvalid,
)
from training.rules import (
    DEFAULT_COMPLETION_RULE,
    CompletionDecision,
    CompletionRule,
    credited_hours,
    evaluate_completion,
    format_hours,
)
from training.schemas import (
    CompletionEntry,
    CompletionReport,
)
from training.tables import Attendance, Course, Enrollment, Offering, Session, TrainingBase

# --------------------------------------------------------------------------- completion


async def _attended(offering_id: int) -> dict[int, tuple[Decimal, int]]:
    """Enrollment id → (attended hours, attended sessions) over the offering's sessions."""
    rows = await Attendance.select(Attendance.enrollment, Attendance.session.hours.as_alias("hours")).where(
        (Attendance.session.offering == offering_id) & (Attendance.present == True)  # noqa: E712
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
    entries = [
        CompletionEntry(
            enrollment_id=r["id"],
            practitioner_id=r["practitioner"],
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


async def default_completion_date(offering_id: int, today: dt.date) -> dt.date:
    """The date to pass as ``completed_on`` when staff complete an offering on ``today``.

    The day of the offering's last session when that is on or before ``today`` — so a training
    counts in the year it actually ended, even when the completion is entered in January for a
    class that ended in December — otherwise ``today`` (sessions still to come:
    :func:`complete_offering` will then refuse, as it should). ``today`` also when the offering
    has no sessions yet. Raises :class:`TrainingNotFound`.
    """
    await _offering_row(offering_id)
    days = await Session.select(Session.day).where(Session.offering == offering_id)
    if not days:
        return today
    last_day: dt.date = max(r["day"] for r in days)
    return last_day if last_day <= today else today


async def complete_offering(
    offering_id: int,
    *,
    completed_on: dt.date,
    rule: CompletionRule = DEFAULT_COMPLETION_RULE,
    now: dt.datetime,
) -> CompletionReport:
    """Close an offering (结业): decide completion of every confirmed enrollment and feed the
    talent-pool ledger, all in one transaction.

    Rule: :data:`training.rules.DEFAULT_COMPLETION_RULE` (attended hours ≥ 80 % of scheduled
    hours — a configurable default, see :mod:`training.rules`) unless ``rule`` is given. Each
    completed enrollment gets one ``talent_pool.record_training`` call (course category and
    title, ``completed_on``, provider = base name, ``source_ref="training:enrollment:{id}"``)
    inside the same transaction as its status update. The record's hours are the hours the
    person attended, capped at the course hours and rounded down to the ledger's 0.1 h
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
    update. Raises :class:`TrainingNotFound`, :class:`OfferingNotOpen` (cancelled offering),
    :class:`TrainingInvalid` (no sessions, or ``completed_on`` before the last session day).
    """
    _require_aware(now)
    async with atomic():
        offering = await _offering_row(offering_id)
        sessions = await Session.select(Session.day, Session.hours).where(Session.offering == offering_id)
        scheduled_hours = _sum_hours(s["hours"] for s in sessions)
        if offering["status"] == "completed":
            return await _stored_report(offering, scheduled_hours, len(sessions), rule.source)
        if offering["status"] == "cancelled":
            raise OfferingNotOpen(f"班级 {offering_id} 已取消，不能结业")
        if not sessions:
            raise TrainingInvalid(f"班级 {offering_id} 没有课次，不能结业")
        last_day = max(s["day"] for s in sessions)
        if completed_on < last_day:
            raise TrainingInvalid(f"结业日期 {completed_on} 早于最后一次课 {last_day}", field="completed_on")
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
        course = await Course.select().where(Course.id == offering["course"]).first()
        base_id = offering["training_base"]
        base = await TrainingBase.select().where(TrainingBase.id == base_id).first()
        assert course is not None and base is not None
        attended = await _attended(offering_id)
        confirmed = await (
            Enrollment.select()
            .where((Enrollment.offering == offering_id) & (Enrollment.status == "confirmed"))
            .order_by(Enrollment.id)
        )
        entries: list[CompletionEntry] = []
        for e in confirmed:
            hours, count = attended.get(e["id"], (Decimal(0), 0))
            decision = evaluate_completion(
                scheduled_hours=scheduled_hours,
                attended_hours=hours,
                scheduled_sessions=len(sessions),
                attended_sessions=count,
                rule=rule,
            )
            credit = credited_hours(hours, Decimal(course["hours"]))
            if decision.completed and credit <= 0:
                decision = CompletionDecision(
                    False,
                    f"{decision.reason}；可计学时 {format_hours(credit)} 不足 0.1 学时，不计培训记录",
                )
            status: Literal["completed", "not_completed"] = (
                "completed" if decision.completed else "not_completed"
            )
            await Enrollment.update(
                {
                    Enrollment.status: status,
                    Enrollment.live: None,
                    Enrollment.status_changed_at: now,
                    Enrollment.attended_hours: hours,
                    Enrollment.outcome_reason: decision.reason,
                }
            ).where((Enrollment.id == e["id"]) & (Enrollment.status == "confirmed"))
            record_id = None
            record_hours = None
            if decision.completed:
                record = await record_training(
                    TrainingRecordIn(
                        practitioner_id=e["practitioner"],
                        category=course["category"],
                        title=course["title"],
                        hours=credit,
                        completed_on=completed_on,
                        provider=base["name"],
                        source="system",
                        source_ref=f"training:enrollment:{e['id']}",
                    )
                )
                record_id = record.id
                record_hours = Decimal(record.hours)
            entries.append(
                CompletionEntry(
                    enrollment_id=e["id"],
                    practitioner_id=e["practitioner"],
                    status=status,
                    attended_hours=hours,
                    scheduled_hours=scheduled_hours,
                    reason=decision.reason,
                    training_record_id=record_id,
                    credited_hours=record_hours,
                )
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
