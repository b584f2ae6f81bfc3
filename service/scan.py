"""The scan path: a scanned verify URL asking for JSON, answered without the per-route machinery.

``GET /v/{number}?i=&e=&p=&h=&k=&s=`` with ``Accept: application/json`` is what an employer's app
or a verification desk sends for each certificate it scans — the service's hottest public
request. Through Litestar's route machinery and the app's middleware it cost about twice what
the work itself costs: in-process on PostgreSQL, 506 µs of CPU a request against 249 µs for the
use case alone, and the middleware stack also slowed the use case's own database round trip
(measured 2026-11-30, ``bench/README.md``). This ASGI wrapper, put around the app's request
handler (inside Litestar's entry point, like ``service.head``), answers that one request itself.

**It takes only the ordinary case** — ``GET`` (``HEAD`` arrives as ``GET``, ``service.head``), one
path segment after ``/v/``, no root path, an ``Accept`` header naming JSON and not HTML
(``service.api.verify.wants_json``), no control character in path or query
(``service.hygiene.has_control_characters``), and a client within the verify rate limit (the
route's own :class:`service.ratelimit.RateLimitMiddleware`, so the same counter, namespace and
limit). **Everything else goes to the app unchanged** and is answered there as any request is: a
browser's HTML page, 429 with ``Retry-After``, 400 for a control character. A client over the limit
is thus counted here and again by the route's middleware; it is over the limit either way.

**An error of the use case is answered by the route too, without a second try**: the exception (a
full pool's 503, a database error's 500 …) is handed to the route in the request's state
(``service.api.verify.SCAN_FAILURE``), which raises it again at once — so the error gets the route's
problem details, logging and metrics (timed from the scan path's start, ``STARTED``), the client
waits for the database once, and the hit already counted here is not counted again (``COUNTED``).

**For what it takes it does what the app's layers do for this route**: the request id in the
context (``service.edge``), the request metrics under the route's template with the route's
series (:meth:`service.observability.RequestMetricsMiddleware.record`; it also counts its own
answers, ``tuoyu_scan_path_answers_total``), the use case
(:func:`service.usecases.verify`: the check and the verification log row) and the route's JSON
answer (:func:`service.api.verify.json_answer`). The security headers and ``X-Request-ID`` are
stamped by the app's ``before_send`` hook (``service.edge``), which wraps the ``send`` this path
is given. It leaves out only what does nothing for this request: authentication (the route is
public and reads no login), CSRF (a ``GET`` changes nothing), the audit (a public read is never
audited) and the policy hook, whose rule for the route is ``public`` — :meth:`ScanPath.wrap`
checks that when the app is built and fails start-up if the route's rule or options change, so
this path cannot quietly outlive them. ``tests/api/test_scan_path.py`` holds it to the route's
answers, headers, log rows and metrics, request by request.

``TUOYU_SCAN_PATH=false`` turns it off (every scan then goes through the route).
"""

from __future__ import annotations

import logging
import time
from typing import Any

from litestar import Litestar, Request
from litestar.types import ASGIApp, Receive, Scope, Send

from service import usecases
from service.api.verify import JSON_HEADERS, SCAN_FAILURE, json_body, wants_json
from service.audit import AUDIT_REFUSALS
from service.edge import request_context
from service.hygiene import has_control_characters
from service.observability import SCAN_PATH_ANSWERS, STARTED, RequestMetricsMiddleware
from service.ratelimit import ACCOUNT_LIMIT, COUNTED, RateLimitMiddleware
from service.refusal_budget import REFUSAL_BUDGET
from service.runtime import Runtime

log = logging.getLogger("tuoyu.scan")

PREFIX = "/v/"
TEMPLATE = "/v/{number}"
"""The route the scan path answers for (its path template, as the request metrics name it)."""


class ScanPath:
    """The scan path of the module docstring for one app: ``rt`` its runtime, ``limit`` the
    verify route's rate-limit middleware, ``metrics`` a request-metrics middleware of the app's
    Prometheus config (the series are shared by every instance)."""

    def __init__(self, rt: Runtime, limit: RateLimitMiddleware, metrics: RequestMetricsMiddleware) -> None:
        self.rt = rt
        self.limit = limit
        self.metrics = metrics

    def wrap(self, app: Litestar, handler: ASGIApp) -> ASGIApp:
        """``handler`` (the app's request handler) with scans answered here first. Raises
        ``RuntimeError`` when the app's ``/v/{number}`` route is missing, is not ``public`` or
        carries an option this path does not apply (a login limit, a refusal budget, audited
        refusals)."""
        _check_route(app)

        async def handle(scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] == "http" and await self._answered(scope, send):
                return
            await handler(scope, receive, send)

        return handle

    def _number(self, scope: Scope) -> str | None:
        """The certificate number of a request this path takes, else ``None``."""
        path = scope["path"]
        if scope.get("method") != "GET" or not path.startswith(PREFIX) or scope.get("root_path"):
            return None
        number = path[len(PREFIX) :]
        if not number or "/" in number or not wants_json(scope) or has_control_characters(scope):
            return None
        return number

    async def _answered(self, scope: Scope, send: Send) -> bool:
        """Answer the scan in ``scope`` if this path takes it; ``False`` when the app must."""
        number = self._number(scope)
        if number is None or not (await self.limit.count(scope))[0]:
            return False
        start = time.perf_counter()
        progress = self.metrics.in_progress("GET", TEMPLATE)
        progress.inc()
        try:
            with request_context(scope):
                request: Request[Any, Any, Any] = Request(scope)
                client = scope.get("client")
                try:
                    result = await usecases.verify(
                        self.rt, number, request.query_params.multi_items(), client[0] if client else ""
                    )
                except Exception as exc:  # the route raises it again and answers it as any error
                    log.debug("scan path: %r, the route answers", exc)
                    state = scope["state"]  # type: ignore[typeddict-item]
                    state[SCAN_FAILURE] = exc
                    state[COUNTED] = True  # counted once, here
                    state[STARTED] = start  # the metrics time the request from here
                    return False
                body = json_body(result)
                headers = [*JSON_HEADERS, (b"content-length", str(len(body)).encode())]
                await send({"type": "http.response.start", "status": 200, "headers": headers})
                await send({"type": "http.response.body", "body": body, "more_body": False})
            self.metrics.record("GET", TEMPLATE, 200, time.perf_counter() - start)
            SCAN_PATH_ANSWERS.inc()
            return True
        finally:
            progress.dec()


def _check_route(app: Litestar) -> None:
    for route in app.routes:
        if route.path_format != TEMPLATE:
            continue
        for handler in getattr(route, "route_handlers", ()):
            if "GET" not in getattr(handler, "http_methods", ()):
                continue
            opt = handler.opt
            extra = {AUDIT_REFUSALS, REFUSAL_BUDGET, ACCOUNT_LIMIT} & {k for k, v in opt.items() if v}
            if opt.get("policy") != "public" or extra:
                raise RuntimeError(
                    f"GET {TEMPLATE} is no longer a plain public route (policy {opt.get('policy')!r}, "
                    f"options {sorted(extra)}): the scan path (service.scan) would skip that"
                )
            return
    raise RuntimeError(f"the app has no GET {TEMPLATE} route for the scan path (service.scan)")
