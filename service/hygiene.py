"""Input hygiene at the edge: control characters never reach the database.

PostgreSQL refuses a NUL in text, and control characters in a name or a number are never
intended; a request carrying one is refused with 400 before any handler runs — in the path, in
the query string (after percent-decoding) and in JSON text (raw or as a ``\\u0000``-style escape).
Tab, line feed and carriage return are allowed in JSON text (the field validators collapse them).

Content types: a request with more than one ``Content-Type`` header is refused with 400
``content_type`` (which one was meant is a guess — e.g. ``-H 'Content-Type: application/json'``
kept from a JSON example next to a file's own type), and a route whose body is a file itself (route
opt ``raw_body``: the content type it expects, in words) refuses a JSON content type with 415
``content_type``; both messages name the content type expected.

Record ids in the path are database ``integer`` keys (32-bit): an id outside that range names no
record and is answered 404 before it reaches the database (which would refuse the value).
Integer *query* parameters — paging offsets, record ids, day counts — are declared with the
shared bounded types below (:data:`Offset`, :data:`QueryId`, :data:`OptionalQueryId`, at most
:data:`INT_MAX`), so a value beyond them is a 400 ``invalid_request`` naming the parameter on
every engine, never a database overflow (asyncpg refuses an ``OFFSET`` beyond 64 bits and an
``integer`` beyond 32 with a 500). ``tests/api/test_query_bounds.py`` checks that every integer
query parameter of the app is bounded.
"""

from __future__ import annotations

import re
from typing import Annotated, Any
from urllib.parse import unquote_to_bytes

from litestar import Request
from litestar.params import QueryParameter

from service.errors import problem

_CONTROL_BYTES = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_CONTROL_ANYWHERE = re.compile(rb"[\x00-\x1f\x7f]")
_CONTROL_IN_TEXT = re.compile(r"[\x00-\x1f\x7f]")
_JSON_CONTROL_ESCAPE = re.compile(rb"\\u00(?:0[0-8bBcCeEfF]|1[0-9a-fA-F]|7[fF])")
MESSAGE = "请求中含有不允许的控制字符（如 NUL、换页符），请删除后重试"


INT_MAX = 2**31 - 1
"""The largest database ``integer`` (32-bit): the bound of every record id and paging number a
request may carry (path ids, :data:`Offset`, :data:`QueryId`)."""
_ID_MIN, _ID_MAX = -(2**31), INT_MAX

Offset = Annotated[int, QueryParameter(ge=0, le=INT_MAX, description="rows to skip (0 … 2147483647)")]
"""The ``offset`` query parameter of every paged list: 0 … :data:`INT_MAX`, else 400."""
QueryId = Annotated[int, QueryParameter(ge=1, le=INT_MAX, description="a record id (1 … 2147483647)")]
"""A required record id in the query string: 1 … :data:`INT_MAX`, else 400."""
OptionalQueryId = Annotated[
    int | None, QueryParameter(ge=1, le=INT_MAX, description="a record id (1 … 2147483647)")
]
"""An optional record id in the query string (a filter): 1 … :data:`INT_MAX`, else 400."""
_BODILESS = frozenset({"GET", "HEAD", "OPTIONS"})


def has_control_characters(scope: Any) -> bool:
    """True when the request's path or (percent-decoded) query string holds a control character
    (any of U+0000–U+001F and U+007F, tab, CR and LF included — only JSON text may carry those)
    that :func:`refuse_control_characters` refuses (the check of a bodiless request)."""
    query = scope.get("query_string", b"")
    if _CONTROL_IN_TEXT.search(scope["path"]):  # a path has no use for tab, CR or LF either
        return True
    return bool(query) and _CONTROL_ANYWHERE.search(unquote_to_bytes(query)) is not None


async def refuse_control_characters(request: Request[Any, Any, Any]) -> None:
    """``before_request`` hook: 400 ``control_character`` for a control character in the path,
    the query string or a JSON body; 400/415 ``content_type`` for a doubled content type or a
    JSON one on a file upload; 404 for a path id beyond the 32-bit key range (see the module
    docstring)."""
    scope = request.scope
    for value in (scope.get("path_params") or {}).values():
        if isinstance(value, int) and not _ID_MIN <= value <= _ID_MAX:
            raise problem(404, "not_found", "记录不存在")
    if has_control_characters(scope):
        raise problem(400, "control_character", MESSAGE)
    if scope.get("method") in _BODILESS:
        return
    types = [v for k, v in scope.get("headers", ()) if k == b"content-type"]
    raw_body = request.route_handler.opt.get("raw_body")
    expected = raw_body or "application/json"
    if len(types) > 1:
        got = "、".join(t.decode("latin-1") for t in types)
        raise problem(
            400,
            "content_type",
            f"请求带了 {len(types)} 个 Content-Type（{got}），只能有一个：此接口应为 {expected}",
        )
    content_type = types[0] if types else b""
    if raw_body and b"json" in content_type:
        raise problem(
            415,
            "content_type",
            f"此接口的请求体是文件本身，Content-Type 应为 {raw_body}"
            f"（收到 {content_type.decode('latin-1')}）",
        )
    if b"json" in content_type:
        body = await request.body()
        if _JSON_CONTROL_ESCAPE.search(body) or _CONTROL_BYTES.search(body):
            raise problem(400, "control_character", MESSAGE)
