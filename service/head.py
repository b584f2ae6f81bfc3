"""``HEAD`` answered like ``GET`` without the body (RFC 9110 §9.3.2), for every page and API route.

Litestar routes ``HEAD`` only to handlers that declare it, so ``HEAD /`` was a 405. This ASGI
wrapper, put around the app's request handler (inside Litestar's own entry point, so the app's
send hooks still stamp the security headers), passes a ``HEAD`` request on as a ``GET`` and sends
the ``GET`` answer's status and headers — ``content-length`` included, as RFC 9110 allows — with
every body chunk emptied (a streamed answer keeps its ``more_body`` flags).
"""

from __future__ import annotations

from litestar.types import ASGIApp, Message, Receive, Scope, Send


def answer_head_as_get(app: ASGIApp) -> ASGIApp:
    """Wrap ``app`` (an ASGI app) so an HTTP ``HEAD`` runs as ``GET`` and its body is dropped."""

    async def handle(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("method") != "HEAD":
            await app(scope, receive, send)
            return

        async def headers_only(message: Message) -> None:
            if message["type"] == "http.response.body":
                message = {**message, "body": b""}  # type: ignore[typeddict-item]
            await send(message)

        await app({**scope, "method": "GET"}, receive, headers_only)  # type: ignore[arg-type]

    return handle
