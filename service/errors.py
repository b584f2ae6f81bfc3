"""Errors → RFC 9457 problem details, mapped once at the edge (docs/architecture.md, "Errors").

Domain errors carry no HTTP status: :data:`STATUS_BY_ERROR` maps each type to one. Every error
becomes a :class:`~litestar.plugins.problem_details.ProblemDetailsException` rendered by
Litestar's problem-details plugin (``application/problem+json``) with ``type``, ``title``,
``status``, ``detail`` (Chinese), a stable ``code`` and the error's JSON-safe details. A request
that does not match the schema is 400 ``invalid_request`` with the failing fields in
``errors``; undecodable bodies are 400 too; a database that cannot be reached is 503 with
``Retry-After``; anything unexpected is a 500 without internals (logged). Browsers asking for a
page get the same message on a Chinese error page.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from litestar import Request, Response
from litestar.exceptions import HTTPException, NotAuthorizedException, ValidationException
from litestar.params import ParameterKwarg
from litestar.plugins.problem_details import (
    ProblemDetailsConfig,
    ProblemDetailsException,
    ProblemDetailsPlugin,
)
from litestar.response import Redirect, Template
from pydantic import ValidationError

from certification.errors import DocumentNotRendered
from service.accounts import NotAuthenticated
from service.policy import PASSWORD_PAGE, PasswordChangeRequired
from talent_pool.db import DatabaseUnavailable
from talent_pool.errors import Conflict, LimitReached, NotFound, TuoyuError, ValidationFailed
from talent_pool.validation_text import chinese_message

log = logging.getLogger("tuoyu")

PROBLEM_BASE = "https://tuoyu.example/problems/"
RESERVED = {"type", "title", "status", "detail", "instance", "code"}
RETRY_AFTER_SECONDS = "5"
PASSWORD_CHANGE_CODE = "password_change_required"  # policy.PasswordChangeRequired: pages redirect

STATUS_BY_ERROR: tuple[tuple[type[TuoyuError], int], ...] = (
    (NotAuthenticated, 401),
    (NotFound, 404),
    (Conflict, 409),
    (ValidationFailed, 422),
    (LimitReached, 429),
    (TuoyuError, 400),
)
"""Domain error type → HTTP status; the first entry the error is an instance of wins."""

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


VERIFY_PREFIXES = ("/api/verify/", "/v/")
MALFORMED_NUMBER_TEXT = (
    "证书编号格式不正确：编号由 4–40 位字母、数字或“-”组成（本平台的证书编号为 S 或 Y 开头的 22 位），"
    "请对照证书原件重新输入"
)


def wants_html(request: Request[Any, Any, Any]) -> bool:
    """A browser asking for a page (not an API call)."""
    accept = request.headers.get("accept", "")
    return "text/html" in accept and not request.url.path.startswith("/api/")


def _next_of(request: Request[Any, Any, Any]) -> str | None:
    """The page asked for (path and query) when it is a page read (GET/HEAD) of a same-site path
    (one leading ``/``, no backslash) other than the login page; else ``None``."""
    path = request.url.path
    if request.method not in ("GET", "HEAD") or not path.startswith("/") or path.startswith("//"):
        return None
    if "\\" in path or path.startswith("/login"):
        return None
    query = request.url.query
    return path + ("?" + query if query else "")


def _with_next(page: str, request: Request[Any, Any, Any]) -> str:
    here = _next_of(request)
    if here is not None and here.startswith(page):
        here = None  # never back to the page itself
    return page + ("?next=" + quote(here, safe="") if here else "")


def login_url(request: Request[Any, Any, Any]) -> str:
    """``/login?next=<the page asked for>`` for a page read (GET/HEAD) whose path is a same-site
    path (one leading ``/``, no backslash); plain ``/login`` otherwise. The login page goes there
    after logging in when the role may see it (``service/static/app.js``, ``tuoyu.safeNext``)."""
    return _with_next("/login", request)


def password_url(request: Request[Any, Any, Any]) -> str:
    """``/account/password?next=<the page asked for>`` (the same rules as :func:`login_url`): where
    a browser goes when its account must change the password an administrator reset."""
    return _with_next(PASSWORD_PAGE, request)


def _wire_names(request: Request[Any, Any, Any]) -> dict[str, str]:
    """The parameters of the request's handler that travel under another name (``since`` sent as
    ``from``: ``QueryParameter(name="from")``): Python name → the name the client sends. Litestar's
    validation errors name the Python one."""
    handler = request.scope.get("route_handler")
    if handler is None:
        return {}
    names: dict[str, str] = {}
    for name, field in handler.parsed_fn_signature.parameters.items():
        kwarg = field.kwarg_definition
        if isinstance(kwarg, ParameterKwarg):
            wire = kwarg.query or kwarg.header or kwarg.cookie or kwarg.name
            if wire and wire != name:
                names[name] = wire
    return names


def _rename_keys(problem: ProblemDetailsException, request: Request[Any, Any, Any]) -> list[str]:
    """Name the request's failing parameters as the client sent them (``errors[].key``, in
    place); the failing fields' lines for a page (``from：日期格式不正确`` …)."""
    errors = problem.extra.get("errors") if isinstance(problem.extra, dict) else None
    if not isinstance(errors, list):
        return []
    names = _wire_names(request) if any(isinstance(e, dict) and e.get("key") for e in errors) else {}
    lines = []
    for error in errors:
        if isinstance(error, dict) and error.get("key"):
            error["key"] = names.get(str(error["key"]), error["key"])
            lines.append(f"{error['key']}：{error.get('msg') or '不符合要求'}")
    return lines


class Problem(ProblemDetailsException):
    """A problem document that browsers asking for a page see as the Chinese error page
    (a 401 sends them to the login page instead)."""

    def to_response(self, request: Request[Any, Any, Any]) -> Response[Any]:
        if (
            self.status_code == 404
            and self.detail == HTTP_TEXT[404][1]
            and request.url.path.startswith(VERIFY_PREFIXES)
        ):
            # no route matched under a verification path: the "number" held a "/" (a %2F is
            # decoded before routing), so it is a malformed number, not a missing page
            self.detail = MALFORMED_NUMBER_TEXT
            self.extra = {**(self.extra if isinstance(self.extra, dict) else {}), "code": "malformed_number"}
            self.type_ = PROBLEM_BASE + "malformed_number"
            self.title = "malformed_number"
        fields = _rename_keys(self, request)
        if wants_html(request):
            if self.status_code == 401:
                return Redirect(path=login_url(request))  # type: ignore[return-value]
            if isinstance(self.extra, dict) and self.extra.get("code") == PASSWORD_CHANGE_CODE:
                return Redirect(path=password_url(request))  # type: ignore[return-value]
            return Template(  # type: ignore[return-value]
                template_name="error.html",
                context={"message": "；".join([self.detail, *fields]) if fields else self.detail},
                status_code=self.status_code,
                headers=self.headers,
            )
        return super().to_response(request)


def status_for(exc: TuoyuError) -> int:
    """The HTTP status of a domain error (:data:`STATUS_BY_ERROR`)."""
    return next(status for kind, status in STATUS_BY_ERROR if isinstance(exc, kind))


def problem(
    status: int,
    code: str,
    detail: str,
    *,
    extra: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> Problem:
    """A problem document: ``type`` ``…/problems/<code>``, ``title`` = ``code``, Chinese ``detail``."""
    body: dict[str, Any] = {"code": code}
    for key, value in (extra or {}).items():
        body[key if key not in RESERVED else f"{key}_value"] = value
    return Problem(
        detail=detail,
        status_code=status,
        type_=PROBLEM_BASE + code,
        title=code,
        extra=body,
        headers=headers,
    )


def from_domain(exc: TuoyuError) -> ProblemDetailsException:
    """A domain rule was violated: its mapped status, code and Chinese message, plus JSON-safe detail."""
    extra = {k: v for k, v in exc.detail.items() if isinstance(v, str | int | float | bool | list | dict)}
    headers = {"Retry-After": RETRY_AFTER_SECONDS} if isinstance(exc, DocumentNotRendered) else None
    if isinstance(exc.detail.get("retry_after_seconds"), int):  # a locked login: when to try again
        headers = {"Retry-After": str(exc.detail["retry_after_seconds"])}
    return problem(status_for(exc), exc.code, exc.message, extra=extra, headers=headers)


def from_pydantic(exc: ValidationError) -> ProblemDetailsException:
    """A service-level model rejected its input: 422 with the failing fields (``msg`` in Chinese,
    ``msg_en`` as the validator wrote it)."""
    errors = [
        {
            "loc": [str(p) for p in e["loc"]],
            "msg": chinese_message(e["msg"]),
            "msg_en": e["msg"],
            "type": e["type"],
        }
        for e in exc.errors()
    ]
    return problem(422, "invalid", "输入数据不符合要求", extra={"errors": errors})


CSRF_FAILED = "CSRF token verification failed"  # Litestar's CSRFMiddleware


def from_http(exc: HTTPException) -> ProblemDetailsException:
    """Framework errors (401, 403, 404, 405, 413, 429, schema validation) in the same shape."""
    if isinstance(exc, ProblemDetailsException):
        return exc
    status = exc.status_code
    code, text = HTTP_TEXT.get(status, (f"http_{status}", exc.detail or "请求失败"))
    extra: dict[str, Any] = {}
    if isinstance(exc, ValidationException):
        text = "请求数据不符合接口要求"
        if isinstance(exc.extra, list):
            extra["errors"] = [
                {
                    "key": e.get("key"),
                    "msg": chinese_message(str(e.get("message", ""))),
                    "msg_en": e.get("message"),
                    "source": str(e.get("source", "")),
                }
                if isinstance(e, dict)
                else str(e)
                for e in exc.extra
            ]
    elif isinstance(exc, PasswordChangeRequired):
        code, text = PASSWORD_CHANGE_CODE, exc.detail
    elif status == 403 and exc.detail == CSRF_FAILED:
        code, text = "csrf", "请求缺少有效的安全令牌（CSRF）：请刷新页面后重试；接口调用请使用 Bearer 令牌"
    elif status == 403 and exc.detail and not exc.detail.isascii():
        text = exc.detail  # our policy and scope checks give Chinese reasons
    elif status in (401, 429) and exc.detail and not exc.detail.isascii():
        text = exc.detail  # a login's own limit says its figures (service.ratelimit.AccountLimits)
    headers = dict(exc.headers or {})
    if status == 429:
        headers.setdefault("Retry-After", "60")
    return problem(status, code, text, extra=extra, headers=headers)


def from_unavailable(exc: Exception) -> ProblemDetailsException:
    """The database is down or every pooled connection stayed busy: 503, try again shortly."""
    log.warning("database unavailable: %r", exc)
    return problem(
        503,
        "unavailable",
        "数据库暂时不可用，请稍后重试",
        headers={"Retry-After": RETRY_AFTER_SECONDS},
    )


def from_undecodable(exc: Exception) -> ProblemDetailsException:
    """Bodies or parameters that cannot even be decoded (bad UTF-8, absurd nesting)."""
    return problem(400, "invalid_request", "请求内容无法解析（请使用 UTF-8 编码的 JSON，数值在合理范围内）")


def from_overflow(exc: Exception) -> ProblemDetailsException:
    """A number in the path or body too large for the database (e.g. an id of 30 digits)."""
    return problem(400, "invalid_request", "请求中的编号或数值超出允许范围")


def _database_errors() -> tuple[type[Exception], ...]:
    kinds: list[type[Exception]] = [DatabaseUnavailable, ConnectionError]
    try:
        import asyncpg

        kinds += [
            asyncpg.exceptions.CannotConnectNowError,
            asyncpg.exceptions.ConnectionDoesNotExistError,
            asyncpg.exceptions.InterfaceError,
            asyncpg.exceptions.TooManyConnectionsError,
            asyncpg.exceptions.AdminShutdownError,
        ]
    except ImportError:  # pragma: no cover
        pass
    return tuple(kinds)


DATABASE_ERRORS = _database_errors()


def from_unexpected(exc: Exception) -> ProblemDetailsException:
    """Last resort: a 500 problem document, never a traceback (logged)."""
    if isinstance(exc, DATABASE_ERRORS):
        return from_unavailable(exc)
    if isinstance(exc, OverflowError) or isinstance(exc.__cause__, OverflowError):
        # asyncpg wraps the encoder's OverflowError (an id of 2³¹ in a JSON body) in its DataError
        return from_overflow(exc)
    if isinstance(exc, UnicodeDecodeError | RecursionError):
        return from_undecodable(exc)
    log.error("unhandled error", exc_info=exc)
    return problem(500, "internal", HTTP_TEXT[500][1])


CONVERTERS: dict[type[Exception], Callable[[Any], ProblemDetailsException]] = {
    TuoyuError: from_domain,
    ValidationError: from_pydantic,
    HTTPException: from_http,
    NotAuthorizedException: from_http,
    DatabaseUnavailable: from_unavailable,
    UnicodeDecodeError: from_undecodable,
    RecursionError: from_undecodable,
    OverflowError: from_overflow,
    Exception: from_unexpected,
}


def problem_details_plugin() -> ProblemDetailsPlugin:
    """Litestar's problem-details plugin with every converter above."""
    return ProblemDetailsPlugin(
        ProblemDetailsConfig(
            exception_to_problem_detail_map=CONVERTERS,  # type: ignore[arg-type]
        )
    )
