"""Logins: brute-force limit, case-insensitive usernames, scope ids must exist, logout."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from litestar.testing import AsyncTestClient

from tests.factories import PASSWORD, create_city_admin, login
from tests.servers import serve_in_process, settings_for


async def test_login_attempts_are_rate_limited(db: None, pg_engine: Any, tmp_path: Path) -> None:
    from service.app import create_app

    await create_city_admin("regulator")
    settings = settings_for(tmp_path, login_rate_per_minute=10)  # the shipped default
    async with serve_in_process(create_app(settings, engine=pg_engine)) as client:
        codes = [
            (
                await client.post("/api/auth/login", json={"username": "regulator", "password": f"wrong-{i}"})
            ).status_code
            for i in range(10)
        ]
        assert codes == [401] * 10
        blocked = await client.post("/api/auth/login", json={"username": "regulator", "password": PASSWORD})
        assert blocked.status_code == 429 and blocked.headers.get("retry-after")
        assert blocked.json()["code"] == "too_many_requests"


async def test_usernames_are_case_insensitive_and_scopes_must_exist(client: AsyncTestClient) -> None:  # type: ignore[type-arg]
    await create_city_admin("Regulator")
    admin = await login(client, "REGULATOR")  # asserts 201
    dup = await client.post(
        "/api/auth/accounts",
        headers=admin,
        json={"username": "regulator", "password": PASSWORD, "role": "city_admin"},
    )
    assert dup.status_code == 409
    ghost = await client.post(
        "/api/auth/accounts",
        headers=admin,
        json={"username": "ghost", "password": PASSWORD, "role": "base_staff", "training_base_id": 999},
    )
    assert ghost.status_code == 404 and ghost.json()["code"].endswith("not_found")


async def test_logout_clears_the_cookie(client: AsyncTestClient) -> None:  # type: ignore[type-arg]
    await create_city_admin("regulator")
    await client.post("/api/auth/login", json={"username": "regulator", "password": PASSWORD})
    assert (await client.get("/api/auth/me")).status_code == 200  # also sets the csrftoken cookie
    forged = await client.post("/api/auth/logout")  # a cross-site form would not know the token
    assert forged.status_code == 403 and (await client.get("/api/auth/me")).status_code == 200
    assert forged.json()["code"] == "csrf" and "刷新页面" in forged.json()["detail"]  # said in Chinese
    token = client.cookies["csrftoken"]
    assert (await client.post("/api/auth/logout", headers={"X-CSRFToken": token})).status_code == 204
    assert (await client.get("/api/auth/me")).status_code == 401


async def test_logout_ends_bearer_tokens_too(client: AsyncTestClient) -> None:  # type: ignore[type-arg]
    await create_city_admin("regulator")
    bearer = await login(client, "regulator")
    assert (await client.get("/api/auth/me", headers=bearer)).status_code == 200
    assert (await client.post("/api/auth/logout", headers=bearer)).status_code == 204
    assert (await client.get("/api/auth/me", headers=bearer)).status_code == 401
    fresh = await login(client, "regulator")  # a new login right after works at once
    assert (await client.get("/api/auth/me", headers=fresh)).status_code == 200


async def test_scope_ids_must_match_the_role(client: AsyncTestClient) -> None:  # type: ignore[type-arg]
    await create_city_admin("regulator")
    admin = await login(client, "regulator")
    mixed = await client.post(
        "/api/auth/accounts",
        headers=admin,
        json={"username": "mixed", "password": PASSWORD, "role": "city_admin", "employer_id": 1},
    )
    assert mixed.status_code == 422 and "employer_id" in mixed.json()["detail"]


async def test_regulator_pages_refuse_other_roles(client: AsyncTestClient) -> None:  # type: ignore[type-arg]
    from tests.factories import training_base

    base_id = await training_base()
    await create_city_admin("regulator")
    admin = await login(client, "regulator")
    r = await client.post(
        "/api/auth/accounts",
        headers=admin,
        json={"username": "staff", "password": PASSWORD, "role": "base_staff", "training_base_id": base_id},
    )
    assert r.status_code == 201, r.text
    await client.post("/api/auth/login", json={"username": "staff", "password": PASSWORD})  # cookie
    page = await client.get("/dashboard", headers={"Accept": "text/html"}, follow_redirects=False)
    assert page.status_code == 403 and "没有权限" in page.text
