"""A statement of the web service that the database does not answer (a lock held elsewhere)
is cancelled after ``TUOYU_DB_COMMAND_TIMEOUT`` seconds: the request gets 503 with
``Retry-After`` (code ``unavailable``) — never a hang, never a 500. Migrations, the CLI and the
Celery worker get no such timeout."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

import asyncpg

from talent_pool.db import unbounded_statements, use_engine
from tests.servers import TEST_DB_URL, serve_in_process, settings_for


async def test_a_statement_waiting_on_a_lock_answers_503_after_the_command_timeout(
    db: None, pg_engine: Any, tmp_path: Path
) -> None:
    from service.app import create_app

    settings = settings_for(tmp_path, db_command_timeout=1)
    app = create_app(settings)  # its own engine: the web pool, with the command timeout
    try:
        async with serve_in_process(app) as client:
            assert app.state.rt.engine.pool_config.command_timeout == 1
            holder = await asyncpg.connect(TEST_DB_URL)  # another session holds the table
            try:
                await holder.execute("BEGIN; LOCK TABLE ce_certificate IN ACCESS EXCLUSIVE MODE")
                for url in ("/v/S000000000000000000001", "/api/verify/S000000000000000000001"):
                    start = time.monotonic()
                    answer = await client.get(url, headers={"Accept": "application/json"})
                    elapsed = time.monotonic() - start
                    assert answer.status_code == 503, (url, answer.text)
                    assert answer.headers["retry-after"] == "5"
                    assert answer.json()["code"] == "unavailable", answer.text
                    # 1 s a try: the route once, the scan path's try and then the route's (2 s)
                    assert elapsed < 5, (url, elapsed)
                # background work (the dispatcher's task) waits for the lock, however long
                waiting = asyncio.create_task(_count_certificates_unbounded())
                await asyncio.sleep(1.5)
                assert not waiting.done()
                await holder.execute("ROLLBACK")
                assert await asyncio.wait_for(waiting, 5) == 0
            finally:
                await holder.close()
            again = await client.get("/v/S000000000000000000001", headers={"Accept": "application/json"})
            assert again.status_code != 503, again.text  # the pool's connections still work
    finally:
        use_engine(pg_engine)


async def _count_certificates_unbounded() -> int:
    from certification.tables import Certificate

    with unbounded_statements():
        return await Certificate.count()


def test_only_the_web_pool_has_a_command_timeout(tmp_path: Path) -> None:
    from service.settings import Settings

    settings = Settings(data_dir=tmp_path, database_url=TEST_DB_URL)
    assert settings.db_command_timeout == 30
    assert settings.web_pool.command_timeout == 30
    assert settings.pool.command_timeout is None  # piccolo_conf (migrations), the CLI, the worker
    assert Settings(data_dir=tmp_path, db_command_timeout=0).web_pool.command_timeout is None
