"""What a worker process sets up once: its settings, clock, database engine and event loop.

Celery tasks are synchronous functions; each worker process keeps one event loop and one
connection pool for its whole life (created lazily after the fork, per process id) and runs
the async domain functions on it. The worker reads only ``WorkerSettings``, never ``service``.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable, Coroutine
from functools import cache
from typing import Any, TypeVar

from talent_pool.db import PoolConfig, engine_for_url, start_pool, use_engine
from worker.clock import Clock
from worker.settings import WorkerSettings

T = TypeVar("T")


@cache
def settings() -> WorkerSettings:
    """This worker's settings (read once from the environment)."""
    return WorkerSettings()


def clock() -> Clock:
    """This worker's clock in the configured business zone."""
    return Clock(settings().zone)


class _ProcessLoop:
    def __init__(self) -> None:
        self.pid: int | None = None
        self.loop: asyncio.AbstractEventLoop | None = None

    def get(self) -> asyncio.AbstractEventLoop:
        if self.loop is None or self.pid != os.getpid():
            self.pid = os.getpid()
            self.loop = asyncio.new_event_loop()
            conf = settings()
            # a worker runs one task at a time: two connections are plenty
            engine = engine_for_url(conf.db_url, PoolConfig(1, 2, conf.db_pool_timeout))
            use_engine(engine)
            self.loop.run_until_complete(start_pool(engine))
        return self.loop


_process_loop = _ProcessLoop()


def run(coroutine_fn: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """Run ``coroutine_fn()`` to completion on this process's loop (engine and pool bound)."""
    return _process_loop.get().run_until_complete(coroutine_fn())
