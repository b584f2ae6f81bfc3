"""When every pooled connection stays busy, requests wait briefly and then get 503 with
``Retry-After`` — never a database error, never a hang."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from talent_pool.db import use_engine
from tests.servers import serve_in_process, settings_for


async def test_an_exhausted_pool_answers_503_with_retry_after(
    db: None, pg_engine: Any, tmp_path: Path
) -> None:
    from service.app import create_app

    settings = settings_for(tmp_path, db_pool_min=1, db_pool_max=1, db_pool_timeout=0.3)
    app = create_app(settings)  # its own engine: a pool of one connection
    try:
        async with serve_in_process(app) as client:
            engine = app.state.rt.engine
            held = await engine.pool.acquire()  # a long transaction elsewhere holds the only one
            try:
                busy = await client.get("/api/catalog/offerings")
                assert busy.status_code == 503, busy.text
                assert busy.headers["retry-after"] == "5"
                assert busy.json()["code"] == "unavailable" and "稍后" in busy.json()["detail"]
                assert (await client.get("/health")).status_code == 200  # liveness needs no database
            finally:
                await engine.pool.release(held)
            assert (await client.get("/api/catalog/offerings")).status_code == 200
    finally:
        use_engine(pg_engine)


async def test_a_database_refusing_connections_answers_503(db: None, pg_engine: Any, tmp_path: Path) -> None:
    """``ALTER DATABASE … ALLOW_CONNECTIONS false`` (asyncpg's
    ``ObjectNotInPrerequisiteStateError`` when the pool opens a connection): 503 with
    ``Retry-After``, code ``unavailable`` — not a 500."""
    from service.app import create_app
    from tests.servers import TEST_DB, _admin

    settings = settings_for(tmp_path, db_pool_min=1, db_pool_max=4)
    app = create_app(settings)
    try:
        async with serve_in_process(app) as client:
            engine = app.state.rt.engine
            await _admin(f'ALTER DATABASE "{TEST_DB}" ALLOW_CONNECTIONS false')
            try:
                await engine.pool.expire_connections()  # the next acquire opens a new connection
                refused = await client.get("/api/catalog/offerings")
                assert refused.status_code == 503, refused.text
                assert refused.headers["retry-after"] == "5"
                assert refused.json()["code"] == "unavailable"
            finally:
                await _admin(f'ALTER DATABASE "{TEST_DB}" ALLOW_CONNECTIONS true')
            assert (await client.get("/api/catalog/offerings")).status_code == 200
    finally:
        use_engine(pg_engine)
