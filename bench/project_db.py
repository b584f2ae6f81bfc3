"""The project's own library in the bench process: bind its tables to a bench database.

Preparing data (sittings and results, offerings, accounts) goes through the packages' public
functions, exactly as the tests do (``tests/factories.py``), so the data is what the application
itself would store. The business date comes from the project's clock in the business zone, the
same date ``tuoyu serve`` uses.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

from bench import pg
from worker.clock import Clock

# the zone ``tuoyu serve`` uses (TUOYU_TIMEZONE is not passed to the servers: its default)
CLOCK = Clock("Asia/Shanghai")


@contextlib.asynccontextmanager
async def bound_to(database: str) -> AsyncIterator[None]:
    """Every Piccolo table of the project uses ``database`` (pooled) inside the block."""
    from talent_pool.db import close_pool, engine_for_url, start_pool, use_engine

    engine = engine_for_url(pg.url(database))
    use_engine(engine)
    await start_pool(engine)
    try:
        yield
    finally:
        await close_pool(engine)
