"""The Celery application (Redis broker). Start with ``tuoyu worker``.

Three tasks, whatever the number of job kinds (docs/architecture.md, "Background work"):
``tuoyu.run_job(message_id)`` runs one outbox message through the job table
(``worker.jobs.JOBS``), and ``tuoyu.sweep_outbox`` (beat, every ``TUOYU_OUTBOX_SWEEP_SECONDS``)
publishes whatever is due — work whose lease ran out because a worker died, work lost with a
Redis that kept nothing on disk, work scheduled for later; ``tuoyu.repair`` (beat, every ten
minutes) runs the periodic repairs of ``worker.jobs.REPAIRS``. Messages are acknowledged late and
the outbox row, not the broker, is the record of what is done.
"""

from __future__ import annotations

from celery import Celery

from worker import process
from worker.dispatch import REPAIR_TASK, RUN_JOB_TASK, SWEEP_TASK
from worker.settings import WorkerSettings


def make_celery(conf: WorkerSettings | None = None) -> Celery:
    """Build a Celery app from ``conf`` (default: this worker's own settings);
    ``TUOYU_REDIS_URL`` is the broker, ``TUOYU_TASK_QUEUE`` the queue."""
    conf = conf or process.settings()
    app = Celery("tuoyu", broker=conf.redis_url or "memory://", include=["worker.tasks"])
    app.conf.update(
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        task_ignore_result=True,
        broker_connection_retry_on_startup=True,
        broker_transport_options={"visibility_timeout": 3600},
        timezone=conf.timezone,
        task_default_queue=conf.task_queue,
        task_routes={name: {"queue": conf.task_queue} for name in (RUN_JOB_TASK, SWEEP_TASK, REPAIR_TASK)},
        beat_schedule={
            "sweep-outbox": {"task": SWEEP_TASK, "schedule": conf.outbox_sweep_seconds},
            "repair": {"task": REPAIR_TASK, "schedule": 600.0},
        },
    )
    return app


celery_app = make_celery()
