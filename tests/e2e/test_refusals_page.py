"""The regulator's 认领拒绝记录 page in Chromium on the demo: an employer login's refused claims
(typed through the API as a prober would) counted on the page, its own refusals one click away, no
typed ID number or name anywhere; desktop and phone."""

from __future__ import annotations

import httpx

from tests.e2e.conftest import DEMO_PASSWORD, LiveServer, Visit
from tests.factories import make_id

PROBES = [(make_id(n, address="370181", birth="19700707"), "试探者") for n in (11, 12, 13)]


async def _probe(live_server: LiveServer) -> None:
    """The demo's ``employer1`` claims three people who are not in the pool (404 each)."""
    async with httpx.AsyncClient(base_url=live_server.url) as c:
        r = await c.post("/api/auth/login", json={"username": "employer1", "password": DEMO_PASSWORD})
        headers = {"Authorization": f"Bearer {r.json()['token']}"}
        for id_number, name in PROBES:
            claim = await c.post(
                "/api/employment-claims",
                headers=headers,
                json={"id_number": id_number, "name": name, "start_date": "2026-01-05"},
            )
            assert claim.status_code == 404, claim.text


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
