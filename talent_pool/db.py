"""Database plumbing shared by every domain package: engines, the connection pool, transactions
and after-commit callbacks.

No environment access here: callers pass the URL and pool size (the composition roots read
them, docs/architecture.md "Settings and the clock").
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import functools
import inspect
import logging
import os
import sqlite3
from collections.abc import AsyncIterator, Awaitable, Callable, Collection, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from piccolo.engine.base import Engine
from piccolo.engine.finder import engine_finder
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine, TransactionType, dict_factory
from piccolo.querystring import QueryString

try:  # aiosqlite is installed with piccolo[sqlite]
    import aiosqlite
except ImportError:  # pragma: no cover
    aiosqlite = None  # type: ignore[assignment]

log = logging.getLogger(__name__)

try:  # asyncpg is installed with piccolo[postgres]; keep SQLite-only installs importable
    from asyncpg.exceptions import PostgresError as _PgError
    from asyncpg.exceptions import UniqueViolationError as _PgUniqueViolation
except ImportError:  # pragma: no cover
    _PgUniqueViolation = None  # type: ignore[assignment,misc]
    _PgError = None  # type: ignore[assignment,misc]

SQLITE_TIMEOUT_SECONDS = 30


class DatabaseUnavailable(Exception):
    """The database cannot be reached right now (server down, every pooled connection busy for
    longer than the pool's wait, or a statement unanswered within the pool's command timeout).
    The service answers 503 with ``Retry-After``."""


@dataclass(frozen=True, slots=True)
class PoolConfig:
    """Size of a process's PostgreSQL connection pool, how long a caller waits (seconds) for a
    free connection before :class:`DatabaseUnavailable`, and how long one statement may run
    (``command_timeout``, seconds; ``None``: as long as it takes) before it is cancelled and
    :class:`DatabaseUnavailable` raised. Only the web service sets a command timeout
    (``TUOYU_DB_COMMAND_TIMEOUT``); migrations, the CLI and the Celery worker run unbounded."""

    min_size: int = 1
    max_size: int = 10
    acquire_timeout: float = 5.0
    command_timeout: float | None = None


def default_database_url(data_dir: str | Path) -> str:
    """The embedded default: ``sqlite:///<data_dir>/tuoyu.sqlite`` (the folder is created, 0700)."""
    path = Path(data_dir).expanduser().resolve()
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return f"sqlite:///{path / 'tuoyu.sqlite'}"


class _AcquireWithTimeout:
    """``pool.acquire()`` that turns a wait longer than the pool's timeout, or the server refusing
    the new connection the pool opens (``ALTER DATABASE … ALLOW_CONNECTIONS false``: asyncpg's
    ``ObjectNotInPrerequisiteStateError``; starting up, shutting down, too many clients), into
    :class:`DatabaseUnavailable`; awaitable and an async context manager, like asyncpg's."""

    def __init__(self, context: Any) -> None:
        self._context = context

    def __await__(self) -> Any:
        return self._acquire().__await__()

    async def _acquire(self) -> Any:
        try:
            return await self._context
        except TimeoutError as exc:
            raise DatabaseUnavailable("数据库连接池已满") from exc
        except Exception as exc:
            _raise_if_refused(exc)
            raise

    async def __aenter__(self) -> Any:
        try:
            return await self._context.__aenter__()
        except TimeoutError as exc:
            raise DatabaseUnavailable("数据库连接池已满") from exc
        except Exception as exc:
            _raise_if_refused(exc)
            raise

    async def __aexit__(self, *exc: object) -> Any:
        return await self._context.__aexit__(*exc)


def _raise_if_refused(exc: Exception) -> None:
    """:class:`DatabaseUnavailable` from ``exc`` when it is the server's answer to a connection
    attempt (any PostgreSQL error raised while taking a connection from the pool: no statement of
    ours has run yet)."""
    if _PgError is not None and isinstance(exc, _PgError):
        raise DatabaseUnavailable("数据库拒绝连接") from exc


class _TimedPool:
    """An asyncpg pool whose ``acquire()`` waits at most ``timeout`` seconds."""

    def __init__(self, pool: Any, timeout: float) -> None:
        self._pool = pool
        self._timeout = timeout

    def acquire(self, *, timeout: float | None = None) -> _AcquireWithTimeout:
        if timeout is None and self._pool.get_idle_size() > 0:
            # an idle connection is waiting in the pool: taking it cannot wait, so no timer is
            # armed (asyncpg's timed acquire and release cost a timeout context each, measured
            # ~10 µs of a ~300 µs verification, 2026-11-30)
            return _AcquireWithTimeout(self._pool.acquire())
        return _AcquireWithTimeout(self._pool.acquire(timeout=timeout or self._timeout))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._pool, name)


async def _reset_connection(connection: Any) -> None:
    """What a connection needs before it goes back to the pool: no open transaction. asyncpg's
    default reset (``RESET ALL``, ``UNLISTEN *``, advisory unlocks …) costs a round trip per
    query, and nothing here changes session state (advisory locks are transaction-level)."""
    if connection.is_in_transaction():
        await connection.execute("ROLLBACK")


COMMAND_TIMED_OUT = "数据库响应超时"


class PooledPostgresEngine(PostgresEngine):
    """Piccolo's PostgreSQL engine with a bounded pool (``pool_config``) started by
    :func:`start_pool`: an exhausted pool makes callers wait ``acquire_timeout`` seconds, then
    raises :class:`DatabaseUnavailable` instead of opening more connections. With a
    ``command_timeout``, a pooled statement unanswered in that time (a lock held elsewhere, a
    stalled server) is cancelled by asyncpg and raises :class:`DatabaseUnavailable`, never hangs."""

    def __init__(self, dsn: str, pool_config: PoolConfig) -> None:
        super().__init__(config={"dsn": dsn})
        self.pool_config = pool_config

    async def start_connection_pool(self, **kwargs: Any) -> None:
        if self.pool is not None:
            return
        await super().start_connection_pool(
            min_size=self.pool_config.min_size,
            max_size=self.pool_config.max_size,
            reset=_reset_connection,
            **kwargs,
        )
        self.pool = _TimedPool(self.pool, self.pool_config.acquire_timeout)  # type: ignore[assignment]

    def statement_timeout(self) -> float | None:
        """The command timeout of a statement run now: ``None`` inside
        :func:`unbounded_statements` (background work) or without a configured timeout."""
        return None if _UNBOUNDED.get() else self.pool_config.command_timeout

    async def run_querystring(self, querystring: Any, in_pool: bool = True) -> Any:
        timeout = self.statement_timeout()
        if timeout is None or self.log_queries or self.log_responses:
            return await super().run_querystring(querystring, in_pool)
        # Piccolo's own steps (in the transaction, else on a pooled connection), with asyncpg's
        # per-statement timeout: piccolo passes none, and a pool-wide one would bind background
        # work too (the timed-out statement is cancelled on the server by asyncpg)
        query, args = querystring.compile_string(engine_type=self.engine_type)
        transaction = self.current_transaction.get()
        try:
            if transaction:
                return await transaction.connection.fetch(query, *args, timeout=timeout)
            if in_pool and self.pool:
                async with self.pool.acquire() as connection:
                    return await connection.fetch(query, *args, timeout=timeout)
        except TimeoutError as exc:
            raise DatabaseUnavailable(COMMAND_TIMED_OUT) from exc
        return await super().run_querystring(querystring, in_pool)  # a connection of its own


_UNBOUNDED: contextvars.ContextVar[bool] = contextvars.ContextVar("tuoyu_unbounded_statements", default=False)


@contextlib.contextmanager
def unbounded_statements() -> Iterator[None]:
    """Statements run inside (and in tasks started inside) have no command timeout: background
    work in the web process (an import's batches, a render, the nightly repairs) is not a request
    and may wait its turn at a lock."""
    token = _UNBOUNDED.set(True)
    try:
        yield
    finally:
        _UNBOUNDED.reset(token)


def _private_file(path: Path) -> None:
    """Create ``path`` readable by its owner only (0600), or tighten an existing file: the SQLite
    file holds personal data (its journal files inherit the mode)."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    os.close(fd)
    os.chmod(path, 0o600)


class EmbeddedSQLiteEngine(SQLiteEngine):
    """Piccolo's SQLite engine whose connections never keep the process alive.

    aiosqlite (0.22 and later) runs each connection on a non-daemon thread that ends only when
    the connection is closed. A connection abandoned by a cancelled task — Ctrl-C while thirty
    enrollments wait for the write lock — is never closed, and the interpreter then waits for
    its thread forever: the process hangs instead of exiting. Here the threads are daemons:
    they end with the process, and an unfinished transaction is rolled back from SQLite's
    journal on the next open, as after a crash."""

    async def get_connection(self) -> Any:
        pending = aiosqlite.connect(**self.connection_kwargs)
        thread: Any = getattr(pending, "_thread", pending)  # aiosqlite < 0.22: the connection is the thread
        thread.daemon = True  # set before the thread starts (on await)
        connection = await pending
        connection.row_factory = dict_factory  # type: ignore[assignment]
        await connection.execute("PRAGMA foreign_keys = 1")
        return connection

    async def _run_in_new_connection(
        self,
        query: str,
        args: list[Any] | None = None,
        query_type: str = "generic",
        table: Any = None,
    ) -> Any:
        # Piccolo's own version opens the connection with aiosqlite directly; the same steps on
        # a connection from get_connection (autocommit: each statement commits on its own)
        connection = await self.get_connection()
        try:
            async with connection.execute(query, args or []) as cursor:
                if query_type == "insert" and self.get_version_sync() < 3.35:
                    assert table is not None  # no RETURNING before SQLite 3.35
                    pk = await self._get_inserted_pk(cursor, table)
                    return [{table._meta.primary_key._meta.db_column_name: pk}]
                return await cursor.fetchall()
        finally:
            await connection.close()


def engine_for_url(url: str, pool: PoolConfig | None = None) -> Engine:
    """Build a Piccolo engine from a database URL.

    ``postgresql://`` / ``postgres://`` → :class:`PooledPostgresEngine` (asyncpg; the pool starts
    with :func:`start_pool`); ``sqlite:///path`` → :class:`EmbeddedSQLiteEngine` with a 30 s busy
    timeout (the folder is created 0700, the file 0600). Raises ``ValueError`` for any other scheme.
    """
    parsed = urlparse(url)
    if parsed.scheme in {"postgresql", "postgres"}:
        return PooledPostgresEngine(url, pool or PoolConfig())
    if parsed.scheme == "sqlite":
        raw = unquote(url[len("sqlite://") :])
        # sqlite:///abs/path → "/abs/path"; sqlite:///./rel → "/./rel" → keep relative
        path = raw[1:] if raw.startswith("/./") or raw.startswith("/../") else raw
        if not path or path == "/":
            raise ValueError(f"SQLite URL without a file path: {url!r}")
        Path(path).parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        _private_file(Path(path))
        return EmbeddedSQLiteEngine(path=path, timeout=SQLITE_TIMEOUT_SECONDS)
    raise ValueError(
        f"Unsupported TUOYU_DATABASE_URL scheme {parsed.scheme!r}: use postgresql:// or sqlite:///"
    )


def current_engine() -> Engine:
    """The engine the tables use (``piccolo_conf.DB`` unless :func:`use_engine` replaced it)."""
    engine = engine_finder()
    if engine is None:
        raise RuntimeError("No Piccolo engine configured (piccolo_conf.py not found)")
    return engine


def use_engine(engine: Engine) -> None:
    """Make every table of every registered Piccolo app (and Piccolo's migration table) use
    ``engine`` — the composition roots call this with the engine built from their settings."""
    from piccolo.apps.migrations.tables import Migration
    from piccolo.conf.apps import Finder

    finder = Finder()
    finder.get_piccolo_conf_module().DB = engine  # type: ignore[union-attr]
    tables: list[Any] = [*finder.get_table_classes(), Migration]
    for table in tables:
        table._meta.db = engine


async def start_pool(engine: Engine) -> None:
    """Open the engine's connection pool (PostgreSQL; a no-op on SQLite)."""
    if isinstance(engine, PostgresEngine):
        await engine.start_connection_pool()


async def close_pool(engine: Engine, *, grace_seconds: float = 10.0) -> None:
    """Close the engine's connection pool if one is open: wait up to ``grace_seconds`` for
    connections still in use to come back (asyncpg's ``Pool.close`` would wait for ever), then
    terminate the rest with a warning, so a shutdown never hangs on a connection left checked out."""
    if not (isinstance(engine, PostgresEngine) and engine.pool is not None):
        return
    pool = engine.pool
    try:
        await asyncio.wait_for(asyncio.shield(pool.close()), timeout=grace_seconds)
    except TimeoutError:
        log.warning("database pool: connections still in use after %.0f s; terminating them", grace_seconds)
        pool.terminate()
    engine.pool = None


def is_sqlite(engine: Engine) -> bool:
    """True when ``engine`` is the embedded SQLite engine."""
    return isinstance(engine, SQLiteEngine)


async def insert_many(table: Any, rows: list[dict[str, Any]], conflict: Any | None) -> int:
    """Insert ``rows`` (column → value) into ``table``, skipping those whose ``conflict`` column
    value exists (``None``: no conflict target); returns how many were inserted. Columns left out
    take the table's defaults. On PostgreSQL one ``INSERT … SELECT FROM unnest(arrays)``
    statement (building 500 Piccolo objects and their query text was half of an import's time,
    and a third of the verification log's write); on SQLite Piccolo's multi-row insert. Raises
    what the database raises (the batch is one statement: all rows or none)."""
    if not rows:
        return 0
    defaults = {k: v for k, v in table().to_dict().items() if k != "id"}
    full = [{**defaults, **row} for row in rows]
    if is_sqlite(table._meta.db):
        query = table.insert(*[table(**row) for row in full])
        if conflict is not None:
            query = query.on_conflict(target=conflict, action="DO NOTHING")
        return len(await query.returning(table.id))
    names = list(full[0])
    columns = [getattr(table, name) for name in names]
    arrays = ", ".join("{}::" + c.column_type + "[]" for c in columns)
    on_conflict = f" ON CONFLICT ({conflict._meta.db_column_name}) DO NOTHING" if conflict is not None else ""
    sql = (
        f'INSERT INTO "{table._meta.tablename}" ({", ".join(c._meta.db_column_name for c in columns)}) '
        f"SELECT * FROM unnest({arrays}){on_conflict} RETURNING id"
    )
    return len(await table.raw(sql, *[[row[name] for row in full] for name in names]))


@functools.lru_cache(maxsize=128)
def _numbered(sql: str) -> str:
    """Piccolo's ``{}`` placeholders as asyncpg's ``$1 … $n``."""
    parts = sql.split("{}")
    return "".join(part + (f"${i}" if i < len(parts) else "") for i, part in enumerate(parts, start=1))


async def fetch_rows(table: Any, sql: str, *args: Any) -> list[dict[str, Any]]:
    """Rows (column → value) of one read statement ``sql`` with Piccolo's ``{}`` placeholders,
    for hot paths such as public verification. On PostgreSQL outside a transaction it runs
    straight on a pooled asyncpg connection (asyncpg prepares and caches the statement per
    connection; Piccolo's per-call query building cost ~60 µs of a ~200 µs lookup, measured
    2026-11-29); inside a transaction, before the pool is started, or on SQLite it is
    ``table.raw(sql, *args)``. ``sql`` holds no literal ``{}``. An exhausted pool or a statement
    over the command timeout raises :class:`DatabaseUnavailable` as every query does; other
    errors are the database's."""
    engine = table._meta.db
    pooled = isinstance(engine, PostgresEngine) and engine.pool is not None
    if pooled and engine.current_transaction.get() is None:
        async with engine.pool.acquire() as connection:
            try:
                timeout = engine.statement_timeout() if isinstance(engine, PooledPostgresEngine) else None
                return [dict(r) for r in await connection.fetch(_numbered(sql), *args, timeout=timeout)]
            except TimeoutError as exc:  # the pool's command timeout (PooledPostgresEngine)
                raise DatabaseUnavailable(COMMAND_TIMED_OUT) from exc
    return list(await table.raw(sql, *args))


async def read_concurrently(*reads: Awaitable[Any]) -> list[Any]:
    """The results of the read-only awaitables ``reads`` (coroutines, Piccolo queries), in order.

    On pooled PostgreSQL outside a transaction they run at once, each on its own pooled
    connection: a request's small reads then wait for the database while its big statement
    runs (the targets dashboard's three small queries cost 1.1 ms of its ~25, 1× Jinan bench
    data, 2026-11-30). Inside a transaction (one connection: asyncpg runs one statement at a
    time on it) and on SQLite they run one after the other. When one raises, the others are
    cancelled and awaited, then the error is raised."""
    engine = current_engine()
    pooled = isinstance(engine, PostgresEngine) and engine.pool is not None
    if not pooled or engine.current_transaction.get() is not None:
        results: list[Any] = []
        try:
            for read in reads:
                results.append(await read)
        finally:  # after a failure, the coroutines never started are closed, not left unawaited
            for read in reads[len(results) + 1 :]:
                if inspect.iscoroutine(read):
                    read.close()
        return results
    tasks = [asyncio.ensure_future(read) for read in reads]
    try:
        return list(await asyncio.gather(*tasks))
    except BaseException:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        raise


async def analyze(*tables: str) -> None:
    """Refresh the planner's statistics of ``tables`` (``ANALYZE``) after a bulk load: an import
    committed, the demo's workforce generated. Without statistics PostgreSQL guesses a handful
    of rows for a filtered table and may pick nested loops: the targets statement took 650 ms on
    the never-analysed demo data against 22 ms analysed (found by a trial, 2026-11-30), and
    autovacuum may be off or minutes away. On SQLite, ``ANALYZE`` of the same tables. Does
    nothing inside a transaction (what it would measure is not committed); raises as any
    statement does."""
    names = [t for t in tables if t.replace("_", "").isalnum()]
    engine = current_engine()
    if not names or engine.current_transaction.get() is not None:
        return  # inside a transaction (a test's, a caller's): the load is not committed yet
    with unbounded_statements():  # background work: no command timeout
        if isinstance(engine, PostgresEngine):
            await engine.run_querystring(QueryString("ANALYZE " + ", ".join(names)), in_pool=True)
        else:
            for name in names:
                await engine.run_querystring(QueryString(f"ANALYZE {name}"), in_pool=False)


async def analyze_never_analysed(tables: Collection[str]) -> list[str]:
    """``ANALYZE`` those of ``tables`` (in the search path's schema) that have no planner
    statistics: never analysed (``pg_class.reltuples`` is −1: a restored dump, a server with
    autovacuum off, a ``pg_upgrade``) or without any column statistics (``pg_stats``; an empty
    table has none either, and costs nothing to analyse). Read from the catalog, not from the
    activity counters of ``pg_stat_user_tables``, which crash recovery and ``pg_stat_reset()``
    clear (a second trial). PostgreSQL only (SQLite: ``[]``). Returns the tables analysed."""
    engine = current_engine()
    if not isinstance(engine, PostgresEngine):
        return []
    rows = await engine.run_querystring(
        QueryString(
            "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
            " WHERE c.relname = ANY({}) AND c.relkind IN ('r', 'p') AND n.nspname = current_schema()"
            " AND (c.reltuples < 0 OR NOT EXISTS"
            " (SELECT 1 FROM pg_stats s WHERE s.schemaname = n.nspname AND s.tablename = c.relname))",
            list(tables),
        ),
        in_pool=True,
    )
    stale = sorted(r["relname"] for r in rows)
    if stale:
        await analyze(*stale)
    return stale


def is_unique_violation(exc: BaseException, column: str | None = None) -> bool:
    """True when ``exc`` is a unique-constraint violation raised by the database driver.

    Recognises asyncpg's ``UniqueViolationError`` (PostgreSQL) and ``sqlite3.IntegrityError``
    with a ``UNIQUE`` message (SQLite). With ``column``, only a violation that names it (in the
    constraint name or the message) counts; without, any unique violation does. Every other
    exception, including other integrity errors (foreign key, not null), gives ``False``.
    """
    if _PgUniqueViolation is not None and isinstance(exc, _PgUniqueViolation):
        if column is None:
            return True
        return column in (getattr(exc, "constraint_name", None) or "") or column in str(exc)
    if isinstance(exc, sqlite3.IntegrityError):
        text = str(exc)
        return "UNIQUE" in text and (column is None or column in text)
    return False


# Callbacks to run once the outermost transaction of the current task has committed.
_after_commit: contextvars.ContextVar[list[Callable[[], None]] | None] = contextvars.ContextVar(
    "tuoyu_after_commit", default=None
)


def after_commit(callback: Callable[[], None]) -> None:
    """Run ``callback`` (synchronous, quick, must not raise) after the current outermost
    :func:`atomic` transaction commits; never when it rolls back. Registering the same callback
    twice in one transaction runs it once. Outside :func:`atomic` (no transaction, or one opened
    directly with Piccolo) nothing is registered: the outbox sweep still delivers the work."""
    callbacks = _after_commit.get()
    if callbacks is not None and callback not in callbacks:
        callbacks.append(callback)


@contextlib.asynccontextmanager
async def atomic(engine: Engine | None = None) -> AsyncIterator[Any]:
    """One database transaction; joins the caller's transaction when one is open.

    On SQLite the transaction starts ``IMMEDIATE`` so two writers queue on the lock
    instead of failing half-way with ``database is locked``. Domain services wrap each
    use case in this so that feeding the talent-pool ledger happens in the same
    transaction as the caller's own write. Callbacks registered with :func:`after_commit`
    run after the outermost transaction committed.
    """
    engine = engine or current_engine()
    if engine.current_transaction.get() is not None:
        async with engine.transaction(allow_nested=True) as tx:
            yield tx
        return
    callbacks: list[Callable[[], None]] = []
    token = _after_commit.set(callbacks)
    try:
        if isinstance(engine, SQLiteEngine):
            async with engine.transaction(transaction_type=TransactionType.immediate) as tx:
                yield tx
        else:
            async with engine.transaction() as tx:
                yield tx
    finally:
        _after_commit.reset(token)
    for callback in callbacks:
        callback()
