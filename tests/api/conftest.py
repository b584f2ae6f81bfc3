"""API tests: the Litestar app in-process, a real Celery worker process on real Redis."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
import redis
from litestar.testing import AsyncTestClient

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def celery_worker(
    test_db_url: str, redis_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """A real ``celery worker`` subprocess on the test Redis database and the test PostgreSQL
    database. Yields the Redis URL the app must publish to."""
    redis.Redis.from_url(redis_url).flushdb()
    log_path = tmp_path_factory.mktemp("celery") / "worker.log"
    env = dict(os.environ)
    env.update(
        TUOYU_DATABASE_URL=test_db_url,
        TUOYU_REDIS_URL=redis_url,
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
        yield redis_url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()


@pytest.fixture
async def client(db: None) -> AsyncIterator[AsyncTestClient]:  # type: ignore[type-arg]
    """The app in-process with tasks in-process (no broker)."""
    from service.app import create_app
    from service.settings import get_settings

    get_settings.cache_clear()
    async with AsyncTestClient(app=create_app()) as c:
        yield c


@pytest.fixture
async def celery_client(db: None, celery_worker: str) -> AsyncIterator[AsyncTestClient]:  # type: ignore[type-arg]
    """The app in-process publishing tasks to the real Celery worker through Redis."""
    from service.app import create_app
    from service.settings import get_settings

    os.environ["TUOYU_REDIS_URL"] = celery_worker
    get_settings.cache_clear()
    try:
        async with AsyncTestClient(app=create_app()) as c:
            yield c
    finally:
        os.environ.pop("TUOYU_REDIS_URL", None)
        get_settings.cache_clear()
