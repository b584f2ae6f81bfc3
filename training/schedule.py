"""Pure scheduling rules (no I/O, no clock): recurring sessions, check-in windows, reminders.

Sessions are stored as a local business date plus local clock times (``Session.day``,
``starts_at``, ``ends_at``); the instant a session starts is that wall time in the business zone
(:meth:`SessionTimes.instant`), so a 14:00 session in Jinan starts at 06:00 UTC whatever the
server's zone. Recurring sessions are generated from dates, never from UTC instants, so every one
falls on the intended local weekday.

Check-in window, late mark, check-out window, reminder time — source and status
-------------------------------------------------------------------------------
**Design decisions, configurable** (``TUOYU_CHECKIN_*``, ``TUOYU_REMINDER_TIME``): a trainee may
check in from 30 minutes before the start until 30 minutes after it; arriving more than 5 minutes
after the start is marked late; check-out is possible from 30 minutes before the end until 60
minutes after it; the "session tomorrow" reminder goes out at 09:00 local time the day before.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

MAX_RECURRING_SESSIONS = 400
"""Most sessions one recurring request may create (more than a year of daily sessions)."""

WEEKDAY_NAMES = {1: "周一", 2: "周二", 3: "周三", 4: "周四", 5: "周五", 6: "周六", 7: "周日"}


def recurring_days(
    first: dt.date, last: dt.date, weekdays: Iterable[int], skip: Iterable[dt.date] = ()
) -> tuple[list[dt.date], list[dt.date]]:
    """The local dates from ``first`` to ``last`` (both inclusive) whose ISO weekday (1 = Monday
    … 7 = Sunday) is in ``weekdays``, without the dates in ``skip`` (holidays).

    Returns ``(days, skipped)``: the dates in order, and the listed holidays that would otherwise
    have had a session (holidays outside the range or on other weekdays are ignored). Raises
    ``ValueError`` (Chinese message) when ``last < first``, a weekday is not 1–7, no weekday is
    given, or more than :data:`MAX_RECURRING_SESSIONS` dates result.

    >>> recurring_days(dt.date(2024, 9, 6), dt.date(2024, 9, 27), [5])[0][-1]
    datetime.date(2024, 9, 27)
    """
    chosen = set(weekdays)
    if not chosen:
        raise ValueError("请至少选择一个星期几")
    if not chosen <= set(WEEKDAY_NAMES):
        raise ValueError("星期几须为 1（周一）至 7（周日）")
    if last < first:
        raise ValueError(f"结束日期 {last} 早于开始日期 {first}")
    holidays = set(skip)
    days: list[dt.date] = []
    skipped: list[dt.date] = []
    day = first
    while day <= last:
        if day.isoweekday() in chosen:
            (skipped if day in holidays else days).append(day)
            if len(days) > MAX_RECURRING_SESSIONS:
                raise ValueError(f"一次最多生成 {MAX_RECURRING_SESSIONS} 次课")
        day += dt.timedelta(days=1)
    return days, skipped


@dataclass(frozen=True)
class SessionTimes:
    """The business zone and the configurable time windows around a session (minutes).

    ``checkin_opens`` before the start … ``checkin_closes`` after the start: check-in allowed;
    later than ``late_after`` minutes after the start: marked late; ``checkout_opens`` before the
    end … ``checkout_closes`` after the end: check-out allowed; ``reminder_at``: local time of the
    day before a session when its reminder is sent. See the module docstring for the defaults.
    """

    zone: ZoneInfo = field(default_factory=lambda: ZoneInfo("Asia/Shanghai"))
    checkin_opens: int = 30
    checkin_closes: int = 30
    late_after: int = 5
    checkout_opens: int = 30
    checkout_closes: int = 60
    reminder_at: dt.time = dt.time(9, 0)

    def __post_init__(self) -> None:
        for name in ("checkin_opens", "checkin_closes", "late_after", "checkout_opens", "checkout_closes"):
            if not 0 <= getattr(self, name) <= 24 * 60:
                raise ValueError(f"{name} must be within 0–1440 minutes")

    def instant(self, day: dt.date, at: dt.time) -> dt.datetime:
        """The aware UTC instant of local wall time ``at`` on local date ``day``."""
        return dt.datetime.combine(day, at, tzinfo=self.zone).astimezone(dt.UTC)

    def checkin_window(self, day: dt.date, starts_at: dt.time) -> tuple[dt.datetime, dt.datetime]:
        """``(opens, closes)`` (UTC, both inclusive) of check-in for a session starting at
        ``starts_at`` on ``day``."""
        start = self.instant(day, starts_at)
        return start - dt.timedelta(minutes=self.checkin_opens), start + dt.timedelta(
            minutes=self.checkin_closes
        )

    def checkout_window(self, day: dt.date, ends_at: dt.time) -> tuple[dt.datetime, dt.datetime]:
        """``(opens, closes)`` (UTC, both inclusive) of check-out for a session ending at
        ``ends_at`` on ``day``."""
        end = self.instant(day, ends_at)
        return end - dt.timedelta(minutes=self.checkout_opens), end + dt.timedelta(
            minutes=self.checkout_closes
        )

    def is_late(self, day: dt.date, starts_at: dt.time, at: dt.datetime) -> bool:
        """Whether arriving at ``at`` (aware) is more than ``late_after`` minutes after the start."""
        return at > self.instant(day, starts_at) + dt.timedelta(minutes=self.late_after)

    def reminder_due(self, day: dt.date) -> dt.datetime:
        """When the "session tomorrow" reminder of a session on ``day`` is due: ``reminder_at``
        local time on the day before, as an aware UTC instant."""
        return self.instant(day - dt.timedelta(days=1), self.reminder_at)


def attended_minutes(
    session_start: dt.datetime, session_end: dt.datetime, checked_in: dt.datetime, checked_out: dt.datetime
) -> int:
    """Whole minutes present within the session: from the later of start and check-in to the
    earlier of end and check-out, rounded down; never negative."""
    begin = max(session_start, checked_in)
    end = min(session_end, checked_out)
    return max(0, int((end - begin).total_seconds()) // 60)
