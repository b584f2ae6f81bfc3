"""The public verify endpoint is rate limited per client; other endpoints are not."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.servers import serve_in_process, settings_for


async def test_verify_is_rate_limited(db: None, pg_engine: Any, tmp_path: Path) -> None:
    from service.app import create_app

    settings = settings_for(tmp_path, verify_rate_per_minute=5)
    async with serve_in_process(create_app(settings, engine=pg_engine)) as client:
        codes = [
            (await client.get("/api/verify/S1", headers={"Accept": "application/json"})).status_code
            for _ in range(7)
        ]
        assert codes[:5] == [200] * 5 and codes[5:] == [429, 429]
        limited = await client.get("/v/S1", headers={"Accept": "application/json"})
        assert limited.status_code == 429
        assert (await client.get("/health")).status_code == 200  # not limited
