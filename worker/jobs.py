"""The one table of background jobs: task name → async domain function and its lease.

Adding a kind of background work is one domain function (idempotent, ids as arguments, a
keyword ``now``) plus one line here; the domain records it with
``talent_pool.outbox.enqueue(NAME, *ids)`` (docs/architecture.md, "Add a background job").
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Coroutine, Mapping
from dataclasses import dataclass, replace
from typing import Any

import certification
import talent_pool
import training
from worker.targets import nightly_snapshot

JobFn = Callable[..., Coroutine[Any, Any, Any]]


@dataclass(frozen=True, slots=True)
class Job:
    """How to run one kind of background work.

    ``fn(*args, now=<aware UTC datetime>)`` does the work and commits its effect; it must be
    idempotent (a redelivered message runs it again). ``lease``: how long a delivered message
    may run before it counts as lost and is delivered again — longer than the job ever takes,
    short enough that a killed worker's work resumes soon. ``max_attempts``: deliveries before
    the message is marked failed (``tuoyu doctor`` lists it). ``on_give_up(*args, now=…,
    error=<the exception>, attempts=<deliveries made>)``: for a job whose own record shows a
    status to people (an import job's 处理中), ends that record as failed with a reason when the
    message is given up, in the transaction that marks the message failed — never left
    "running" forever.
    """

    fn: JobFn
    lease: dt.timedelta = dt.timedelta(minutes=2)
    max_attempts: int = 8
    on_give_up: JobFn | None = None


@dataclass(frozen=True, slots=True)
class Repair:
    """A periodic check that finds lost work and enqueues it again: ``fn(now=…)`` returns how
    many items it repaired. Run by the dispatcher (and the Celery beat) every ``every``, and by
    ``tuoyu doctor --repair``. ``zoned``: ``fn`` also takes ``zone`` (the business time zone)."""

    name: str
    fn: Callable[..., Coroutine[Any, Any, int]]
    every: dt.timedelta = dt.timedelta(minutes=10)
    zoned: bool = False


def _with_notifier(fn: JobFn) -> JobFn:
    from worker.notify import with_notifier  # the adapters bound by the process (worker/notify.py)

    return with_notifier(fn)


JOBS: dict[str, Job] = {
    certification.RENDER_TASK: Job(certification.render_certificates, lease=dt.timedelta(minutes=3)),
    training.NOTIFY_TASK: Job(_with_notifier(training.notify), lease=dt.timedelta(minutes=2)),
    certification.CLOSE_TASK: Job(certification.close_attempt, lease=dt.timedelta(minutes=1)),
    certification.BULK_TASK: Job(
        certification.run_bulk_verification,
        lease=dt.timedelta(minutes=10),
        on_give_up=certification.fail_bulk_verification,
    ),
    talent_pool.IMPORT_TASK: Job(
        talent_pool.run_import_job,
        lease=dt.timedelta(minutes=30),
        max_attempts=3,
        on_give_up=talent_pool.fail_import_job,
    ),
}

REPAIRS: list[Repair] = [
    Repair("certificates without documents", certification.enqueue_missing_renders),
    Repair("nightly targets snapshot", nightly_snapshot, zoned=True),
]


def jobs_with_lease(lease_seconds: float, jobs: Mapping[str, Job] | None = None) -> Mapping[str, Job]:
    """``jobs`` (default :data:`JOBS`) with every lease replaced by ``lease_seconds`` (seconds,
    from ``TUOYU_JOB_LEASE_SECONDS``); ``0`` keeps each job's own lease. Every process that
    claims outbox messages (web and worker) must use the same value."""
    table = JOBS if jobs is None else jobs
    if not lease_seconds:
        return table
    lease = dt.timedelta(seconds=lease_seconds)
    return {name: replace(job, lease=lease) for name, job in table.items()}
