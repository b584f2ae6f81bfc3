"""The targets composed from both packages (bases from ``training``, the rest from
``talent_pool``), shared by the service and the nightly snapshot.

Nightly snapshot (docs/architecture.md, "Targets"): at 02:00 in the business zone the figures of
the day that just ended are stored for the city, every district, functional zone and street. It
runs as a periodic :class:`~worker.jobs.Repair` — every ten minutes, in the web process's
dispatcher and in the Celery beat — which writes the snapshot when the latest one due is
missing; the snapshot table's ``Unique(taken_on, scope)`` makes two schedulers write it once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from zoneinfo import ZoneInfo

import talent_pool
import training
from talent_pool.schemas import TargetsReport

SNAPSHOT_HOUR = 2  # local time
SNAPSHOT_LEVELS = ("city", "district", "zone", "street")


async def targets_report(
    today: dt.date,
    *,
    year: int | None = None,
    as_of: dt.date | None = None,
    scopes: Sequence[str] | None = None,
    levels: Sequence[str] | None = None,
) -> list[TargetsReport]:
    """:func:`talent_pool.compute_targets_table` with the training bases counted on the
    reference date (``today``: the local business date). Raises ``ValidationFailed``."""
    ref = talent_pool.reference_date(year, today, as_of)
    return await talent_pool.compute_targets_table(
        ref.year, today=today, as_of=ref, count_bases=_bases_on, scopes=scopes, levels=levels
    )


async def _bases_on(ref: dt.date) -> dict[str, int]:
    """``{"city": n, <district code>: n}``: the bases counted on the local date ``ref``."""
    by_district = await training.accredited_bases_by_district(ref)
    return {"city": sum(by_district.values()), **by_district}


def snapshot_day(now: dt.datetime, zone: ZoneInfo) -> dt.date:
    """The local date whose snapshot is the latest one due at ``now``: yesterday from 02:00
    local time, the day before yesterday before 02:00."""
    local = now.astimezone(zone)
    return (local - dt.timedelta(hours=SNAPSHOT_HOUR)).date() - dt.timedelta(days=1)


async def nightly_snapshot(*, now: dt.datetime, zone: ZoneInfo, retake: bool = False) -> int:
    """Write the snapshots of :func:`snapshot_day` unless the city's is there already; returns
    how many rows were written (0 when another scheduler was first).

    ``retake``: write them even when that day was taken, replacing what is there
    (:func:`talent_pool.write_snapshots` ``replace``) — for data loaded after a scheduler took
    the day (the demo: a Celery beat may have taken it of the still empty database)."""
    day = snapshot_day(now, zone)
    if not retake and await talent_pool.has_snapshot(day):
        return 0
    today = now.astimezone(zone).date()
    reports = await targets_report(today, as_of=day, levels=SNAPSHOT_LEVELS)
    return await talent_pool.write_snapshots(day, reports, replace=retake)
