"""Integer query parameters are bounded at the edge (trial finding: ``offset=99999999999999999999``
answered 500 on PostgreSQL — asyncpg refused the value — and ``/api/audit/refusals`` also on
SQLite; ``/api/audit?practitioner_id=99999999999999999999`` answered 500). Every paging offset and
query record id shares one bound, ``service.hygiene.INT_MAX`` (2^31−1, the path ids' bound): a
value beyond it is 400 ``invalid_request`` naming the parameter, before any database query."""

from __future__ import annotations

import typing
from pathlib import Path
from typing import Any

import pytest

from service.hygiene import INT_MAX
from tests.api.test_bad_input import assert_problem
from tests.factories import admin_headers, make_employer, role_headers
from tests.servers import settings_for

HUGE = ("99999999999999999999", "9223372036854775808", str(INT_MAX + 1))

ENDPOINTS = [
    "/api/targets/lists/uncertified?offset={}",
    "/api/targets/shortfall/certification_rate?offset={}",
    "/api/audit/refusals?offset={}",
    "/api/audit/refusals?account_id={}",
    "/api/audit?practitioner_id={}",
    "/api/trainers?course_id={}",
    "/api/certificates/expiring?within_days={}",
    "/api/talent/search?offset={}",  # employers' staff (a regulator is refused first: 403)
]


def test_every_integer_query_parameter_of_the_app_is_bounded(tmp_path: Path) -> None:
    """Every ``int`` query parameter of every route declares ``ge`` and an ``le`` of at most
    :data:`INT_MAX` (use ``service.hygiene.Offset``/``QueryId``/``OptionalQueryId``): a new
    list endpoint cannot bring the 500 back."""
    from service.app import create_app

    app = create_app(settings_for(tmp_path))
    unbounded = []
    checked = 0
    for route in app.routes:
        path_params = getattr(route, "path_parameters", None) or {}
        for handler in getattr(route, "route_handlers", []):
            for name, param in handler.parsed_fn_signature.parameters.items():
                annotation = param.annotation
                if name in path_params or int not in (typing.get_args(annotation) or (annotation,)):
                    continue
                checked += 1
                kwarg = param.kwarg_definition
                ge, le = getattr(kwarg, "ge", None), getattr(kwarg, "le", None)
                if ge is None or le is None or le > INT_MAX:
                    unbounded.append(f"{route.path} {name}")
    assert checked > 20
    assert unbounded == []


@pytest.mark.parametrize("value", HUGE)
@pytest.mark.parametrize("endpoint", ENDPOINTS)
async def test_a_huge_integer_in_the_query_is_400_never_500(client: Any, endpoint: str, value: str) -> None:
    if endpoint.startswith("/api/talent/"):
        headers = await role_headers(client, "hr-bounds", "employer_staff", employer_id=await make_employer())
    else:
        headers = await admin_headers(client)
    body = assert_problem(await client.get(endpoint.format(value), headers=headers), 400, "invalid_request")
    name = endpoint.split("?")[1].split("=")[0]
    (error,) = body["errors"]
    assert error["key"] == name and error["msg"] == f"不能大于 {INT_MAX if name != 'within_days' else 36_500}"


async def test_offsets_at_the_bound_still_answer(client: Any) -> None:
    """The bound refuses nothing a table can hold: an offset of 2^31−1 is an empty page."""
    admin = await admin_headers(client)
    for endpoint in ENDPOINTS[:3]:
        r = await client.get(endpoint.format(INT_MAX), headers=admin)
        assert r.status_code == 200, (endpoint, r.text)


@pytest.mark.parametrize(
    "body",
    [
        {"practitioner_id": INT_MAX + 1, "start_date": "2026-11-01"},
        {"practitioner_id": 1, "employer_id": 2**40, "start_date": "2026-11-01"},
    ],
)
async def test_a_huge_id_in_a_json_body_is_400_never_500(client: Any, body: dict[str, Any]) -> None:
    """An id beyond the database's integer in a JSON body (a trial: ``practitioner_id`` 2^31 on
    ``POST /api/employments`` and six other writes answered 500 — asyncpg wraps the encoder's
    OverflowError in its DataError) is 400 ``invalid_request``, like a path or query value."""
    admin = await admin_headers(client)
    body = {"employer_id": await make_employer(), **body}
    r = await client.post("/api/employments", headers=admin, json=body)
    assert_problem(r, 400, "invalid_request")
