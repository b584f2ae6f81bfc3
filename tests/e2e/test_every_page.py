"""Every page of every demo role's navigation in Chromium, with no script error: each demo login
(README) opens every page its header menu leads to (and the pages those pages' menus lead to),
and the page logs no console error and throws no uncaught exception (``pageerror``). Then 退出
on each of those pages ends the login: the page goes to the start page and opening the page
again asks for the login (a fresh-user trial found 退出 dead on /employer and /employer/bulk,
where a start-up script threw before it wired the logout)."""

from __future__ import annotations

from urllib.parse import urlparse

import pytest

from tests.e2e.conftest import DEMO_PASSWORD, Visit

ROLES = [
    ("admin", "/dashboard"),
    ("base1", "/base"),
    ("employer1", "/employer"),
    ("trainee1", "/my"),
    ("examiner1", "/examiner"),
    ("agency1", "/agency"),
]
"""The demo logins of the README and each role's home."""


async def _login(v: Visit, username: str, home: str) -> None:
    await v.goto("/login")
    await v.page.fill("#username", username)
    await v.page.fill("#password", DEMO_PASSWORD)
    await v.page.click("button[type=submit]")
    await v.page.wait_for_url(f"**{home}")
    await v.page.wait_for_load_state("networkidle")


async def _menu(v: Visit) -> list[str]:
    """The same-site pages the header menu links to (not 退出's ``#``)."""
    out = []
    for a in await v.page.locator("header nav a[href]").all():
        href = (await a.get_attribute("href")) or ""
        if href.startswith("/") and not href.startswith("//"):
            out.append(href)
    return out


async def _pages(v: Visit, home: str) -> list[str]:
    """Every page reachable through the header menus from ``home``, each opened once; fails on
    a page that does not open (status ≥ 400) or logs a script error."""
    seen, todo = [home], [home]
    while todo:
        path = todo.pop(0)
        response = await v.goto(path)
        await v.page.wait_for_load_state("networkidle")
        assert response is not None and response.status < 400, f"{path}: {response and response.status}"
        assert v.errors == [], f"{path}: {v.errors}"
        for href in await _menu(v):
            if href not in seen:
                seen.append(href)
                todo.append(href)
    return seen


@pytest.mark.parametrize(("username", "home"), ROLES, ids=[u for u, _ in ROLES])
async def test_every_menu_page_runs_without_script_errors_and_logs_out(
    visit: Visit, username: str, home: str
) -> None:
    await _login(visit, username, home)
    pages = await _pages(visit, home)
    assert home in pages and "/account/password" in pages and len(pages) >= 3, pages
    if username == "employer1":
        assert {"/employer", "/employer/bulk"} <= set(pages), pages
        for path in ("/employer", "/employer/bulk"):
            await visit.goto(path)
            await visit.shot(f"every-page-employer{path.removeprefix('/employer').replace('/', '-')}")

    for path in pages:
        if path == "/":
            continue  # the public start page: 退出 lands there
        await visit.goto(path)
        await visit.page.wait_for_load_state("networkidle")
        await visit.page.click("#logout")
        await visit.page.wait_for_url(lambda url: urlparse(url).path == "/")
        assert not [c for c in await visit.page.context.cookies() if c["name"] == "token"], path
        await visit.goto(path)
        assert urlparse(visit.page.url).path == "/login", f"{path} after 退出: {visit.page.url}"
        await _login(visit, username, home)
    assert visit.errors == []
    assert visit.foreign_hosts() == set()
