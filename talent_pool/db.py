"""Database plumbing shared by every domain package: engine from URL, transactions.

No environment access here: callers pass the URL (``piccolo_conf.py`` reads it).
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from piccolo.engine.base import Engine
from piccolo.engine.finder import engine_finder
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine, TransactionType

try:  # asyncpg is installed with piccolo[postgres]; keep SQLite-only installs importable
    from asyncpg.exceptions import UniqueViolationError as _PgUniqueViolation
except ImportError:  # pragma: no cover
    _PgUniqueViolation = None  # type: ignore[assignment,misc]

SQLITE_TIMEOUT_SECONDS = 30


def default_database_url(data_dir: str | Path) -> str:
    """The embedded default: ``sqlite:///<data_dir>/tuoyu.sqlite`` (the folder is created)."""
    path = Path(data_dir).expanduser().resolve()
    path.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{path / 'tuoyu.sqlite'}"


def engine_for_url(url: str) -> Engine:
    """Build a Piccolo engine from a database URL.

    ``postgresql://`` / ``postgres://`` → :class:`PostgresEngine` (asyncpg DSN);
    ``sqlite:///path`` → :class:`SQLiteEngine` with a 30 s busy timeout.

    Raises ``ValueError`` for any other scheme.
    """
    parsed = urlparse(url)
    if parsed.scheme in {"postgresql", "postgres"}:
        return PostgresEngine(config={"dsn": url})
    if parsed.scheme == "sqlite":
        raw = unquote(url[len("sqlite://") :])
        # sqlite:///abs/path → "/abs/path"; sqlite:///./rel → "/./rel" → keep relative
        path = raw[1:] if raw.startswith("/./") or raw.startswith("/../") else raw
        if not path or path == "/":
            raise ValueError(f"SQLite URL without a file path: {url!r}")
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        return SQLiteEngine(path=path, timeout=SQLITE_TIMEOUT_SECONDS)
    raise ValueError(
        f"Unsupported TUOYU_DATABASE_URL scheme {parsed.scheme!r}: use postgresql:// or sqlite:///"
    )


def is_sqlite(engine: Engine) -> bool:
    """True when ``engine`` is the embedded SQLite engine."""
    return isinstance(engine, SQLiteEngine)


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


@contextlib.asynccontextmanager
async def atomic(engine: Engine | None = None) -> AsyncIterator[Any]:
    """One database transaction; joins the caller's transaction when one is open.

    On SQLite the transaction starts ``IMMEDIATE`` so two writers queue on the lock
    instead of failing half-way with ``database is locked``. Domain services wrap each
    use case in this so that feeding the talent-pool ledger happens in the same
    transaction as the caller's own write.
    """
    if engine is None:
        engine = engine_finder()
        if engine is None:
            raise RuntimeError("No Piccolo engine configured (piccolo_conf.py not found)")
    if engine.current_transaction.get() is not None:
        async with engine.transaction(allow_nested=True) as tx:
            yield tx
        return
    if isinstance(engine, SQLiteEngine):
        async with engine.transaction(transaction_type=TransactionType.immediate) as tx:
            yield tx
    else:
        async with engine.transaction() as tx:
            yield tx
