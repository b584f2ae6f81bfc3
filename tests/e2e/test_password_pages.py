"""修改密码 in Chromium: a user changes the password from the header link and logs in with the new
one (the old one refused); an account an administrator reset goes straight from the login to the
form, and then to its home; a wrong current password is said so and changes nothing."""

from __future__ import annotations

import secrets
from urllib.parse import urlparse

import httpx
from playwright.async_api import expect

from tests.e2e.conftest import DEMO_PASSWORD, LiveServer, Visit


async def _admin(c: httpx.AsyncClient) -> dict[str, str]:
    r = await c.post("/api/auth/login", json={"username": "admin", "password": DEMO_PASSWORD})
    assert r.status_code == 201, r.text
    c.cookies.clear()
    return {"Authorization": f"Bearer {r.json()['token']}"}


async def _new_login(live_server: LiveServer, role: str, password: str) -> tuple[str, int]:
    """A login of its own (the demo's logins stay as they are for the other tests): ``(username, id)``."""
    username = f"pw{secrets.token_hex(4)}"
    async with httpx.AsyncClient(base_url=live_server.url) as c:
        r = await c.post(
            "/api/auth/accounts",
            headers=await _admin(c),
            json={"username": username, "password": password, "role": role, "display_name": "改密测试"},
        )
        assert r.status_code == 201, r.text
        return username, int(r.json()["id"])


async def _reset(live_server: LiveServer, account_id: int) -> str:
    """An administrator's reset; the temporary password."""
    async with httpx.AsyncClient(base_url=live_server.url) as c:
        r = await c.post(f"/api/accounts/{account_id}/reset-password", headers=await _admin(c))
        assert r.status_code in (200, 201), r.text
        return str(r.json()["temporary_password"])


async def _login_fails(visit: Visit, username: str, password: str) -> str:
    """Try the login page with ``password``; the message shown (the page stays on /login)."""
    await visit.goto("/login")
    await visit.page.fill("#username", username)
    await visit.page.fill("#password", password)
    await visit.page.click("button[type=submit]")
    await visit.page.wait_for_selector("#msg:not(:empty)")
    assert urlparse(visit.page.url).path == "/login"
    return str(await visit.page.text_content("#msg"))


async def _fill(visit: Visit, old: str, new: str, again: str) -> None:
    await visit.page.fill("#old_password", old)
    await visit.page.fill("#new_password", new)
    await visit.page.fill("#new_password2", again)
    await visit.page.click("#password-form button[type=submit]")


async def test_a_user_changes_the_password_and_logs_in_with_the_new_one(
    phone: Visit, live_server: LiveServer
) -> None:
    old, new = "first-password-1", "second-password-2"
    username, _ = await _new_login(live_server, "agency", old)
    await phone.login(username, old)
    assert urlparse(phone.page.url).path == "/agency"
    await phone.page.click("header a#change-password")  # the link in every role's header
    await phone.page.wait_for_url(lambda url: urlparse(url).path == "/account/password")
    assert await phone.page.locator("#forced").count() == 0
    # the two new ones differ, then too short: said at once, nothing sent
    await _fill(phone, old, new, new + "x")
    await expect(phone.page.locator("#pw-msg")).to_have_text("两次输入的新密码不一致，请重新输入")
    await phone.shot("password-mismatch-phone")
    await _fill(phone, old, "short", "short")
    await expect(phone.page.locator("#pw-msg")).to_have_text("新密码至少 8 个字符")
    assert await phone.serious_a11y_violations() == []

    await _fill(phone, old, new, new)
    await phone.page.wait_for_url(lambda url: urlparse(url).path == "/login")
    assert "changed=1" in phone.page.url
    assert await phone.page.text_content("#changed") == "密码已修改，请用新密码重新登录。"
    await phone.shot("password-changed-login-phone")
    assert "用户名或密码错误" in await _login_fails(phone, username, old)  # the old one is refused
    await phone.login(username, new)
    assert urlparse(phone.page.url).path == "/agency"
    assert phone.foreign_hosts() == set() and phone.errors == [
        "Failed to load resource: the server responded with a status of 401 (Unauthorized)"
    ]


async def test_a_reset_account_goes_to_the_form_first_then_to_its_home(
    visit: Visit, live_server: LiveServer
) -> None:
    username, account_id = await _new_login(live_server, "examiner", "before-the-reset")
    temporary = await _reset(live_server, account_id)
    await visit.login(username, temporary)
    assert urlparse(visit.page.url).path == "/account/password"  # straight from the login
    assert "管理员已重置您的密码，请先设置新密码" in str(await visit.page.text_content("#forced"))
    # any other page comes back here, remembering where it was going
    await visit.goto("/examiner")
    assert urlparse(visit.page.url).path == "/account/password"
    assert urlparse(visit.page.url).query == "next=%2Fexaminer"
    assert await visit.serious_a11y_violations() == []
    await visit.shot("password-forced-desktop")

    await _fill(visit, temporary, "my-own-password", "my-own-password")
    await visit.page.wait_for_url(lambda url: urlparse(url).path == "/login")
    await visit.page.fill("#username", username)
    await visit.page.fill("#password", "my-own-password")
    await visit.page.click("button[type=submit]")
    await visit.page.wait_for_url(lambda url: urlparse(url).path == "/examiner")  # the ?next= it kept
    await visit.page.wait_for_load_state("networkidle")
    await expect(visit.page.locator("h1.page-title")).to_have_text("考评任务")
    await visit.shot("password-forced-then-home-desktop")
    assert visit.foreign_hosts() == set()


async def test_a_wrong_current_password_is_said_and_changes_nothing(
    phone: Visit, live_server: LiveServer
) -> None:
    password = "keep-this-password"
    username, _ = await _new_login(live_server, "examiner", password)
    await phone.login(username, password)
    await phone.goto("/account/password")
    await _fill(phone, "not-my-password", "another-password", "another-password")
    await expect(phone.page.locator("#pw-msg")).to_contain_text("当前密码不正确，密码未修改（")
    assert urlparse(phone.page.url).path == "/account/password"  # still here, still logged in
    assert await phone.page.input_value("#old_password") == ""
    await phone.shot("password-wrong-current-phone")
    await phone.goto("/examiner")
    assert urlparse(phone.page.url).path == "/examiner"
    # nothing changed: the password is the old one, the new one is refused
    await phone.page.click("#logout")
    await phone.page.wait_for_url(lambda url: urlparse(url).path == "/")
    assert "用户名或密码错误" in await _login_fails(phone, username, "another-password")
    await phone.login(username, password)
    assert urlparse(phone.page.url).path == "/examiner"
    # guessing on: five wrong current passwords lock the change (and the login) with the minutes said
    await phone.goto("/account/password")
    for attempt in range(5):
        await _fill(phone, f"guess-{attempt}-password", "another-password", "another-password")
        await expect(phone.page.locator("#pw-msg")).to_contain_text("当前密码不正确，密码未修改（")
        await phone.page.evaluate("document.getElementById('pw-msg').textContent = ''")
    await _fill(phone, password, "another-password", "another-password")
    await expect(phone.page.locator("#pw-msg")).to_contain_text("请 15 分钟后再试")
    assert urlparse(phone.page.url).path == "/account/password"  # said here, not a login page
    await phone.shot("password-locked-phone")
