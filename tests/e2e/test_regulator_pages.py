"""The regulator's pages clicked through in Chromium on the demo: the dashboard (gauges, the
districts ranked by 持证率 with the target line, the year selector), the drill-down district →
employer → person, the shortfall list's names linking to people, the spreadsheets holding the
page's numbers, and a district admin (created through the API here) kept inside their district.
"""

from __future__ import annotations

import re
import secrets
from pathlib import Path
from typing import Any

import httpx
from openpyxl import load_workbook

from tests.e2e.conftest import DEMO_PASSWORD, LiveServer, Visit

FULL_ID = re.compile(r"(?<![0-9A-Z])\d{17}[0-9X](?![0-9A-Z])")


async def _login(visit: Visit, username: str) -> None:
    """Log in through the login page and land on the dashboard (``Visit.login`` waits with a
    string predicate, which this app's CSP refuses to evaluate)."""
    await visit.goto("/login")
    await visit.page.fill("#username", username)
    await visit.page.fill("#password", DEMO_PASSWORD)
    await visit.page.click("button[type=submit]")
    await visit.page.wait_for_url("**/dashboard")


async def _ints(page: Any, selector: str) -> list[int]:
    return [int(t.strip().replace(",", "")) for t in await page.locator(selector).all_inner_texts()]


async def _download(visit: Visit, selector: str, folder: Path) -> tuple[str, list[tuple[Any, ...]]]:
    """Click an export link; the suggested file name and the rows of its first sheet."""
    async with visit.page.expect_download() as info:
        await visit.page.click(selector)
    download = await info.value
    path = folder / "export.xlsx"
    await download.save_as(path)
    rows = list(load_workbook(path, read_only=True).active.iter_rows(values_only=True))
    return download.suggested_filename, rows


async def _admin_token(live_server: LiveServer) -> str:
    async with httpx.AsyncClient(base_url=live_server.url) as c:
        r = await c.post("/api/auth/login", json={"username": "admin", "password": DEMO_PASSWORD})
        assert r.status_code == 201, r.text
        return str(r.json()["token"])


async def _busiest_districts(live_server: LiveServer, token: str) -> list[str]:
    """District codes by employed people, most first (from the targets API)."""
    async with httpx.AsyncClient(base_url=live_server.url, headers={"Authorization": f"Bearer {token}"}) as c:
        reports = (await c.get("/api/targets")).json()
    ranked = sorted((r for r in reports if r["scope"] != "city"), key=lambda r: -r["employed_practitioners"])
    return [r["scope"] for r in ranked]


async def test_regulator_dashboard_drills_down_and_exports(
    visit: Visit, live_server: LiveServer, tmp_path: Path
) -> None:
    page = visit.page
    await _login(visit, "admin")
    assert page.url.endswith("/dashboard")
    assert (
        await page.locator(
            "#targets tbody tr[data-level=city], #targets tbody tr[data-level=district]"
        ).count()
        == 13
    )
    assert await page.locator("#rate-chart g.bar").count() == 12
    assert await page.locator("#rate-chart line.target").count() == 1
    assert await page.locator(".gauge").count() == 4
    verdicts = await page.locator(".gauge .badge").all_inner_texts()
    assert all(
        v in ("达标", "未达标", "进度正常", "有未达标风险", "无数据", "无区县目标") for v in verdicts
    )  # in words, not colour alone; a running year's 培训人次 is 进度正常 / 有未达标风险, not 未达标
    year = int(await page.locator("#year").input_value())
    await visit.shot("regulator-dashboard")
    assert await visit.serious_a11y_violations() == []

    # the spreadsheet of the targets table holds the page's numbers
    name, rows = await _download(visit, "#export-targets", tmp_path)
    assert name == f"规划指标_{year}年_济南市.xlsx"
    assert rows[1][:2] == ("范围", "在职人员")
    assert rows[-1][0] == "说明" and "全市实有" in rows[-1][1]  # the reconciliation, as on the page
    page_headers = await page.locator("#targets thead tr").first.locator("th").all_inner_texts()
    assert list(rows[1][:-1]) == page_headers[:-1]  # the page's columns (then 达标情况 / 下钻)
    page_employed = await _ints(page, "#targets tbody td[data-key=employed]")
    assert [r[1] for r in rows[2:-1]] == page_employed
    page_rates = await page.locator("#targets tbody td[data-key=certification_rate]").all_inner_texts()
    for row, text in zip(rows[2:-1], page_rates, strict=True):
        assert (row[2] is None) == text.startswith("无数据")
        if row[2] is not None:
            assert text.startswith(f"{row[2]}%") or text.startswith(f"{row[2]}.0%")

    # the year selector
    await page.select_option("#year", str(year - 1))
    await page.click("#filters button[type=submit]")
    await page.wait_for_url(f"**/dashboard?year={year - 1}*")
    assert await page.locator("#as-of").inner_text() == f"{year - 1}-12-31"
    assert await page.locator("#year").input_value() == str(year - 1)
    await visit.goto(f"/dashboard?year={year}")

    # district → employer → person
    district = (await _busiest_districts(live_server, await _admin_token(live_server)))[0]
    await page.click(f"#targets tr[data-scope='{district}'] th a")
    await page.wait_for_url(f"**/dashboard/districts/{district}?year={year}")
    employed = await _ints(page, "#employers td[data-key=employed]")
    certified = await _ints(page, "#employers td[data-key=certified]")
    district_row = await page.locator(".gauge[data-indicator=certification_rate] .gvalue strong").inner_text()
    assert district_row.endswith(f"（{sum(certified)}/{sum(employed)}）")  # employers add up to the district
    await visit.shot("regulator-district")
    assert await visit.serious_a11y_violations() == []
    name, rows = await _download(visit, "#export-employers", tmp_path)
    assert name.startswith(f"机构持证与培训_{year}年_") and name.endswith(".xlsx")
    assert [r[2] for r in rows[2:]] == employed and [r[3] for r in rows[2:]] == certified

    busiest = max(range(len(employed)), key=lambda i: employed[i])
    await page.locator("#employers tbody tr").nth(busiest).locator("th a").click()
    await page.wait_for_url("**/dashboard/employers/*")
    people = await page.locator("#people tbody tr[data-person]").count()
    assert people == employed[busiest]
    assert not FULL_ID.search(await page.locator("#people").inner_text())  # masked in the list
    await visit.shot("regulator-employer")
    assert await visit.serious_a11y_violations() == []
    _, rows = await _download(visit, "#export-people", tmp_path)
    assert len(rows) - 2 == people

    first = page.locator("#people tbody tr[data-person] th a").first
    person_name = await first.inner_text()
    await first.click()
    await page.wait_for_url("**/dashboard/people/*")
    assert await page.locator("h1").inner_text() == person_name
    assert FULL_ID.search(await page.locator("#identity").inner_text())  # regulators see the full ID
    assert await page.locator("#employments tbody tr").count() >= 1
    await visit.shot("regulator-person")
    assert await visit.serious_a11y_violations() == []

    # a shortfall list: each name links to the person's record; its export has the same rows
    await visit.goto(f"/dashboard/shortfall?indicator=trainings_per_practitioner&scope={district}")
    total = int(await page.locator("#total").inner_text())
    assert total > 0
    _, rows = await _download(visit, "#export-shortfall", tmp_path)
    assert len(rows) - 2 == total and rows[1][:2] == ("姓名", "身份证号")
    named = await page.locator("#shortfall tbody th a").first.inner_text()
    await visit.shot("regulator-shortfall")
    await page.locator("#shortfall tbody th a").first.click()
    await page.wait_for_url("**/dashboard/people/*")
    assert await page.locator("h1").inner_text() == named
    assert visit.foreign_hosts() == set() and visit.errors == []


async def test_dashboard_on_a_phone(phone: Visit) -> None:
    page = phone.page
    await _login(phone, "admin")
    assert await page.locator("#rate-chart g.bar").count() == 12
    width = await page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390  # wide tables and the chart scroll inside their cards, the page does not
    await phone.shot("regulator-dashboard-phone")
    assert await phone.serious_a11y_violations() == []
    assert phone.foreign_hosts() == set() and phone.errors == []


async def test_district_admin_sees_only_their_district(visit: Visit, live_server: LiveServer) -> None:
    token = await _admin_token(live_server)
    own, other = (await _busiest_districts(live_server, token))[:2]
    username = f"e2e-district-{secrets.token_hex(3)}"
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=live_server.url, headers=headers) as c:
        made = await c.post(
            "/api/auth/accounts",
            json={
                "username": username,
                "password": DEMO_PASSWORD,
                "role": "district_admin",
                "district_code": own,
            },
        )
        assert made.status_code == 201, made.text
        # another district's employer and one of its people, as the city admin sees them
        html = (await c.get(f"/dashboard/districts/{other}", headers={"Accept": "text/html"})).text
        employer = re.findall(r'href="/dashboard/employers/(\d+)\?', html)[0]
        html = (await c.get(f"/dashboard/employers/{employer}", headers={"Accept": "text/html"})).text
        person = None
        for pid in re.findall(r'href="/dashboard/people/(\d+)"', html):  # one who never worked in `own`
            record = (await c.get(f"/api/practitioners/{pid}/record")).json()
            if all(e["district_code"] != own for e in record["employments"]):
                person = pid
                break
        assert person is not None

    page = visit.page
    await _login(visit, username)
    assert page.url.endswith("/dashboard")
    scopes = [
        await r.get_attribute("data-scope") for r in await page.locator("#targets tbody tr[data-scope]").all()
    ]
    assert scopes[0] == own and all(
        s.startswith("street:") for s in scopes[1:]
    )  # their district and its streets
    assert await page.locator("#scope option").count() == len(scopes)
    assert await page.locator("#reconciliation").count() == 0  # no city row, no city reconciliation
    await visit.shot("regulator-district-admin")
    assert await visit.serious_a11y_violations() == []
    assert (await visit.goto(f"/dashboard/districts/{own}")).status == 200
    for path in (
        f"/dashboard/districts/{other}",
        f"/dashboard/employers/{employer}",
        f"/dashboard/people/{person}",
        f"/dashboard/shortfall?scope={other}",
        f"/dashboard/districts/{other}/employers.xlsx",
    ):
        response = (
            await visit.goto(path)
            if not path.endswith(".xlsx")
            else await page.request.get(live_server.url + path)
        )
        assert response.status in (403, 404), path
    exported = await page.request.get(live_server.url + "/dashboard/targets.xlsx")
    assert exported.ok
    visit.errors.clear()  # the refused pages above log their 403s in the console
    assert visit.foreign_hosts() == set()
