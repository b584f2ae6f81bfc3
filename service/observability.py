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
import logging
import os
import re
import time
from typing import Any

from litestar import Response, get
from litestar.plugins.prometheus import PrometheusConfig, PrometheusController, PrometheusMiddleware
from litestar.types import ASGIApp, Message, Receive, Scope, Send
from prometheus_client import Counter, Gauge

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
    new random 32-hex-digit id. Stamped on the response by :class:`service.edge.Edge`."""
    for name, value in scope.get("headers", ()):
        if name == REQUEST_ID_HEADER_BYTES:
            given = value.decode("latin-1")
            if _SAFE_ID.match(given):
                return given
            break
    return os.urandom(16).hex()


_log = logging.getLogger("tuoyu.metrics")
_JOBS = Gauge("tuoyu_jobs", "Background jobs in the outbox by state", ["state"])
_ATTEMPTS = Gauge("tuoyu_job_attempts", "Delivery attempts of all background jobs in the outbox")
_OLDEST = Gauge("tuoyu_job_oldest_pending_seconds", "Age of the oldest background job not yet done")
_JOBS_STALE = Gauge(
    "tuoyu_job_metrics_stale",
    "1 when the job gauges could not be read from the outbox for this scrape (the database did not "
    "answer: they keep their last values), else 0",
)
SCAN_PATH_ANSWERS = Counter(
    "tuoyu_scan_path_answers",
    "Scanned verify URLs asking for JSON answered on the scan path (service.scan); the others went "
    "through the route",
)
"""How many scans the scan path answered itself (``tuoyu_scan_path_answers_total``)."""

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


STARTED = "tuoyu_request_started"
"""``scope["state"]`` key: when the request started (``time.perf_counter()``), if before this
middleware saw it — ``service.scan`` handing a request to the route — so its duration counts
from there."""


class RequestMetricsMiddleware(PrometheusMiddleware):
    """Litestar's Prometheus middleware with the same metrics — ``tuoyu_requests_total``,
    ``tuoyu_request_duration_seconds`` (histogram, seconds), ``tuoyu_requests_in_progress``,
    ``tuoyu_requests_error_total``, labelled method · route template · status · app — at a fraction
    of the cost per request: method and route template are read from the ASGI scope instead of a
    ``Request`` built for them, and each labelled series is looked up once per (method, route,
    status) and kept, instead of three ``labels()`` lookups and a ``functools.wraps`` per
    request (together ~50 µs of a ~470 µs verification in-process, sampled 2026-11-29). Extra
    labels or exemplars in the config fall back to Litestar's own code."""

    def __init__(self, app: ASGIApp, config: PrometheusConfig) -> None:
        super().__init__(app, config)
        self._in_progress: dict[tuple[str, str], Any] = {}
        self._done: dict[tuple[str, str, int], tuple[Any, Any, Any]] = {}

    def _labels(self, method: str, path: str, status: int) -> dict[str, str | int | float]:
        return {"method": method, "path": path, "status_code": status, "app_name": self._config.app_name}

    def _progress_series(self, method: str, path: str) -> Any:
        series = self._in_progress.get((method, path))
        if series is None:
            labels = self._labels(method, path, 200)  # Litestar labels the gauge with status 200
            series = self._in_progress[method, path] = self.requests_in_progress(labels).labels(
                *labels.values()
            )
        return series

    def _done_series(self, method: str, path: str, status: int) -> tuple[Any, Any, Any]:
        series = self._done.get((method, path, status))
        if series is None:
            labels = self._labels(method, path, status)
            values = list(labels.values())
            series = self._done[method, path, status] = (
                self.request_count(labels).labels(*values),
                self.request_time(labels).labels(*values),
                self.requests_error_count(labels).labels(*values),
            )
        return series

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        config = self._config
        if config.labels or config.exemplars:
            await super().__call__(scope, receive, send)
            return
        method: str = scope["method"] if scope["type"] == "http" else scope["type"]  # type: ignore[typeddict-item]
        if config.excluded_http_methods and method in config.excluded_http_methods:
            await self.app(scope, receive, send)
            return
        path = scope.get("path_template", "") if config.group_path else scope["path"]
        start = scope["state"].pop(STARTED, None) or time.perf_counter()  # type: ignore[typeddict-item]
        outcome = {"status": 200, "duration": 0.0}

        async def timed_send(message: Message) -> None:
            kind = message["type"]
            if kind == "http.response.start":
                outcome["status"] = message["status"]  # type: ignore[typeddict-item]
            elif kind == "http.response.body":
                outcome["duration"] = time.perf_counter() - start
            await send(message)

        progress = self._progress_series(method, path)
        progress.inc()
        try:
            await self.app(scope, receive, timed_send)
        finally:
            progress.dec()
            self.record(method, path, int(outcome["status"]), outcome["duration"])

    def record(self, method: str, path: str, status: int, seconds: float) -> None:
        """Count one finished request of ``method`` on the route template ``path`` answered
        ``status`` after ``seconds`` (until its body was sent): the request count, the duration
        histogram and, from 500 on, the error count — the series this middleware keeps, for an
        answer made outside it (``service.scan``)."""
        count, timing, errors = self._done_series(method, path, status)
        if status >= 500:
            errors.inc()
        count.inc()
        timing.observe(seconds)

    def in_progress(self, method: str, path: str) -> Any:
        """The ``requests_in_progress`` gauge of ``method`` on the route template ``path``."""
        return self._progress_series(method, path)


def prometheus_config() -> PrometheusConfig:
    """HTTP metrics by route template (not raw path: ids and certificate numbers stay out),
    counted by :class:`RequestMetricsMiddleware`."""
    return PrometheusConfig(
        app_name="tuoyu",
        prefix="tuoyu",
        group_path=True,
        exclude=["^/metrics$", "^/static/", "^/health$", "^/ready$"],  # probes are not traffic
        middleware_class=RequestMetricsMiddleware,
    )


class MetricsController(PrometheusController):
    """``GET /metrics``: the Prometheus text format, job gauges refreshed from the outbox first."""

    path = "/metrics"
    include_in_schema = False

    @get(opt=action("public"))
    async def get(self, rt: Runtime) -> Response:  # type: ignore[override]
        """The metrics; while the database does not answer, the request series are served all the
        same (an outage is when they matter most) and ``tuoyu_job_metrics_stale`` is 1."""
        try:
            await refresh_job_metrics(rt.clock)
        except Exception as exc:  # any database failure: the job gauges keep their last values
            _log.warning("metrics: the job gauges were not refreshed: %r", exc)
            _JOBS_STALE.set(1)
        else:
            _JOBS_STALE.set(0)
        return await super().get.fn(self)  # type: ignore[no-any-return]
