"""What exists in pages today, clicked through in Chromium: the public certificate check on a
phone, the regulator's dashboard and drill-down, and the OpenAPI pages offline."""

from __future__ import annotations

import re

from tests.e2e.conftest import DEMO_PASSWORD, LiveServer, Visit


async def test_anyone_checks_a_certificate_on_a_phone(phone: Visit, live_server: LiveServer) -> None:
    number = live_server.demo_certificate_numbers()[0]
    page = phone.page
    await phone.goto("/")
    await page.fill("#n", number)
    await page.press("#n", "Enter")
    await page.wait_for_url(f"**/v/{number}")
    outcome = page.locator("#outcome")
    assert await outcome.get_attribute("data-outcome") == "valid" and (await outcome.inner_text()) == "有效"
    full_id = r"(?<![0-9A-Z])\d{17}[0-9X](?![0-9A-Z])"
    assert not re.search(full_id, await page.content())  # never a full ID number
    await phone.shot("public-verify-phone")
    assert await phone.serious_a11y_violations() == []
    await phone.goto("/v/NO-SUCH-CERT")
    assert await page.locator("#outcome").inner_text() == "查无此证"
    assert phone.foreign_hosts() == set() and phone.errors == []


async def test_regulator_logs_in_and_drills_down(visit: Visit) -> None:
    page = visit.page
    await visit.goto("/login")
    await page.fill("#username", "admin")
    await page.fill("#password", DEMO_PASSWORD)
    await page.click("button[type=submit]")
    await page.wait_for_url("**/dashboard")
    rows = page.locator("#targets tr[data-scope]")
    assert (await rows.count()) == 13  # the city and its 12 districts
    await visit.shot("regulator-dashboard")
    assert await visit.serious_a11y_violations() == []
    await visit.goto("/dashboard/shortfall?indicator=certification_rate&scope=city")
    assert int(await page.locator("#total").inner_text()) >= 0
    await visit.shot("regulator-shortfall")
    assert visit.foreign_hosts() == set()


async def test_api_docs_work_offline(visit: Visit) -> None:
    page = visit.page
    await visit.goto("/schema/swagger")
    await page.wait_for_selector(".opblock", timeout=30_000)
    assert (await page.locator(".opblock").count()) > 20
    await visit.shot("openapi-swagger")
    assert visit.foreign_hosts() == set()
