"""Start-up preparation: migrations and reference data on the embedded default."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from piccolo.engine.base import Engine
from redis.asyncio import Redis

import certification
import talent_pool
from service.migrations import migrate
from talent_pool.db import is_sqlite
from talent_pool.tables import OutboxMessage

log = logging.getLogger("tuoyu.bootstrap")

OUTBOX_STALE_SECONDS = 600


async def readiness(redis_url: str, now: dt.datetime) -> tuple[bool, dict[str, Any]]:
    """Whether this process can serve: the database answers (one query, which also reads the age
    of the oldest pending background job) and Redis answers when configured. Returns ``(ready,
    parts)`` — ``parts`` names each part (``database``, ``redis``, ``outbox``; work scheduled for
    later counts from when it is due). A stale outbox is
    reported (``stale`` after :data:`OUTBOX_STALE_SECONDS`) but does not make the process unready:
    it can still serve while the workers catch up."""
    parts: dict[str, Any] = {}
    ready = True
    try:
        # work scheduled for later (reminders days ahead) is not late until it is due
        rows = await OutboxMessage.raw(
            "SELECT MIN(CASE WHEN due_at IS NULL THEN created_at ELSE due_at END) AS oldest FROM tp_outbox "
            "WHERE done_at IS NULL AND failed_at IS NULL AND (due_at IS NULL OR due_at <= {})",
            now,
        )
        parts["database"] = "ok"
        oldest = rows[0]["oldest"] if rows else None
        if isinstance(oldest, str):  # SQLite returns text
            oldest = dt.datetime.fromisoformat(oldest)
        if oldest is not None and oldest.tzinfo is None:
            oldest = oldest.replace(tzinfo=dt.UTC)
        age = 0 if oldest is None else max(0, int((now - oldest).total_seconds()))
        parts["outbox"] = {
            "oldest_pending_seconds": age,
            "status": "stale" if age > OUTBOX_STALE_SECONDS else "ok",
        }
    except Exception as exc:  # any failure to reach the database means "not ready"
        parts["database"] = f"unavailable: {type(exc).__name__}"
        ready = False
    if redis_url:
        try:
            client = Redis.from_url(redis_url, socket_timeout=1, socket_connect_timeout=1)
            try:
                await client.ping()
            finally:
                await client.aclose()
            parts["redis"] = "ok"
        except Exception as exc:
            parts["redis"] = f"unavailable: {type(exc).__name__}"
            ready = False
    return ready, parts


async def seed() -> dict[str, int]:
    """Load the shipped reference data: divisions, plan indicators, certificate programmes."""
    counts = await talent_pool.seed_reference_data()
    counts["programmes"] = (await certification.seed_programmes())["total"]
    return counts


async def prepare(engine: Engine) -> None:
    """On SQLite (the embedded default) apply pending migrations and seed reference data.
    On PostgreSQL migrations are an explicit step (``tuoyu migrate``) run by the operator; the
    talent tables without planner statistics (a restored dump, autovacuum off, ``pg_upgrade``)
    are analysed (``talent_pool._statistics``)."""
    if is_sqlite(engine):
        await migrate()
        await seed()
        return
    analysed = await talent_pool.analyse_unanalysed()
    if analysed:
        log.info("planner statistics: analysed %s (they had none)", ", ".join(analysed))
