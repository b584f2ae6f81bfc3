"""Enrollment under contention: capacity is enforced by the database, never overbooked.

Piccolo's ``PostgresEngine`` without a pool opens one connection per transaction, so
``asyncio.gather`` of many ``enroll`` calls runs that many real concurrent transactions; a
monitor on its own connection watches ``pg_stat_activity`` to prove they overlapped.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import os
import subprocess
import sys
import textwrap
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from talent_pool.db import PoolConfig, close_pool, engine_for_url, start_pool, use_engine
from tests.factories import OFFERING_START, make_offering, register_people
from training import AlreadyEnrolled, cancel_enrollment, enroll, get_offering, list_enrollments

NOW = dt.datetime(2026, 11, 29, 1, 0, tzinfo=dt.UTC)
START = OFFERING_START
REPO = Path(__file__).resolve().parents[2]


class ConcurrencyMonitor:
    """Polls pg_stat_activity on its own connection: the most sessions of this database seen
    inside a transaction at once, and whether any waited on a lock."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.max_in_tx = 0
        self.lock_waits = 0
        self._stop = asyncio.Event()

    async def run(self) -> None:
        conn = await asyncpg.connect(self.url)
        try:
            while not self._stop.is_set():
                row = await conn.fetchrow(
                    """SELECT count(*) FILTER (WHERE xact_start IS NOT NULL) AS in_tx,
                              count(*) FILTER (WHERE wait_event_type = 'Lock') AS waiting
                       FROM pg_stat_activity
                       WHERE datname = current_database() AND pid <> pg_backend_pid()"""
                )
                assert row is not None
                self.max_in_tx = max(self.max_in_tx, row["in_tx"])
                self.lock_waits += row["waiting"]
                await asyncio.sleep(0.002)
        finally:
            await conn.close()

    def stop(self) -> None:
        self._stop.set()


@pytest.fixture
async def wide_pool(pg_engine: Any, test_db_url: str) -> AsyncIterator[None]:
    """This test's own engine with a pool of 12 connections (the run's shared pool has 4), so
    that 40 enrollments can really run side by side; the shared engine is bound again after."""
    engine = engine_for_url(test_db_url, PoolConfig(min_size=1, max_size=12, acquire_timeout=30))
    use_engine(engine)
    await start_pool(engine)
    try:
        yield
    finally:
        await close_pool(engine)
        use_engine(pg_engine)


async def test_forty_concurrent_enrollments_fill_exactly_capacity(
    db: None, wide_pool: None, test_db_url: str
) -> None:
    capacity = 5
    oid = await make_offering(capacity, end=START)
    ids = await register_people(40)
    monitor = ConcurrencyMonitor(test_db_url)
    watcher = asyncio.create_task(monitor.run())
    await asyncio.sleep(0.05)
    try:
        results = await asyncio.gather(*(enroll(oid, p, now=NOW, today=NOW.date()) for p in ids))
    finally:
        monitor.stop()
        await watcher
    # it really was concurrent: many transactions open at once, some waiting on the row lock
    assert monitor.max_in_tx >= 5, monitor.max_in_tx
    assert monitor.lock_waits > 0

    confirmed = [r for r in results if r.status == "confirmed"]
    waitlisted = [r for r in results if r.status == "waitlisted"]
    assert len(confirmed) == capacity
    assert len(waitlisted) == 35
    assert sorted(r.waitlist_position for r in waitlisted) == list(range(1, 36))  # type: ignore[type-var]
    assert (await get_offering(oid)).confirmed_count == capacity
    listed = await list_enrollments(oid)
    assert sum(e.status == "confirmed" for e in listed) == capacity
    assert [e.waitlist_position for e in listed if e.status == "waitlisted"] == list(range(1, 36))


async def test_same_person_ten_times_at_once_enrolls_once(db: None) -> None:
    oid = await make_offering(3, end=START)
    (person,) = await register_people(1)
    results = await asyncio.gather(
        *(enroll(oid, person, now=NOW, today=NOW.date()) for _ in range(10)), return_exceptions=True
    )
    ok = [r for r in results if not isinstance(r, BaseException)]
    errors = [r for r in results if isinstance(r, BaseException)]
    assert len(ok) == 1 and ok[0].status == "confirmed"
    assert len(errors) == 9 and all(isinstance(e, AlreadyEnrolled) for e in errors)
    assert len(await list_enrollments(oid)) == 1
    assert (await get_offering(oid)).confirmed_count == 1  # failed attempts did not count


async def test_concurrent_cancellations_promote_in_waitlist_order(db: None) -> None:
    capacity = 3
    oid = await make_offering(capacity, end=START)
    ids = await register_people(8)
    enrolled = [await enroll(oid, p, now=NOW, today=NOW.date()) for p in ids]  # 3 confirmed, 5 waitlisted
    assert [e.waitlist_position for e in enrolled[3:]] == [1, 2, 3, 4, 5]
    later = NOW + dt.timedelta(minutes=5)
    results = await asyncio.gather(*(cancel_enrollment(e.id, now=later) for e in enrolled[:2]))
    promoted = sorted(r.promoted.id for r in results if r.promoted is not None)
    assert promoted == [enrolled[3].id, enrolled[4].id]  # the first two of the waitlist
    assert (await get_offering(oid)).confirmed_count == capacity
    listed = await list_enrollments(oid)
    assert sorted(e.id for e in listed if e.status == "confirmed") == sorted(
        [enrolled[2].id, enrolled[3].id, enrolled[4].id]
    )
    assert [(e.id, e.waitlist_position) for e in listed if e.status == "waitlisted"] == [
        (enrolled[5].id, 1),
        (enrolled[6].id, 2),
        (enrolled[7].id, 3),
    ]
    # a burst of enrollments while seats are freed never overbooks
    extra = await register_people(12)
    new_people = extra[8:]
    await asyncio.gather(
        cancel_enrollment(enrolled[2].id, now=later),
        *(enroll(oid, p, now=later, today=NOW.date()) for p in new_people),
    )
    offering = await get_offering(oid)
    listed = await list_enrollments(oid)
    assert offering.confirmed_count == capacity == sum(e.status == "confirmed" for e in listed)
    positions = [e.waitlist_position for e in listed if e.status == "waitlisted"]
    assert positions == list(range(1, len(positions) + 1))


SQLITE_SCRIPT = textwrap.dedent(
    """
    import asyncio, datetime as dt, json
    from service.migrations import migrate
    from talent_pool import seed_reference_data
    from tests.factories import OFFERING_START, make_offering, register_people
    from training import AlreadyEnrolled, enroll, get_offering

    NOW = dt.datetime(2026, 11, 29, 1, 0, tzinfo=dt.UTC)

    async def main():
        await migrate()
        await seed_reference_data()
        oid = await make_offering(capacity=5, end=OFFERING_START)
        ids = await register_people(40)
        results = await asyncio.gather(*(enroll(oid, p, now=NOW, today=NOW.date()) for p in ids))
        dupes = await asyncio.gather(*(enroll(oid, ids[0], now=NOW, today=NOW.date()) for _ in range(5)),
                                     return_exceptions=True)
        print(json.dumps({
            "confirmed": sum(r.status == "confirmed" for r in results),
            "positions": sorted(r.waitlist_position for r in results
                                if r.status == "waitlisted"),
            "count": (await get_offering(oid)).confirmed_count,
            "dupes": sum(isinstance(d, AlreadyEnrolled) for d in dupes),
        }))

    asyncio.run(main())
    """
)


def test_capacity_on_sqlite_embedded_default(tmp_path: Path) -> None:
    """The same contention on the embedded SQLite default (a subprocess: the engine is chosen
    from TUOYU_DATABASE_URL when piccolo_conf is imported)."""
    env = dict(os.environ)
    env["TUOYU_DATABASE_URL"] = f"sqlite:///{tmp_path / 'tuoyu.sqlite'}"
    env["PYTHONPATH"] = str(REPO)
    proc = subprocess.run(
        [sys.executable, "-c", SQLITE_SCRIPT],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    assert result == {
        "confirmed": 5,
        "positions": list(range(1, 36)),
        "count": 5,
        "dupes": 5,
    }
