"""Logging in to the API as the benchmarks' city admin.

The admin (``bench``) is created the way an operator creates the first regulator login —
``tuoyu create-admin`` — when the database has none of that name; the Bearer token comes from
``POST /api/auth/login``.
"""

from __future__ import annotations

import asyncpg
import httpx

from bench import pg
from bench.servers import run_tuoyu

ADMIN = "bench"
PASSWORD = "bench-password-2026"


async def ensure_city_admin(database: str, env: dict[str, str]) -> None:
    """The ``bench`` city admin exists in ``database`` (``tuoyu create-admin`` when it does not)."""
    conn = await asyncpg.connect(pg.url(database))
    try:
        found = await conn.fetchval("SELECT 1 FROM acc_user WHERE username = $1", ADMIN)
    finally:
        await conn.close()
    if not found:
        run_tuoyu(["create-admin", "--username", ADMIN, "--password", PASSWORD], env)


async def login(client: httpx.AsyncClient, username: str = ADMIN, password: str = PASSWORD) -> dict[str, str]:
    """Bearer-token headers of ``username`` (the login cookie is dropped: every later request
    authenticates with the headers it passes)."""
    r = await client.post("/api/auth/login", json={"username": username, "password": password})
    if r.status_code != 201:
        raise RuntimeError(f"login as {username}: HTTP {r.status_code} {r.text[:300]}")
    client.cookies.clear()
    return {"Authorization": f"Bearer {r.json()['token']}"}
