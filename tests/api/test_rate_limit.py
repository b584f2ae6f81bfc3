"""The public verify endpoint is rate limited per client; other endpoints are not."""

from __future__ import annotations

import os

from litestar.testing import AsyncTestClient


async def test_verify_is_rate_limited(db: None) -> None:
    from service.app import create_app
    from service.settings import get_settings

    os.environ["TUOYU_VERIFY_RATE_PER_MINUTE"] = "5"
    get_settings.cache_clear()
    try:
        async with AsyncTestClient(app=create_app()) as client:
            codes = [
                (await client.get("/api/verify/S1", headers={"Accept": "application/json"})).status_code
                for _ in range(7)
            ]
            assert codes[:5] == [200] * 5 and codes[5:] == [429, 429]
            limited = await client.get("/v/S1", headers={"Accept": "application/json"})
            assert limited.status_code == 429
            assert (await client.get("/health")).status_code == 200  # not limited
    finally:
        os.environ["TUOYU_VERIFY_RATE_PER_MINUTE"] = "100000"
        get_settings.cache_clear()
