"""Verification log rows written in batches.

Every public verification is logged (``ce_verification_log``). Writing the row inside the request
would double the cost of a QR scan (one statement to look the certificate up, one to log it);
instead the service collects the rows and writes them in one statement every
:data:`FLUSH_SECONDS` (or every :data:`BATCH` rows), and once more at shutdown. The answers never
wait for the log. A process killed without a shutdown loses at most the last second of log rows;
when the database is down the rows wait (at most :data:`MAX_PENDING`, oldest dropped first, with a
warning).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from certification import VerificationRecord, record_verifications

log = logging.getLogger("tuoyu.verification_log")

FLUSH_SECONDS = 1.0
BATCH = 500
MAX_PENDING = 50_000


class VerificationLogBuffer:
    """Collects :class:`~certification.VerificationRecord` rows and writes them in batches."""

    def __init__(self, flush_seconds: float = FLUSH_SECONDS) -> None:
        self.flush_seconds = flush_seconds
        self._pending: list[VerificationRecord] = []
        self._task: asyncio.Task[None] | None = None
        self._full = asyncio.Event()

    def add(self, record: VerificationRecord) -> None:
        """Queue one row (never blocks, never raises)."""
        self._pending.append(record)
        if len(self._pending) > MAX_PENDING:
            dropped = len(self._pending) - MAX_PENDING
            del self._pending[:dropped]
            log.warning("verification log: database unreachable, dropped %s oldest rows", dropped)
        if len(self._pending) >= BATCH:
            self._full.set()

    async def flush(self) -> int:
        """Write what is queued; returns how many rows were written (0 when the write failed:
        the rows stay queued)."""
        batch, self._pending = self._pending, []
        if not batch:
            return 0
        try:
            return await record_verifications(batch)
        except Exception as exc:
            self._pending[:0] = batch
            log.warning("verification log: %s rows wait, the write failed: %r", len(batch), exc)
            return 0

    async def start(self) -> None:
        """Flush in the background every ``flush_seconds`` (or sooner when a batch is full)."""
        self._full = asyncio.Event()
        self._task = asyncio.create_task(self._run(), name="tuoyu-verification-log")

    async def stop(self) -> None:
        """Stop the background task and write what is left."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        await self.flush()

    async def _run(self) -> None:
        while True:
            with contextlib.suppress(TimeoutError):  # asyncio.timeout: cancellation is never lost
                async with asyncio.timeout(self.flush_seconds):
                    await self._full.wait()
            self._full.clear()
            await self.flush()
