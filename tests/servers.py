"""Fixtures backed by the real servers (PostgreSQL, Redis, a Celery worker), created lazily.

Each test run creates its own database ``tuoyu_test_<pid>_<hex>``, migrated with the committed
migrations, and drops it at the end; databases left behind by runs whose process is gone are
swept at start. The run's engine keeps a small pool (``POOL``), so several runs at once on one
PostgreSQL stay far below ``max_connections``. When a server is unreachable the run stops with
a message saying which one and how to start it (real servers only — no fakes).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest

PG_ADMIN_URL = os.environ.get("TUOYU_TEST_PG_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
REDIS_URL = os.environ.get("TUOYU_TEST_REDIS_URL", "redis://127.0.0.1:6379/14")
TEST_DB = f"tuoyu_test_{os.getpid()}_{uuid.uuid4().hex[:6]}"
TEST_DB_URL = PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + TEST_DB
REPO = Path(__file__).resolve().parents[1]
_STALE = re.compile(r"^tuoyu_test_(\d+)_[0-9a-f]{6}$")


def _reachable(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=2):
            return True
    except OSError:
        return False


def require_postgres() -> None:
    """Stop the run at once, saying how to start it, when PostgreSQL does not answer."""
    if not _reachable("127.0.0.1", 5432):
        pytest.exit(
            "Tests need PostgreSQL at 127.0.0.1:5432, which is not running "
            "(start: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start)",
            3,
        )


def require_redis() -> None:
    """Stop the run at once, saying how to start it, when Redis does not answer."""
    if not _reachable("127.0.0.1", 6379):
        pytest.exit("Tests need Redis at 127.0.0.1:6379 (start: redis-server --daemonize yes --port 6379)", 3)


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


async def _admin(*sql: str) -> list[Any]:
    import asyncpg

    conn = await asyncpg.connect(PG_ADMIN_URL)
    try:
        out = []
        for statement in sql:
            out.append(await conn.fetch(statement))
        return out
    finally:
        await conn.close()


async def sweep_stale_databases() -> list[str]:
    """Drop ``tuoyu_test_<pid>_…`` databases whose test process is gone; returns their names."""
    (rows,) = await _admin("SELECT datname FROM pg_database WHERE datname LIKE 'tuoyu_test_%'")
    stale = []
    for row in rows:
        match = _STALE.match(row["datname"])
        if match and int(match.group(1)) != os.getpid() and not _pid_alive(int(match.group(1))):
            stale.append(row["datname"])
    for name in stale:
        await _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    return stale


@pytest.fixture(scope="session")
def test_db_url() -> str:
    """The PostgreSQL URL of this run's database (created by ``pg_engine``)."""
    return TEST_DB_URL


@pytest.fixture(scope="session")
def redis_url() -> str:
    """A Redis database reserved for tests (flushed by the fixtures that use it)."""
    require_redis()
    return REDIS_URL


@pytest.fixture(scope="session")
async def pg_engine() -> AsyncIterator[Any]:
    """This run's PostgreSQL database, migrated, bound to every table, with a small pool."""
    require_postgres()
    from service.migrations import migrate
    from talent_pool.db import PoolConfig, close_pool, engine_for_url, start_pool, use_engine

    await sweep_stale_databases()
    await _admin(f'CREATE DATABASE "{TEST_DB}"')
    engine = engine_for_url(TEST_DB_URL, PoolConfig(min_size=1, max_size=4, acquire_timeout=30))
    use_engine(engine)
    await start_pool(engine)
    try:
        await migrate()
        yield engine
    finally:
        await close_pool(engine)
        await _admin(f'DROP DATABASE IF EXISTS "{TEST_DB}" WITH (FORCE)')


# What every application table held right after the last reset: ``{table: (md5 of its rows,
# values of the sequences it owns)}``. A reset truncates only the tables that differ from it.
_clean_state: dict[str, tuple[str, tuple[Any, ...]]] = {}


async def _table_states() -> dict[str, tuple[str, tuple[Any, ...]]]:
    """Every application table (all but ``migration``) with a fingerprint of its contents: the
    md5 of its rows (as text, sorted) and the last values of the sequences it owns (``None``:
    not used since created or restarted). Two queries, whatever the number of tables."""
    from talent_pool.tables import Division

    tables = [
        r["tablename"]
        for r in await Division.raw(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'migration'"
        )
    ]
    if not tables:
        return {}
    digests = " UNION ALL ".join(
        f"SELECT '{t}' AS t, (SELECT md5(coalesce(string_agg(x::text, '|' ORDER BY x::text), '')) "
        f'FROM "{t}" x) AS digest'
        for t in tables
    )
    rows = await Division.raw(digests)
    sequences = await Division.raw(
        "SELECT t.relname AS t, s.relname AS s, pg_sequence_last_value(s.oid) AS last "
        "FROM pg_class s JOIN pg_depend d ON d.classid = 'pg_class'::regclass AND d.objid = s.oid "
        "AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i') "
        "JOIN pg_class t ON t.oid = d.refobjid JOIN pg_namespace n ON n.oid = t.relnamespace "
        "WHERE s.relkind = 'S' AND n.nspname = 'public'"
    )
    owned: dict[str, list[tuple[str, Any]]] = {}
    for r in sequences:
        owned.setdefault(r["t"], []).append((r["s"], r["last"]))
    return {r["t"]: (r["digest"], tuple(sorted(owned.get(r["t"], [])))) for r in rows}


async def truncate_all() -> None:
    """Bring every application table (all but the migration table) back to its state right
    after ``TRUNCATE … RESTART IDENTITY`` and re-seeding the reference data (divisions, plan
    indicators, certificate programmes).

    Exactly what truncating every table and seeding gives, but cheaper: the tables whose rows
    and owned sequences are unchanged since the last reset (compared by fingerprint, see
    :func:`_table_states`) are left alone; the others are truncated (``RESTART IDENTITY
    CASCADE``) and re-seeded. The first reset of a run, and any table not seen before (a
    migration a test ran), are always truncated."""
    from service.bootstrap import seed
    from talent_pool.tables import Division

    global _clean_state
    now = await _table_states()
    dirty = [t for t, state in now.items() if _clean_state.get(t) != state]
    if dirty:
        names = ", ".join(f'"{t}"' for t in dirty)
        await Division.raw(f"TRUNCATE {names} RESTART IDENTITY CASCADE")
    await seed()
    _clean_state = await _table_states()


@pytest.fixture
async def db(pg_engine: Any) -> AsyncIterator[None]:
    """A clean, seeded database for one test."""
    await truncate_all()
    yield


def settings_for(tmp_path: Path, **overrides: Any) -> Any:
    """Service settings for this run's database, high rate limits, a temporary data folder."""
    from service.settings import Settings

    values: dict[str, Any] = {
        "data_dir": tmp_path,
        "database_url": TEST_DB_URL,
        "redis_url": "",
        "login_rate_per_minute": 100_000,
        "verify_rate_per_minute": 100_000,
        "outbox_sweep_seconds": 1.0,
    }
    values.update(overrides)
    return Settings(**values)


@pytest.fixture(scope="session")
def celery_worker(
    pg_engine: Any, redis_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, str]]:
    """A real ``celery worker`` subprocess on the test Redis database and this run's PostgreSQL
    database, consuming a queue of this run's own (Redis is shared with other runs and never
    flushed). Yields the settings the app must publish with."""
    log_path = tmp_path_factory.mktemp("celery") / "worker.log"
    queue = f"tuoyu-{TEST_DB}"
    env = dict(os.environ)
    env.update(
        TUOYU_DATABASE_URL=TEST_DB_URL,
        TUOYU_REDIS_URL=redis_url,
        TUOYU_TASK_QUEUE=queue,
        TUOYU_OUTBOX_SWEEP_SECONDS="2",
        PYTHONPATH=str(REPO),
    )
    name = f"test-{uuid.uuid4().hex[:8]}@%h"
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "worker.celery_app",
                "worker",
                "--pool=solo",
                "--loglevel=INFO",
                "-Q",
                queue,
                "-n",
                name,
                "--without-gossip",
                "--without-mingle",
            ],
            cwd=REPO,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 60
        while b"ready." not in log_path.read_bytes():
            if proc.poll() is not None:
                raise RuntimeError("Celery worker exited:\n" + log_path.read_text(errors="replace"))
            if time.monotonic() > deadline:
                raise RuntimeError(
                    "Celery worker not ready in 60 s:\n" + log_path.read_text(errors="replace")
                )
            time.sleep(0.2)
        yield {"redis_url": redis_url, "task_queue": queue}
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()


@contextlib.asynccontextmanager
async def serve_in_process(app: Any, client_address: str = "127.0.0.1") -> AsyncIterator[Any]:
    """An HTTP client for ``app`` running in *this* event loop (lifespan included), so the app
    shares the run's pooled engine (an asyncpg pool belongs to one loop; Litestar's own test
    client runs the app on a loop of its own in another thread). Requests come from
    ``client_address`` (a test counting per-address limits in the shared Redis picks its own)."""
    import httpx

    started, stop = asyncio.Event(), asyncio.Event()

    async def run_lifespan() -> None:  # enter and leave the lifespan in one task (anyio scopes)
        async with app.lifespan():
            started.set()
            await stop.wait()

    lifespan = asyncio.create_task(run_lifespan())
    await asyncio.wait([lifespan, asyncio.create_task(started.wait())], return_when=asyncio.FIRST_COMPLETED)
    if lifespan.done():
        lifespan.result()  # start-up failed: raise its error
    try:
        transport = httpx.ASGITransport(app=app, client=(client_address, 123))
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver.local") as client:
            client.app = app  # type: ignore[attr-defined]
            yield client
    finally:
        stop.set()
        await lifespan


def wait_for(predicate: Any, timeout: float = 30.0) -> Any:
    """Poll an async ``predicate()`` until it returns something truthy (returned) or time out."""

    async def poll() -> Any:
        deadline = time.monotonic() + timeout
        while True:
            value = await predicate()
            if value:
                return value
            if time.monotonic() > deadline:
                raise AssertionError(f"condition not met within {timeout} s")
            await asyncio.sleep(0.1)

    return poll()
