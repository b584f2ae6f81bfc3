"""Celery tasks: thin wrappers that run one async domain service with ids as arguments."""

from __future__ import annotations

import asyncio
from typing import Any

from service.settings import get_settings
from worker.celery_app import celery_app
from worker.outbox import relay
from worker.registry import handler


@celery_app.task(
    name="certification.render_certificate",
    acks_late=True,
    autoretry_for=(Exception,),
    retry_backoff=True,
    max_retries=5,
)
def render_certificate(certificate_id: int) -> None:
    """Render the QR PNG and PDF of one certificate into the database (idempotent)."""
    asyncio.run(handler("certification.render_certificate")(certificate_id))


@celery_app.task(name="worker.relay_outbox", acks_late=True)
def relay_outbox() -> int:
    """Dispatch outbox messages that are still unsent (beat, every 30 s)."""
    return asyncio.run(relay())


def send(name: str, args: list[Any]) -> None:
    """Publish task ``name`` with ``args`` to the broker (``TUOYU_REDIS_URL``)."""
    celery_app.send_task(name, args=args, queue=get_settings().task_queue)
