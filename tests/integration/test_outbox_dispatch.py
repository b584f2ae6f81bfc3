"""Background work: recorded in the caller's transaction, delivered after commit exactly once,
never when the transaction rolls back; leases, retries and failures (docs/architecture.md)."""

from __future__ import annotations

import asyncio
import datetime as dt
import socket
from typing import Any

import pytest

from talent_pool.db import atomic
from talent_pool.outbox import enqueue
from talent_pool.tables import OutboxMessage
from tests.servers import wait_for
from worker.clock import FixedClock
from worker.dispatch import BrokerUnavailable, CeleryDispatcher, InProcessDispatcher, WorkersNotRunning
from worker.jobs import Job, Repair
from worker.outbox import claim_due, run_message

T0 = dt.datetime(2026, 11, 29, 2, 0, tzinfo=dt.UTC)


class Recorder:
    """A job that records each run (its arguments and the ``now`` it was given)."""

    def __init__(self, fail_times: int = 0) -> None:
        self.runs: list[tuple[Any, ...]] = []
        self.fail_times = fail_times

    async def __call__(self, *args: Any, now: dt.datetime) -> None:
        self.runs.append((*args, now))
        if len(self.runs) <= self.fail_times:
            raise RuntimeError("downstream unavailable")


async def test_committed_work_is_delivered_once_and_rolled_back_work_never(db: None) -> None:
    recorder = Recorder()
    jobs = {"test.record": Job(recorder, lease=dt.timedelta(minutes=1))}
    clock = FixedClock(T0)
    # two dispatchers racing for the same rows, as two web processes would
    first, second = (InProcessDispatcher(clock, sweep_seconds=60, jobs=jobs) for _ in range(2))
    await first.start()
    await second.start()
    try:
        async with atomic():
            await enqueue("test.record", 1, "a")
            await enqueue("test.record", 2, "b")
        with pytest.raises(RuntimeError):
            async with atomic():
                await enqueue("test.record", 3, "rolled back")
                raise RuntimeError("the use case failed after recording work")
        await wait_for(lambda: _count_done(), timeout=10)
        await asyncio.sleep(0.3)  # give a double delivery every chance to show up
    finally:
        await first.stop()
        await second.stop()
    assert sorted(run[:2] for run in recorder.runs) == [(1, "a"), (2, "b")]
    assert all(run[2] == T0 for run in recorder.runs)
    rows = await OutboxMessage.select().order_by(OutboxMessage.id)
    assert [(r["attempts"], r["done_at"] is not None) for r in rows] == [(1, True), (1, True)]


async def _count_done() -> bool:
    return await OutboxMessage.count().where(OutboxMessage.done_at.is_not_null()) == 2


async def test_enqueue_refuses_to_run_outside_a_transaction(db: None) -> None:
    with pytest.raises(RuntimeError, match="atomic"):
        await enqueue("test.record", 1)
    assert await OutboxMessage.count() == 0


async def test_a_lost_delivery_is_redelivered_after_its_lease(db: None) -> None:
    recorder = Recorder()
    jobs = {"test.record": Job(recorder, lease=dt.timedelta(seconds=30))}
    async with atomic():
        await enqueue("test.record", 7)
    claimed = await claim_due(T0, jobs=jobs)  # a worker took it … and died
    assert [c.args for c in claimed] == [[7]]
    assert await claim_due(T0 + dt.timedelta(seconds=29), jobs=jobs) == []  # still leased
    again = await claim_due(T0 + dt.timedelta(seconds=31), jobs=jobs)  # lease ran out
    assert [c.id for c in again] == [claimed[0].id]
    assert await run_message(again[0].id, FixedClock(T0 + dt.timedelta(seconds=32)), jobs=jobs) == "done"
    assert await run_message(again[0].id, FixedClock(T0 + dt.timedelta(seconds=33)), jobs=jobs) == "skipped"
    assert len(recorder.runs) == 1
    row = await OutboxMessage.select().first()
    assert row is not None and row["attempts"] == 2 and row["leased_until"] is None


async def test_failing_jobs_are_retried_with_backoff_then_marked_failed(db: None) -> None:
    recorder = Recorder(fail_times=99)
    jobs = {"test.record": Job(recorder, max_attempts=3)}
    async with atomic():
        await enqueue("test.record", 1)
    clock = FixedClock(T0)
    outcomes = []
    for _ in range(3):
        (message,) = await claim_due(clock.now(), jobs=jobs)
        outcomes.append(await run_message(message.id, clock, jobs=jobs))
        clock.advance(dt.timedelta(hours=1))  # past any back-off
    assert outcomes == ["retry", "retry", "failed"]
    row = await OutboxMessage.select().first()
    assert row is not None and row["failed_at"] is not None and "downstream unavailable" in row["last_error"]
    assert await claim_due(clock.now(), jobs=jobs) == []  # given up: only `tuoyu doctor` shows it


async def test_scheduled_work_waits_for_its_time(db: None) -> None:
    async with atomic():
        await enqueue("test.record", 1, due_at=T0 + dt.timedelta(days=2))
    assert await claim_due(T0 + dt.timedelta(days=1)) == []
    assert len(await claim_due(T0 + dt.timedelta(days=2))) == 1


async def test_work_the_broker_did_not_take_is_due_again_at_once(db: None) -> None:
    """Publishing fails because the broker (Redis) cannot be reached: the leases of the messages
    not handed over are given back and the claim is not counted, so the next round delivers
    them — not only the end of the lease, minutes later."""
    from celery import Celery

    with socket.socket() as sock:  # a port nothing listens on: the broker is down
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    app = Celery("unreachable", broker=f"redis://127.0.0.1:{port}/0")
    jobs = {"test.record": Job(Recorder(), lease=dt.timedelta(minutes=3))}
    dispatcher = CeleryDispatcher(FixedClock(T0), app, "tuoyu-unreachable", jobs=jobs)
    async with atomic():
        await enqueue("test.record", 1)
        await enqueue("test.record", 2)
    with pytest.raises(BrokerUnavailable):
        await dispatcher.relay()
    rows = await OutboxMessage.select().order_by(OutboxMessage.id)
    assert [(r["leased_until"], r["attempts"], r["done_at"]) for r in rows] == [(None, 0, None)] * 2
    again = await claim_due(T0 + dt.timedelta(seconds=1), jobs=jobs)
    assert [c.args for c in again] == [[1], [2]]


async def test_held_repairs_wait_until_resumed() -> None:
    """``tuoyu serve --demo`` holds the periodic repairs while it loads its data: the nightly
    targets snapshot (written once a day) used to be taken of the still empty database."""
    runs: list[dt.datetime] = []

    async def snapshot(*, now: dt.datetime) -> int:
        runs.append(now)
        return 1

    dispatcher = InProcessDispatcher(FixedClock(T0), repairs=[Repair("snapshot", snapshot)])
    dispatcher.hold_repairs()
    assert await dispatcher.repair() == {} and await dispatcher.repair(force=True) == {}
    assert runs == []
    assert await dispatcher.resume_repairs() == {"snapshot": 1}
    assert runs == [T0]
    assert await dispatcher.repair() == {}  # resumed: next due in ten minutes, as usual


async def test_a_celery_dispatcher_with_no_worker_says_to_run_tuoyu_worker(
    db: None, redis_url: str, celery_worker: dict[str, str]
) -> None:
    """``tuoyu serve --demo`` on Redis with no ``tuoyu worker`` used to wait two minutes for the
    certificates' documents and end with "37 background jobs still pending after 120 s": the
    workers are asked first, and the wait, when it does run out, ends in Chinese saying what to do."""
    import redis
    from celery import Celery

    app = Celery("probe", broker=redis_url)
    queue = "tuoyu-nobody-consumes"
    lonely = CeleryDispatcher(FixedClock(T0), app, queue)
    with pytest.raises(WorkersNotRunning) as caught:
        await lonely.ensure_workers()
    assert caught.value.message.startswith(f"没有正在运行的后台任务 worker（队列 {queue}）")
    assert "运行 tuoyu worker" in caught.value.message
    async with atomic():
        await enqueue("test.record", 1)
    try:
        with pytest.raises(WorkersNotRunning) as waited:
            await lonely.drain(timeout=0)
        assert "运行 tuoyu worker" in waited.value.message  # nobody answers: the same advice
    finally:
        redis.Redis.from_url(redis_url).delete(queue)  # the message published to nobody
    # the run's real worker consumes its own queue: it answers (once free of earlier tests' work)

    async def answered() -> bool:
        try:
            await CeleryDispatcher(FixedClock(T0), app, celery_worker["task_queue"]).ensure_workers()
        except WorkersNotRunning:
            return False
        return True

    assert await wait_for(answered, timeout=60)
