"""The password rules (service/accounts/passwords.py, NIST SP 800-63B §5.1.1.2) everywhere a
password is set over the API: trainee sign-up, an administrator's new login, a password change.
A refused password is a 422 naming the rule on the password's field and changes nothing."""

from __future__ import annotations

from litestar.testing import AsyncTestClient

from service.accounts import AccountIn, create_account
from service.accounts.passwords import COMMON, CONTEXT, SEQUENCE, WHITESPACE
from service.accounts.tables import UserAccount
from talent_pool.tables import Practitioner
from tests.factories import PASSWORD, admin_headers, login, make_id


async def test_sign_up_refuses_weak_passwords_before_anything_is_written(client: AsyncTestClient) -> None:  # type: ignore[type-arg]
    body = {"username": "newbie", "id_number": make_id(1), "name": "张三", "phone": "13800000000"}
    for weak, rule in (("        ", WHITESPACE), ("12345678", SEQUENCE), ("newbie2025", CONTEXT)):
        r = await client.post("/api/auth/register", json={**body, "password": weak})
        assert r.status_code == 422, r.text
        assert (r.json()["detail"], r.json()["field"]) == (rule, "password")
    assert await UserAccount.count() == 0 and await Practitioner.count() == 0
    assert client.sms.sent == []  # type: ignore[attr-defined]  # no code texted either
    ok = await client.post("/api/auth/register", json={**body, "password": "tuoyu-demo-2025"})
    assert ok.status_code == 201, ok.text


async def test_an_administrators_new_login_needs_a_good_password(client: AsyncTestClient) -> None:  # type: ignore[type-arg]
    admin = await admin_headers(client)
    for weak, rule in (("password1", COMMON), ("tuoyu2025", CONTEXT), ("examiner7!", CONTEXT)):
        r = await client.post(
            "/api/auth/accounts",
            headers=admin,
            json={"username": "examiner7", "password": weak, "role": "examiner"},
        )
        assert r.status_code == 422, r.text
        assert (r.json()["detail"], r.json()["field"]) == (rule, "password")
    assert not await UserAccount.exists().where(UserAccount.username == "examiner7")
    ok = await client.post(
        "/api/auth/accounts",
        headers=admin,
        json={"username": "examiner7", "password": PASSWORD, "role": "examiner"},
    )
    assert ok.status_code == 201, ok.text


async def test_a_change_to_a_weak_password_is_refused_and_changes_nothing(client: AsyncTestClient) -> None:  # type: ignore[type-arg]
    await create_account(AccountIn(username="pw-weak", password=PASSWORD, role="agency"))
    headers = await login(client, "pw-weak")
    before = await UserAccount.select(UserAccount.password_hash, UserAccount.tokens_valid_after).where(
        UserAccount.username == "pw-weak"
    )
    for weak, rule in (
        ("        ", WHITESPACE),
        ("12345678", SEQUENCE),
        ("iloveyou", COMMON),
        ("pw-weak-1", CONTEXT),
    ):
        r = await client.post(
            "/api/auth/password", headers=headers, json={"old_password": PASSWORD, "new_password": weak}
        )
        assert r.status_code == 422, r.text
        assert (r.json()["detail"], r.json()["field"]) == (rule, "new_password")
    after = await UserAccount.select(UserAccount.password_hash, UserAccount.tokens_valid_after).where(
        UserAccount.username == "pw-weak"
    )
    assert after == before
    assert (await client.get("/api/auth/me", headers=headers)).status_code == 200  # still logged in
