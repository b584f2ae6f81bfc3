"""Errors → RFC 9457 problem details (``application/problem+json``), one shape for every error.

Every problem has ``type``, ``title``, ``status`` (the HTTP code), ``detail`` (Chinese) and a
stable ``code``. Domain rule violations are 4xx with the domain's code; a request that does not
match the schema is 400 ``invalid_request`` with the failing fields in ``errors``; undecodable
bodies (bad UTF-8, absurd nesting, out-of-range numbers) are 400 too; anything unexpected is a 500
without internals (logged). Browsers asking for HTML get the same message on a Chinese page.
"""

from __future__ import annotations

import logging
from typing import Any

from litestar import Request, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.response import Template
from pydantic import ValidationError

from talent_pool.errors import TuoyuError

log = logging.getLogger("tuoyu")

PROBLEM_BASE = "https://tuoyu.example/problems/"
PROBLEM_TYPE = "application/problem+json"
RESERVED = {"type", "title", "status", "detail", "instance", "code"}

HTTP_TEXT: dict[int, tuple[str, str]] = {
    400: ("invalid_request", "请求格式不正确"),
    401: ("not_authenticated", "需要登录，或登录已失效"),
    403: ("forbidden", "没有权限执行此操作"),
    404: ("not_found", "请求的资源不存在"),
    405: ("method_not_allowed", "不支持该请求方法"),
    413: ("payload_too_large", "请求内容过大"),
    415: ("unsupported_media_type", "不支持的内容类型"),
    429: ("too_many_requests", "请求过于频繁，请稍后再试"),
    500: ("internal", "服务器内部错误，请稍后再试"),
    503: ("unavailable", "服务暂不可用，请稍后再试"),
}


def _wants_html(request: Request[Any, Any, Any]) -> bool:
    accept = request.headers.get("accept", "")
    return "text/html" in accept and not request.url.path.startswith("/api/")


def problem(
    request: Request[Any, Any, Any],
    status: int,
    code: str,
    detail: str,
    *,
    extra: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> Response[Any]:
    """A problem-details response (or a Chinese error page for browsers)."""
    if _wants_html(request):
        return Template(
            template_name="error.html", context={"message": detail}, status_code=status, headers=headers
        )
    body: dict[str, Any] = {
        "type": PROBLEM_BASE + code,
        "title": code,
        "status": status,
        "detail": detail,
        "code": code,
    }
    for key, value in (extra or {}).items():
        body[key if key not in RESERVED else f"{key}_value"] = value
    return Response(body, status_code=status, media_type=PROBLEM_TYPE, headers=headers)


def domain_error(request: Request[Any, Any, Any], exc: TuoyuError) -> Response[Any]:
    """A domain rule was violated: its status, code and Chinese message, plus JSON-safe detail."""
    extra = {k: v for k, v in exc.detail.items() if isinstance(v, str | int | float | bool | list | dict)}
    return problem(request, exc.status, exc.code, exc.message, extra=extra)


def pydantic_error(request: Request[Any, Any, Any], exc: ValidationError) -> Response[Any]:
    """A service-level model rejected its input: 422 with the failing fields."""
    errors = [{"loc": [str(p) for p in e["loc"]], "msg": e["msg"], "type": e["type"]} for e in exc.errors()]
    return problem(request, 422, "invalid", "输入数据不符合要求", extra={"errors": errors})


def http_error(request: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
    """Framework errors (401, 403, 404, 405, 413, 429, schema validation) in the same shape."""
    status = exc.status_code
    code, text = HTTP_TEXT.get(status, (f"http_{status}", exc.detail or "请求失败"))
    extra: dict[str, Any] = {}
    if isinstance(exc, ValidationException):
        text = "请求数据不符合接口要求"
        if isinstance(exc.extra, list):
            extra["errors"] = [
                {"key": e.get("key"), "msg": e.get("message"), "source": str(e.get("source", ""))}
                if isinstance(e, dict)
                else str(e)
                for e in exc.extra
            ]
    elif status == 403 and exc.detail and exc.detail != "Forbidden":
        text = exc.detail  # our guards and scope checks give Chinese reasons
    elif status == 401 and exc.detail and not exc.detail.isascii():
        text = exc.detail
    headers = dict(exc.headers or {})
    if status == 429:
        headers.setdefault("Retry-After", "60")
    return problem(request, status, code, text, extra=extra, headers=headers)


def undecodable(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    """Bodies or parameters that cannot even be decoded (bad UTF-8, absurd nesting, huge ints)."""
    text = "请求内容无法解析（请使用 UTF-8 编码的 JSON，数值在合理范围内）"
    return problem(request, 400, "invalid_request", text)


def out_of_range(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    """A number in the path or body too large for the database (e.g. an id of 30 digits)."""
    return problem(request, 400, "invalid_request", "请求中的编号或数值超出允许范围")


def unexpected_error(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    """Last resort: a 500 problem document, never a traceback."""
    if isinstance(exc, OverflowError):
        return out_of_range(request, exc)
    if isinstance(exc, UnicodeDecodeError | RecursionError):
        return undecodable(request, exc)
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    return problem(request, 500, "internal", HTTP_TEXT[500][1])


EXCEPTION_HANDLERS: dict[Any, Any] = {
    TuoyuError: domain_error,
    ValidationError: pydantic_error,
    HTTPException: http_error,
    UnicodeDecodeError: undecodable,
    RecursionError: undecodable,
    OverflowError: out_of_range,
    Exception: unexpected_error,
}
