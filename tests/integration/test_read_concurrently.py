"""``talent_pool.db.read_concurrently`` on the real PostgreSQL pool: the reads of one request run
at once on their own pooled connections, answer in the order given, stop together when one
fails, and run one after the other inside a transaction (whose single connection asyncpg would
refuse to share)."""

from __future__ import annotations

from typing import Any

import pytest

from talent_pool.db import atomic, fetch_rows, read_concurrently
from talent_pool.errors import ValidationFailed
from talent_pool.tables import Division

LONG = "SELECT pg_sleep(2), 'long' AS name"
# while it sleeps, is the other read's statement running on another connection?
LOOK = (
    "SELECT pg_sleep(0.5), 'look' AS name, (SELECT count(*) FROM pg_stat_activity"
    " WHERE state = 'active' AND query LIKE 'SELECT pg_sleep(2)%') AS others"
)


async def test_reads_run_at_once_and_answer_in_order(db: None) -> None:
    long, look = await read_concurrently(fetch_rows(Division, LONG), fetch_rows(Division, LOOK))
    assert [long[0]["name"], look[0]["name"]] == ["long", "look"]
    assert look[0]["others"] == 1


async def test_inside_a_transaction_they_run_one_after_the_other(db: None) -> None:
    async with atomic():
        long, look, count = await read_concurrently(
            fetch_rows(Division, LONG), fetch_rows(Division, LOOK), Division.count()
        )
    assert look[0]["others"] == 0  # the long read had finished
    assert long[0]["name"] == "long"
    assert count > 0


async def test_one_failing_read_stops_the_others(db: None) -> None:
    async def refuse() -> Any:
        raise ValidationFailed("范围 city:0 不存在")

    with pytest.raises(ValidationFailed):
        await read_concurrently(fetch_rows(Division, "SELECT pg_sleep(60)"), refuse())
    # the sleeping statement was cancelled, and the pool still answers
    running = await fetch_rows(
        Division,
        "SELECT count(*) AS n FROM pg_stat_activity WHERE state = 'active' AND query = 'SELECT pg_sleep(60)'",
    )
    assert running[0]["n"] == 0
    assert await Division.count() > 0
