"""Notifications to trainees (通知): enrollment confirmed, waitlist promoted, session tomorrow,
session moved or cancelled — recorded in the outbox by the use case that causes them and sent by
one background job, each exactly once per person, kind and subject.

The job writes one ``tr_notification`` row per recipient with ``INSERT … ON CONFLICT DO
NOTHING`` on ``Unique(practitioner, kind, subject)`` (the in-app inbox) and then delivers every row
not yet sent through a :class:`Notifier` — the port the composition root binds (log, SMS gateway,
WeChat template hook). A row is claimed for sending by a conditional ``UPDATE … SET sent_at
WHERE sent_at IS NULL`` in the same transaction as the send, so a job that runs twice, or twice at
once, or a redelivered broker message sends nothing twice; a send that fails rolls its claim back
and the job is retried for the rest.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from talent_pool.db import atomic
from talent_pool.outbox import enqueue
from talent_pool.tables import Practitioner
from training.schedule import WEEKDAY_NAMES, SessionTimes
from training.schemas import NotificationOut
from training.tables import Enrollment, Notification, Session

log = logging.getLogger("tuoyu.training.notify")

NOTIFY_TASK = "training.notify"
"""Background job (``worker.jobs``): ``notify(kind, subject_id, variant)``."""

KINDS = (
    "enrollment_confirmed",
    "waitlist_promoted",
    "session_tomorrow",
    "session_moved",
    "session_cancelled",
)

TEMPLATES: dict[str, tuple[str, str]] = {
    "enrollment_confirmed": (
        "报名成功",
        "{name}您好：您已报名「{offering}」（{base}，{start_date}至{end_date}），名额已确认。",
    ),
    "waitlist_promoted": (
        "候补转正",
        "{name}您好：您候补的「{offering}」（{base}）有了空位，您的名额已确认。",
    ),
    "session_tomorrow": (
        "明日上课提醒",
        "{name}您好：明天（{day} {weekday}）{starts_at}–{ends_at}「{offering}」{place}，请准时签到。",
    ),
    "session_moved": (
        "调课通知",
        "{name}您好：「{offering}」原定 {from_day} {from_starts_at} 的课调整为 {day} {weekday} "
        "{starts_at}–{ends_at}。原因：{reason}",
    ),
    "session_cancelled": (
        "停课通知",
        "{name}您好：「{offering}」{day} {weekday} {starts_at}–{ends_at} 的课已取消。原因：{reason}",
    ),
}
"""Kind → (title, text template). The SMS/WeChat hook also gets the kind as template code and
the parameters, so a gateway can use its own registered templates."""


@dataclass(frozen=True)
class Notice:
    """One message to deliver: ``kind`` (also the template code), ``title``, ``text`` (rendered
    Chinese), ``params`` (the template parameters), the recipient's ``name`` and ``phone``
    (``""``: none on record — the in-app inbox only)."""

    notification_id: int
    practitioner_id: int
    name: str
    phone: str
    kind: str
    title: str
    text: str
    params: Mapping[str, str] = field(default_factory=dict)


class Notifier(Protocol):
    """The port through which notices leave the system. ``send`` raises on failure (the notice
    is then retried); an adapter skips what its channel cannot deliver (no phone)."""

    async def send(self, notice: Notice) -> None: ...


async def record_notice(
    kind: str, subject_id: int, variant: Mapping[str, str] | None = None, **kw: Any
) -> None:
    """Record in the current transaction that ``kind`` must be sent about ``subject_id`` (an
    enrollment or session id); ``kw`` may give ``due_at`` (aware UTC)."""
    if kind not in KINDS:
        raise ValueError(f"unknown notification kind {kind!r}")
    await enqueue(NOTIFY_TASK, kind, subject_id, dict(variant or {}), **kw)


def _hm(value: Any) -> str:
    return value.strftime("%H:%M") if isinstance(value, dt.time) else str(value)[:5]


async def schedule_session_reminder(
    session: Mapping[str, Any], times: SessionTimes, now: dt.datetime | None
) -> None:
    """Record the "session tomorrow" reminder of ``session`` (a ``tr_session`` row), due at
    ``times.reminder_at`` local time the day before (in the database: the outbox row's ``due_at``).
    Not recorded when the session starts on or before the local day of ``now`` (no "tomorrow"
    left). The job sends it only while the session is still on that day and time, and only
    before the session's local day begins."""
    day: dt.date = session["day"]
    if now is not None and day <= now.astimezone(times.zone).date():
        return
    due = times.reminder_due(day)
    variant = {
        "day": day.isoformat(),
        "starts_at": _hm(session["starts_at"]),
        "not_after": times.instant(day, dt.time(0, 0)).isoformat(),
    }
    await record_notice(
        "session_tomorrow", int(session["id"]), variant, due_at=due if now is None or due > now else None
    )


async def _session_context(session_id: int) -> dict[str, Any] | None:
    rows = await Session.raw(
        "SELECT s.id, s.day, s.starts_at, s.ends_at, s.status, s.mode, s.join_url, s.topic, s.offering, "
        "o.title AS offering_title, b.name AS base_name, b.address AS base_address "
        "FROM tr_session s JOIN tr_offering o ON o.id = s.offering "
        "JOIN tr_training_base b ON b.id = o.training_base WHERE s.id = {}",
        session_id,
    )
    return rows[0] if rows else None


async def _recipients(
    kind: str, subject_id: int, variant: Mapping[str, str], now: dt.datetime
) -> tuple[str, list[tuple[int, dict[str, str]]]]:
    """``(ref, [(practitioner_id, params)])`` — who gets this notice now (empty: nobody, e.g. the
    enrollment was cancelled or the session moved meanwhile)."""
    if kind in ("enrollment_confirmed", "waitlist_promoted"):
        rows = await Enrollment.raw(
            "SELECT e.practitioner, e.status, o.title, o.start_date, o.end_date, b.name AS base_name "
            "FROM tr_enrollment e JOIN tr_offering o ON o.id = e.offering "
            "JOIN tr_training_base b ON b.id = o.training_base WHERE e.id = {}",
            subject_id,
        )
        if not rows or rows[0]["status"] != "confirmed":
            return f"enrollment:{subject_id}", []
        r = rows[0]
        params = {
            "offering": r["title"],
            "base": r["base_name"],
            "start_date": str(r["start_date"]),
            "end_date": str(r["end_date"]),
        }
        return f"enrollment:{subject_id}", [(int(r["practitioner"]), params)]
    s = await _session_context(subject_id)
    if s is None:
        return f"session:{subject_id}", []
    day = dt.date.fromisoformat(str(variant.get("day", s["day"])))
    params = {
        "offering": s["offering_title"],
        "day": day.isoformat(),
        "weekday": WEEKDAY_NAMES[day.isoweekday()],
        "starts_at": str(variant.get("starts_at", _hm(s["starts_at"]))),
        "ends_at": str(variant.get("ends_at", _hm(s["ends_at"]))),
        "place": f"线上直播（入口 {s['join_url']}）" if s["mode"] == "live" else f"在{s['base_name']}上课",
        "reason": str(variant.get("reason", "")),
        "from_day": str(variant.get("from_day", "")),
        "from_starts_at": str(variant.get("from_starts_at", "")),
    }
    if kind == "session_tomorrow":
        ref = f"session:{subject_id}:{day.isoformat()}"
        current = (str(s["day"]), _hm(s["starts_at"]))
        not_after = dt.datetime.fromisoformat(variant["not_after"])
        if (
            s["status"] != "scheduled"
            or current != (variant["day"], variant["starts_at"])
            or now >= not_after
        ):
            return ref, []  # moved (a new reminder exists), cancelled, or too late for "tomorrow"
        params["ends_at"] = _hm(s["ends_at"])
    elif kind == "session_moved":
        ref = f"session:{subject_id}:moved:{params['day']}T{params['starts_at']}"
    else:
        ref = f"session:{subject_id}:cancelled"
    people = await Enrollment.select(Enrollment.practitioner).where(
        (Enrollment.offering == s["offering"]) & (Enrollment.status == "confirmed")
    )
    return ref, [(int(p["practitioner"]), dict(params)) for p in people]


async def notify(
    kind: str,
    subject_id: int,
    variant: Mapping[str, str] | None = None,
    *,
    now: dt.datetime,
    notifier: Notifier,
) -> int:
    """The background job (:data:`NOTIFY_TASK`): write the notices of ``kind`` about
    ``subject_id`` (one row per recipient, ``Unique(practitioner, kind, subject)``) and deliver each
    row not yet sent through ``notifier``. Idempotent (see the module docstring); returns how
    many notices this call delivered. Raises ``RuntimeError`` when some could not be delivered
    (they stay unsent and the job is retried)."""
    variant = dict(variant or {})
    title, template = TEMPLATES[kind]
    async with atomic():
        ref, recipients = await _recipients(kind, subject_id, variant, now)
        params_of = {pid: params for pid, params in recipients}
        if recipients:
            people = {
                r["id"]: r
                for r in await Practitioner.select(
                    Practitioner._meta.primary_key, Practitioner.name, Practitioner.phone
                ).where(Practitioner._meta.primary_key.is_in([p for p, _ in recipients]))
            }
            rows = [
                Notification(
                    practitioner=pid,
                    kind=kind,
                    subject=ref,
                    title=title,
                    text=template.format(name=people[pid]["name"], **params),
                    phone=people[pid]["phone"] or "",
                    created_at=now,
                )
                for pid, params in recipients
            ]
            await Notification.insert(*rows).on_conflict(
                target=(Notification.practitioner, Notification.kind, Notification.subject),
                action="DO NOTHING",
            )
    pending = await (
        Notification.select(Notification.id, Notification.practitioner)
        .where((Notification.kind == kind) & (Notification.subject == ref) & Notification.sent_at.is_null())
        .order_by(Notification.id)
    )
    delivered, failed = 0, 0
    for row in pending:
        try:
            params = params_of.get(row["practitioner"], {})
            delivered += await _deliver_one(row["id"], kind, params, now, notifier)
        except Exception as exc:  # the claim was rolled back: the notice stays unsent
            failed += 1
            log.warning("notification %s (%s) not delivered: %r", row["id"], kind, exc)
            await Notification.update({Notification.last_error: repr(exc)[:500]}).where(
                Notification.id == row["id"]
            )
    if failed:
        raise RuntimeError(f"{failed} 条通知发送失败，稍后重试")
    return delivered


async def _deliver_one(
    notification_id: int, kind: str, params: Mapping[str, str], now: dt.datetime, notifier: Notifier
) -> int:
    async with atomic():
        claimed = await (
            Notification.update({Notification.sent_at: now, Notification.last_error: ""})
            .where((Notification.id == notification_id) & Notification.sent_at.is_null())
            .returning(
                Notification.id,
                Notification.practitioner,
                Notification.title,
                Notification.text,
                Notification.phone,
            )
        )
        if not claimed:
            return 0  # sent by another run meanwhile
        row = claimed[0]
        name = await Practitioner.select(Practitioner.name).where(
            Practitioner._meta.primary_key == row["practitioner"]
        )
        await notifier.send(
            Notice(
                notification_id=row["id"],
                practitioner_id=row["practitioner"],
                name=name[0]["name"] if name else "",
                phone=row["phone"],
                kind=kind,
                title=row["title"],
                text=row["text"],
                params={"name": name[0]["name"] if name else "", **params},
            )
        )
    return 1


async def notifications_of(practitioner_id: int, *, limit: int = 100) -> list[NotificationOut]:
    """A practitioner's notices (the in-app inbox), newest first."""
    rows = await (
        Notification.select(
            Notification.id,
            Notification.kind,
            Notification.subject,
            Notification.title,
            Notification.text,
            Notification.created_at,
            Notification.sent_at,
        )
        .where(Notification.practitioner == practitioner_id)
        .order_by(Notification.id, ascending=False)
        .limit(limit)
    )
    return [NotificationOut.model_validate(r) for r in rows]
