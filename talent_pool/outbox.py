"""Recording background work: the domain side of the transactional outbox.

Domain code calls :func:`enqueue` inside its own transaction; the row commits (or rolls back)
with the change that caused it. Delivery is not the domain's business: after the transaction
commits, every registered waker is told (:func:`add_waker`), and the dispatcher chosen by the
composition root (``worker.dispatch``) claims and delivers the due rows. See
docs/architecture.md, "Background work".
"""

from __future__ import annotations

import contextvars
import datetime as dt
import json
from collections.abc import Callable
from typing import Any

from talent_pool.db import after_commit, current_engine
from talent_pool.tables import OutboxMessage

_wakers: list[Callable[[], None]] = []

correlation_id: contextvars.ContextVar[str] = contextvars.ContextVar("tuoyu_correlation_id", default="")
"""The id of the request (or job) now running; stored with the work it records, so logs of that
work can be traced back to it. Set by the composition root; empty outside any request."""


def add_waker(waker: Callable[[], None]) -> Callable[[], None]:
    """Call ``waker()`` (quick, thread-safe, must not raise) after each transaction that
    enqueued work commits. Returns a function that removes it again."""
    _wakers.append(waker)

    def remove() -> None:
        if waker in _wakers:
            _wakers.remove(waker)

    return remove


def _wake() -> None:
    for waker in list(_wakers):
        waker()


async def pending_args(task: str) -> list[list[Any]]:
    """The arguments of every message of ``task`` that is neither done nor failed (waiting,
    scheduled or being delivered) — what a repair must not enqueue again."""
    rows = await OutboxMessage.select(OutboxMessage.args).where(
        (OutboxMessage.task == task) & OutboxMessage.done_at.is_null() & OutboxMessage.failed_at.is_null()
    )
    return [decode_args(r["args"]) for r in rows]


def decode_args(args: Any) -> list[Any]:
    """Stored job arguments as a list (drivers return JSON text or decoded values)."""
    return list(json.loads(args) if isinstance(args, str | bytes) else (args or []))


async def enqueue(task: str, *args: Any, due_at: dt.datetime | None = None) -> int:
    """Record that ``task(*args)`` must run once this transaction commits (or at ``due_at``,
    an aware UTC instant, when given); returns the outbox row id.

    ``task`` is a name from the job table (``worker.jobs.JOBS``); ``args`` must be JSON values
    (ids, not objects). Raises ``RuntimeError`` outside a transaction: work recorded without
    one could be committed without the change that causes it, or the other way round.
    """
    if current_engine().current_transaction.get() is None:
        raise RuntimeError("enqueue() must run inside talent_pool.db.atomic()")
    if due_at is not None and due_at.utcoffset() is None:
        raise ValueError("due_at must be timezone-aware")
    row = OutboxMessage(task=task, args=list(args), due_at=due_at, correlation_id=correlation_id.get()[:64])
    await row.save()
    after_commit(_wake)
    return int(row.id)
