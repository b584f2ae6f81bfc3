"""API tests: the Litestar app in-process on this run's PostgreSQL database; with
``celery_client``, publishing to a real Celery worker process on real Redis."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from service.sms import RecordingSms
from tests.servers import serve_in_process, settings_for


@pytest.fixture
async def client(db: None, pg_engine: Any, tmp_path: Path) -> AsyncIterator[AsyncTestClient]:  # type: ignore[type-arg]
    """The app in-process with background work in-process (no broker)."""
    from service.app import create_app

    sms = RecordingSms()
    async with serve_in_process(create_app(settings_for(tmp_path), engine=pg_engine, sms=sms)) as c:
        c.sms = sms  # type: ignore[attr-defined]  # the codes sent, for sign-up tests
        yield c


@pytest.fixture
async def celery_client(
    db: None, pg_engine: Any, celery_worker: dict[str, str], tmp_path: Path
) -> AsyncIterator[AsyncTestClient]:  # type: ignore[type-arg]
    """The app in-process publishing background work to the real Celery worker through Redis."""
    from service.app import create_app

    settings = settings_for(tmp_path, **celery_worker)
    sms = RecordingSms()
    async with serve_in_process(create_app(settings, engine=pg_engine, sms=sms)) as c:
        c.sms = sms  # type: ignore[attr-defined]
        yield c
