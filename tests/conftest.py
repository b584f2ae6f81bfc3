"""Test set-up: a fresh PostgreSQL database per run, migrated with the committed migrations.

PostgreSQL and Redis are real servers (DESIGN.md: no fakes of the database or broker). When
either is unreachable the run stops at once with a message saying which one and how to start it.
The engine is chosen from ``TUOYU_DATABASE_URL`` at import time of the tables, so this module
sets it before anything imports ``piccolo_conf``.
"""

from __future__ import annotations

import asyncio
import os
import socket
import tempfile
import uuid
from collections.abc import AsyncIterator, Iterator

import pytest

PG_ADMIN_URL = os.environ.get("TUOYU_TEST_PG_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
REDIS_URL = os.environ.get("TUOYU_TEST_REDIS_URL", "redis://127.0.0.1:6379/14")
TEST_DB = f"tuoyu_test_{os.getpid()}_{uuid.uuid4().hex[:6]}"
TEST_DB_URL = PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + TEST_DB


def _reachable(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=2):
            return True
    except OSError:
        return False


def _require_servers() -> None:
    missing = []
    if not _reachable("127.0.0.1", 5432):
        missing.append(
            "PostgreSQL at 127.0.0.1:5432 "
            "(start: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start)"
        )
    if not _reachable("127.0.0.1", 6379):
        missing.append("Redis at 127.0.0.1:6379 (start: redis-server --daemonize yes --port 6379)")
    if missing:
        pytest.exit("Tests need real servers that are not running:\n  " + "\n  ".join(missing), 3)


_require_servers()
os.environ["TUOYU_DATABASE_URL"] = TEST_DB_URL
os.environ["TUOYU_DATA_DIR"] = tempfile.mkdtemp(prefix="tuoyu-test-data-")
# a queue of this run's own: a worker of another run on the same Redis never takes our tasks
os.environ["TUOYU_TASK_QUEUE"] = f"tuoyu-{TEST_DB}"
# Rate limits are exercised by their own tests with low limits; elsewhere many logins and
# verifications come from the one test client (and may share Redis with a parallel run).
os.environ["TUOYU_LOGIN_RATE_PER_MINUTE"] = "100000"
os.environ["TUOYU_VERIFY_RATE_PER_MINUTE"] = "100000"
os.environ.pop("TUOYU_REDIS_URL", None)  # API tests opt in to Celery explicitly


async def _admin(sql: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(PG_ADMIN_URL)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


def pytest_sessionstart(session: pytest.Session) -> None:
    asyncio.run(_admin(f'CREATE DATABASE "{TEST_DB}"'))
    from service.migrations import migrate

    asyncio.run(migrate())


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    asyncio.run(_admin(f'DROP DATABASE IF EXISTS "{TEST_DB}" WITH (FORCE)'))


@pytest.fixture(scope="session")
def test_db_url() -> str:
    """The PostgreSQL URL of this run's database."""
    return TEST_DB_URL


@pytest.fixture(scope="session")
def redis_url() -> str:
    """A Redis database reserved for tests (flushed by the fixtures that use it)."""
    return REDIS_URL


async def truncate_all() -> None:
    """Empty every application table (keeps the migration table) and re-seed reference data
    (divisions, plan indicators, certificate programmes)."""
    from service.bootstrap import seed
    from talent_pool.tables import Division

    rows = await Division.raw(
        "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'migration'"
    )
    names = ", ".join(f'"{r["tablename"]}"' for r in rows)
    if names:
        await Division.raw(f"TRUNCATE {names} RESTART IDENTITY CASCADE")
    await seed()


@pytest.fixture
async def db() -> AsyncIterator[None]:
    """A clean, seeded database for one test."""
    await truncate_all()
    yield


@pytest.fixture
def tmp_data_dir(tmp_path: object) -> Iterator[object]:
    yield tmp_path
