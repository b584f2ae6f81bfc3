"""The one middleware that stamps every HTTP response on its way out: the request id
(:func:`service.observability.request_id_for`) and the security headers
(:class:`service.security.SecurityHeaders`).

One ``send`` wrapper instead of one per concern, appending raw header pairs instead of parsing
and rewriting the header list per header: on ``/health`` this was a fifth of the app's own cost
(``bench/README.md``, the ``http`` measure). A header the handler already set is kept as the
handler set it.
"""

from __future__ import annotations

from collections.abc import Sequence

from litestar.enums import ScopeType
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from service.observability import REQUEST_ID_HEADER_BYTES, request_id_for
from service.security import SecurityHeaders
from talent_pool.outbox import correlation_id


class EdgeMiddleware(ASGIMiddleware):
    """Request id in the context (``talent_pool.outbox.correlation_id``, so logs and background
    work carry it) and in ``X-Request-ID``; the security headers on every response."""

    scopes = (ScopeType.HTTP,)

    def __init__(self, *, https: bool, media_origins: Sequence[str] = ()) -> None:
        self.headers = SecurityHeaders(https=https, media_origins=media_origins)

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        request_id = request_id_for(scope)
        extra = [
            *self.headers.for_path(scope["path"]),
            (REQUEST_ID_HEADER_BYTES, request_id.encode()),
        ]
        token = correlation_id.set(request_id)

        async def stamp(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers") or ())
                present = {name.lower() for name, _ in headers}
                headers.extend(pair for pair in extra if pair[0] not in present)
                message["headers"] = headers
            await send(message)

        try:
            await next_app(scope, receive, stamp)
        finally:
            correlation_id.reset(token)
