"""The OpenAPI document tells the truth (issue: "OpenAPI that tells the truth").

- **Statuses**: every operation documents the problem responses it can give, derived from the
  route: 401 and 403 unless public (the policy check, ``service/policy.py``), 404 when the path
  names a record, 409 for writes (state conflicts: a full offering, an issued sitting …), 422
  (``ValidationFailed``), 429 on rate-limited public routes and on routes limited per login
  (``service.ratelimit.ACCOUNT_LIMIT``), 503 (database unreachable,
  ``Retry-After``). Bodies are RFC 9457 problem documents (``service/errors.py``).
- **Public routes** document ``security: []`` (no login) instead of the app-wide bearer login.
- **Times of day** (``datetime.time``, e.g. a session's ``starts_at``) are ``format: time``;
  Litestar's default maps them to ``duration``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from litestar import Litestar
from litestar.openapi.datastructures import ResponseSpec
from litestar.openapi.spec import Operation, Schema
from litestar.openapi.spec.enums import OpenAPIFormat, OpenAPIType
from litestar.plugins import OpenAPISchemaPlugin
from litestar.typing import FieldDefinition
from pydantic import BaseModel

from service.policy import ACTIONS, PUBLIC
from service.ratelimit import ACCOUNT_LIMIT, OPT_OUT


class Problem(BaseModel):
    """An RFC 9457 problem document: ``status``, ``title``, Chinese ``detail``, stable ``code``,
    plus the error's own fields (e.g. ``errors`` for invalid requests)."""

    type: str
    title: str
    status: int
    detail: str
    code: str


_MEANING = {
    400: "请求格式不符（invalid_request，errors 列出字段）",
    401: "未登录或登录已失效",
    403: "角色或范围无权访问",
    404: "记录不存在或不在您的范围内",
    409: "与当前状态冲突（如名额已满、场次已发证）",
    422: "数据校验未通过（ValidationFailed）",
    429: "请求过于频繁（公开接口按客户端、认领等按账号限流；Retry-After）",
    503: "数据库暂不可用，稍后重试（Retry-After）",
}


@dataclass
class PublicOperation(Operation):
    """OpenAPI operation of a public route: ``security: []`` (no login), overriding the app-wide
    bearer requirement the JWT backend declares."""

    def __post_init__(self) -> None:
        self.security = []


class TimeOfDaySchema(OpenAPISchemaPlugin):
    """``datetime.time`` → ``{"type": "string", "format": "time"}`` (ISO 8601 ``HH:MM[:SS]``)."""

    @staticmethod
    def is_plugin_supported_type(value: Any) -> bool:
        return value is dt.time

    def to_openapi_schema(self, field_definition: FieldDefinition, schema_creator: Any) -> Schema:
        return Schema(type=OpenAPIType.STRING, format=OpenAPIFormat.TIME)


def statuses_for(path: str, methods: set[str], public: bool, rate_limited: bool) -> list[int]:
    """The problem statuses an operation can answer (see the module docstring)."""
    out = [400, 422, 503]
    if not public:
        out += [401, 403]
    if "{" in path:
        out.append(404)
    if methods & {"POST", "PUT", "PATCH", "DELETE"}:
        out.append(409)
    if rate_limited:
        out.append(429)
    return sorted(set(out))


def document_routes(app: Litestar) -> None:
    """Attach :func:`statuses_for` responses to every API handler and :class:`PublicOperation` to
    public ones; called once by ``create_app`` before the schema is first built."""
    for route in app.routes:
        for handler in getattr(route, "route_handlers", ()):
            name = handler.opt.get("policy")
            if name is None or not hasattr(handler, "http_methods"):
                continue  # Litestar's own handlers (OpenAPI pages, static files)
            public = PUBLIC in ACTIONS[name]
            if public:
                handler.operation_class = PublicOperation
            limited = (public and not handler.opt.get(OPT_OUT)) or bool(handler.opt.get(ACCOUNT_LIMIT))
            statuses = statuses_for(route.path, set(handler.http_methods), public, limited)
            documented = dict(handler.responses or {})
            for status in statuses:
                documented.setdefault(
                    status,
                    ResponseSpec(
                        data_container=Problem,
                        description=_MEANING[status],
                        media_type="application/problem+json",
                        generate_examples=False,
                    ),
                )
            handler.responses = documented
