"""The regulator pages in depth, clicked through in Chromium on the demo: functional zones and a
district's streets in the scope selector with their rows, the full-year projection and the
on-track / at-risk words, the city row's reconciliation, the monthly trend (bars or the honest
empty state), the drill-down lists (background check overdue registered as a targets list) with
names linking to people and their spreadsheets, and the person page's credit file — recording a
background check and a credit record through its forms, the 终身禁入 banner, a district admin
refused another district's person in Chinese.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from pathlib import Path
from typing import Any

import httpx

from tests.e2e.conftest import DEMO_PASSWORD, LiveServer, Visit
from tests.e2e.test_regulator_pages import _admin_token, _busiest_districts, _download, _login
from tests.factories import make_id

STATUS_WORDS = ("进度正常", "有未达标风险", "已达标", "未达标")


async def _texts(page: Any, selector: str) -> list[str]:
    return [t.strip() for t in await page.locator(selector).all_inner_texts()]


async def test_zones_streets_projection_trend_and_lists(
    visit: Visit, live_server: LiveServer, tmp_path: Path
) -> None:
    page = visit.page
    await _login(visit, "admin")
    year = int(await page.locator("#year").input_value())

    # the city row explains why the districts do not add up
    recon = await page.locator("#reconciliation").inner_text()
    assert "为什么各区县合计不等于全市" in recon and "全市实有" in recon
    # every indicator: year to date, full-year projection, on-track / at-risk in words
    statuses = await _texts(page, "#targets tbody tr[data-scope=city] td[data-key$='.status']")
    assert len(statuses) == 4 and all(any(w in s for w in STATUS_WORDS) for s in statuses), statuses
    projected = await _texts(
        page, "#targets tbody tr[data-scope=city] td[data-key='person_trainings.projected']"
    )
    assert re.fullmatch(r"[\d,]+", projected[0])
    assert any(w in t for t in await _texts(page, ".gauge .progress") for w in STATUS_WORDS)
    assert await page.locator(".gauge .projection strong").count() >= 1  # 全年预计 of the accruing ones
    # the monthly trend: bars from the nightly snapshots, or the honest empty state
    bars = await page.locator("#trend-chart g.month").count()
    empty = await page.locator("#trend-empty").count()
    assert (bars >= 1 and empty == 0 and await page.locator("#trend-table tbody tr").count() == bars) or (
        bars == 0 and empty == 1
    )
    # `serve --demo` takes the day's snapshot after loading its data, never of the empty database
    token = await _admin_token(live_server)
    async with httpx.AsyncClient(base_url=live_server.url, headers={"Authorization": f"Bearer {token}"}) as c:
        points = (await c.get(f"/api/targets/trend?year={year}")).json()
    assert len(points) == bars and all(p["employed_practitioners"] > 1000 for p in points), points

    # a functional zone is selectable and its row is shown
    zones = await page.locator("#scope optgroup[label=功能区] option").all()
    assert len(zones) == 3
    zone = await zones[0].get_attribute("value")
    zone_name = (await zones[0].inner_text()).strip()
    assert zone is not None and zone.startswith("zone:")
    assert await page.locator(f"#targets tbody tr[data-scope='{zone}'][data-level=zone]").count() == 1
    await page.select_option("#scope", zone)
    await page.click("#filters button[type=submit]")
    await page.wait_for_url("**/dashboard?year=*&scope=zone*")
    assert await page.locator("#gauges-h").inner_text() == f"{zone_name} · 指标完成情况"
    zone_employed = int(
        await page.locator(f"#targets tbody tr[data-scope='{zone}'] td[data-key=employed]").inner_text()
    )
    assert zone_employed > 0  # the demo's employers sit on real streets, some inside the zones
    await visit.shot("regulator-depth-zone")
    assert await visit.serious_a11y_violations() == []

    # a district chosen: its streets join the selector and the table; the streets add up to it
    district = (await _busiest_districts(live_server, await _admin_token(live_server)))[0]
    await visit.goto(f"/dashboard?year={year}&scope={district}")
    streets = await page.locator("#scope optgroup[label=街道] option").count()
    assert streets >= 1
    assert await page.locator("#targets tbody tr[data-level=street]").count() == streets
    employed = int(
        await page.locator(f"#targets tbody tr[data-scope='{district}'] td[data-key=employed]").inner_text()
    )
    await visit.goto(f"/dashboard/districts/{district}?year={year}")
    street_employed = [
        int(t) for t in await _texts(page, "#streets tbody td[data-key=employed]")
    ]  # a person working at two streets counts at each
    assert len(street_employed) == streets and sum(street_employed) >= employed > 0
    name, rows = await _download(visit, "#export-streets", tmp_path)
    assert name.startswith(f"街道指标_{year}年_")
    assert [r[1] for r in rows[2:]] == street_employed
    assert list(rows[1]) == await _texts(page, "#streets thead th")  # the page's columns

    # the background-check-overdue list (a registered drill-down): names link to people
    await page.click("main p.muted a[href^='/dashboard/lists/background_overdue']")
    await page.wait_for_url("**/dashboard/lists/background_overdue?*")
    total = int(await page.locator("#total").inner_text())
    assert total > 0
    headers = await _texts(page, "#list thead th")
    assert headers == ["姓名", "身份证号", "电话", "机构", "区县", "上次审查日期", "情况"]
    assert set(await _texts(page, "#list tbody td[data-key=detail]")) <= {"从未审查", "上次审查已满一年"}
    _, rows = await _download(visit, "#export-list", tmp_path)
    assert list(rows[1]) == headers and len(rows) - 2 == total
    await visit.shot("regulator-depth-list")
    assert await visit.serious_a11y_violations() == []
    async with httpx.AsyncClient(
        base_url=live_server.url, headers={"Authorization": f"Bearer {await _admin_token(live_server)}"}
    ) as c:
        api = (await c.get("/api/targets/lists/background_overdue", params={"scope": district})).json()
    assert api["total"] == total  # the targets lists API serves the same list
    named = (await page.locator("#list tbody th a").first.inner_text()).strip()
    await page.locator("#list tbody th a").first.click()
    await page.wait_for_url("**/dashboard/people/*")
    assert (await page.locator("h1").inner_text()).strip() == named

    # the other lists answer too (the expiring one has its own columns)
    await visit.goto(f"/dashboard/lists/expiring?scope={district}&year={year}")
    assert (await _texts(page, "#list thead th"))[-2:] == ["证书到期日", "证书编号"]
    await visit.goto(f"/dashboard/lists/untrained?scope={district}&year={year}")
    assert int(await page.locator("#total").inner_text()) > 0
    assert visit.foreign_hosts() == set() and visit.errors == []


async def test_person_page_records_checks_and_credit(visit: Visit, live_server: LiveServer) -> None:
    token = await _admin_token(live_server)
    district = (await _busiest_districts(live_server, token))[0]
    page = visit.page
    await _login(visit, "admin")
    # someone on the district's overdue list (never checked)
    await visit.goto(f"/dashboard/lists/background_overdue?scope={district}")
    row = page.locator("#list tbody tr[data-person]").filter(has_text="从未审查").first
    person = await row.get_attribute("data-person")
    await visit.goto(f"/dashboard/people/{person}")
    assert await page.locator("#check-overdue").inner_text() == "已逾期"
    assert await page.locator("#excluded-banner").count() == 0

    # a background check through the form: recorded, no longer overdue
    today = await page.locator("#bc-date").input_value()
    await page.select_option("#bc-kind", "annual")
    await page.click("#check-form button[type=submit]")
    await page.wait_for_selector("#background-checks tbody tr >> text=" + today)
    assert await page.locator("#check-overdue").count() == 0
    assert "admin" in await page.locator("#background-checks tbody tr").first.inner_text()

    # a credit record: missing fields and a future date answered in Chinese, then recorded
    await page.click("#credit-form button[type=submit]")
    assert await page.locator("#credit-msg").inner_text() == "请填写事项"
    title = f"未按规定晨检-{secrets.token_hex(2)}"
    await page.fill("#cr-title", title)
    await page.fill("#cr-evidence", "历城区卫健局检查记录 第2026-118号")
    future = (dt.date.fromisoformat(today) + dt.timedelta(days=2)).isoformat()
    await page.fill("#cr-date", future)
    await page.click("#credit-form button[type=submit]")
    await page.wait_for_selector("#credit-msg.error >> text=发生日期不能晚于今天")
    await page.fill("#cr-date", today)
    await page.click("#credit-form button[type=submit]")
    await page.wait_for_selector(f"#credit-records tbody tr >> text={title}")
    line = await page.locator("#credit-records tbody tr").filter(has_text=title).inner_text()
    assert "违规" in line and "第2026-118号" in line and "admin" in line and "有效" in line
    # a health certificate: valid for a year from today (added to the one the demo may hold)
    held = await page.locator("#health-certificates tbody tr").count()
    held -= await page.locator("#health-certificates tbody td[colspan]").count()  # 无健康证记录
    await page.fill("#hc-number", f"JK-{secrets.token_hex(3)}")
    await page.fill("#hc-issuer", "历城区疾病预防控制中心")
    await page.fill("#hc-issued", today)
    await page.fill("#hc-expires", (dt.date.fromisoformat(today) + dt.timedelta(days=365)).isoformat())
    await page.click("#health-form button[type=submit]")
    await page.wait_for_selector("#health-status >> text=有效")
    assert await page.locator("#health-certificates tbody tr").count() == held + 1
    await visit.shot("regulator-depth-person")
    assert await visit.serious_a11y_violations() == []
    visit.errors.clear()  # the refused future date logged its 400 in the console
    assert visit.foreign_hosts() == set()

    # a lifetime exclusion (on a person made here) shows the banner; a withdrawn record is marked
    async with httpx.AsyncClient(base_url=live_server.url, headers={"Authorization": f"Bearer {token}"}) as c:
        birth = f"1950{secrets.randbelow(12) + 1:02d}{secrets.randbelow(28) + 1:02d}"
        made = await c.post(
            "/api/practitioners",
            json={"id_number": make_id(secrets.randbelow(1000), birth=birth), "name": "禁入测试"},
        )
        assert made.status_code in (200, 201), made.text
        excluded = made.json()["id"]
        for kind, exclusion in (("commendation", False), ("violation", True)):
            r = await c.post(
                f"/api/practitioners/{excluded}/credit-records",
                json={
                    "kind": kind,
                    "title": "测试事项",
                    "evidence": "测试证据",
                    "occurred_on": today,
                    "lifetime_exclusion": exclusion,
                },
            )
            assert r.status_code == 201, r.text
        withdrawn = (await c.get(f"/api/practitioners/{excluded}/credit")).json()["credit_records"][-1]["id"]
        r = await c.post(f"/api/credit-records/{withdrawn}/withdraw", json={"reason": "录入错误"})
        assert r.status_code == 201, r.text
    await visit.goto(f"/dashboard/people/{excluded}")
    assert "终身禁入" in await page.locator("#excluded-banner").inner_text()
    marked = await page.locator("#credit-records tbody tr.is-withdrawn").inner_text()
    assert "已撤销" in marked and "录入错误" in marked
    await visit.shot("regulator-depth-excluded")
    assert await visit.serious_a11y_violations() == []
    assert visit.errors == []


async def test_person_page_on_a_phone(phone: Visit, live_server: LiveServer) -> None:
    token = await _admin_token(live_server)
    district = (await _busiest_districts(live_server, token))[0]
    page = phone.page
    await _login(phone, "admin")
    await phone.goto(f"/dashboard/lists/background_overdue?scope={district}")
    person = await page.locator("#list tbody tr[data-person]").first.get_attribute("data-person")
    await phone.goto(f"/dashboard/people/{person}")
    assert await page.evaluate("document.documentElement.scrollWidth") <= 390  # tables scroll in their cards
    assert await page.locator("#check-form").is_visible()
    await phone.shot("regulator-depth-person-phone")
    assert await phone.serious_a11y_violations() == []
    assert phone.foreign_hosts() == set() and phone.errors == []


async def test_district_admin_refused_another_districts_person(visit: Visit, live_server: LiveServer) -> None:
    token = await _admin_token(live_server)
    own, other = (await _busiest_districts(live_server, token))[:2]
    username = f"e2e-depth-{secrets.token_hex(3)}"
    async with httpx.AsyncClient(base_url=live_server.url, headers={"Authorization": f"Bearer {token}"}) as c:
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
        listed = (await c.get("/api/targets/lists/uncertified", params={"scope": other, "limit": 200})).json()
        person = None
        for item in listed["items"]:
            record = (await c.get(f"/api/practitioners/{item['practitioner_id']}/record")).json()
            if all(e["district_code"] != own for e in record["employments"]):
                person = item["practitioner_id"]
                break
        assert person is not None
    page = visit.page
    await _login(visit, username)
    response = await visit.goto(f"/dashboard/people/{person}")
    assert response.status == 403
    assert "只能查看本人（或本区县从业人员）的档案" in await page.locator("main").inner_text()
    for path in (
        f"/dashboard/lists/background_overdue?scope={other}",
        "/dashboard/lists/uncertified?scope=city",
    ):
        assert (await visit.goto(path)).status == 403, path
    assert "区县监管账号只能查看本区县" in await page.locator("main").inner_text()
    await visit.shot("regulator-depth-refused")
    # their own district's list works
    assert (await visit.goto(f"/dashboard/lists/background_overdue?scope={own}")).status == 200
    visit.errors.clear()  # the refused pages above log their 403s in the console
    assert visit.foreign_hosts() == set()
