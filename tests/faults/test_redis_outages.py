"""Redis (the Celery broker and the shared rate-limit counters) goes away: the service keeps
answering, says it is not ready, and the background work recorded meanwhile — or lost with a
Redis that keeps nothing on disk — is delivered once Redis is back. The outbox in PostgreSQL is
the record of the work, not the broker."""

from __future__ import annotations

import asyncio
import time
from typing import Any
from urllib.parse import urlsplit

import httpx

from certification import RENDER_TASK
from talent_pool.tables import OutboxMessage
from tests.faults.conftest import (
    PASSWORD,
    Rig,
    Traffic,
    bound_to,
    documents_of,
    eventually,
    issue,
    login,
    passed_sitting,
    render_lease,
    rendered_counts,
    training_base_with_staff,
    tuoyu_env,
)

OUTAGE_SECONDS = 20
QUEUE = "tuoyu"  # TUOYU_TASK_QUEUE's default: the Redis list Celery's messages wait in


async def _render_jobs(url: str) -> list[dict[str, Any]]:
    async with bound_to(url):
        query = OutboxMessage.select().where(OutboxMessage.task == RENDER_TASK)
        return await query.order_by(OutboxMessage.id)


RENDER_BOUND_SECONDS = 180
"""How long the documents may take to appear before the test calls them lost (a liveness bound)."""


async def _all_stored(url: str, ids: list[int]) -> bool:
    return await documents_of(url, ids) == len(ids)


async def _render_jobs_settled(url: str, count: int) -> list[dict[str, Any]] | None:
    """The render jobs once there are ``count`` of them and none is pending any more (each is
    done or failed), else ``None``. What the product promises is the outbox row marked done
    after the job's effect committed (docs/architecture.md, "Background work"): waiting for the
    documents alone raced the last job's ``done_at``, written just after its last document."""
    jobs = await _render_jobs(url)
    settled = len(jobs) == count and all(j["done_at"] is not None or j["failed_at"] is not None for j in jobs)
    return jobs if settled else None


def _outcomes(jobs: list[dict[str, Any]]) -> list[tuple[bool, Any]]:
    """Per job: (done, failed_at) — ``(True, None)`` for a delivered job."""
    return [(j["done_at"] is not None, j["failed_at"]) for j in jobs]


async def test_redis_stopped_while_certificates_are_issued_and_verified(rig: Rig, database_url: str) -> None:
    """Redis shut down for 20 s while a certificate is verified (typed number and signed QR
    URL), staff log in, ``/ready`` is polled and three sittings are issued: no verify or login
    answer is an error (all 2xx), before, during or after; ``/ready`` answers 503 for as long
    as Redis is down and 200 once it is back; every certificate issued during the outage is
    rendered exactly once once Redis is back (a liveness bound of :data:`RENDER_BOUND_SECONDS`,
    not a timing: ~3 s on a quiet machine, printed; a loaded CI machine has taken over a minute)."""
    redis = rig.redis()
    env = tuoyu_env(
        rig.path("data"),
        database_url=database_url,
        redis_url=redis.url,
        login_rate_per_minute=100_000,
        verify_rate_per_minute=100_000,
    )
    base_id = await training_base_with_staff(database_url)
    before_id = await passed_sitting(database_url, base_id, range(0, 5))
    during_ids = [await passed_sitting(database_url, base_id, range(s, s + 5)) for s in (10, 20, 30)]
    web = rig.serve(env)
    worker = rig.worker(env)
    traffic = Traffic()
    async with web.client(timeout=10) as client, web.client(timeout=10) as load:
        staff = await login(client, "base")
        earlier = await issue(client, staff, before_id)
        await eventually(lambda: _render_jobs_settled(database_url, 1), RENDER_BOUND_SECONDS, "first batch")
        number, parts = earlier[0]["number"], urlsplit(earlier[0]["verify_url"])
        json = {"Accept": "application/json"}
        credentials = {"username": "base", "password": PASSWORD}
        traffic.loop("verify", lambda: load.get(f"/api/verify/{number}", headers=json))
        traffic.loop("verify", lambda: load.get(f"{parts.path}?{parts.query}", headers=json))

        async def log_in() -> httpx.Response:
            load.cookies.clear()  # a held login cookie would make this a cookie write needing CSRF
            return await load.post("/api/auth/login", json=credentials)

        traffic.loop("login", log_in)
        traffic.loop("ready", lambda: load.get("/ready"))
        await asyncio.sleep(2)

        redis.stop()
        down = time.monotonic()
        during = []
        for sitting_id in during_ids:  # recorded in the outbox; Redis is not needed to issue
            during += await issue(client, staff, sitting_id)
            await asyncio.sleep(OUTAGE_SECONDS / 4)
        await asyncio.sleep(max(0.0, OUTAGE_SECONDS - (time.monotonic() - down)))
        restarting = time.monotonic()
        redis.start()
        up = time.monotonic()

        ids = [c["id"] for c in during]
        jobs = await eventually(
            lambda: _render_jobs_settled(database_url, 1 + len(during_ids)),
            RENDER_BOUND_SECONDS,
            "the render jobs of the outage's certificates done",
        )
        rendered = time.monotonic()
        await asyncio.sleep(1)
        await traffic.stop()

    errors = [o for o in traffic.outcomes if o.kind != "ready" and not 200 <= o.status < 300]
    assert errors == [], errors[:5]
    ready_while_down = [o.status for o in traffic.sent_between(down, restarting) if o.kind == "ready"]
    assert ready_while_down and set(ready_while_down) == {503}
    ready_after = [o.status for o in traffic.sent_between(up, time.monotonic()) if o.kind == "ready"]
    assert ready_after and set(ready_after) == {200}
    assert _outcomes(jobs) == [(True, None)] * len(jobs)
    assert await _all_stored(database_url, ids)  # done only after the documents were stored
    counts = rendered_counts(worker.log())  # logged before the job is marked done
    assert {i: counts[i] for i in ids} == dict.fromkeys(ids, 1)
    print(
        f"\nRedis down {restarting - down:.0f} s; answers "
        f"{ {kind: dict(c) for kind, c in traffic.statuses().items()} }; /ready while down "
        f"{len(ready_while_down)} x 503; the {len(ids)} certificates issued meanwhile all rendered "
        f"{rendered - up:.0f} s after Redis was back"
    )


async def _queued(redis_client: Any, n: int) -> bool:
    return bool(redis_client.llen(QUEUE) == n)


async def test_redis_killed_while_render_jobs_are_queued_in_it(rig: Rig, database_url: str) -> None:
    """The web process publishes two render jobs (40 certificates) to Redis while no worker
    runs; Redis is SIGKILLed (no persistence: the queue is gone) and started again, empty; a
    worker starts: every certificate is rendered exactly once and both jobs end done, because the
    outbox sweep published both jobs again once their lease ran out (two attempts each; a
    liveness bound of the lease plus :data:`RENDER_BOUND_SECONDS`)."""
    redis = rig.redis()
    env = tuoyu_env(rig.path("data"), database_url=database_url, redis_url=redis.url)
    base_id = await training_base_with_staff(database_url)
    sitting_id = await passed_sitting(database_url, base_id, range(40))
    web = rig.serve(env)
    async with web.client() as client:
        ids = [c["id"] for c in await issue(client, await login(client, "base"), sitting_id)]
    with redis.client() as queue:
        await eventually(lambda: _queued(queue, 2), 30, "both render jobs queued in Redis")

    redis.kill()
    killed = time.monotonic()
    redis.start()
    with redis.client() as fresh:
        assert fresh.llen(QUEUE) == 0  # what was queued is gone
    worker = rig.worker(env)

    # redelivered only once the lease of the lost delivery ran out, then rendered within the
    # same liveness bound as anywhere else in these tests
    deadline = render_lease().total_seconds() + RENDER_BOUND_SECONDS - (time.monotonic() - killed)
    jobs = await eventually(lambda: _render_jobs_settled(database_url, 2), deadline, "both render jobs done")
    assert _outcomes(jobs) == [(True, None)] * 2
    assert [j["attempts"] for j in jobs] == [2, 2]  # the lost delivery, then the sweep's
    assert await _all_stored(database_url, ids)
    assert rendered_counts(worker.log()) == dict.fromkeys(ids, 1)
    print(f"\nall {len(ids)} rendered {time.monotonic() - killed:.0f} s after Redis was killed")
