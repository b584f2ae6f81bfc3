"""Login attempts are limited per client across every web process that shares one Redis: a
client cannot multiply its password guesses by the number of processes behind the load
balancer."""

from __future__ import annotations

import asyncio
import collections

from tests.faults.conftest import Rig, training_base_with_staff, tuoyu_env

ATTEMPTS = 40
PER_MINUTE = 10


async def test_forty_wrong_passwords_against_two_processes_reach_the_check_at_most_ten_times(
    rig: Rig, database_url: str
) -> None:
    """Two ``tuoyu serve`` processes on one Redis with ``TUOYU_LOGIN_RATE_PER_MINUTE=10``; one
    client sends 40 wrong-password logins at once, half to each: exactly 10 reach the password
    check (401), the other 30 are refused before it (429 with ``Retry-After``)."""
    redis = rig.redis()
    env = tuoyu_env(
        rig.path("data"),
        database_url=database_url,
        redis_url=redis.url,
        login_rate_per_minute=PER_MINUTE,
        secret_key="shared-secret-of-both-processes",
    )
    await training_base_with_staff(database_url, "victim")
    servers = [rig.serve(env), rig.serve(env)]
    clients = [s.client() for s in servers]
    try:
        attempts = [
            clients[i % 2].post("/api/auth/login", json={"username": "victim", "password": f"guess-{i}"})
            for i in range(ATTEMPTS)
        ]
        answers = await asyncio.gather(*attempts)
    finally:
        for client in clients:
            await client.aclose()
    statuses = collections.Counter(a.status_code for a in answers)
    assert statuses == {401: PER_MINUTE, 429: ATTEMPTS - PER_MINUTE}, statuses
    assert all(int(a.headers["retry-after"]) >= 1 for a in answers if a.status_code == 429)
    by_server = [collections.Counter(a.status_code for a in answers[i::2]) for i in range(2)]
    assert all(c[401] + c[429] == ATTEMPTS // 2 for c in by_server)
    print(f"\nanswers {dict(statuses)}; per process {[dict(c) for c in by_server]}")
