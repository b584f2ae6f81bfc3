"""The talent-search pages (人才检索) in Chromium on the demo server: a certified person gives consent
on a phone (求职), employer1 finds them in 人才库 (masked name) and asks to contact them, the person
accepts and the employer sees the phone; agency1 (人才服务机构) chooses employer1 by its credit code
and recommends the person, and employer1 sees the recommendation; a person who withdrew (or never
gave) consent never appears. Then employer1's 本单位人员 shows 终身禁入, 背景审查 and 健康证.

Writes only its own rows: trainee logins for two holders of demo certificates, their consent,
the contact requests and the recommendation, a person registered and employed for the staff check.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from collections.abc import AsyncIterator
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from talent_pool.identity import id_check_character, mask_name
from tests.e2e.conftest import DEMO_PASSWORD, LiveServer, Visit

DISTRICT, DISTRICT_NAME = "370113", "长清区"


def _today() -> dt.date:
    return dt.datetime.now(ZoneInfo("Asia/Shanghai")).date()


async def _token(c: httpx.AsyncClient, username: str, password: str = DEMO_PASSWORD) -> dict[str, str]:
    c.cookies.clear()  # API calls carry the bearer token only (a login cookie would ask for CSRF)
    r = await c.post("/api/auth/login", json={"username": username, "password": password})
    assert r.status_code == 201, r.text
    c.cookies.clear()
    return {"Authorization": f"Bearer {r.json()['token']}"}


async def _holders(
    c: httpx.AsyncClient, admin: dict[str, str], numbers: list[str], n: int
) -> list[dict[str, Any]]:
    """``n`` certificates in force of different people, from the end of the demo's list (other
    tests use its first ones)."""
    found: list[dict[str, Any]] = []
    for number in reversed(numbers):
        cert = (await c.get(f"/api/certificates/{number}", headers=admin)).json()
        if cert.get("status") == "valid" and all(
            f["practitioner_id"] != cert["practitioner_id"] for f in found
        ):
            found.append(cert)
        if len(found) == n:
            return found
    pytest.fail("the demo issued too few certificates in force")


async def _trainee_login(c: httpx.AsyncClient, admin: dict[str, str], practitioner_id: int) -> str:
    username = f"talent-{secrets.token_hex(4)}"
    r = await c.post(
        "/api/auth/accounts",
        headers=admin,
        json={
            "username": username,
            "password": DEMO_PASSWORD,
            "role": "trainee",
            "practitioner_id": practitioner_id,
        },
    )
    assert r.status_code == 201, r.text
    return username


async def _login(visit: Visit, username: str) -> None:
    await visit.goto("/login")
    await visit.page.fill("#username", username)
    await visit.page.fill("#password", DEMO_PASSWORD)
    await visit.page.click("button[type=submit]")
    await visit.page.wait_for_url(lambda url: "/login" not in url)
    await visit.page.wait_for_load_state("networkidle")


@pytest.fixture
async def third(browser: Any, live_server: LiveServer) -> AsyncIterator[Visit]:
    """A third desktop browser (the agency), beside ``visit`` (the employer) and ``phone``."""
    context = await browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 800})
    yield Visit(await context.new_page(), live_server.url)
    await context.close()


async def _clean(*visits: Visit) -> None:
    for v in visits:
        assert await v.serious_a11y_violations() == []
        assert v.foreign_hosts() == set()
        assert v.errors == []


async def test_consent_search_contact_accept_and_recommend(
    phone: Visit, visit: Visit, third: Visit, live_server: LiveServer
) -> None:
    async with httpx.AsyncClient(base_url=live_server.url) as c:
        admin = await _token(c, "admin")
        person, other = await _holders(c, admin, live_server.demo_certificate_numbers(), 2)
        record = (await c.get(f"/api/practitioners/{person['practitioner_id']}/record", headers=admin)).json()
        person_phone = record["practitioner"]["phone"]
        assert person_phone
        trainee = await _trainee_login(c, admin, person["practitioner_id"])
        other_login = await _trainee_login(c, admin, other["practitioner_id"])
        employer_h = await _token(c, "employer1")
        employer_id = (await c.get("/api/auth/me", headers=employer_h)).json()["employer_id"]
        employer = (await c.get(f"/api/employers/{employer_id}", headers=employer_h)).json()

        # the other person consents, receives a contact request from employer1, then withdraws
        other_h = await _token(c, other_login)
        r = await c.put(
            "/api/me/talent-consent", headers=other_h, json={"consent": True, "district_code": DISTRICT}
        )
        assert r.status_code == 200, r.text
        found = (await c.get(f"/api/talent/search?district_code={DISTRICT}", headers=employer_h)).json()
        other_handle = next(x["handle"] for x in found["items"])
        r = await c.post("/api/talent/contact-requests", headers=employer_h, json={"handle": other_handle})
        assert r.status_code == 201, r.text
        r = await c.put("/api/me/talent-consent", headers=other_h, json={"consent": False})
        assert r.status_code == 200 and r.json()["consented"] is False
        found = (await c.get(f"/api/talent/search?district_code={DISTRICT}", headers=employer_h)).json()
        assert found["total"] == 0, "only this test's people consent to 长清区"

    masked = mask_name(person["holder_name"])

    # 1. the person gives consent on a phone (求职)
    await _login(phone, trainee)
    await phone.goto("/my/talent")
    state = phone.page.locator("#consent-state[data-consented]")
    await state.wait_for()
    assert await state.get_attribute("data-consented") == "false"
    await phone.page.locator("#consent-district option[value='370113']").wait_for(state="attached")
    text = await phone.page.locator("#trainee-talent").inner_text()
    assert "托育机构看不到什么" in text and "手机号" in text and "身份证号" in text
    await phone.page.check("#consent-on")
    await phone.page.click("#consent-form button[type=submit]")
    await phone.page.locator("#consent-msg.error").wait_for()
    assert "请选择希望就业的区县" in await phone.page.locator("#consent-msg").inner_text()
    await phone.page.select_option("#consent-district", DISTRICT)
    await phone.page.click("#consent-form button[type=submit]")
    await phone.page.locator("#consent-state[data-consented=true]").wait_for()
    assert DISTRICT_NAME in await phone.page.locator("#consent-state").inner_text()
    assert await phone.page.evaluate("document.documentElement.scrollWidth") <= 390
    await phone.shot("talent-trainee-consent-phone")
    await _clean(phone)

    # 2. employer1 finds them (masked name, district, credential with level) and asks to contact
    page = visit.page
    await _login(visit, "employer1")
    await visit.goto("/employer/talent")
    await page.locator("#t-district option[value='370113']").wait_for(state="attached")
    assert await page.locator("header nav a[aria-current=page]").inner_text() == "人才库"
    await page.select_option("#t-district", DISTRICT)
    await page.click("#talent-search button[type=submit]")
    cards = page.locator("#talent-results li.candidate")
    await page.locator("#talent-total", has_text="共 1 人").wait_for()
    assert await cards.count() == 1  # the person who withdrew is not there
    card = cards.first
    card_text = await card.inner_text()
    assert masked in card_text and person["holder_name"] not in card_text
    assert DISTRICT_NAME in card_text and person["title"] in card_text and person["level"] in card_text
    assert person_phone not in await page.content()
    await card.get_by_role("button", name=f"请求联系 {masked}").click()
    await card.locator("textarea").fill("您好，我园招聘保育师，欢迎来电。")
    await card.get_by_role("button", name="发送请求").click()
    await card.get_by_text("已发送联系请求，待对方回复").wait_for()
    contact = page.locator("#contact-list li.contact").first
    await contact.wait_for()
    assert await contact.get_attribute("data-status") == "pending"
    assert "待回复" in await contact.inner_text()
    assert await page.locator("#contact-list li.contact").count() == 1  # not the withdrawn person's
    await visit.shot("talent-employer-search")

    # 3. the person accepts on the phone
    await phone.goto("/my/talent")
    item = phone.page.locator("#contact-requests li[data-status=pending]")
    await item.wait_for()
    assert employer["name"] in await item.inner_text() and "欢迎来电" in await item.inner_text()
    assert "您有 1 个联系请求待答复" in await phone.page.locator("#pending-note").inner_text()
    await phone.shot("talent-trainee-request-phone")
    await item.get_by_role(
        "button", name=f"同意 {employer['name']} 的联系请求（对方将看到您的手机号）"
    ).click()
    await phone.page.locator("#contact-requests li[data-status=accepted]").wait_for()
    assert "已同意" in await phone.page.locator("#requests-msg").inner_text()
    await _clean(phone)

    # 4. the employer now sees the phone
    await visit.goto("/employer/talent")
    accepted = page.locator("#contact-list li.contact[data-status=accepted]")
    await accepted.wait_for()
    assert person_phone in await accepted.locator(".phone").inner_text()
    assert await accepted.locator(f"a[href='tel:{person_phone}']").count() == 1

    # 5. agency1 chooses employer1 by its credit code (typed in lower case) and recommends the person
    agency = third.page
    await _login(third, "agency1")
    assert agency.url.endswith("/agency")
    await agency.locator("#chosen-employer").wait_for()
    await agency.fill("#credit-code", "  " + employer["credit_code"].lower())
    await agency.click("#employer-form button[type=submit]")
    await agency.locator("#chosen-employer.ok").wait_for()
    assert employer["name"] in await agency.locator("#chosen-employer").inner_text()
    await agency.locator("#t-district option[value='370113']").wait_for(state="attached")
    await agency.select_option("#t-district", DISTRICT)
    await agency.click("#talent-search button[type=submit]")
    await agency.locator("#talent-total", has_text="共 1 人").wait_for()
    acard = agency.locator("#talent-results li.candidate").first
    await acard.get_by_role("button", name=f"将 {masked} 推荐给 {employer['name']}").click()
    await acard.locator("textarea").fill("持证三年，沟通能力强。")
    await acard.get_by_role("button", name="确认推荐").click()
    await acard.get_by_text(f"已推荐给 {employer['name']}").wait_for()
    mine = agency.locator("#my-recommendations li.candidate", has_text=masked)
    await mine.wait_for()
    assert f"推荐给 {employer['name']}" in await mine.inner_text()
    await third.shot("talent-agency-recommend")
    await _clean(third)

    # an unknown or malformed credit code is explained on the page
    await third.goto("/agency?credit_code=91370100MA3C000000")
    await agency.locator("#chosen-employer.error").wait_for()
    assert await agency.locator("#talent-results button", has_text="推荐给该机构").count() == 0
    await third.shot("talent-agency-unknown-employer")

    # 6. employer1 sees the recommendation
    await visit.goto("/employer/talent")
    rec = page.locator("#recommendation-list li.candidate", has_text=masked)
    await rec.wait_for()
    rec_text = await rec.inner_text()
    assert "泉城人才服务中心" in rec_text and "持证三年，沟通能力强。" in rec_text
    await visit.shot("talent-employer-contacts-recommendations")
    await _clean(visit)

    # 7. the person withdraws: gone from the search, the contact list and the recommendations
    await phone.goto("/my/talent")
    await phone.page.locator("#consent-state[data-consented=true]").wait_for()
    await phone.page.uncheck("#consent-on")
    await phone.page.click("#consent-form button[type=submit]")
    await phone.page.locator("#consent-state[data-consented=false]").wait_for()
    await visit.goto("/employer/talent")
    await page.locator("#recommendation-list li").first.wait_for()
    await page.select_option("#t-district", DISTRICT)
    await page.click("#talent-search button[type=submit]")
    await page.locator("#talent-total", has_text="共 0 人").wait_for()
    assert await page.locator("#talent-results li.candidate").count() == 0
    assert await page.locator("#contact-list li.contact").count() == 0
    assert await page.locator("#recommendation-list li.candidate", has_text=masked).count() == 0
    assert person_phone not in await page.content()
    await _clean(visit, phone)


async def test_staff_page_shows_exclusion_background_and_health(
    visit: Visit, live_server: LiveServer
) -> None:
    """A person employed at employer1 with a health certificate expiring in 10 days, a background
    check today, then a lifetime exclusion: 本单位人员 shows all three."""
    today = _today()
    first17 = f"37010219920304{secrets.randbelow(1000):03d}"
    id_number = first17 + id_check_character(first17)
    name = "禁入" + chr(0x4E00 + secrets.randbelow(2000))
    async with httpx.AsyncClient(base_url=live_server.url) as c:
        admin = await _token(c, "admin")
        employer_h = await _token(c, "employer1")
        employer_id = (await c.get("/api/auth/me", headers=employer_h)).json()["employer_id"]
        r = await c.post("/api/practitioners", headers=admin, json={"id_number": id_number, "name": name})
        assert r.status_code == 201, r.text
        pid = r.json()["id"]
        start = today - dt.timedelta(days=30)
        r = await c.post(
            "/api/employments",
            headers=admin,
            json={"practitioner_id": pid, "employer_id": employer_id, "start_date": start.isoformat()},
        )
        assert r.status_code == 201, r.text
        r = await c.post(
            f"/api/practitioners/{pid}/background-checks",
            headers=admin,
            json={"kind": "pre_hire", "checked_on": today.isoformat(), "result": "clear"},
        )
        assert r.status_code == 201, r.text
        expires = today + dt.timedelta(days=10)
        r = await c.post(
            f"/api/practitioners/{pid}/health-certificates",
            headers=admin,
            json={
                "number": f"JK{secrets.token_hex(4)}",
                "issued_on": (today - dt.timedelta(days=300)).isoformat(),
                "expires_on": expires.isoformat(),
            },
        )
        assert r.status_code == 201, r.text
        r = await c.post(
            f"/api/practitioners/{pid}/credit-records",
            headers=admin,
            json={
                "kind": "violation",
                "title": "虐待婴幼儿",
                "evidence": "区卫健局处罚决定书",
                "occurred_on": today.isoformat(),
                "lifetime_exclusion": True,
            },
        )
        assert r.status_code == 201, r.text

    page = visit.page
    await _login(visit, "employer1")
    await visit.goto("/employer/staff")
    row = page.locator(f"#staff-table tbody tr[data-practitioner='{pid}']")
    await row.wait_for()
    assert "excluded" in (await row.get_attribute("class") or "")
    assert await row.locator(".badge.excluded-badge").inner_text() == "终身禁入"
    alert = page.locator("#excluded-alert")
    assert await alert.is_visible() and name in await alert.inner_text()
    health = await row.locator("td[data-label=审查与健康证] .health").inner_text()
    assert "即将到期" in health and f"至 {expires.isoformat()}" in health
    background = await row.locator("td[data-label=审查与健康证] .background").inner_text()
    assert f"下次审查 {today.year + 1}-" in background  # a year after today's check
    await page.select_option("#staff-filter", "excluded")
    assert await page.locator("#staff-table tbody tr[data-practitioner]").count() >= 1
    assert await page.locator("#staff-table tbody tr[data-practitioner]:not(.excluded)").count() == 0
    await page.select_option("#staff-filter", "all")
    await visit.shot("talent-employer-staff-checks")
    await _clean(visit)


async def test_talent_pages_fit_a_phone(phone: Visit) -> None:
    """人才库 and 人才推荐 on a 390 px phone: no sideways scrolling, nothing failing."""
    for username, path in (("employer1", "/employer/talent"), ("agency1", "/agency")):
        await phone.page.context.clear_cookies()
        await _login(phone, username)
        await phone.goto(path)
        total = phone.page.locator("#talent-total", has_text="符合条件")
        await total.wait_for()
        # the demo's consenting certificate holders (service/demo_online.py) are found: 8, less
        # any this session's other tests moved or withdrew, less the employer's own staff
        found = int(re.search(r"共 (\d+) 人", await total.inner_text()).group(1))  # type: ignore[union-attr]
        assert found >= (5 if username == "agency1" else 1), found
        assert await phone.page.locator("#talent-results li.candidate").count() == min(found, 50)
        assert await phone.page.evaluate("document.documentElement.scrollWidth") <= 390
        await phone.shot(f"talent-{username}-phone")
        await _clean(phone)
