"""``tuoyu serve --demo`` with Redis configured: the Celery beat (``worker.tasks.repair``, every
ten minutes in ``tuoyu worker``) does not know the web process is loading the demo, and may take
the day's targets snapshot of the still empty database first. Snapshots are written once a day,
so the demo's own snapshot after its load used to find the day taken and leave the empty one:
the regulator's monthly trend showed no one employed. The demo now takes the day's snapshot
again once its data is loaded."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from service.demo import ensure_demo_data
from service.runtime import build_runtime
from talent_pool.schemas import TargetsReport
from talent_pool.tables import TargetSnapshot
from tests.servers import settings_for
from worker.clock import FixedClock
from worker.dispatch import CeleryDispatcher
from worker.targets import snapshot_day

NOW = dt.datetime(2026, 11, 30, 1, 0, tzinfo=dt.UTC)  # 09:00 in Jinan: the 29th's snapshot is due


async def _city_employed(day: dt.date) -> list[int]:
    rows = await TargetSnapshot.select(TargetSnapshot.data).where(
        (TargetSnapshot.taken_on == day) & (TargetSnapshot.scope == "city")
    )
    return [TargetsReport.model_validate_json(r["data"]).employed_practitioners for r in rows]


async def test_a_snapshot_the_beat_took_before_the_demo_loaded_is_taken_again(
    db: None, pg_engine: Any, tmp_path: Path
) -> None:
    clock = FixedClock(NOW)
    day = snapshot_day(NOW, clock.zone)
    # what the beat's repair task runs (worker.tasks.repair), on the migrated, empty database
    beat = CeleryDispatcher(clock, celery_app=None, queue="unused")
    assert (await beat.repair(force=True))["nightly targets snapshot"] > 0
    assert await _city_employed(day) == [0]

    rt = build_runtime(settings_for(tmp_path), clock=clock, engine=pg_engine)
    rt.dispatcher.hold_repairs()  # as `tuoyu serve --demo` does
    await rt.start()
    try:
        await ensure_demo_data(rt, tmp_path / "demo-out")
    finally:
        await rt.stop()
    [employed] = await _city_employed(day)
    assert employed > 1000  # the demo's workforce, not the empty database
    scopes = await TargetSnapshot.count().where(TargetSnapshot.taken_on == day)
    assert scopes > 1 and await TargetSnapshot.count() == scopes  # one row per scope, that day only
    # the beat coming again later leaves the demo's snapshot as it is
    assert (await beat.repair(force=True))["nightly targets snapshot"] == 0
    assert await _city_employed(day) == [employed]
