"""修改密码 in the pages (/account/password, every role) and the forced change after an
administrator's reset: pages redirect to the form, the API keeps its 403 for API clients."""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path
from typing import Any

from litestar.testing import AsyncTestClient

from service.accounts import AccountIn, create_account
from service.accounts.passwords import TOO_SHORT
from service.accounts.services import LOCK_MINUTES, MAX_FAILED_LOGINS, PASSWORD_CHANGED_MEANWHILE
from service.accounts.tables import UserAccount
from service.sms import RecordingSms
from tests.factories import PASSWORD, admin_headers, login, make_employer, register_people, training_base
from tests.servers import serve_in_process, settings_for
from worker.clock import FixedClock

HTML = {"Accept": "text/html"}
JSON = {"Accept": "application/json"}
CHANGE = "/api/auth/password"


async def _cookie_login(client: AsyncTestClient, username: str, password: str = PASSWORD) -> Any:  # type: ignore[type-arg]
    """Log in as a browser does: the token cookie (and the CSRF cookie) kept by the client."""
    client.cookies.clear()
    r = await client.post("/api/auth/login", json={"username": username, "password": password})
    assert r.status_code == 201, r.text
    return r


async def _csrf_post(client: AsyncTestClient, path: str, body: dict[str, Any]) -> Any:  # type: ignore[type-arg]
    """A page's write: the login cookie plus the CSRF header echoing the ``csrftoken`` cookie
    (``service/static/app.js``, ``tuoyu.api``)."""
    if "csrftoken" not in client.cookies:
        await client.get("/", headers=HTML)  # the CSRF cookie is set on a page read
    token = client.cookies.get("csrftoken")
    assert token, "no CSRF cookie"
    return await client.post(path, json=body, headers={**JSON, "X-CSRFToken": token})


async def test_every_role_reaches_the_password_page_from_its_home(client: AsyncTestClient) -> None:  # type: ignore[type-arg]
    base = await training_base()
    employer = await make_employer()
    (person,) = await register_people(1)
    homes = {
        "city_admin": ("/dashboard", {}),
        "district_admin": ("/dashboard", {"district_code": "370102"}),
        "base_staff": ("/base", {"training_base_id": base}),
        "examiner": ("/examiner", {}),
        "employer_staff": ("/employer", {"employer_id": employer}),
        "trainee": ("/my", {"practitioner_id": person}),
        "agency": ("/agency", {}),
    }
    for role, (home, scope) in homes.items():
        username = f"pw-{role.replace('_', '-')}"
        await create_account(
            AccountIn.model_validate({"username": username, "password": PASSWORD, "role": role, **scope})
        )
        await _cookie_login(client, username)
        page = await client.get(home, headers=HTML)
        assert page.status_code == 200, (role, page.text[:300])
        assert 'href="/account/password"' in page.text and ">修改密码</a>" in page.text, role
        form = await client.get("/account/password", headers=HTML)
        assert form.status_code == 200, (role, form.text[:300])
        assert 'id="password-form"' in form.text and 'autocomplete="new-password"' in form.text
        assert 'aria-current="page">修改密码' in form.text
        assert "管理员已重置" not in form.text  # not a forced change
        assert f'value="{username}"' in form.text  # for the browser's password manager
    client.cookies.clear()
    anonymous = await client.get("/account/password", headers=HTML, follow_redirects=False)
    assert anonymous.status_code in (302, 303)
    assert anonymous.headers["location"] == "/login?next=%2Faccount%2Fpassword"
    assert (await client.get("/account/password", headers=JSON)).status_code == 401


async def test_a_wrong_current_password_is_a_form_error_and_changes_nothing(client: AsyncTestClient) -> None:  # type: ignore[type-arg]
    await create_account(AccountIn(username="pw-agency", password=PASSWORD, role="agency"))
    await _cookie_login(client, "pw-agency")
    before = await UserAccount.select(UserAccount.password_hash, UserAccount.tokens_valid_after).where(
        UserAccount.username == "pw-agency"
    )
    wrong = await _csrf_post(
        client, CHANGE, {"old_password": "not-my-password", "new_password": "brand-new-password"}
    )
    # 422 on the current-password field, not a 401: the login is still good, nothing sends it away
    assert wrong.status_code == 422, wrong.text
    assert wrong.json()["field"] == "old_password" and wrong.json()["detail"].startswith(
        "当前密码不正确，密码未修改"
    )
    same = await _csrf_post(client, CHANGE, {"old_password": PASSWORD, "new_password": PASSWORD})
    assert same.status_code == 422 and same.json()["field"] == "new_password"
    short = await _csrf_post(client, CHANGE, {"old_password": PASSWORD, "new_password": "short"})
    # the length rule answers like every other rule: 422 naming it on new_password
    assert short.status_code == 422 and short.json()["field"] == "new_password", short.text
    assert short.json()["detail"] == TOO_SHORT
    after = await UserAccount.select(UserAccount.password_hash, UserAccount.tokens_valid_after).where(
        UserAccount.username == "pw-agency"
    )
    assert after == before  # no new hash, no logins ended
    assert (await client.get("/agency", headers=HTML)).status_code == 200  # still logged in
    # without the CSRF header a cookie-authenticated change is refused
    bare = await client.post(
        "/api/auth/password",
        json={"old_password": PASSWORD, "new_password": "brand-new-password"},
        headers=JSON,
    )
    assert bare.status_code == 403 and bare.json()["code"] == "csrf"


async def test_a_reset_account_is_sent_to_the_password_page_and_the_api_keeps_its_403(
    client: AsyncTestClient,  # type: ignore[type-arg]
) -> None:
    admin = await admin_headers(client)
    employer = await make_employer()
    await create_account(
        AccountIn(username="pw-employer", password=PASSWORD, role="employer_staff", employer_id=employer)
    )
    account = await UserAccount.objects().get(UserAccount.username == "pw-employer")
    assert account is not None
    reset = await client.post(f"/api/accounts/{account.id}/reset-password", headers=admin)
    temporary = reset.json()["temporary_password"]

    await _cookie_login(client, "pw-employer", temporary)
    for page, expected in (
        ("/employer", "/account/password?next=%2Femployer"),
        ("/employer/staff?q=1", "/account/password?next=%2Femployer%2Fstaff%3Fq%3D1"),
        ("/dashboard", "/account/password?next=%2Fdashboard"),  # not this role's page: still the form first
    ):
        r = await client.get(page, headers=HTML, follow_redirects=False)
        assert r.status_code in (302, 303) and r.headers["location"] == expected, (page, r.text[:200])
    api = await client.get(f"/api/employers/{employer}/staff", headers=JSON)
    assert api.status_code == 403 and api.json()["code"] == "password_change_required"
    assert "管理员已重置您的密码" in api.json()["detail"]
    form = await client.get("/account/password?next=%2Femployer", headers=HTML)
    assert form.status_code == 200 and "管理员已重置您的密码，请先设置新密码" in form.text

    wrong = await _csrf_post(
        client, CHANGE, {"old_password": "not-the-temporary", "new_password": "my-own-password"}
    )
    assert wrong.status_code == 422 and wrong.json()["field"] == "old_password"
    still = await UserAccount.objects().get(UserAccount.id == account.id)
    assert still is not None and still.must_change_password

    done = await _csrf_post(client, CHANGE, {"old_password": temporary, "new_password": "my-own-password"})
    assert done.status_code == 204
    # the API ended every login of the account and cleared the cookie: the page sends to /login
    assert "token" not in client.cookies or not client.cookies.get("token")
    gone = await client.get("/employer", headers=HTML, follow_redirects=False)
    assert gone.status_code in (302, 303) and gone.headers["location"].startswith("/login")
    changed = await client.get("/login?changed=1", headers=HTML)
    assert "密码已修改，请用新密码重新登录" in changed.text
    for plain in ("/login", "/login?changed=yes"):
        page = await client.get(plain, headers=HTML)
        assert page.status_code == 200 and "密码已修改" not in page.text

    bad = await client.post("/api/auth/login", json={"username": "pw-employer", "password": temporary})
    assert bad.status_code == 401  # the temporary password is gone
    login = await _cookie_login(client, "pw-employer", "my-own-password")
    assert login.json()["account"]["must_change_password"] is False
    assert (await client.get("/employer", headers=HTML)).status_code == 200


async def test_wrong_current_passwords_count_toward_the_login_lockout(
    db: None, pg_engine: Any, tmp_path: Path
) -> None:
    """Guessing the current password with a logged-in session is locked like guessing at the
    login: five wrong ones from one address lock both for 15 minutes, with the minutes said."""
    from service.app import create_app

    clock = FixedClock(dt.datetime(2026, 11, 29, 2, tzinfo=dt.UTC))
    app = create_app(settings_for(tmp_path), engine=pg_engine, clock=clock, sms=RecordingSms())
    async with serve_in_process(app) as client:
        await create_account(AccountIn(username="pw-guess", password=PASSWORD, role="agency"))
        session = await login(client, "pw-guess")
        before = await UserAccount.select(UserAccount.password_hash).where(UserAccount.username == "pw-guess")
        guess = {"old_password": "a-guess", "new_password": "taken-over-password"}
        for _ in range(MAX_FAILED_LOGINS):
            wrong = await client.post(CHANGE, json=guess, headers={**session, **JSON})
            assert wrong.status_code == 422 and wrong.json()["field"] == "old_password", wrong.text
        right = {"old_password": PASSWORD, "new_password": "taken-over-password"}
        locked = await client.post(CHANGE, json=right, headers={**session, **JSON})
        assert locked.status_code == 401 and locked.json()["code"] == "login_locked", locked.text
        assert f"{LOCK_MINUTES} 分钟后再试" in locked.json()["detail"]
        assert int(locked.headers["Retry-After"]) == LOCK_MINUTES * 60
        relogin = await client.post("/api/auth/login", json={"username": "pw-guess", "password": PASSWORD})
        assert relogin.status_code == 401 and relogin.json()["code"] == "login_locked"  # the same lock
        after = await UserAccount.select(UserAccount.password_hash).where(UserAccount.username == "pw-guess")
        assert after == before
        assert (await client.get("/api/auth/me", headers=session)).status_code == 200  # still logged in

        clock.advance(dt.timedelta(minutes=LOCK_MINUTES + 1))
        done = await client.post(CHANGE, json=right, headers={**session, **JSON})
        assert done.status_code == 204, done.text
        clock.advance(dt.timedelta(seconds=1))
        await login(client, "pw-guess", "taken-over-password")


async def test_concurrent_changes_with_one_current_password_let_exactly_one_win(
    client: AsyncTestClient,
) -> None:  # type: ignore[type-arg]
    """Four changes at once with the same token and the same current password: one 204, the
    others refused (the current password they gave is no longer the current one) and only the
    winner's new password logs in (a fresh-user trial found all four answered 204)."""
    await create_account(AccountIn(username="pw-race", password=PASSWORD, role="agency"))
    headers = await login(client, "pw-race")
    news = [f"race-winner-{n}-pass" for n in range(4)]
    answers = await asyncio.gather(
        *(
            client.post(CHANGE, json={"old_password": PASSWORD, "new_password": new}, headers=headers)
            for new in news
        )
    )
    codes = sorted(a.status_code for a in answers)
    assert codes == [204, 422, 422, 422], [a.text for a in answers]
    for answer in answers:
        if answer.status_code == 422:
            assert answer.json()["field"] == "old_password"
            assert answer.json()["detail"] == PASSWORD_CHANGED_MEANWHILE
    winner = next(new for new, a in zip(news, answers, strict=True) if a.status_code == 204)
    for new in news:
        client.cookies.clear()  # as a new visitor: a login cookie would ask for the CSRF header
        r = await client.post("/api/auth/login", json={"username": "pw-race", "password": new})
        assert r.status_code == (201 if new == winner else 401), (new, winner)
    client.cookies.clear()
    old = await client.post("/api/auth/login", json={"username": "pw-race", "password": PASSWORD})
    assert old.status_code == 401
