"""The planner's statistics of the talent-pool tables (PostgreSQL's ``ANALYZE``).

The targets statement, the drill-down lists and the search join these tables; without statistics
PostgreSQL guesses a handful of rows for a filtered table and may pick nested loops that grow
with the square of the data (the targets took 650 ms on the never-analysed demo data against
22 ms analysed — a trial, 2026-11-30). Autovacuum analyses a table some time after it changed,
or never when it is off; so a bulk load analyses what it loaded (an import, the demo's
workforce), and the web service analyses at start-up what was never analysed (a restored dump, a
server with autovacuum off)."""

from __future__ import annotations

from talent_pool.db import analyze, analyze_never_analysed
from talent_pool.tables import Credential, Division, Employer, Employment, Practitioner, TrainingRecord

TALENT_TABLES = tuple(
    t._meta.tablename for t in (Division, Employer, Practitioner, Employment, Credential, TrainingRecord)
)
"""The tables the targets and the drill-downs read."""


async def refresh_statistics(*tables: str) -> None:
    """``ANALYZE`` ``tables`` (default: :data:`TALENT_TABLES`) after a bulk load, outside its
    transaction (inside one: nothing, see :func:`talent_pool.db.analyze`)."""
    await analyze(*(tables or TALENT_TABLES))


async def analyse_unanalysed() -> list[str]:
    """``ANALYZE`` the talent tables without planner statistics
    (:func:`talent_pool.db.analyze_never_analysed`); returns their names (PostgreSQL; ``[]`` on
    SQLite)."""
    return await analyze_never_analysed(TALENT_TABLES)
