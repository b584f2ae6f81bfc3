"""Errors → RFC 9457 problem details (``application/problem+json``) for the API.

Domain errors carry a stable ``code`` and a Chinese ``message``; pydantic validation errors
become 422 with the list of failing fields; anything unexpected becomes a 500 problem without
internals (and is logged).
"""

from __future__ import annotations

import logging
from typing import Any

from litestar import Request, Response
from litestar.exceptions import HTTPException
from litestar.plugins.problem_details import (
    ProblemDetailsConfig,
    ProblemDetailsException,
    ProblemDetailsPlugin,
)
from pydantic import ValidationError

from talent_pool.errors import TuoyuError

log = logging.getLogger("tuoyu")

PROBLEM_BASE = "https://tuoyu.example/problems/"


def _from_domain(exc: TuoyuError) -> ProblemDetailsException:
    extra: dict[str, Any] = {"code": exc.code}
    extra.update({k: v for k, v in exc.detail.items() if isinstance(v, str | int | float | list | dict)})
    return ProblemDetailsException(
        status_code=exc.status,
        title=exc.__class__.__name__,
        detail=exc.message,
        type_=PROBLEM_BASE + exc.code,
        extra=extra,
    )


def _from_pydantic(exc: ValidationError) -> ProblemDetailsException:
    errors = [{"loc": [str(p) for p in e["loc"]], "msg": e["msg"], "type": e["type"]} for e in exc.errors()]
    return ProblemDetailsException(
        status_code=422,
        title="ValidationFailed",
        detail="输入数据不符合要求",
        type_=PROBLEM_BASE + "invalid",
        extra={"code": "invalid", "errors": errors},
    )


def unexpected_error(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    """Last resort: a 500 problem document, never a traceback."""
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    return Response(
        content={
            "type": PROBLEM_BASE + "internal",
            "title": "InternalError",
            "status": 500,
            "detail": "服务器内部错误，请稍后再试",
        },
        status_code=500,
        media_type="application/problem+json",
    )


def problem_details_plugin() -> ProblemDetailsPlugin:
    """The plugin mapping domain, validation and HTTP errors to problem details."""
    return ProblemDetailsPlugin(
        ProblemDetailsConfig(
            enable_for_all_http_exceptions=True,
            exception_to_problem_detail_map={
                TuoyuError: _from_domain,
                ValidationError: _from_pydantic,
            },
        )
    )


__all__ = ["HTTPException", "problem_details_plugin", "unexpected_error"]
