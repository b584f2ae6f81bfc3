"""service.edge on a bare Litestar app (no database): the request id the handlers' context
carries is the one the response echoes, and answers no route made carry the headers too."""

from __future__ import annotations

from litestar import Litestar, get
from litestar.testing import TestClient

from service.edge import Edge
from talent_pool.outbox import correlation_id


@get("/id")
async def context_id() -> str:
    return correlation_id.get() or ""


def _client() -> TestClient[Litestar]:
    app = Litestar([context_id], on_app_init=[Edge(https=True).on_app_init])
    return TestClient(app)


def test_the_context_and_the_header_share_one_request_id() -> None:
    with _client() as client:
        made = client.get("/id")
        assert len(made.text) == 32 and made.headers["x-request-id"] == made.text
        given = client.get("/id", headers={"X-Request-ID": "lb-1"})
        assert given.text == "lb-1" and given.headers["x-request-id"] == "lb-1"


def test_routing_answers_carry_the_headers_and_a_request_id() -> None:
    with _client() as client:
        for r in (client.get("/nowhere"), client.post("/id")):
            assert r.status_code in (404, 405)
            assert "frame-ancestors 'none'" in r.headers["content-security-policy"]
            assert r.headers["strict-transport-security"].startswith("max-age=")
            assert len(r.headers["x-request-id"]) == 32


class _LookupFailed(Exception):
    """What the authentication middleware raises when the login cannot be looked up."""


def test_an_error_of_a_middleware_is_handled_with_the_request_id() -> None:
    """The login look-up failing (a 503 while the database is away) is turned into the answer by
    the app's outer exception handler, outside the route's middleware: it still has the id (a
    trial saw such 503s logged as ``[-]``)."""
    from litestar import Request, Response
    from litestar.middleware import ASGIMiddleware
    from litestar.types import ASGIApp, Receive, Scope, Send

    class FailingLookup(ASGIMiddleware):
        async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
            raise _LookupFailed

    def unavailable(request: Request[object, object, object], exc: _LookupFailed) -> Response[str]:
        return Response(correlation_id.get() or "", status_code=503)

    app = Litestar(
        [context_id],
        middleware=[FailingLookup()],
        exception_handlers={_LookupFailed: unavailable},
        on_app_init=[Edge(https=True).on_app_init],
    )
    with TestClient(app) as client:
        answer = client.get("/id", headers={"X-Request-ID": "lb-7"})
    assert answer.status_code == 503
    assert answer.text == "lb-7" == answer.headers["x-request-id"]
