"""Logs, request ids and metrics.

- **Request id** (:func:`request_id_for`): every request gets one — the caller's
  ``X-Request-ID`` when it is short and plain, a new random one otherwise — echoed in the
  response header (by ``service.edge``), present in every log line of the request and stored
  with the background work the request records
  (``talent_pool.outbox.correlation_id``), so a job's log lines carry the id of the request that
  caused it.
- **Logs**: one line per record with the request id; JSON lines when ``TUOYU_LOG_JSON=true``
  (python-json-logger).
- **Metrics** (Prometheus, ``GET /metrics``): HTTP requests by route, method and status with
  latency histograms (Litestar's Prometheus plugin), and background work read from the outbox at
  each scrape — jobs pending, being delivered, done and failed, attempts, and the age of the
  oldest pending job. Serve ``/metrics`` to the monitoring network only (the proxy's job): it
  holds counts, never personal data.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from typing import Any

from litestar import Response, get
from litestar.plugins.prometheus import PrometheusConfig, PrometheusController
from litestar.types import Scope
from prometheus_client import Gauge

from service.policy import action
from service.runtime import Runtime
from talent_pool.tables import OutboxMessage
from worker.clock import Clock
from worker.logs import configure_logging

__all__ = ["MetricsController", "configure_logging", "prometheus_config", "request_id_for"]

_SAFE_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
REQUEST_ID_HEADER = "x-request-id"
REQUEST_ID_HEADER_BYTES = REQUEST_ID_HEADER.encode()


def request_id_for(scope: Scope) -> str:
    """The caller's ``X-Request-ID`` when it is short and plain (``[A-Za-z0-9._-]{1,64}``), else a
    new random 32-hex-digit id. Stamped on the response by :class:`service.edge.EdgeMiddleware`."""
    for name, value in scope.get("headers", ()):
        if name == REQUEST_ID_HEADER_BYTES:
            given = value.decode("latin-1")
            if _SAFE_ID.match(given):
                return given
            break
    return os.urandom(16).hex()


_JOBS = Gauge("tuoyu_jobs", "Background jobs in the outbox by state", ["state"])
_ATTEMPTS = Gauge("tuoyu_job_attempts", "Delivery attempts of all background jobs in the outbox")
_OLDEST = Gauge("tuoyu_job_oldest_pending_seconds", "Age of the oldest background job not yet done")

_OUTBOX_SQL = """
SELECT
  SUM(CASE WHEN done_at IS NULL AND failed_at IS NULL AND (leased_until IS NULL OR leased_until < {})
      AND (due_at IS NULL OR due_at <= {}) THEN 1 ELSE 0 END) AS pending,
  SUM(CASE WHEN done_at IS NULL AND failed_at IS NULL AND due_at > {} THEN 1 ELSE 0 END) AS scheduled,
  SUM(CASE WHEN done_at IS NULL AND leased_until >= {} THEN 1 ELSE 0 END) AS delivering,
  SUM(CASE WHEN done_at IS NOT NULL THEN 1 ELSE 0 END) AS done,
  SUM(CASE WHEN failed_at IS NOT NULL AND done_at IS NULL THEN 1 ELSE 0 END) AS failed,
  COALESCE(SUM(attempts), 0) AS attempts,
  MIN(CASE WHEN done_at IS NULL AND failed_at IS NULL AND (due_at IS NULL OR due_at <= {})
      THEN COALESCE(due_at, created_at) END) AS oldest
FROM tp_outbox
"""


async def refresh_job_metrics(clock: Clock) -> None:
    """Read the outbox once and set the job gauges."""
    now = clock.now()
    rows = await OutboxMessage.raw(_OUTBOX_SQL, now, now, now, now, now)
    row: dict[str, Any] = rows[0] if rows else {}
    for state in ("pending", "scheduled", "delivering", "done", "failed"):
        _JOBS.labels(state=state).set(int(row.get(state) or 0))
    _ATTEMPTS.set(int(row.get("attempts") or 0))
    oldest = row.get("oldest")
    if isinstance(oldest, str):  # SQLite returns text
        oldest = dt.datetime.fromisoformat(oldest)
    if oldest is not None and oldest.tzinfo is None:
        oldest = oldest.replace(tzinfo=dt.UTC)
    _OLDEST.set(0 if oldest is None else max(0.0, (now - oldest).total_seconds()))


def prometheus_config() -> PrometheusConfig:
    """HTTP metrics by route template (not raw path: ids and certificate numbers stay out)."""
    return PrometheusConfig(
        app_name="tuoyu",
        prefix="tuoyu",
        group_path=True,
        exclude=["^/metrics$", "^/static/", "^/health$", "^/ready$"],  # probes are not traffic
    )


class MetricsController(PrometheusController):
    """``GET /metrics``: the Prometheus text format, job gauges refreshed from the outbox first."""

    path = "/metrics"
    include_in_schema = False

    @get(opt=action("public"))
    async def get(self, rt: Runtime) -> Response:  # type: ignore[override]
        await refresh_job_metrics(rt.clock)
        return await super().get.fn(self)  # type: ignore[no-any-return]
