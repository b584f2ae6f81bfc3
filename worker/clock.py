"""The one clock of a process: the current instant (UTC) and today's business date (local).

Domain functions never read the machine clock; the composition roots hand them ``now`` and
``today`` from a :class:`Clock` (docs/architecture.md, "Settings and the clock"). Tests use
:class:`FixedClock` to stand at any instant, e.g. 00:30 in Shanghai on someone's birthday while
the machine runs on UTC.
"""

from __future__ import annotations

import datetime as dt
import math
from zoneinfo import ZoneInfo


class Clock:
    """Wall-clock time for one business zone (default ``Asia/Shanghai``).

    ``now()`` is an aware UTC ``datetime``; ``today()`` is the local calendar date in ``zone`` —
    never the machine's local date, which is UTC on most servers (8 hours behind Shanghai's date
    every night from 00:00 to 08:00 local time).
    """

    def __init__(self, zone: ZoneInfo | str = "Asia/Shanghai") -> None:
        self.zone = zone if isinstance(zone, ZoneInfo) else ZoneInfo(zone)

    def now(self) -> dt.datetime:
        """The current instant, timezone-aware UTC."""
        return dt.datetime.now(dt.UTC)

    def today(self) -> dt.date:
        """Today's date in the business zone."""
        return self.now().astimezone(self.zone).date()

    def local(self, instant: dt.datetime) -> dt.datetime:
        """``instant`` (aware) as local wall time in the business zone."""
        return instant.astimezone(self.zone)

    def seconds_to_midnight(self) -> int:
        """Whole seconds (at least 1, rounded up) from now until the next local midnight: how long
        a daily allowance stays used up (``Retry-After``)."""
        now = self.now()
        tomorrow = self.local(now).date() + dt.timedelta(days=1)
        midnight = dt.datetime.combine(tomorrow, dt.time(), tzinfo=self.zone)
        return max(1, math.ceil((midnight - now).total_seconds()))


class FixedClock(Clock):
    """A clock that stands still at ``at`` (aware) until moved with :meth:`set` or
    :meth:`advance` — for tests and reproducible demos."""

    def __init__(self, at: dt.datetime, zone: ZoneInfo | str = "Asia/Shanghai") -> None:
        super().__init__(zone)
        self.set(at)

    def set(self, at: dt.datetime) -> None:
        """Stand at ``at``; raises ``ValueError`` for a naive datetime."""
        if at.utcoffset() is None:
            raise ValueError("FixedClock needs a timezone-aware datetime")
        self._now = at.astimezone(dt.UTC)

    def advance(self, delta: dt.timedelta) -> None:
        """Move forward by ``delta``."""
        self._now += delta

    def now(self) -> dt.datetime:
        return self._now
