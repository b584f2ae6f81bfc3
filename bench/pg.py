"""PostgreSQL administration for the benchmarks: create and drop the bench databases.

The server is ``BENCH_PG_URL`` (default ``postgresql://postgres@127.0.0.1:5432``, trust auth,
the same server ``make test`` uses). Temporary databases are registered when created so that
:func:`drop_leftovers` can drop them if the run dies half-way (``atexit`` in ``bench.__main__``).
"""

from __future__ import annotations

import asyncio
import os
import re

import asyncpg

SERVER_URL = os.environ.get("BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432").rstrip("/")
_NAME_RE = re.compile(r"^tuoyu_bench_[a-z0-9_]+$")
_temporary: set[str] = set()


def url(database: str) -> str:
    """The connection URL of ``database`` on the bench server."""
    return f"{SERVER_URL}/{database}"


def _checked(name: str) -> str:
    if not _NAME_RE.match(name):
        raise ValueError(f"not a bench database name: {name!r}")
    return name


async def admin() -> asyncpg.Connection:
    """A connection to the ``postgres`` maintenance database."""
    return await asyncpg.connect(url("postgres"))


async def exists(name: str) -> bool:
    conn = await admin()
    try:
        return bool(await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", _checked(name)))
    finally:
        await conn.close()


async def drop(name: str) -> None:
    """Drop ``name`` if it exists (``WITH (FORCE)``: leftover sessions are ended)."""
    conn = await admin()
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{_checked(name)}" WITH (FORCE)')
    finally:
        await conn.close()
    _temporary.discard(name)


async def recreate(name: str, *, temporary: bool = True) -> None:
    """Drop ``name`` if it exists and create it empty. ``temporary`` databases are dropped by
    :func:`drop_leftovers` when the run ends without dropping them itself."""
    await drop(name)
    conn = await admin()
    try:
        await conn.execute(f'CREATE DATABASE "{_checked(name)}"')
    finally:
        await conn.close()
    if temporary:
        _temporary.add(name)


async def server_version() -> str:
    conn = await admin()
    try:
        return str(await conn.fetchval("SHOW server_version"))
    finally:
        await conn.close()


def drop_leftovers() -> None:
    """Drop the temporary databases still registered (synchronous; for ``atexit``)."""
    if not _temporary:
        return

    async def run() -> None:
        for name in sorted(_temporary):
            try:
                await drop(name)
            except Exception as exc:  # best effort at exit
                print(f"bench: could not drop {name}: {exc}")

    asyncio.run(run())
