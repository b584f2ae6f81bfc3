"""A process rendering certificate documents dies in the middle (SIGKILL: no clean-up at all):
the next process does the rest, nothing is lost and nothing is rendered twice
(docs/architecture.md, "Background work").

Both tests wait for the render job's lease (``worker.jobs.JOBS``, 3 minutes) to run out: the
killed process's messages are delivered again only then."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from certification import RENDER_TASK
from talent_pool.tables import OutboxMessage
from tests.faults.conftest import (
    Rig,
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

CERTIFICATES = 100


async def _render_jobs(url: str) -> list[dict[str, Any]]:
    async with bound_to(url):
        query = OutboxMessage.select().where(OutboxMessage.task == RENDER_TASK)
        return await query.order_by(OutboxMessage.id)


async def _stored(url: str, ids: list[int], at_least: int) -> bool:
    return await documents_of(url, ids) >= at_least


async def _kill_in_the_middle(url: str, ids: list[int], kill: Callable[[], None]) -> int:
    """``kill()`` once at least 10 documents are stored; returns how many were stored when the
    process died (asserted to be fewer than all: it died in the middle)."""
    await eventually(lambda: _stored(url, ids, 10), 120, "rendering under way", interval=0.05)
    kill()
    stored = await documents_of(url, ids)
    assert 10 <= stored < len(ids), f"the process must die in the middle of the batch ({stored} stored)"
    return stored


async def _all_stored_within_lease_and_a_minute(url: str, ids: list[int], killed: float) -> None:
    deadline = render_lease().total_seconds() + 60 - (time.monotonic() - killed)
    await eventually(lambda: _stored(url, ids, len(ids)), deadline, f"all {len(ids)} documents stored")


def _assert_each_rendered_at_most_once(ids: list[int], *logs: str) -> None:
    counts = rendered_counts(*logs)
    assert set(counts) <= set(ids)
    assert {i: n for i, n in counts.items() if n > 1} == {}, "rendered twice"
    # every stored document has its line, except one whose process died between commit and log
    assert len(counts) >= len(ids) - 1


async def test_a_celery_worker_killed_while_100_certificates_render(rig: Rig, database_url: str) -> None:
    """SIGKILL of a whole ``tuoyu worker`` (Celery main process, pool children, beat) while the
    100 certificates of a sitting render: after a new worker starts, all 100 have their QR
    code and PDF within the job lease plus a minute of the kill, no certificate was rendered
    twice (the render job's INFO lines in both workers' logs) and every render job is done."""
    redis = rig.redis()
    env = tuoyu_env(rig.path("data"), database_url=database_url, redis_url=redis.url)
    base_id = await training_base_with_staff(database_url)
    sitting_id = await passed_sitting(database_url, base_id, range(CERTIFICATES))
    web = rig.serve(env)
    first = rig.worker(env)
    async with web.client() as client:
        ids = [c["id"] for c in await issue(client, await login(client, "base"), sitting_id)]
    assert len(ids) == CERTIFICATES

    stored_at_kill = await _kill_in_the_middle(database_url, ids, first.kill)
    killed = time.monotonic()
    second = rig.worker(env)
    await _all_stored_within_lease_and_a_minute(database_url, ids, killed)

    _assert_each_rendered_at_most_once(ids, first.log(), second.log())
    assert sum(rendered_counts(first.log()).values()) >= stored_at_kill
    assert sum(rendered_counts(second.log()).values()) >= 1
    jobs = await _render_jobs(database_url)
    assert [(j["done_at"] is not None, j["failed_at"]) for j in jobs] == [(True, None)] * len(jobs)
    print(
        f"\nworker killed with {stored_at_kill}/{CERTIFICATES} stored; all stored "
        f"{time.monotonic() - killed:.0f} s after the kill; render lines: killed worker "
        f"{sum(rendered_counts(first.log()).values())}, new worker "
        f"{sum(rendered_counts(second.log()).values())}; attempts per job {[j['attempts'] for j in jobs]}"
    )


async def test_the_embedded_default_killed_while_rendering_then_restarted(rig: Rig) -> None:
    """``tuoyu serve`` on the embedded default (SQLite file, no Redis, background work in the
    web process) SIGKILLed while it renders the 100 certificates it has just issued, then
    started again on the same data folder: every document is complete within the job lease
    plus a minute of the kill, none was rendered twice, every render job is done."""
    data = rig.path("data")
    env = tuoyu_env(data)
    url = f"sqlite:///{data / 'tuoyu.sqlite'}"
    web = rig.serve(env)  # migrates and seeds the SQLite file at start-up
    base_id = await training_base_with_staff(url)
    sitting_id = await passed_sitting(url, base_id, range(CERTIFICATES))
    async with web.client() as client:
        ids = [c["id"] for c in await issue(client, await login(client, "base"), sitting_id)]
    assert len(ids) == CERTIFICATES

    stored_at_kill = await _kill_in_the_middle(url, ids, web.proc.kill)
    killed = time.monotonic()
    again = rig.serve(env, port=web.port)
    await _all_stored_within_lease_and_a_minute(url, ids, killed)

    _assert_each_rendered_at_most_once(ids, web.proc.log(), again.proc.log())
    jobs = await _render_jobs(url)
    assert [(j["done_at"] is not None, j["failed_at"]) for j in jobs] == [(True, None)] * len(jobs)
    print(
        f"\nserve killed with {stored_at_kill}/{CERTIFICATES} stored; all stored "
        f"{time.monotonic() - killed:.0f} s after the kill; attempts per job {[j['attempts'] for j in jobs]}"
    )
