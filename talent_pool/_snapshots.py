"""Nightly snapshots of the targets and the monthly trend read from them.

A snapshot is one scope's :class:`~talent_pool.schemas.TargetsReport` as of a local date
(``taken_on``), stored under ``Unique(taken_on, scope)`` and written with ``INSERT … ON CONFLICT
DO NOTHING`` — two schedulers (the web process's dispatcher and the Celery beat) racing for the
same night write it once. The trend of a year is, per month, the last snapshot of that month.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence

from talent_pool.db import atomic
from talent_pool.schemas import TargetsReport, TrendPoint
from talent_pool.tables import TargetSnapshot


async def has_snapshot(taken_on: dt.date, scope: str = "city") -> bool:
    """Whether ``scope`` already has its snapshot for the local date ``taken_on``."""
    return bool(
        await TargetSnapshot.exists().where(
            (TargetSnapshot.taken_on == taken_on) & (TargetSnapshot.scope == scope)
        )
    )


async def write_snapshots(
    taken_on: dt.date, reports: Sequence[TargetsReport], *, replace: bool = False
) -> int:
    """Store ``reports`` as the snapshots of the local date ``taken_on``, one per scope, in one
    transaction; a scope that already has one for that date is left as it is (idempotent, also
    under concurrency). Returns how many rows were written.

    ``replace``: take the day again instead — every scope's row is overwritten (``INSERT … ON
    CONFLICT DO UPDATE``, so a scheduler writing the same day meanwhile never leaves its own) and
    rows of that day for scopes not in ``reports`` are removed. Only for a database whose data
    was loaded after the day was taken (the demo, ``service.demo``): a snapshot is otherwise a
    record of what the figures were that night."""
    on_conflict = (
        "DO UPDATE SET year = excluded.year, as_of = excluded.as_of, data = excluded.data, "
        "created_at = excluded.created_at"
        if replace
        else "DO NOTHING"
    )
    written = 0
    async with atomic():
        for r in reports:
            rows = await TargetSnapshot.raw(
                "INSERT INTO tp_target_snapshot (taken_on, scope, year, as_of, data, created_at) "
                "VALUES ({}, {}, {}, {}, {}, CURRENT_TIMESTAMP) "
                f"ON CONFLICT (taken_on, scope) {on_conflict} RETURNING id",
                taken_on,
                r.scope,
                r.year,
                r.as_of,
                json.dumps(r.model_dump(mode="json"), ensure_ascii=False),
            )
            written += len(rows)
        if replace:
            stale = TargetSnapshot.delete().where(TargetSnapshot.taken_on == taken_on)
            if reports:
                stale = stale.where(TargetSnapshot.scope.not_in([r.scope for r in reports]))
            await stale
    return written


async def trend(scope: str, year: int) -> list[TrendPoint]:
    """The monthly trend of ``scope`` in ``year``: for each month with a snapshot, the last one
    (``month`` ``"YYYY-MM"``, ``taken_on``, each indicator's value, numerator, denominator,
    projection and status as computed that night), in month order."""
    rows = await (
        TargetSnapshot.select(TargetSnapshot.taken_on, TargetSnapshot.data)
        .where(
            (TargetSnapshot.scope == scope)
            & (TargetSnapshot.taken_on >= dt.date(year, 1, 1))
            & (TargetSnapshot.taken_on <= dt.date(year, 12, 31))
        )
        .order_by(TargetSnapshot.taken_on)
    )
    last: dict[str, dict[str, object]] = {}
    for r in rows:
        last[r["taken_on"].strftime("%Y-%m")] = r  # ordered: the month's last one wins
    points = []
    for month, r in last.items():
        data = r["data"] if isinstance(r["data"], dict) else json.loads(str(r["data"]))
        report = TargetsReport.model_validate(data)
        points.append(
            TrendPoint(
                month=month,
                taken_on=r["taken_on"],  # type: ignore[arg-type]
                employed_practitioners=report.employed_practitioners,
                indicators=report.indicators,
            )
        )
    return points
