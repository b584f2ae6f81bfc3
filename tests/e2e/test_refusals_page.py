"""The regulator's 认领拒绝记录 page in Chromium on the demo: an employer login's refused claims
(typed through the API as a prober would) counted on the page, its own refusals one click away, no
typed ID number or name anywhere; desktop and phone. And the employer's side: past the day's
budget of refused claims, the claim form says so (until tomorrow), not "try again shortly"."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from tests.e2e.conftest import DEMO_PASSWORD, SHOTS, LiveServer, Visit, serve_demo
from tests.factories import make_id

PROBES = [(make_id(n, address="370181", birth="19700707"), "试探者") for n in (11, 12, 13)]


async def _refused(c: httpx.AsyncClient, admin: dict[str, str], username: str) -> int:
    counts = (await c.get("/api/audit/refusals/by-account", headers=admin)).json()
    return next((a["count"] for a in counts if a["actor"] == username), 0)


async def _probe(live_server: LiveServer) -> None:
    """The demo's ``employer1`` claims three people who are not in the pool (404 each); returns
    once the audit has them (it writes its entries every second)."""
    async with httpx.AsyncClient(base_url=live_server.url) as c:
        token = (
            await c.post("/api/auth/login", json={"username": "admin", "password": DEMO_PASSWORD})
        ).json()["token"]
        admin = {"Authorization": f"Bearer {token}"}
        c.cookies.clear()  # bearer tokens only: a login cookie would make the writes need CSRF
        before = await _refused(c, admin, "employer1")
        r = await c.post("/api/auth/login", json={"username": "employer1", "password": DEMO_PASSWORD})
        assert r.status_code == 201, r.text
        headers = {"Authorization": f"Bearer {r.json()['token']}"}
        for id_number, name in PROBES:
            claim = await c.post(
                "/api/employment-claims",
                headers=headers,
                json={"id_number": id_number, "name": name, "start_date": "2026-01-05"},
            )
            assert claim.status_code == 404, claim.text
        for _ in range(100):
            if await _refused(c, admin, "employer1") >= before + len(PROBES):
                return
            await asyncio.sleep(0.2)
        pytest.fail("the refused claims did not reach the audit in 20 s")


async def _open(visit: Visit) -> None:
    await visit.goto("/login")
    await visit.page.fill("#username", "admin")
    await visit.page.fill("#password", DEMO_PASSWORD)
    await visit.page.click("button[type=submit]")
    await visit.page.wait_for_url("**/dashboard")
    await visit.goto("/dashboard/refusals")


async def test_regulator_sees_an_employer_logins_refused_claims(
    visit: Visit, phone: Visit, live_server: LiveServer
) -> None:
    await _probe(live_server)
    await _open(visit)
    page = visit.page
    assert (await page.locator("h1").inner_text()).strip() == "认领拒绝记录"
    current = page.locator("header nav .regnav a[aria-current]")
    assert (await current.inner_text()).strip() == "认领拒绝记录"
    row = page.locator("#accounts tbody tr", has_text="employer1")
    assert await row.count() == 1
    cells = [c.strip() for c in await row.locator("th, td").all_inner_texts()]
    assert cells[0] == "employer1" and cells[1] == "托育机构"
    assert int(cells[2]) >= len(PROBES) and "未匹配" in cells[3]
    await visit.shot("regulator-refusals")

    await row.locator("a").click()
    await page.wait_for_selector("#detail")
    assert "employer1 的明细" in await page.locator("#detail h2").inner_text()
    results = await page.locator("#entries tbody tr td:nth-child(2)").all_inner_texts()
    assert results.count("未匹配") >= len(PROBES)
    await visit.shot("regulator-refusals-detail")
    text = await page.content()
    for id_number, name in PROBES:
        assert id_number not in text and name not in text  # nobody typed is named
    assert await visit.serious_a11y_violations() == []
    assert visit.foreign_hosts() == set() and visit.errors == []

    await _open(phone)
    await phone.page.locator("#accounts tbody tr", has_text="employer1").locator("a").click()
    await phone.page.wait_for_selector("#detail")
    width = await phone.page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390  # the tables scroll inside their cards, the page does not
    await phone.shot("regulator-refusals-phone")
    assert await phone.serious_a11y_violations() == []
    assert phone.errors == []

    # a malformed date: the page names the one that is wrong (the query's name, not "since")
    await phone.goto("/dashboard/refusals?from=2026-11-3x")
    message = await phone.page.locator("main").inner_text()
    assert "from：应为日期（YYYY-MM-DD）" in message and "since" not in message, message
    await phone.shot("regulator-refusals-bad-date-phone")


@pytest.fixture(scope="module")
async def budget_server(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[LiveServer]:
    """The demo with a budget of two refused claims a login a day."""
    async with serve_demo(tmp_path_factory, "budget", claim_refusals_per_day="2") as server:
        yield server


async def test_employer_past_the_days_refused_claims_is_told_to_come_back_tomorrow(
    browser: Any, budget_server: LiveServer
) -> None:
    context = await browser.new_context(
        locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True
    )
    visit = Visit(await context.new_page(), budget_server.url)
    page = visit.page
    await visit.goto("/login")
    await page.fill("#username", "employer1")
    await page.fill("#password", DEMO_PASSWORD)
    await page.click("button[type=submit]")
    await page.wait_for_url(lambda url: "/login" not in url)
    await visit.goto("/employer/staff")
    await page.locator("#staff-summary .badge").first.wait_for()
    messages = []
    for id_number, name in PROBES:
        await page.fill("#claim-id", id_number)
        await page.fill("#claim-name", name)
        async with page.expect_response("**/api/employment-claims") as answer:
            await page.click("#claim-form button[type=submit]")
        assert (await answer.value).status in (404, 429)
        await page.locator("#claim-msg.error").wait_for()
        messages.append(await page.locator("#claim-msg").inner_text())
    assert messages[0] == messages[1] and "未找到身份证号与姓名均匹配的从业人员" in messages[0]
    assert messages[2].startswith("今日被拒绝的认领已达 2 次（每个账号每天上限），请明天再试")
    await page.locator("#claim-msg").scroll_into_view_if_needed()
    SHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(SHOTS / "employer-claim-budget-phone.png"))  # what the phone shows
    # the console has only the browser's own notes of the refused calls, no script error
    assert all(e.startswith("Failed to load resource") and ("404" in e or "429" in e) for e in visit.errors)
    await context.close()
