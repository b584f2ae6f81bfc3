"""Rate limits counted in the real Redis hold under a burst: N concurrent hits against a limit of
L let exactly L through — the hits beyond the Redis connection pool wait their turn instead of
being counted in the process (service/ratelimit.py, module docstring). A real outage still falls
back to counting in the process; a hit that waited too long is counted here alone, without
switching the process away from Redis."""

from __future__ import annotations

import asyncio
import collections
import logging
import time
import uuid
from pathlib import Path
from typing import Any

import pytest

from service import ratelimit
from service.ratelimit import REDIS_POOL_SIZE, Limiter
from tests.servers import serve_in_process, settings_for

LIMIT = 50


async def _same_window() -> None:
    """Wait, if needed, so that a burst of about a second does not straddle two one-minute windows."""
    if time.time() % 60 > 55:
        await asyncio.sleep(60 - time.time() % 60 + 0.1)


@pytest.mark.parametrize("burst", [200, 400])
async def test_a_concurrent_burst_lets_exactly_the_limit_through(redis_url: str, burst: int) -> None:
    limiter = Limiter(redis_url)
    namespace = f"burst-{uuid.uuid4().hex}"  # Redis is shared with other runs: a key of our own
    await _same_window()
    answers = await asyncio.gather(*(limiter.hit(namespace, "10.0.0.1", LIMIT) for _ in range(burst)))
    allowed = [a for a, _ in answers]
    assert allowed.count(True) == LIMIT, collections.Counter(allowed)
    assert all(1 <= retry <= 60 for a, retry in answers if not a)
    assert not limiter._degraded


async def test_two_processes_bursting_share_one_count(redis_url: str) -> None:
    """Two limiters (two web processes) on one Redis, 200 hits each at once: 50 in all."""
    one, two = Limiter(redis_url), Limiter(redis_url)
    namespace = f"burst-{uuid.uuid4().hex}"
    await _same_window()
    hits = [(one if n % 2 else two).hit(namespace, "10.0.0.2", LIMIT) for n in range(400)]
    answers = await asyncio.gather(*hits)
    assert sum(a for a, _ in answers) == LIMIT, (one._degraded, two._degraded)


async def test_an_unreachable_redis_falls_back_to_the_process_count(caplog: Any) -> None:
    limiter = Limiter("redis://127.0.0.1:1/0")  # nothing listens on port 1
    with caplog.at_level(logging.WARNING, logger="tuoyu.ratelimit"):
        answers = await asyncio.gather(*(limiter.hit("down", "10.0.0.3", 5) for _ in range(8)))
    assert [a for a, _ in answers].count(True) == 5
    assert limiter._degraded
    assert sum("Redis unreachable" in r.message for r in caplog.records) == 1


async def test_a_silent_redis_costs_no_hit_the_wait_after_the_first(monkeypatch: pytest.MonkeyPatch) -> None:
    """A Redis that accepts connections and never answers (blackholed): the first hit waits for
    the reply and falls back; from then on every hit is counted here without trying Redis (a
    quiet site's hits each waited while one hit a second tried: second trial); once the retry
    interval has passed a hit starts a try in the background and is answered without waiting
    for it (the circuit breaker)."""
    monkeypatch.setattr(ratelimit, "REDIS_RETRY_SECONDS", 0.5)
    monkeypatch.setattr(ratelimit, "REDIS_REPLY_SECONDS", 0.2)
    commands: list[bytes] = []

    async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while chunk := await reader.read(4096):
            commands.append(chunk)  # read, never answered

    server = await asyncio.start_server(silent, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        limiter = Limiter(f"redis://127.0.0.1:{port}/0")
        assert (await limiter.hit("silent", "10.0.0.5", 3))[0] is True  # waited, then counted here
        assert limiter._degraded
        tried = len(commands)
        assert tried >= 1
        answers = [await limiter.hit("silent", "10.0.0.5", 3) for _ in range(5)]
        assert [a for a, _ in answers] == [True, True, False, False, False]  # the process's count
        assert len(commands) == tried  # none of them tried Redis
        await asyncio.sleep(0.6)
        assert (await limiter.hit("silent", "10.0.0.5", 3))[0] is False  # answered at once …
        probe = limiter._probe
        assert probe is not None and not probe.done()  # … while Redis is tried beside it
        await probe
        assert len(commands) > tried and limiter._degraded  # tried, still silent
        assert limiter._retry_every == 1.0  # the next try waits twice as long
    finally:
        server.close()
        await server.wait_closed()


async def test_counting_returns_to_redis_when_a_try_answers(redis_url: str) -> None:
    limiter = Limiter(redis_url)
    limiter._degraded = True  # as after an outage; the retry interval has passed
    namespace = f"back-{uuid.uuid4().hex}"
    assert await limiter.hit(namespace, "10.0.0.6", 1) == (True, 0)  # counted here, a try started
    assert limiter._probe is not None
    await limiter._probe
    assert not limiter._degraded
    await _same_window()
    assert await limiter.hit(namespace, "10.0.0.6", 1) == (True, 0)  # Redis' count: its first hit
    assert (await limiter.hit(namespace, "10.0.0.6", 1))[0] is False


async def test_a_hit_that_waits_too_long_is_counted_here_alone(
    redis_url: str, monkeypatch: pytest.MonkeyPatch, caplog: Any
) -> None:
    """Every turn at Redis taken and the wait running out: that hit is counted in this process,
    the process does not switch to in-process counting, and the next hit goes to Redis again."""
    monkeypatch.setattr(ratelimit, "REDIS_POOL_WAIT_SECONDS", 0.05)
    limiter = Limiter(redis_url)
    namespace = f"busy-{uuid.uuid4().hex}"
    for _ in range(REDIS_POOL_SIZE):
        await limiter._turnstile.acquire()
    with caplog.at_level(logging.WARNING, logger="tuoyu.ratelimit"):
        assert await limiter.hit(namespace, "10.0.0.4", 1) == (True, 0)  # counted here
        assert (await limiter.hit(namespace, "10.0.0.4", 1))[0] is False  # here too: over
    assert not limiter._degraded
    assert sum("waited over" in r.message for r in caplog.records) == 1  # once a minute
    for _ in range(REDIS_POOL_SIZE):
        limiter._turnstile.release()
    await _same_window()
    assert await limiter.hit(namespace, "10.0.0.4", 1) == (True, 0)  # Redis' count: first hit
    assert (await limiter.hit(namespace, "10.0.0.4", 1))[0] is False


async def test_a_burst_of_scans_through_the_app_lets_exactly_the_limit_through(
    db: None, pg_engine: Any, tmp_path: Path, redis_url: str
) -> None:
    """The trial's repro in one process: ``TUOYU_VERIFY_RATE_PER_MINUTE=50`` and Redis, 100
    concurrent ``GET /v/<number>`` (JSON, the scan path) from one address: 50 answered, 50
    refused with 429. (Client and app share this event loop here: bigger bursts starved it on the
    loaded CI machine; the limiter's own bursts of 200 and 400 are above.)"""
    from service.app import create_app

    settings = settings_for(
        tmp_path,
        verify_rate_per_minute=LIMIT,
        redis_url=redis_url,
        task_queue=f"tuoyu-burst-{uuid.uuid4().hex}",  # publish nothing to another run's queue
    )
    address = f"10.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}"
    async with serve_in_process(create_app(settings, engine=pg_engine), client_address=address) as client:
        await _same_window()
        scans = [client.get("/v/S1", headers={"Accept": "application/json"}) for _ in range(100)]
        statuses = collections.Counter(r.status_code for r in await asyncio.gather(*scans))
    assert statuses[429] == 100 - LIMIT, statuses
    assert sum(n for code, n in statuses.items() if code != 429) == LIMIT, statuses
