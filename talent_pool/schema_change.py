"""Schema changes that Piccolo's generated SQL cannot make on both engines.

SQLite cannot add a constraint to an existing table, nor drop a ``UNIQUE`` column: the table
has to be rebuilt (create the new table, copy the rows, drop the old one, rename — with foreign
keys off, in one transaction, as the SQLite documentation prescribes). A migration built with
:class:`EngineSpecificMigration` still *records* its change with the usual ``MigrationManager``
calls (``add_column``, ``drop_column``, ``add_constraint`` …) so that Piccolo's schema snapshot
and later ``--auto`` migrations stay right, but *performs* it with the SQL given for each engine.
Every such migration is forward-only and idempotent: ``applied`` tells whether its change is
already in the database (a crash between the change and the migration record is harmless).
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable, Sequence
from typing import Any

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder
from piccolo.engine.sqlite import SQLiteEngine

SqliteStep = str | Callable[[sqlite3.Connection], None]


def _sqlite_columns(con: sqlite3.Connection, table: str) -> set[str]:
    return {row[1] for row in con.execute(f'PRAGMA table_info("{table}")')}


def _sqlite_pending(con: sqlite3.Connection, marker: tuple[str, str] | None, creates: str | None) -> bool:
    if creates is not None:
        return not con.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (creates,)
        ).fetchone()
    assert marker is not None
    return marker[1] in _sqlite_columns(con, marker[0])


def run_sqlite_rebuild(
    path: str,
    steps: Sequence[SqliteStep],
    marker: tuple[str, str] | None = None,
    creates: str | None = None,
) -> bool:
    """Run ``steps`` on the SQLite file ``path`` in one transaction with foreign keys off, then
    check every foreign key — unless the change is already there: ``marker`` ``(table, column)``
    names a column the change removes, ``creates`` a table it creates. Returns whether the steps
    ran. Raises on any failure (rolled back) or when the result breaks a foreign key."""
    con = sqlite3.connect(path, isolation_level=None, timeout=30)
    try:
        if not _sqlite_pending(con, marker, creates):
            return False
        con.execute("PRAGMA foreign_keys = OFF")
        con.execute("BEGIN IMMEDIATE")
        try:
            for step in steps:
                if callable(step):
                    step(con)
                else:
                    con.execute(step)
            broken = con.execute("PRAGMA foreign_key_check").fetchall()
            if broken:
                raise RuntimeError(f"foreign keys broken by the migration: {broken[:5]}")
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
        return True
    finally:
        con.execute("PRAGMA foreign_keys = ON")
        con.close()


class EngineSpecificMigration(MigrationManager):
    """A migration whose recorded operations describe the change and whose ``postgres`` /
    ``sqlite`` steps perform it (see the module docstring). Exactly one of ``marker`` ``(table,
    column)`` — a column the change removes: while it exists the change has not been applied —
    and ``creates`` — a table the change creates."""

    def __init__(
        self,
        *,
        postgres: Sequence[str],
        sqlite: Sequence[SqliteStep],
        marker: tuple[str, str] | None = None,
        creates: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        if (marker is None) == (creates is None):
            raise ValueError("give exactly one of marker and creates")
        self.postgres_steps = list(postgres)
        self.sqlite_steps = list(sqlite)
        self.marker = marker
        self.creates = creates

    async def run(self, backwards: bool = False) -> None:
        if backwards:
            raise NotImplementedError("this migration is forward-only")
        engine = engine_finder()
        if engine is None:
            raise RuntimeError("no Piccolo engine configured")
        if isinstance(engine, SQLiteEngine):
            path = engine.connection_kwargs["database"]
            await asyncio.to_thread(run_sqlite_rebuild, path, self.sqlite_steps, self.marker, self.creates)
            return
        async with engine.transaction() as tx:
            if self.creates is not None:
                exists = await tx.connection.fetchval("SELECT to_regclass($1) IS NOT NULL", self.creates)
                if exists:
                    return
            else:
                assert self.marker is not None
                present = await tx.connection.fetchval(
                    "SELECT count(*) FROM information_schema.columns "
                    "WHERE table_name = $1 AND column_name = $2",
                    *self.marker,
                )
                if not present:
                    return
            for statement in self.postgres_steps:
                await tx.connection.execute(statement)
