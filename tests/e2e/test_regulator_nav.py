"""The regulator's one menu in Chromium on the demo: every regulator page (and a drill-down page)
shows the same menu for the logged-in role — the city admin's with 题库与组卷, a district admin's
without — the page being viewed marked, every link opening (200), and the menu wrapping at 390 px
instead of scrolling sideways."""

from __future__ import annotations

import re
import secrets

import httpx

from tests.e2e.conftest import DEMO_PASSWORD, LiveServer, Visit

MENU = [
    ("/dashboard", "监管看板"),
    ("/dashboard/lists/uncertified", "未持证名单"),
    ("/dashboard/lists/untrained", "未培训名单"),
    ("/dashboard/lists/expiring", "证书将到期"),
    ("/dashboard/lists/background_overdue", "审查逾期"),
    ("/dashboard/bases", "实训基地"),
    ("/dashboard/trainers", "师资库"),
    ("/dashboard/subsidies", "培训补贴"),
    ("/dashboard/imports", "数据导入"),
    ("/dashboard/refusals", "认领拒绝记录"),
]
BANK = ("/dashboard/bank", "题库与组卷")
NAV = "header nav .regnav a"


async def _login(visit: Visit, username: str) -> None:
    await visit.goto("/login")
    await visit.page.fill("#username", username)
    await visit.page.fill("#password", DEMO_PASSWORD)
    await visit.page.click("button[type=submit]")
    await visit.page.wait_for_url("**/dashboard")


async def _menu(visit: Visit) -> list[tuple[str, str]]:
    links = visit.page.locator(NAV)
    return [
        ((await a.get_attribute("href")) or "", (await a.inner_text()).strip()) for a in await links.all()
    ]


async def _check_pages(
    visit: Visit, live_server: LiveServer, menu: list[tuple[str, str]], extra: list[str]
) -> None:
    """Every menu page and the ``extra`` drill-down pages: 200, the same menu, one entry marked."""
    for href, _ in menu:
        assert (await visit.page.request.get(live_server.url + href)).status == 200, href
    for href, label in menu:
        response = await visit.goto(href)
        assert response.status == 200, href
        assert await _menu(visit) == menu, href
        current = visit.page.locator(f"{NAV}[aria-current]")
        assert await current.count() == 1, href
        assert (await current.inner_text()).strip() == label
        assert await current.get_attribute("aria-current") == "page"
    for path in extra:
        assert (await visit.goto(path)).status == 200, path
        assert await _menu(visit) == menu, path
        assert await visit.page.locator(f"{NAV}[aria-current]").count() == 1, path
    assert await visit.serious_a11y_violations() == []
    assert visit.foreign_hosts() == set() and visit.errors == []


async def test_city_admin_menu_on_every_regulator_page(visit: Visit, live_server: LiveServer) -> None:
    await _login(visit, "admin")
    await visit.goto(BANK[0])
    code = re.search(r"/dashboard/bank/([^\"?]+)", await visit.page.content())
    assert code is not None
    district = re.search(
        r"/dashboard/districts/(\d+)",
        await (await visit.page.request.get(live_server.url + "/dashboard?scope=370102")).text(),
    )
    extra = [f"/dashboard/bank/{code.group(1)}"] + (
        [f"/dashboard/districts/{district.group(1)}"] if district else []
    )
    await _check_pages(visit, live_server, [*MENU, BANK], extra)
    await visit.goto("/dashboard/bank/" + code.group(1))
    current = visit.page.locator(f"{NAV}[aria-current]")
    assert (await current.inner_text()).strip() == "题库与组卷"
    await visit.shot("regulator-nav-city")


async def test_district_admin_menu_on_every_regulator_page(
    visit: Visit, phone: Visit, live_server: LiveServer
) -> None:
    async with httpx.AsyncClient(base_url=live_server.url) as c:
        r = await c.post("/api/auth/login", json={"username": "admin", "password": DEMO_PASSWORD})
        headers = {"Authorization": f"Bearer {r.json()['token']}"}
        reports = (await c.get("/api/targets", headers=headers)).json()
        own = next(r["scope"] for r in reports if r["level"] == "district")
        username = f"e2e-nav-{secrets.token_hex(3)}"
        made = await c.post(
            "/api/auth/accounts",
            headers=headers,
            json={
                "username": username,
                "password": DEMO_PASSWORD,
                "role": "district_admin",
                "district_code": own,
            },
        )
        assert made.status_code == 201, made.text
    await _login(visit, username)
    await _check_pages(visit, live_server, MENU, [f"/dashboard/districts/{own}"])
    assert (await visit.page.request.get(live_server.url + BANK[0])).status == 403  # the city admin's alone

    await _login(phone, username)
    for href, _ in MENU:
        await phone.goto(href)
        assert await _menu(phone) == MENU, href
        width = await phone.page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, href  # the menu wraps, the page does not scroll sideways
        for a in await phone.page.locator(NAV).all():
            box = await a.bounding_box()
            assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390, href
    await phone.goto("/dashboard")
    await phone.shot("regulator-nav-phone")
    assert await phone.serious_a11y_violations() == []
    assert phone.errors == []
