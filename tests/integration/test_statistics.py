"""The planner's statistics after bulk loads (talent_pool._statistics): a committed import
analyses the table it loaded, a dry run does not; the web service's start-up analyses the tables
that hold rows and were never analysed. Read from PostgreSQL's own ``pg_stat_user_tables``."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from talent_pool import import_stream
from talent_pool.db import analyze_never_analysed, fetch_rows
from talent_pool.tables import Division
from tests.integration.test_imports import EMPLOYERS, csv_bytes

TODAY = dt.date(2026, 11, 29)


async def _analysed(table: str) -> Any:
    rows = await fetch_rows(
        Division, "SELECT last_analyze FROM pg_stat_user_tables WHERE relname = {}", table
    )
    return rows[0]["last_analyze"] if rows else None


async def test_a_committed_import_analyses_what_it_loaded(db: None) -> None:
    before = await _analysed("tp_employer")
    data = csv_bytes(EMPLOYERS, "utf-8")
    dry = await import_stream("employers", io.BytesIO(data), today=TODAY, dry_run=True, by="test")
    assert dry.created == 2
    assert await _analysed("tp_employer") == before  # a dry run wrote nothing
    done = await import_stream("employers", io.BytesIO(data), today=TODAY, dry_run=False, by="test")
    assert done.created == 2
    after = await _analysed("tp_employer")
    assert after is not None and (before is None or after > before)


async def test_tables_never_analysed_are_analysed_once(db: None) -> None:
    table = "tmp_never_analysed"
    await Division.raw(f"DROP TABLE IF EXISTS {table}")
    await Division.raw(f"CREATE TABLE {table} (n integer)")
    try:
        await Division.raw(f"INSERT INTO {table} SELECT generate_series(1, 500)")
        assert await _analysed(table) is None
        assert await analyze_never_analysed([table, "tp_division"]) in ([table], [table, "tp_division"])
        assert await _analysed(table) is not None
        assert table not in await analyze_never_analysed([table])  # analysed now: left alone
    finally:
        await Division.raw(f"DROP TABLE IF EXISTS {table}")
