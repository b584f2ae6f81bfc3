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
