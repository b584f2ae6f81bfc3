"""Public certificate verification (QR target) and the published signing keys (JWKS).

``GET /v/{number}?…`` answers HTML for browsers and JSON when ``Accept: application/json``.
The outcome is one of valid · expired · revoked · suspended · superseded · unknown · forged —
never a 500. Rate limited per client (``TUOYU_VERIFY_RATE_PER_MINUTE``).
"""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get
from litestar.response import Template

from service import usecases
from service.policy import action
from service.runtime import Runtime

OUTCOME_TEXT = {
    "valid": "有效",
    "expired": "已过期",
    "revoked": "已吊销",
    "suspended": "已暂停",
    "superseded": "已换发新证",
    "unknown": "查无此证",
    "forged": "签名无效（证书信息被篡改或伪造）",
}


def _client(request: Request[Any, Any, Any]) -> str:
    return request.client.host if request.client else ""


def _wants_json(request: Request[Any, Any, Any]) -> bool:
    accept = request.headers.get("accept", "")
    return "application/json" in accept and "text/html" not in accept


class VerifyController(Controller):
    path = "/"
    tags = ["verify"]

    @get(
        "/v/{number:str}",
        summary="Verify a certificate (QR target): HTML, or JSON by Accept",
        opt=action("public"),
    )
    async def verify_page(self, number: str, request: Request[Any, Any, Any], rt: Runtime) -> Response[Any]:
        params = dict(request.query_params)
        result = await usecases.verify(rt, number[:64], params or None, _client(request))
        if _wants_json(request):
            return Response(result, headers={"Cache-Control": "no-store"})
        return Template(
            template_name="verify.html",
            context={"r": result, "outcome_text": OUTCOME_TEXT.get(result.outcome, result.outcome)},
            headers={"Cache-Control": "no-store"},
        )

    @get(
        "/api/verify/{number:str}",
        summary="Verify by certificate number (typed, no signature)",
        opt=action("public"),
    )
    async def verify_number(self, number: str, request: Request[Any, Any, Any], rt: Runtime) -> Response[Any]:
        result = await usecases.verify(rt, number[:64], None, _client(request))
        return Response(result, headers={"Cache-Control": "no-store"})

    @get(
        "/.well-known/jwks.json",
        summary="Public Ed25519 keys that sign verify URLs (JWKS, RFC 7517/8037)",
        opt=action("public", no_rate_limit=True),
    )
    async def jwks(self, rt: Runtime) -> dict[str, Any]:
        return dict(rt.keyring.jwks())
