"""Control characters are refused at the edge with 400 — in paths, query strings and JSON text,
anonymous or logged in — and nothing is written; certificate numbers are normalised before they
reach a header (no CR/LF, U+3000 or NUL can break a download)."""

from __future__ import annotations

from typing import Any

import pytest

from talent_pool.tables import Employer, Practitioner
from tests.api.test_bad_input import assert_problem
from tests.factories import admin_headers


@pytest.mark.parametrize(
    "path",
    [
        "/v/S0000370000012650%0000001",
        "/v/S000037000001265000001%0a",  # tab, CR and LF too: only JSON text may hold them
        "/api/verify/S000037000001265000001%09",
        "/api/verify/%0dS000037000001265000001",
        "/api/verify/S000037000001265000001%00",
        "/api/catalog/offerings?x=%00",
        "/api/verify/S000037000001265000001?a=%1b",
    ],
)
async def test_control_characters_in_paths_and_queries_are_400(client: Any, path: str) -> None:
    r = await client.get(path, headers={"Accept": "application/json"})
    assert_problem(r, 400, "control_character")


async def test_a_path_that_matches_no_route_because_of_a_nul_is_404(client: Any) -> None:
    r = await client.get("/api/catalog/offerings/1%00/sessions", headers={"Accept": "application/json"})
    assert_problem(r, 404)  # refused by the router before any handler: never a 500


@pytest.mark.parametrize(
    "field, value",
    [
        ("name", "王\u0000芳"),
        ("name", "王芳\u001b[31m"),
        ("address", "历下区\u0000经十路"),
        ("credit_code", "91350100M000100Y43\u0000"),
    ],
)
async def test_control_characters_in_json_text_are_400_and_nothing_is_written(
    client: Any, field: str, value: str
) -> None:
    admin = await admin_headers(client)
    employer = {"credit_code": "91350100M000100Y43", "name": "示范托育中心", "district_code": "370102"}
    person = {"id_number": "11010519491231002X", "name": "王芳"}
    target, body = ("/api/practitioners", person) if field == "name" else ("/api/employers", employer)
    r = await client.post(target, headers=admin, json={**body, field: value})
    assert_problem(r, 400, "control_character")
    assert await Employer.count() == 0 and await Practitioner.count() == 0


async def test_anonymous_sign_up_with_nul_is_400(client: Any) -> None:
    r = await client.post(
        "/api/auth/register",
        json={
            "username": "wang",
            "password": "a-long-password",
            "id_number": "11010519491231002X",
            "name": "王\u0000",
        },
    )
    assert_problem(r, 400, "control_character")
    assert await Practitioner.count() == 0


@pytest.mark.parametrize("padding", ["\u3000", "%0D%0A", " "])
async def test_padded_certificate_numbers_never_reach_a_header(client: Any, padding: str) -> None:
    admin = await admin_headers(client)
    r = await client.get(
        f"/api/certificates/{padding}S000037000001265000001{padding}/certificate.pdf", headers=admin
    )
    assert r.status_code in (400, 404), r.text  # CR/LF refused at the edge; the others are unknown
    assert "\r" not in r.headers.get("content-disposition", "")


async def test_a_doubled_or_json_content_type_on_a_file_upload_names_the_type_expected(client: Any) -> None:
    """The README's old example sent `"${A[@]}"`'s JSON Content-Type next to the file's own: the
    answer was a misleading "control character" 400; now it names the content type expected."""
    admin = await admin_headers(client)
    xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    body = b"PK\x03\x04\x14\x00\x00\x00binary zip bytes"
    url = "/api/programmes/1X-YEZH-1/questions/import"
    doubled = await client.post(
        url,
        content=body,
        headers=[*admin.items(), ("Content-Type", "application/json"), ("Content-Type", xlsx)],
    )
    assert doubled.status_code == 400 and doubled.json()["code"] == "content_type"
    assert (
        "2 个 Content-Type" in doubled.json()["detail"] and f"此接口应为 {xlsx}" in doubled.json()["detail"]
    )
    as_json = await client.post(url, content=body, headers={**admin, "Content-Type": "application/json"})
    assert as_json.status_code == 415 and as_json.json()["code"] == "content_type"
    assert f"Content-Type 应为 {xlsx}" in as_json.json()["detail"]
    photo = await client.put(
        "/api/practitioners/1/photo",
        content=b"\xff\xd8\xff\xe0",
        headers={**admin, "Content-Type": "application/json"},
    )
    assert photo.status_code == 415 and "image/jpeg 或 image/png" in photo.json()["detail"]
