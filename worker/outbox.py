"""Claiming and running outbox messages (the delivery side of ``talent_pool.outbox``).

A message is *claimed* by one conditional ``UPDATE`` that sets its lease (``leased_until`` =
now + the job's lease, ``attempts`` + 1) only while it is due, not done and not leased — so two
dispatchers never both take it. It is marked ``done_at`` only after the job's effect committed;
a message whose lease runs out first (the worker died) is due again. A job that raises is
retried with exponential back-off until its ``max_attempts``, then marked ``failed_at`` — and,
when the job has an ``on_give_up``, its own record is ended failed in the same transaction.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from talent_pool.db import atomic
from talent_pool.outbox import correlation_id, decode_args
from talent_pool.tables import OutboxMessage
from worker.clock import Clock
from worker.jobs import JOBS, Job

log = logging.getLogger("tuoyu.outbox")

BACKOFF_BASE = dt.timedelta(seconds=5)
BACKOFF_MAX = dt.timedelta(minutes=30)


@dataclass(frozen=True, slots=True)
class Claimed:
    """A message this process now holds a lease on."""

    id: int
    task: str
    args: list[Any]


def _due(now: dt.datetime) -> Any:
    return (
        OutboxMessage.done_at.is_null()
        & OutboxMessage.failed_at.is_null()
        & (OutboxMessage.due_at.is_null() | (OutboxMessage.due_at <= now))
        & (OutboxMessage.leased_until.is_null() | (OutboxMessage.leased_until < now))
    )


async def claim_due(now: dt.datetime, *, limit: int = 100, jobs: Mapping[str, Job] = JOBS) -> list[Claimed]:
    """Lease up to ``limit`` due messages, oldest first; returns those this call won."""
    candidates = await (
        OutboxMessage.select(OutboxMessage.id, OutboxMessage.task)
        .where(_due(now))
        .order_by(OutboxMessage.id)
        .limit(limit)
    )
    by_task: dict[str, list[int]] = {}
    for row in candidates:
        by_task.setdefault(row["task"], []).append(row["id"])
    claimed: list[Claimed] = []
    for task, ids in by_task.items():
        job = jobs.get(task)
        lease = job.lease if job is not None else dt.timedelta(minutes=1)
        rows = await (
            OutboxMessage.update(
                {OutboxMessage.leased_until: now + lease, OutboxMessage.attempts: OutboxMessage.attempts + 1}
            )
            .where(OutboxMessage.id.is_in(ids) & _due(now))
            .returning(OutboxMessage.id, OutboxMessage.task, OutboxMessage.args)
        )
        claimed += [Claimed(r["id"], r["task"], decode_args(r["args"])) for r in rows]
    claimed.sort(key=lambda c: c.id)
    return claimed


async def release(message_ids: Sequence[int]) -> None:
    """Give back the leases of claimed messages that were never handed over (the broker could
    not be reached): they are due again at once instead of when the lease runs out, and the
    claim does not count as a delivery attempt."""
    if message_ids:
        await OutboxMessage.update(
            {OutboxMessage.leased_until: None, OutboxMessage.attempts: OutboxMessage.attempts - 1}
        ).where(OutboxMessage.id.is_in(list(message_ids)) & OutboxMessage.done_at.is_null())


def _backoff(attempts: int) -> dt.timedelta:
    return min(BACKOFF_BASE * (2 ** max(attempts - 1, 0)), BACKOFF_MAX)


async def run_message(message_id: int, clock: Clock, *, jobs: Mapping[str, Job] = JOBS) -> str:
    """Run one claimed message and record the outcome; returns ``done``, ``skipped`` (already
    done, or unknown id), ``retry`` or ``failed``. Never raises for a failing job (a database
    that cannot be reached still raises: the lease then runs out and the message is due again)."""
    row = await (
        OutboxMessage.select(
            OutboxMessage.task,
            OutboxMessage.args,
            OutboxMessage.attempts,
            OutboxMessage.done_at,
            OutboxMessage.correlation_id,
        )
        .where(OutboxMessage.id == message_id)
        .first()
    )
    if row is None or row["done_at"] is not None:
        return "skipped"
    job = jobs.get(row["task"])
    token = correlation_id.set(row["correlation_id"] or f"job-{message_id}")
    try:
        return await _run(message_id, row, job, clock)
    finally:
        correlation_id.reset(token)


async def _run(message_id: int, row: dict[str, Any], job: Job | None, clock: Clock) -> str:
    now = clock.now()
    try:
        if job is None:
            raise LookupError(f"no job named {row['task']!r} in worker.jobs.JOBS")
        await job.fn(*decode_args(row["args"]), now=now)
    except Exception as exc:
        give_up = job is None or row["attempts"] >= job.max_attempts
        log.warning(
            "outbox message %s (%s) failed on attempt %s%s: %r",
            message_id,
            row["task"],
            row["attempts"],
            "; giving up" if give_up else "",
            exc,
        )
        async with atomic():
            await OutboxMessage.update(
                {
                    OutboxMessage.leased_until: None,
                    OutboxMessage.last_error: repr(exc)[:1000],
                    OutboxMessage.failed_at: now if give_up else None,
                    OutboxMessage.due_at: None if give_up else now + _backoff(row["attempts"]),
                }
            ).where(OutboxMessage.id == message_id)
            if give_up and job is not None and job.on_give_up is not None:
                # the job's own record (e.g. an import job shown as 处理中) ends failed with it
                await job.on_give_up(*decode_args(row["args"]), now=now, error=exc, attempts=row["attempts"])
        return "failed" if give_up else "retry"
    await OutboxMessage.update({OutboxMessage.done_at: clock.now(), OutboxMessage.leased_until: None}).where(
        OutboxMessage.id == message_id
    )
    return "done"
