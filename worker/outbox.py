"""Outbox relay: dispatch messages written in a committed transaction.

A message is *claimed* by a conditional update (``sent_at IS NULL``), so two relays running
at once never both send it; if sending fails the claim is released and ``attempts`` grows.
With no broker configured, the message's service runs right here, in-process.
"""

from __future__ import annotations

import datetime as dt
import logging

from service.settings import get_settings
from talent_pool.tables import OutboxMessage
from worker.registry import handler

log = logging.getLogger(__name__)


async def _claim(message_id: int) -> bool:
    rows = await OutboxMessage.raw(
        "UPDATE tp_outbox SET sent_at = {}, attempts = attempts + 1 "
        "WHERE id = {} AND sent_at IS NULL RETURNING id",
        dt.datetime.now(dt.UTC),
        message_id,
    )
    return bool(rows)


async def _release(message_id: int) -> None:
    await OutboxMessage.update({OutboxMessage.sent_at: None}).where(OutboxMessage.id == message_id)


async def relay(limit: int = 500) -> int:
    """Dispatch up to ``limit`` unsent outbox messages, oldest first; returns how many went.

    In-process mode (no ``TUOYU_REDIS_URL``) awaits each task's service directly; otherwise
    publishes to Celery. A failure leaves the message unsent for the next relay.
    """
    settings = get_settings()
    pending = await (
        OutboxMessage.select(OutboxMessage.id, OutboxMessage.task, OutboxMessage.args)
        .where(OutboxMessage.sent_at.is_null())
        .order_by(OutboxMessage.id)
        .limit(limit)
        .output(load_json=True)
    )
    sent = 0
    for msg in pending:
        if not await _claim(msg["id"]):
            continue
        args = list(msg["args"] or [])
        try:
            if settings.tasks_in_process:
                await handler(msg["task"])(*args)
            else:
                from worker.tasks import send

                send(msg["task"], args)
        except Exception:
            log.exception("outbox message %s (%s) failed; will retry", msg["id"], msg["task"])
            await _release(msg["id"])
            continue
        sent += 1
    return sent
