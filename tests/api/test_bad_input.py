"""Bad input of every kind gets a 4xx problem document in one shape — never a 500."""

from __future__ import annotations

from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from talent_pool.tables import Practitioner
from tests.factories import PASSWORD, admin_headers


def assert_problem(r: Any, status: int, code: str | None = None) -> dict[str, Any]:
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/problem+json"), r.headers
    body: dict[str, Any] = r.json()
    assert body["status"] == status and isinstance(body["status"], int)
    assert body["detail"] and not body["detail"].isascii()  # a Chinese message
    if code:
        assert body["code"] == code
    return body


@pytest.mark.parametrize(
    "body",
    [
        b'{"username":"u1","password":"\xff\xfe-not-utf8","id_number":"x","name":"y"}',
        '{"username":"u1","password":"a-long-password","id_number":"11010519491231002X","name":"张三"}'.encode(
            "gbk"
        ),
        b"[" * 100000 + b"]" * 100000,
        b"{not json",
    ],
)
async def test_undecodable_bodies_are_400(client: AsyncTestClient, body: bytes) -> None:  # type: ignore[type-arg]
    r = await client.post("/api/auth/register", content=body, headers={"Content-Type": "application/json"})
    assert r.status_code in (400, 422), r.text
    assert_problem(r, r.status_code)
    assert await Practitioner.count() == 0  # nothing half-written


async def test_huge_ids_unknown_routes_and_roles(client: AsyncTestClient) -> None:  # type: ignore[type-arg]
    admin = await admin_headers(client)
    assert_problem(  # an id no key can hold names no record (was 400 before ids were range-checked)
        await client.post("/api/offerings/99999999999999999999/sessions", headers=admin, json={}), 404
    )
    assert_problem(await client.get("/api/no-such-thing", headers=admin), 404, "not_found")
    # beyond the 32-bit keys (PostgreSQL refuses the value: a 500 found by schemathesis)
    huge = ("/api/catalog/offerings/1024079265233421440/sessions", "/api/practitioners/2147483648/record")
    for path in huge:
        assert_problem(await client.get(path, headers=admin), 404, "not_found")
    assert_problem(await client.get("/api/targets"), 401, "not_authenticated")
    assert_problem(await client.get("/api/targets", headers={"Authorization": "Bearer abc.def.ghi"}), 401)
    schema = assert_problem(await client.post("/api/employers", headers=admin, json={"name": 5}), 400)
    assert schema["code"] == "invalid_request" and schema["errors"]


async def test_domain_detail_never_overwrites_http_status(client: AsyncTestClient) -> None:  # type: ignore[type-arg]
    admin = await admin_headers(client)
    r = await client.post(
        "/api/employers",
        headers=admin,
        json={"credit_code": "91350100M000100Y43", "name": "托育园", "district_code": "370102"},
    )
    assert r.status_code == 201
    dup = await client.post(
        "/api/employers",
        headers=admin,
        json={"credit_code": "91350100m000100y43", "name": "托育园", "district_code": "370102"},
    )
    assert_problem(dup, 409, "conflict")


@pytest.mark.parametrize(
    "name", ["王\u0000芳", "<script>alert(1)</script>", "   ", "王" * 65, "李😀", "张三3", "\u202e张三"]
)
async def test_bad_names_are_rejected(client: AsyncTestClient, name: str) -> None:  # type: ignore[type-arg]
    r = await client.post(
        "/api/auth/register",
        json={"username": "someone", "password": PASSWORD, "id_number": "11010519491231002X", "name": name},
    )
    assert r.status_code in (400, 422), r.text
    assert_problem(r, r.status_code)
    assert await Practitioner.count() == 0


@pytest.mark.parametrize(
    ("name", "stored"),
    [
        ("买买提•艾力", "买买提·艾力"),
        (" 欧阳 娜娜 ", "欧阳娜娜"),
        ("张\n三", "张三"),
        ("Anna  Schmidt", "Anna Schmidt"),
        ("阿依古丽·吐尔逊", "阿依古丽·吐尔逊"),
    ],
)
async def test_real_names_are_normalised(client: AsyncTestClient, name: str, stored: str) -> None:  # type: ignore[type-arg]
    r = await client.post(
        "/api/auth/register",
        json={
            "username": "someone",
            "password": PASSWORD,
            "id_number": "11010519491231002X",
            "name": name,
            "phone": "13800000000",
        },
    )
    assert r.status_code == 201, r.text
    assert r.json()["account"]["display_name"] == stored


async def test_field_errors_are_explained_in_chinese(client: AsyncTestClient) -> None:  # type: ignore[type-arg]
    admin = await admin_headers(client)
    r = await client.post("/api/employers", headers=admin, json={"name": "托" * 200, "credit_code": 5})
    body = assert_problem(r, 400)
    messages = {e["key"]: e["msg"] for e in body["errors"]}
    assert messages == {"credit_code": "应为文本", "name": "最多 128 个字符", "district_code": "必填"}
    assert all(e["msg_en"] for e in body["errors"])  # the validator's own words kept for developers
    # a value outside a literal's choices: the choices, in Chinese words
    r = await client.post(
        "/api/employers",
        headers=admin,
        json={
            "name": "托育园",
            "credit_code": "91350100M000100Y43",
            "district_code": "370102",
            "kind": "zoo",
        },
    )
    body = assert_problem(r, 400)
    assert {e["key"]: e["msg"] for e in body["errors"]} == {
        "kind": "应为以下之一：institution、kindergarten_class、community_point、home_point"
    }


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        ("/api/verify/%3Cscript%3E", "malformed_number"),
        ("/api/verify/%25", "malformed_number"),
        ("/api/verify/%E8%AF%81%E4%B9%A6", "malformed_number"),  # 证书
        ("/api/verify/ABC", "malformed_number"),
        ("/api/verify/NO-SUCH-1", "no_such_number"),  # another issuer's format, not on record
        ("/api/verify/%E2%80%8BS000037000001265999999", "no_such_number"),  # zero-width space
        ("/api/verify/%EF%BC%B3000037000001265999999%20", "no_such_number"),  # full-width S, space
    ],
)
async def test_odd_certificate_numbers_are_answered_not_missing(
    client: AsyncTestClient,  # type: ignore[type-arg]
    path: str,
    reason: str,
) -> None:
    r = await client.get(path, headers={"Accept": "application/json"})
    assert r.status_code == 200, r.text
    assert r.json()["outcome"] == "unknown" and r.json()["reason"] == reason


@pytest.mark.parametrize(
    "number",
    [
        "S000037000001265999999" * 230,  # 5,060 characters: cut to 64, it used to be looked up
        "A" * 65,
        "A" * 5000,
        "NO-SUCH-1" + "%E2%80%8B" * 2000,  # invisible characters past the raw limit
    ],
)
async def test_an_over_long_certificate_number_is_malformed_on_both_routes(
    client: AsyncTestClient,  # type: ignore[type-arg]
    number: str,
) -> None:
    """A number longer than any certificate number is ``unknown`` / ``malformed_number`` — typed
    (/api/verify) or scanned with signature parameters (/v/…?…, not ``forged``) — never cut to 64
    characters and then looked up or checked."""
    for path in (f"/api/verify/{number}", f"/v/{number}?k=1&s=abc&e=2030-01-01"):
        r = await client.get(path, headers={"Accept": "application/json"})
        assert r.status_code == 200, r.text
        body = r.json()
        assert (body["outcome"], body["reason"], body["signature_checked"]) == (
            "unknown",
            "malformed_number",
            False,
        ), path[:80]
        assert len(body["number"]) <= 64
    # white space that makes a number long is still dropped (the number itself is looked up)
    spaced = await client.get("/api/verify/NO-SUCH-1" + "%20" * 100, headers={"Accept": "application/json"})
    assert (spaced.json()["number"], spaced.json()["reason"]) == ("NO-SUCH-1", "no_such_number")


async def test_a_slash_in_a_certificate_number_is_a_format_error(client: AsyncTestClient) -> None:  # type: ignore[type-arg]
    """A "/" (or %2F, decoded before routing) splits the path: no route, but the answer says the
    number is malformed, in Chinese — on the API and on the public page — not 请求的资源不存在."""
    for path in ("/api/verify/a%2Fb", "/api/verify/%3C%2Fscript%3E", "/v/a%2Fb"):
        body = assert_problem(
            await client.get(path, headers={"Accept": "application/json"}), 404, "malformed_number"
        )
        assert body["detail"].startswith("证书编号格式不正确")
    page = await client.get("/v/a%2Fb", headers={"Accept": "text/html"})
    assert page.status_code == 404 and "证书编号格式不正确" in page.text
    assert_problem(await client.get("/api/no-such/a%2Fb"), 404, "not_found")  # elsewhere unchanged
