"""The Celery tasks: run one outbox message; sweep the outbox (beat)."""

from __future__ import annotations

from worker import process
from worker.celery_app import celery_app
from worker.dispatch import REPAIR_TASK, RUN_JOB_TASK, SWEEP_TASK, CeleryDispatcher
from worker.jobs import jobs_with_lease
from worker.outbox import run_message


@celery_app.task(name=RUN_JOB_TASK, acks_late=True)
def run_job(message_id: int) -> str:
    """Run outbox message ``message_id`` (its job is idempotent; an already done message is
    skipped). Returns ``done`` / ``skipped`` / ``retry`` / ``failed``."""
    return process.run(lambda: run_message(message_id, process.clock()))


@celery_app.task(name=SWEEP_TASK, acks_late=True)
def sweep_outbox() -> int:
    """Publish every due outbox message as ``tuoyu.run_job`` (beat); returns how many."""
    settings = process.settings()
    dispatcher = CeleryDispatcher(
        process.clock(), celery_app, settings.task_queue, jobs=jobs_with_lease(settings.job_lease_seconds)
    )
    return process.run(dispatcher.relay)


@celery_app.task(name=REPAIR_TASK, acks_late=True)
def repair() -> dict[str, int]:
    """Run every periodic repair (beat): lost work is enqueued again; returns counts per repair."""
    settings = process.settings()
    dispatcher = CeleryDispatcher(
        process.clock(), celery_app, settings.task_queue, jobs=jobs_with_lease(settings.job_lease_seconds)
    )
    return process.run(lambda: dispatcher.repair(force=True))
