"""Logins: brute-force limit, case-insensitive usernames, scope ids must exist, logout (of one
token, and everywhere)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from litestar.testing import AsyncTestClient

from service.accounts.tables import RevokedToken, UserAccount
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


async def test_logout_ends_only_this_token_and_logout_everywhere_ends_all(client: AsyncTestClient) -> None:  # type: ignore[type-arg]
    """A shared HR login on two devices: 退出 on one leaves the other logged in (a fresh-user
    trial found a second token of employer1 refused after a logout with the first); "log out
    everywhere" ends both; the revoked-token record goes once the token would have expired."""
    await create_city_admin("regulator")
    first = await login(client, "regulator")
    second = await login(client, "regulator")
    third = await login(client, "regulator")
    assert (await client.post("/api/auth/logout", headers=first)).status_code == 204
    assert (await client.get("/api/auth/me", headers=first)).status_code == 401
    assert (await client.get("/api/auth/me", headers=second)).status_code == 200  # the other device
    assert (await client.post("/api/auth/logout", headers=first)).status_code == 401  # already ended
    assert await RevokedToken.count() == 1
    assert (await client.post("/api/auth/logout-everywhere", headers=second)).status_code == 204
    for headers in (second, third):
        assert (await client.get("/api/auth/me", headers=headers)).status_code == 401
    fresh = await login(client, "regulator")  # a new login right after works at once
    assert (await client.get("/api/auth/me", headers=fresh)).status_code == 200
    # a later logout sweeps revoked-token records whose token has expired by now
    await RevokedToken.update({RevokedToken.expires_at: dt.datetime(2020, 1, 1, tzinfo=dt.UTC)}).where(
        RevokedToken.id > 0
    )
    assert (await client.post("/api/auth/logout", headers=fresh)).status_code == 204
    assert [
        r["expires_at"] > dt.datetime(2026, 1, 1, tzinfo=dt.UTC) for r in await RevokedToken.select()
    ] == [True]


async def test_a_token_issued_without_an_id_is_ended_by_logging_out_everywhere(
    client: AsyncTestClient,
) -> None:  # type: ignore[type-arg]
    """Tokens issued before tokens carried a ``jti`` can only be ended all together."""
    await create_city_admin("regulator")
    other = await login(client, "regulator")
    account = await UserAccount.select(UserAccount.id).where(UserAccount.username == "regulator").first()
    assert account is not None
    auth = client.app.state.auth  # type: ignore[attr-defined]
    old = auth.create_token(
        identifier=str(account["id"]),
        token_extras={"role": "city_admin", "iat_ms": int(dt.datetime.now(dt.UTC).timestamp() * 1000)},
    )
    bearer = {"Authorization": f"Bearer {old}"}
    assert (await client.get("/api/auth/me", headers=bearer)).status_code == 200
    assert (await client.post("/api/auth/logout", headers=bearer)).status_code == 204
    assert (await client.get("/api/auth/me", headers=bearer)).status_code == 401
    assert (await client.get("/api/auth/me", headers=other)).status_code == 401
    assert await RevokedToken.count() == 0


async def test_a_token_of_a_deleted_login_does_not_pass_for_the_next_one_with_its_id(
    client: AsyncTestClient,
) -> None:  # type: ignore[type-arg]
    """The embedded SQLite reuses the highest id after a deletion (a trial logged in as a new
    district admin with a deleted employer login's token): a token names its login, and an
    account under the same id with another name refuses it."""
    await create_city_admin("regulator")
    await create_city_admin("leaving")
    token = await login(client, "leaving")
    row = await UserAccount.select().where(UserAccount.username == "leaving").first()
    assert row is not None
    await UserAccount.delete().where(UserAccount.id == row["id"])
    assert (await client.get("/api/auth/me", headers=token)).status_code == 401
    await UserAccount.insert(UserAccount(**{**row, "username": "newcomer"}))  # the same id again
    assert (await client.get("/api/auth/me", headers=token)).status_code == 401
    newcomer = await login(client, "newcomer")
    me = await client.get("/api/auth/me", headers=newcomer)
    assert me.status_code == 200 and me.json()["username"] == "newcomer"
    # even under the same name (a second trial): the token names the account it was issued for
    await UserAccount.delete().where(UserAccount.id == row["id"])
    later = row["created_at"] + dt.timedelta(seconds=5)
    await UserAccount.insert(UserAccount(**{**row, "created_at": later}))  # "leaving" again, same id
    assert (await client.get("/api/auth/me", headers=token)).status_code == 401
    again = await login(client, "leaving")
    assert (await client.get("/api/auth/me", headers=again)).status_code == 200


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


async def test_a_guesser_locks_only_their_own_address_and_is_told_so(
    db: None, pg_engine: Any, tmp_path: Path
) -> None:
    """OWASP lockout per (username, address): five wrong passwords from the attacker's address
    lock the login there — with an honest message and the minutes left, the same for an unknown
    username — while the owner logs in from their own address."""
    import datetime as dt

    import httpx

    from service.app import create_app
    from worker.clock import FixedClock

    await create_city_admin("regulator")
    clock = FixedClock(dt.datetime(2026, 11, 30, 2, tzinfo=dt.UTC))
    app = create_app(settings_for(tmp_path), engine=pg_engine, clock=clock)
    async with serve_in_process(app) as owner:
        attacker = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app, client=("203.0.113.66", 40000)),
            base_url="http://testserver.local",
        )
        async with attacker:
            for name in ("regulator", "no-such-login"):
                for i in range(5):
                    wrong = await attacker.post(
                        "/api/auth/login", json={"username": name, "password": f"x{i}"}
                    )
                    assert wrong.status_code == 401 and wrong.json()["code"] == "not_authenticated"
                    assert "锁定" not in wrong.json()["detail"]
                clock.advance(dt.timedelta(minutes=2))
                locked = await attacker.post("/api/auth/login", json={"username": name, "password": PASSWORD})
                assert locked.status_code == 401, locked.text
                assert locked.json()["code"] == "login_locked"
                assert locked.headers["Retry-After"] == str(13 * 60)  # seconds, like the message
                assert locked.json()["detail"].startswith(
                    "密码连续错误 5 次，该账号已暂停从当前网络登录，请 13 分钟后再试"
                )
            # the owner, elsewhere, is not locked out
            assert (
                await owner.post("/api/auth/login", json={"username": "regulator", "password": PASSWORD})
            ).status_code == 201
            clock.advance(dt.timedelta(minutes=13))
            assert (
                await attacker.post("/api/auth/login", json={"username": "regulator", "password": PASSWORD})
            ).status_code == 201


async def test_guesses_sent_at_once_are_stopped_at_the_lock(db: None, pg_engine: Any, tmp_path: Path) -> None:
    """Twelve wrong passwords for one login from one address, all at once: five are checked
    (401 ``not_authenticated``) and the other seven find the login locked (``login_locked``) —
    a trial's burst of 30 had 10 checked where the lock allows 5. The owner, from elsewhere,
    still logs in."""
    import asyncio

    import httpx

    from service.app import create_app
    from worker.clock import FixedClock

    await create_city_admin("regulator")
    clock = FixedClock(dt.datetime(2026, 11, 30, 2, tzinfo=dt.UTC))
    app = create_app(settings_for(tmp_path), engine=pg_engine, clock=clock)
    async with serve_in_process(app) as owner:
        transport = httpx.ASGITransport(app=app, client=("203.0.113.67", 40000))
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver.local") as bot:
            answers = await asyncio.gather(
                *(
                    bot.post("/api/auth/login", json={"username": "regulator", "password": f"x{i}"})
                    for i in range(12)
                )
            )
        codes = sorted(r.json()["code"] for r in answers)
        assert codes == ["login_locked"] * 7 + ["not_authenticated"] * 5, codes
        assert (
            await owner.post("/api/auth/login", json={"username": "regulator", "password": PASSWORD})
        ).status_code == 201
        assert len(__import__("service.accounts.services", fromlist=["ATTEMPTS"]).ATTEMPTS) == 0


async def test_many_addresses_together_only_slow_the_login_down(
    db: None, pg_engine: Any, tmp_path: Path
) -> None:
    """Past 30 wrong passwords from all addresses each further one locks the login everywhere for
    one minute: the owner is told and waits a minute, not a quarter of an hour."""
    import datetime as dt

    import httpx

    from service.app import create_app
    from worker.clock import FixedClock

    await create_city_admin("regulator")
    clock = FixedClock(dt.datetime(2026, 11, 30, 2, tzinfo=dt.UTC))
    app = create_app(settings_for(tmp_path), engine=pg_engine, clock=clock)
    async with serve_in_process(app) as owner:
        for n in range(10):  # 10 addresses × 3 guesses: no address reaches its own limit
            transport = httpx.ASGITransport(app=app, client=(f"198.51.100.{n}", 40000))
            async with httpx.AsyncClient(transport=transport, base_url="http://testserver.local") as bot:
                for i in range(3):
                    r = await bot.post("/api/auth/login", json={"username": "regulator", "password": f"x{i}"})
                    assert r.status_code == 401 and r.json()["code"] == "not_authenticated"
        locked = await owner.post("/api/auth/login", json={"username": "regulator", "password": PASSWORD})
        assert locked.json()["code"] == "login_locked"
        assert locked.json()["detail"].startswith("该账号近期密码错误次数过多，已暂停登录，请 1 分钟后再试")
        clock.advance(dt.timedelta(minutes=1))
        assert (
            await owner.post("/api/auth/login", json={"username": "regulator", "password": PASSWORD})
        ).status_code == 201


async def test_an_admin_cannot_reset_their_own_password(client: AsyncTestClient) -> None:  # type: ignore[type-arg]
    from tests.factories import admin_headers

    admin = await admin_headers(client)
    me = (await client.get("/api/auth/me", headers=admin)).json()["id"]
    own = await client.post(f"/api/accounts/{me}/reset-password", headers=admin)
    assert own.status_code == 409 and "修改密码" in own.json()["detail"]
    assert (await client.get("/api/auth/me", headers=admin)).status_code == 200  # still logged in


async def test_an_admin_reset_lifts_the_lock(client: AsyncTestClient) -> None:  # type: ignore[type-arg]
    from tests.factories import admin_headers

    admin = await admin_headers(client)
    made = await client.post(
        "/api/auth/accounts",
        headers=admin,
        json={"username": "examiner9", "password": PASSWORD, "role": "examiner"},
    )
    for _ in range(5):
        await client.post("/api/auth/login", json={"username": "examiner9", "password": "wrong-password"})
    locked = await client.post("/api/auth/login", json={"username": "examiner9", "password": PASSWORD})
    assert locked.json()["code"] == "login_locked"
    reset = await client.post(f"/api/accounts/{made.json()['id']}/reset-password", headers=admin)
    temporary = reset.json()["temporary_password"]
    assert (
        await client.post("/api/auth/login", json={"username": "examiner9", "password": temporary})
    ).status_code == 201


async def test_a_too_short_password_is_refused_like_every_other_rule(client: AsyncTestClient) -> None:  # type: ignore[type-arg]
    """Sign-up and account creation answer a too-short password as the other password rules do:
    422 naming the rule (the rules module's message) on the password field, nothing created."""
    from service.accounts.passwords import TOO_SHORT

    await create_city_admin("regulator")
    admin = await login(client, "regulator")
    created = await client.post(
        "/api/auth/accounts",
        headers=admin,
        json={"username": "shorty", "password": "abc", "role": "city_admin"},
    )
    signed_up = await client.post(
        "/api/auth/register",
        json={"username": "shorty", "password": "abc", "id_number": "11010519491231002X", "name": "王芳"},
    )
    for r in (created, signed_up):
        assert r.status_code == 422, r.text
        assert (r.json()["field"], r.json()["detail"]) == ("password", TOO_SHORT)
    assert await UserAccount.count().where(UserAccount.username == "shorty") == 0
