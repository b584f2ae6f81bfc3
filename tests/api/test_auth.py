"""Logins: brute-force limit, case-insensitive usernames, scope ids must exist, logout."""

from __future__ import annotations

from litestar.testing import AsyncTestClient

from service.accounts import AccountIn, create_account

PASSWORD = "a-password-1"


async def test_login_attempts_are_rate_limited(client: AsyncTestClient) -> None:  # type: ignore[type-arg]
    await create_account(AccountIn(username="regulator", password=PASSWORD, role="city_admin"))
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
    await create_account(AccountIn(username="Regulator", password=PASSWORD, role="city_admin"))
    r = await client.post("/api/auth/login", json={"username": "REGULATOR", "password": PASSWORD})
    assert r.status_code == 201
    admin = {"Authorization": f"Bearer {r.json()['token']}"}
    client.cookies.clear()
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
    await create_account(AccountIn(username="regulator", password=PASSWORD, role="city_admin"))
    await client.post("/api/auth/login", json={"username": "regulator", "password": PASSWORD})
    assert (await client.get("/api/auth/me")).status_code == 200
    assert (await client.post("/api/auth/logout")).status_code == 204
    assert (await client.get("/api/auth/me")).status_code == 401
