"""Public certificate verification (QR target) and the published signing keys (JWKS).

``GET /v/{number}?…`` answers HTML for browsers and JSON when ``Accept: application/json``.
The outcome is one of valid · expired · revoked · suspended · superseded · recorded (a
credential imported from outside, on record but never signed here) · unknown · forged — never a
500. Rate limited per client (``TUOYU_VERIFY_RATE_PER_MINUTE``), like the identity match
(``POST /api/verify/{number}/identity``: employers and regulators, 一致 / 不一致 only), whose
comparisons are also counted per login and local day with bulk verification's
(``certification._identity_budget``): beyond a limit it answers 429 ``identity_checks_exhausted``.
"""

from __future__ import annotations

from typing import Any

from litestar import Controller, MediaType, Request, Response, get, post
from litestar.datastructures.headers import MediaTypeHeader
from litestar.openapi.datastructures import ResponseSpec
from litestar.response import Template
from pydantic import BaseModel, Field

import certification
from certification.schemas import IdentityMatchOut, VerificationResult
from service import usecases
from service.audit import concerning
from service.openapi import Problem
from service.policy import action, user_of
from service.runtime import Runtime

OUTCOME_TEXT = {
    "valid": "有效",
    "expired": "已过期",
    "revoked": "已吊销",
    "suspended": "已暂停",
    "superseded": "已换发新证",
    "recorded": "有记录（外部导入，无电子签名）",
    "unknown": "查无此证",
    "forged": "签名无效（证书信息被篡改或伪造）",
}


class IdentityIn(BaseModel):
    """What the applicant showed: the full resident ID number (required) and the name (optional;
    compared only when the ID number matches)."""

    id_number: str = Field(default="", max_length=32)
    name: str = Field(default="", max_length=64)


def _client(request: Request[Any, Any, Any]) -> str:
    return request.client.host if request.client else ""


def wants_json(scope: Any) -> bool:
    """JSON when the client prefers it to HTML by the ``Accept`` header (RFC 9110 §12.5.1): each
    type weighs what the most specific range naming it says (``application/json`` before
    ``application/*`` before ``*/*``; ``q`` to three decimals, default 1, absent 0); JSON when its
    weight is above 0 and above HTML's — a tie is HTML (a browser names HTML; ``*/*`` alone is a
    tie). Media types compare without regard to case. Read from the ASGI scope's raw header
    pairs; a header with neither weights nor wildcards (``application/json``, a scanner's) takes a
    plain substring test: building the request's ``Headers`` for this look-up was a tenth of the
    JSON answer's own cost (sampled 2026-11-30)."""
    accept = b",".join(value for name, value in scope["headers"] if name == b"accept").lower()
    if b";" not in accept and b"*" not in accept:
        return b"application/json" in accept and b"text/html" not in accept
    ranges = _ranges(accept.decode("latin-1"))
    json_weight = _weight(ranges, "application", "json")
    return json_weight > 0 and json_weight > _weight(ranges, "text", "html")


def _ranges(accept: str) -> list[tuple[str, str, int]]:
    """``(type, subtype, weight × 1000)`` of each media range of an ``Accept`` value (Litestar's
    parsing; a malformed weight counts as 1, RFC 9110 allows three decimals)."""
    out = []
    for item in accept.split(","):
        if not item.strip():
            continue
        media = MediaTypeHeader(item.strip())
        try:
            weight = round(float(media.params.get("q", "1")) * 1000)
        except ValueError:
            weight = 1000
        out.append((media.maintype, media.subtype, min(1000, max(0, weight))))
    return out


def _weight(ranges: list[tuple[str, str, int]], maintype: str, subtype: str) -> int:
    """The weight of ``maintype/subtype`` by its most specific matching range (0: none)."""
    best, found = -1, 0
    for kind, sub, weight in ranges:
        if kind == maintype and sub == subtype:
            rank = 2
        elif kind == maintype and sub == "*":
            rank = 1
        elif kind == "*" and sub == "*":
            rank = 0
        else:
            continue
        if rank > best or (rank == best and weight > found):
            best, found = rank, weight
    return found


SCAN_FAILURE = "tuoyu_scan_failure"
"""``scope["state"]`` key: the exception the scan path (``service.scan``) got from the use case for
this request; the route raises it again instead of running the use case a second time, so the
error is answered as the route answers errors, after one wait for the database, not two."""


def _replay_scan_failure(scope: Any) -> None:
    failure = (scope.get("state") or {}).pop(SCAN_FAILURE, None)
    if failure is not None:
        raise failure


JSON_HEADERS = ((b"cache-control", b"no-store"), (b"content-type", b"application/json"))
"""The JSON answer's headers before ``content-length``: never cached by intermediaries."""


def json_body(result: VerificationResult) -> bytes:
    """The JSON answer's body, encoded once by pydantic (``VerificationResult`` is flat: the
    generic serialisation path — to a dict, then through the encoder's type hooks — was the larger
    part of building the response of the verification hot path)."""
    return result.model_dump_json().encode()


def json_answer(result: VerificationResult) -> Response[Any]:
    """The JSON answer of both verify routes (and, as raw ASGI messages, of ``service.scan``):
    :func:`json_body` with :data:`JSON_HEADERS`."""
    return Response(
        json_body(result),
        media_type=MediaType.JSON,
        headers={name.decode(): value.decode() for name, value in JSON_HEADERS if name != b"content-type"},
    )


class VerifyController(Controller):
    path = "/"
    tags = ["verify"]

    @get(
        "/v/{number:str}",
        summary="Verify a certificate (QR target): HTML, or JSON by Accept",
        opt=action("public"),
    )
    async def verify_page(self, number: str, request: Request[Any, Any, Any], rt: Runtime) -> Response[Any]:
        _replay_scan_failure(request.scope)
        result = await usecases.verify(rt, number, request.query_params.multi_items(), _client(request))
        if wants_json(request.scope):
            return json_answer(result)
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
    async def verify_number(
        self, number: str, request: Request[Any, Any, Any], rt: Runtime
    ) -> Response[VerificationResult]:
        result = await usecases.verify(rt, number, None, _client(request))
        return json_answer(result)

    @get(
        "/.well-known/jwks.json",
        summary="Public Ed25519 keys that sign verify URLs (JWKS, RFC 7517/8037)",
        opt=action("public", no_rate_limit=True),
    )
    async def jwks(self, rt: Runtime) -> dict[str, Any]:
        return dict(rt.keyring.jwks())

    @post(
        "/api/verify/{number:str}/identity",
        status_code=200,
        summary="Identity match (人证核验): is the applicant the holder? 一致 / 不一致, never the stored ID",
        description=(
            "Employers (and regulators) type the applicant's full ID number (required) and name "
            "(optional, compared only once the ID number matches); the answer says 一致 / 不一致 per "
            "field (身份证号无效 for a number failing GB 11643, 无法核对 for an unknown number) and "
            "never returns the stored values. Rate limited per client like "
            "public verification (429 with Retry-After). Counted per login and local day with bulk "
            "verification: one certificate is compared at most TUOYU_BULK_IDENTITY_PER_CERTIFICATE "
            "times (3) a day by one login, TUOYU_BULK_IDENTITY_PER_DAY comparisons in all; beyond, "
            "429 identity_checks_exhausted (Retry-After: until local midnight), never 一致/不一致. "
            "Each match and each refusal is audited as concerning the holder, so they see who "
            "checked them."
        ),
        opt=action("certificate.match", audit_refusals=True),
        responses={
            429: ResponseSpec(
                data_container=Problem,
                description=(
                    "请求过于频繁（按客户端限流，同公开核验；code too_many_requests），"
                    "或今日对该证书/本账号的人证核验次数已用完（code identity_checks_exhausted，至本地午夜）"
                ),
                media_type="application/problem+json",
                generate_examples=False,
            )
        },
    )
    async def identity(
        self, number: str, data: IdentityIn, request: Request[Any, Any, Any], rt: Runtime
    ) -> IdentityMatchOut:
        try:
            result = await usecases.match_identity(
                rt, number, id_number=data.id_number, name=data.name, account_id=user_of(request).id
            )
        except certification.IdentityChecksExhausted as exc:
            concerning(request, [exc.practitioner_id])  # the refusal is audited, about the holder
            raise
        if result.practitioner_id is not None:
            concerning(request, [result.practitioner_id])
        return result.answer
