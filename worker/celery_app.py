"""The Celery application (Redis broker). Start with ``tuoyu worker``.

Tasks are idempotent and acknowledged late (``acks_late``): a worker killed mid-task leaves
the message on the broker for another worker. The beat schedule relays the outbox every
30 seconds so that a message written by a process that died before relaying still goes out.
"""

from __future__ import annotations

from celery import Celery

from service.settings import get_settings


def make_celery() -> Celery:
    """Build the Celery app from settings (``TUOYU_REDIS_URL`` is the broker)."""
    settings = get_settings()
    broker = settings.redis_url or "memory://"
    app = Celery("tuoyu", broker=broker, include=["worker.tasks"])
    app.conf.update(
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        task_ignore_result=True,
        broker_connection_retry_on_startup=True,
        timezone=settings.timezone,
        task_default_queue=settings.task_queue,
        beat_schedule={
            "relay-outbox": {"task": "worker.relay_outbox", "schedule": 30.0},
        },
    )
    return app


celery_app = make_celery()
