"""Public verify endpoint vs a trivial endpoint, side by side in one process.

Both run through the same ASGI app in-process (no network), interleaved in rounds so machine
noise hits both alike. Reported as the ratio of median per-request times: how much a signed QR
verification (signature check, lookup, log row) costs relative to ``GET /health``
(one trivial query). Uses the embedded SQLite default in a temporary folder, or
``TUOYU_DATABASE_URL`` when set.
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

ROUNDS = 7
PER_ROUND = 60


async def _time(client: object, path: str, headers: dict[str, str], n: int) -> float:
    start = time.perf_counter()
    for _ in range(n):
        r = await client.get(path, headers=headers)  # type: ignore[attr-defined]
        assert r.status_code == 200, r.text
    return (time.perf_counter() - start) / n


async def main() -> None:
    os.environ.setdefault("TUOYU_DATA_DIR", tempfile.mkdtemp(prefix="tuoyu-bench-"))
    os.environ["TUOYU_VERIFY_RATE_PER_MINUTE"] = "1000000"
    from litestar.testing import AsyncTestClient

    from service import demo
    from service.app import create_app
    from service.settings import get_settings

    get_settings.cache_clear()
    await demo.prepare_database()
    await demo.ensure_workforce()
    cohort = await demo.run_cohort(Path(get_settings().data_dir) / "bench-out")
    parts = urlsplit(cohort.certificates[0].verify_url)
    verify_path = f"{parts.path}?{parts.query}"
    json_accept = {"Accept": "application/json"}
    async with AsyncTestClient(app=create_app()) as client:
        await _time(client, verify_path, json_accept, 5)  # warm up
        await _time(client, "/health", json_accept, 5)
        verify_t, health_t = [], []
        for _ in range(ROUNDS):
            verify_t.append(await _time(client, verify_path, json_accept, PER_ROUND))
            health_t.append(await _time(client, "/health", json_accept, PER_ROUND))
    v, h = statistics.median(verify_t), statistics.median(health_t)
    print(f"verify (signed QR URL): {v * 1000:.2f} ms/request (median of {ROUNDS} rounds × {PER_ROUND})")
    print(f"trivial (/health):      {h * 1000:.2f} ms/request")
    print(f"ratio verify / trivial: {v / h:.2f}×")
