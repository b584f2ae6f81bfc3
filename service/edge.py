"""What every HTTP response carries on its way out: the request id
(:func:`service.observability.request_id_for`) and the security headers
(:class:`service.security.SecurityHeaders`).

Two parts, installed together by :meth:`Edge.on_app_init`:

- the headers are stamped by an app-level ``before_send`` hook, which Litestar runs for every
  message the app sends — also for answers made *outside* the route's middleware: 404/405 from
  routing, the login redirect and 401 raised by the authentication middleware, exceptions turned
  into responses by the app's outer exception handler. (A route middleware cannot see those:
  routing runs before it, and the JWT middleware is put in front of the app's list.)
- the request id is set in the context (``talent_pool.outbox.correlation_id``, so logs and
  background work carry it) by a route middleware placed *first*, in front of the
  authentication middleware, so the login look-up logs with it too (and an error it raises, turned
  into an answer by the outer exception handler, still has the id). It keeps the id in the
  scope's state, and the hook echoes that same id; a request that never reached a route (404)
  gets one made by the hook.

The hook appends raw header pairs instead of parsing and rewriting the header list per header:
on ``/health`` this was a fifth of the app's own cost (``bench/README.md``, the ``http``
measure). A header the handler already set is kept as the handler set it.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from typing import Any

from litestar.config.app import AppConfig
from litestar.enums import ScopeType
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from service.observability import REQUEST_ID_HEADER_BYTES, request_id_for
from service.security import SecurityHeaders
from talent_pool.outbox import correlation_id

_STATE_KEY = "tuoyu_request_id"


def _request_id(scope: Scope) -> str:
    """The request's id, made once (:func:`request_id_for`) and kept in ``scope["state"]``."""
    state: dict[str, Any] = scope.setdefault("state", {})  # type: ignore[assignment]
    found = state.get(_STATE_KEY)
    if found is None:
        found = state[_STATE_KEY] = request_id_for(scope)
    return str(found)


@contextlib.contextmanager
def request_context(scope: Scope) -> Iterator[None]:
    """The request's id (made once, kept in ``scope["state"]``) in the context
    (``talent_pool.outbox.correlation_id``) while the block runs — and after it when an exception
    leaves it: the app's outer exception handler (an error of the authentication middleware,
    such as a 503 while the login is looked up) then logs with the id too. The request's task
    ends with its answer, so the id goes with it."""
    token = correlation_id.set(_request_id(scope))
    yield
    correlation_id.reset(token)


class RequestContextMiddleware(ASGIMiddleware):
    """The request id in the context (:func:`request_context`) while the route's middleware and
    handler run."""

    scopes = (ScopeType.HTTP,)

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        with request_context(scope):
            await next_app(scope, receive, send)


class Edge:
    """The request id and security headers of the module docstring for one app (``https``: the
    public URL is https; ``media_origins``: the courseware store's origins,
    :func:`service.security.page_csp`). Pass :meth:`on_app_init` to ``Litestar(on_app_init=…)``
    *after* the authentication backend's own hook."""

    def __init__(self, *, https: bool, media_origins: Sequence[str] = ()) -> None:
        self.headers = SecurityHeaders(https=https, media_origins=media_origins)

    def on_app_init(self, app_config: AppConfig) -> AppConfig:
        """Put the request-context middleware first and the header hook on every send."""
        app_config.middleware.insert(0, RequestContextMiddleware())
        app_config.before_send.append(self.stamp)
        return app_config

    async def stamp(self, message: Message, scope: Scope) -> None:
        """``before_send`` hook: add the security headers and ``X-Request-ID`` to the start of an
        HTTP response (those the response already has are left as they are)."""
        if message["type"] != "http.response.start":
            return
        extra = [
            *self.headers.for_path(scope["path"]),
            (REQUEST_ID_HEADER_BYTES, _request_id(scope).encode()),
        ]
        headers = list(message.get("headers") or ())
        present = {name.lower() for name, _ in headers}
        headers.extend(pair for pair in extra if pair[0] not in present)
        message["headers"] = headers
