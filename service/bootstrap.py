"""Start-up preparation: migrations and reference data on the embedded default."""

from __future__ import annotations

from piccolo.engine.base import Engine

import certification
import talent_pool
from service.migrations import migrate
from talent_pool.db import is_sqlite
from talent_pool.tables import Division


async def check_database() -> None:
    """Run a trivial query; raises when the database is unreachable."""
    await Division.count()


async def seed() -> dict[str, int]:
    """Load the shipped reference data: divisions, plan indicators, certificate programmes."""
    counts = await talent_pool.seed_reference_data()
    counts["programmes"] = (await certification.seed_programmes())["total"]
    return counts


async def prepare(engine: Engine) -> None:
    """On SQLite (the embedded default) apply pending migrations and seed reference data.
    On PostgreSQL migrations are an explicit step (``tuoyu migrate``) run by the operator."""
    if is_sqlite(engine):
        await migrate()
        await seed()
