"""The training base's pages, clicked through in Chromium as the demo's base staff (base1):
opening a class and scheduling it (recurring sessions on local dates, a holiday skipped), the
roster with attendance by tapping names, the rotating check-in QR (decoded and used by a trainee),
completion with reasons, and on a phone: score entry (a bad score refused in Chinese), issuance and
the certificate numbers.

Each test makes its own records through the API (its own course, offerings and sitting; people
of the demo workforce who have no training or credential yet, read from the database)."""

from __future__ import annotations

import base64
import datetime as dt
import io
import re
import uuid
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import parse_qs, urlparse
from zoneinfo import ZoneInfo

import asyncpg
import httpx
import pytest
import zxingcpp
from PIL import Image
from playwright.async_api import expect

from tests.e2e.conftest import DEMO_PASSWORD, LiveServer, Visit
from tests.servers import TEST_DB

ZONE = ZoneInfo("Asia/Shanghai")


def local_now() -> dt.datetime:
    """The server's business clock is the real one (``tuoyu serve --demo``), in Beijing time."""
    return dt.datetime.now(ZONE)


class Api:
    """The JSON API as one login (bearer token: no CSRF needed)."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client

    async def __call__(self, method: str, path: str, body: Any = None, ok: bool = True) -> Any:
        r = await self.client.request(method, path, json=body)
        if ok:
            assert r.status_code < 300, f"{method} {path}: {r.status_code} {r.text[:400]}"
        return r.json() if r.content else None


@pytest.fixture
async def api(live_server: LiveServer) -> AsyncIterator[Any]:
    """``await api("admin")`` → an :class:`Api` logged in as that demo account (or any login)."""
    clients: list[httpx.AsyncClient] = []

    async def login(username: str, password: str = DEMO_PASSWORD) -> Api:
        client = httpx.AsyncClient(base_url=live_server.url, timeout=30)
        clients.append(client)
        r = await client.post("/api/auth/login", json={"username": username, "password": password})
        assert r.status_code in (200, 201), r.text
        client.headers["Authorization"] = f"Bearer {r.json()['token']}"
        return Api(client)

    yield login
    for c in clients:
        await c.aclose()


async def fresh_people(n: int) -> list[dict[str, Any]]:
    """``n`` demo people (id, name) with no enrollment, training record or credential, at random
    (read only: other tests pick their own people)."""
    conn = await asyncpg.connect(f"postgresql://postgres@127.0.0.1:5432/{TEST_DB}_e2e")
    try:
        rows = await conn.fetch(
            "SELECT p.id, p.name FROM tp_practitioner p "
            "WHERE NOT EXISTS (SELECT 1 FROM tr_enrollment e WHERE e.practitioner = p.id) "
            "AND NOT EXISTS (SELECT 1 FROM tp_credential c WHERE c.practitioner = p.id) "
            "AND NOT EXISTS (SELECT 1 FROM tp_training_record t WHERE t.practitioner = p.id) "
            "ORDER BY random() LIMIT $1",
            n,
        )
    finally:
        await conn.close()
    assert len(rows) == n
    return [dict(r) for r in rows]


async def own_course(admin: Api, hours: str = "16") -> dict[str, Any]:
    """A pre-job course of this test, 16 hours unless told (no online lessons: the default
    completion rule)."""
    code = "T" + uuid.uuid4().hex[:8].upper()
    return await admin(
        "POST",
        "/api/courses",
        {"code": code, "title": f"测试岗前培训{code}", "category": "pre_job", "hours": hours},
    )


async def base1_id(base: Api) -> int:
    return int((await base("GET", "/api/training-bases"))[0]["id"])


async def class_with_past_sessions(
    base: Api, course_id: int, base_id: int, title: str
) -> tuple[int, list[int]]:
    """An offering from 13 days ago to today with four 4-hour sessions in the past (16 hours)."""
    today = local_now().date()
    offering = await base(
        "POST",
        "/api/offerings",
        {
            "course_id": course_id,
            "training_base_id": base_id,
            "title": title,
            "start_date": str(today - dt.timedelta(days=13)),
            "end_date": str(today),
            "capacity": 10,
        },
    )
    sessions = []
    for back in (12, 9, 6, 3):
        s = await base(
            "POST",
            f"/api/offerings/{offering['id']}/sessions",
            {
                "day": str(today - dt.timedelta(days=back)),
                "starts_at": "09:00",
                "ends_at": "13:00",
                "topic": "实操",
            },
        )
        sessions.append(s["id"])
    return offering["id"], sessions


async def login(v: Visit, username: str) -> None:
    """Log in through the login page and wait for the role's home. (``Visit.login`` waits with
    ``wait_for_function``, a string evaluated in the page, which the CSP without 'unsafe-eval'
    refuses whenever the first poll runs on the login page: a flaky failure.)"""
    await v.goto("/login")
    await v.page.fill("#username", username)
    await v.page.fill("#password", DEMO_PASSWORD)
    await v.page.click("button[type=submit]")
    await v.page.wait_for_url(lambda url: urlparse(url).path != "/login")
    await v.page.wait_for_load_state("networkidle")


async def no_overflow(v: Visit) -> None:
    """Nothing wider than the viewport (no sideways scrolling of the page itself)."""
    width = await v.page.evaluate("document.documentElement.scrollWidth")
    viewport = await v.page.evaluate("window.innerWidth")
    assert width <= viewport, f"page is {width}px wide in a {viewport}px viewport"


def expected_days(first: dt.date, last: dt.date, weekdays: set[int], skip: set[dt.date]) -> list[dt.date]:
    out, day = [], first
    while day <= last:
        if day.isoweekday() in weekdays and day not in skip:
            out.append(day)
        day += dt.timedelta(days=1)
    return out


async def test_base_staff_opens_a_class_and_schedules_it(visit: Visit, api: Any) -> None:
    page = visit.page
    await login(visit, "base1")
    assert urlparse(page.url).path == "/base"  # base staff's home after login
    await visit.shot("base-home")

    today = local_now().date()
    title = f"周二周四班{uuid.uuid4().hex[:6]}"
    await page.click("#new-offering summary")
    await page.fill("#of-title", title)
    await page.fill("#of-start", str(today))
    await page.fill("#of-end", str(today + dt.timedelta(days=27)))
    await page.fill("#of-capacity", "12")
    await page.click("#new-offering button[type=submit]")
    card = page.locator("section.offering", has=page.locator("h2", has_text=title))
    await card.wait_for()
    assert "已报名 0 / 容量 12" in await card.locator(".enrolled").inner_text()
    assert await page.locator("#msg").inner_text() == f"已开班：{title}"

    # every Tuesday and Thursday to the end (inclusive), the first Tuesday a holiday
    holiday = next(
        today + dt.timedelta(days=i) for i in range(7) if (today + dt.timedelta(days=i)).isoweekday() == 2
    )
    form = card.locator("form[data-kind=recurring]")
    await form.locator("label.check", has_text="周二").locator("input").check()
    await form.locator("label.check", has_text="周四").locator("input").check()
    await form.locator("input[name=starts_at]").fill("18:30")
    await form.locator("input[name=ends_at]").fill("20:30")
    await form.locator("textarea[name=skip_dates]").fill(holiday.strftime("%Y/%m/%d"))
    await form.locator("button[type=submit]").click()
    await expect(page.locator("#msg")).to_have_text(re.compile("^已生成"))
    days = expected_days(today, today + dt.timedelta(days=27), {2, 4}, {holiday})
    assert await page.locator("#msg").inner_text() == f"已生成 {len(days)} 次课，跳过节假日 {holiday}"
    card = page.locator("section.offering", has=page.locator("h2", has_text=title))
    rows = card.locator("tr[data-session]")
    assert await rows.count() == len(days) == int(await card.locator(".session-count").inner_text())
    shown = [await rows.nth(i).get_attribute("data-day") for i in range(len(days))]
    assert shown == [str(d) for d in days]  # local dates, end inclusive, the holiday skipped
    first_cell = await rows.first.locator("td.day").inner_text()
    assert first_cell == f"{days[0]} {'周二' if days[0].isoweekday() == 2 else '周四'}"
    offering_id = int((await card.get_attribute("data-offering")) or 0)
    base = await api("base1")
    listed = await base("GET", f"/api/catalog/offerings/{offering_id}/sessions")
    assert [s["day"] for s in listed] == [str(d) for d in days]
    assert {s["starts_at"][:5] for s in listed} == {"18:30"}

    # move the first session a day later (调课), then cancel the last one (停课), with reasons
    first_id = await rows.first.get_attribute("data-session")
    moved_to = days[0] + dt.timedelta(days=1)
    await rows.first.locator("button", has_text="调课").click()
    await page.fill(f"#mv-day-{first_id}", str(moved_to))
    await page.fill(f"#mv-reason-{first_id}", "讲师出差")
    await page.locator(f"#move-{first_id} button[type=submit]").click()
    await expect(page.locator("#msg")).to_have_text(f"已调课到 {moved_to}，已通知学员")
    assert await page.locator(f"tr[data-session='{first_id}']").get_attribute("data-day") == str(moved_to)
    last = rows.last
    session_id = await last.get_attribute("data-session")
    await last.locator("button", has_text="停课").click()
    await page.fill(f"#cn-reason-{session_id}", "教室检修")
    await page.locator(f"#cancel-{session_id} button[type=submit]").click()
    await expect(page.locator("#msg")).to_have_text(re.compile("^已停课"))
    assert "已停课" in await page.locator(f"tr[data-session='{session_id}']").inner_text()
    await visit.shot("base-offering-scheduled")
    assert await visit.serious_a11y_violations() == []
    assert visit.foreign_hosts() == set() and visit.errors == []


async def test_roster_attendance_checkin_and_completion(visit: Visit, api: Any) -> None:
    admin, base = await api("admin"), await api("base1")
    course = await own_course(admin)
    base_id = await base1_id(base)
    title = f"点名测试班{uuid.uuid4().hex[:6]}"
    offering_id, past = await class_with_past_sessions(base, course["id"], base_id, title)
    # a session running now (local time) for the QR check-in, in a class of its own (of a
    # 0.1-hour course, which its 0.1-hour session can complete): a class whose session is still
    # running cannot be completed
    now = local_now()
    start = max(now - dt.timedelta(minutes=10), now.replace(hour=0, minute=0, second=0, microsecond=0))
    end = min(start + dt.timedelta(minutes=60), now.replace(hour=23, minute=59, second=0, microsecond=0))
    running = await base(
        "POST",
        "/api/offerings",
        {
            "course_id": (await own_course(admin, hours="0.1"))["id"],
            "training_base_id": base_id,
            "title": f"签到测试班{uuid.uuid4().hex[:6]}",
            "start_date": str(now.date()),
            "end_date": str(now.date()),
            "capacity": 10,
        },
    )
    today_session = await base(
        "POST",
        f"/api/offerings/{running['id']}/sessions",
        {
            "day": str(now.date()),
            "starts_at": start.strftime("%H:%M"),
            "ends_at": end.strftime("%H:%M"),
            "hours": "0.1",
        },
    )
    people = await fresh_people(3)
    for p in people:
        await admin("POST", f"/api/offerings/{offering_id}/enrollments", {"practitioner_id": p["id"]})
    diligent, absent, partial = people
    await admin("POST", f"/api/offerings/{running['id']}/enrollments", {"practitioner_id": diligent["id"]})
    username = f"t{uuid.uuid4().hex[:10]}"
    await admin(
        "POST",
        "/api/auth/accounts",
        {
            "username": username,
            "password": "checkin-pass-1",
            "role": "trainee",
            "practitioner_id": diligent["id"],
        },
    )

    page = visit.page
    await login(visit, "base1")
    await visit.goto(f"/base/offerings/{offering_id}")
    roster = page.locator("#roster tbody tr")
    assert await roster.count() == 3
    assert {await roster.nth(i).locator("td").first.inner_text() for i in range(3)} == {
        p["name"] for p in people
    }

    # attendance for the first session by tapping names: present, present, present → late → absent
    await page.select_option("#att-session", str(past[0]))
    await expect(page.locator("#expected-count")).to_have_text("3")
    assert await page.locator("#att-count").inner_text() == "已到 0 / 应到 3（其中迟到 0）"

    def tap(person: dict[str, Any]) -> Any:
        return page.locator("#tap-list .tap", has_text=person["name"])

    for person, expected in ((diligent, 1), (partial, 2), (absent, 3)):
        await tap(person).click()
        await expect(page.locator("#present-count")).to_have_text(str(expected))
    await tap(absent).click()  # a second tap: late (still present)
    await expect(page.locator("#late-count")).to_have_text("1")
    assert await page.locator("#present-count").inner_text() == "3"
    await tap(absent).click()  # a third tap: absent
    await expect(page.locator("#present-count")).to_have_text("2")
    assert await tap(absent).get_attribute("data-state") == "absent"
    assert await page.locator("#att-count").inner_text() == "已到 2 / 应到 3（其中迟到 0）"
    await visit.shot("base-attendance")
    rows = await base("GET", f"/api/sessions/{past[0]}/attendance")
    assert {r["practitioner_id"]: r["present"] for r in rows} == {
        diligent["id"]: True,
        partial["id"]: True,
        absent["id"]: False,
    }
    await page.reload()  # what is shown comes from the server
    await page.select_option("#att-session", str(past[0]))
    await expect(page.locator("#present-count")).to_have_text("2")
    for sid in past[1:]:
        await base(
            "POST",
            f"/api/sessions/{sid}/attendance",
            {"entries": [{"practitioner_id": diligent["id"], "present": True}]},
        )
    assert await visit.serious_a11y_violations() == []

    # the check-in screen: a new QR per token window; the code in it checks the trainee in
    await visit.goto(f"/base/sessions/{today_session['id']}/checkin?refresh=2")
    qr = page.locator("#qr")
    await expect(qr).to_have_attribute("src", re.compile("^data:image/"))
    first = await qr.get_attribute("src")
    assert await page.locator("#checked-count").inner_text() == "0"
    await expect(qr).not_to_have_attribute("src", first or "", timeout=25_000)
    second = await qr.get_attribute("src")
    assert second and second != first
    url = decode_qr(second)
    token = parse_qs(urlparse(url).query)["t"][0]
    assert url.startswith(visit.base + "/checkin?t=")
    trainee = await api(username, "checkin-pass-1")
    result = await trainee("POST", "/api/checkin", {"token": token})
    assert result["status"] == "checked_in" and result["session_id"] == today_session["id"]
    await expect(page.locator("#checked-count")).to_have_text("1", timeout=15_000)
    countdown = int(await page.locator("#countdown").inner_text())
    assert 0 <= countdown <= 15
    await visit.shot("base-checkin")
    assert await visit.serious_a11y_violations() == []

    # completion waits for the running session to end: the page says why
    await visit.goto(f"/base/offerings/{running['id']}")
    await page.click("#complete")
    await expect(page.locator("#complete-msg")).to_have_text(
        re.compile(f"^班级 {running['id']} 还有 1 次课未结束（最后一次课 {now.date()} {end:%H:%M} 结束），")
    )
    assert await page.locator("#complete").is_enabled()
    await visit.shot("base-complete-refused")
    # the refused request is the one error the browser logs (its 409), nothing else
    assert visit.errors == ["Failed to load resource: the server responded with a status of 409 (Conflict)"]
    visit.errors.clear()

    # completion: who met the rule, and why not for the others
    await visit.goto(f"/base/offerings/{offering_id}")
    await page.click("#complete")
    await expect(page.locator("#msg")).to_have_text(re.compile("^已结业。结业 1 人，未结业 2 人"))
    assert await page.locator("#met-count").inner_text() == "1"
    outcome = {}
    for p in people:
        row = page.locator(f"#roster tr[data-practitioner='{p['id']}']")
        outcome[p["id"]] = (
            await row.get_attribute("data-status"),
            await row.locator("td.reason").inner_text(),
        )
    assert outcome[diligent["id"]][0] == "completed"
    for person in (absent, partial):
        status, reason = outcome[person["id"]]
        assert status == "not_completed" and "学时" in reason, reason
    assert await page.locator("#attendance-card, #complete").count() == 0  # no more roll calls
    await visit.shot("base-completed")
    assert visit.foreign_hosts() == set() and visit.errors == []


async def test_completion_is_disabled_while_the_schedule_is_short_of_the_course(
    phone: Visit, api: Any
) -> None:
    """A class whose sessions add up to less than the completion rule's share of the course's
    hours cannot be completed (409 ``course_hours_not_held``): the page disables 结业 and says
    why, with the server's own reason, until the schedule is complete."""
    admin, base = await api("admin"), await api("base1")
    course = await own_course(admin)  # 16 hours: at least 12.8 must be scheduled
    base_id = await base1_id(base)
    today = local_now().date()
    offering = await base(
        "POST",
        "/api/offerings",
        {
            "course_id": course["id"],
            "training_base_id": base_id,
            "title": f"短课时班{uuid.uuid4().hex[:6]}",
            "start_date": str(today - dt.timedelta(days=13)),
            "end_date": str(today),
            "capacity": 10,
        },
    )
    oid = offering["id"]

    async def session(back: int) -> None:
        await base(
            "POST",
            f"/api/offerings/{oid}/sessions",
            {"day": str(today - dt.timedelta(days=back)), "starts_at": "09:00", "ends_at": "13:00"},
        )

    await session(12)  # 4 of 16 hours
    person = (await fresh_people(1))[0]
    await admin("POST", f"/api/offerings/{oid}/enrollments", {"practitioner_id": person["id"]})
    refused = await base("POST", f"/api/offerings/{oid}/complete", ok=False)
    assert refused["code"] == "course_hours_not_held"
    reason = refused["detail"].removeprefix(f"班级 {oid} 不能结业：")
    assert reason.startswith("班级仅安排 4.0 学时，课程要求 16.0 学时")

    page = phone.page
    await login(phone, "base1")
    await phone.goto(f"/base/offerings/{oid}")
    button = page.locator("#complete")
    await expect(button).to_be_disabled()
    # the reason beside the button is the server's, word for word
    await expect(page.locator("#complete-short")).to_have_text(f"{reason}。")
    assert await button.get_attribute("aria-describedby") == "complete-short"
    await expect(page.locator("#complete-short")).to_be_visible()
    await no_overflow(phone)
    await phone.shot("base-complete-short")
    assert await phone.serious_a11y_violations() == []

    # once the schedule reaches the course's hours the button is enabled again
    for back in (9, 6, 3):
        await session(back)
    await page.reload()
    await expect(page.locator("#complete")).to_be_enabled()
    assert await page.locator("#complete-short").count() == 0
    assert phone.foreign_hosts() == set() and phone.errors == []


async def test_roster_marks_late_on_a_phone(phone: Visit, api: Any) -> None:
    """At 390 px: tapping a name cycles 出勤 → 迟到 → 缺勤 → 出勤, each tap written (the last mark
    wins, read back after a reload), the earlier marks in the attendance history."""
    admin, base = await api("admin"), await api("base1")
    course = await own_course(admin)
    offering_id, past = await class_with_past_sessions(
        base, course["id"], await base1_id(base), f"迟到测试班{uuid.uuid4().hex[:6]}"
    )
    (person,) = await fresh_people(1)
    await admin("POST", f"/api/offerings/{offering_id}/enrollments", {"practitioner_id": person["id"]})
    page = phone.page
    await login(phone, "base1")
    await phone.goto(f"/base/offerings/{offering_id}")
    await page.select_option("#att-session", str(past[1]))
    tap = page.locator("#tap-list .tap", has_text=person["name"])
    await expect(tap).to_have_attribute("data-state", "none")
    for state, text in (
        ("present", "出勤"),
        ("late", "迟到"),
        ("absent", "缺勤"),
        ("present", "出勤"),
        ("late", "迟到"),
    ):
        await tap.click()
        await expect(tap).to_have_attribute("data-state", state)
        await expect(page.locator("#att-msg")).to_have_text(f"{person['name']}：{text}")
    assert await page.locator("#att-count").inner_text() == "已到 1 / 应到 1（其中迟到 1）"
    await no_overflow(phone)
    await phone.shot("base-attendance-late-phone")
    (row,) = await base("GET", f"/api/sessions/{past[1]}/attendance")
    assert (row["present"], row["late"], row["method"]) == (True, True, "roster")
    history = await base("GET", f"/api/sessions/{past[1]}/attendance/history")
    assert [(h["present_after"], h["late_after"]) for h in history] == [
        (True, False),
        (True, True),
        (False, False),
        (True, False),
        (True, True),
    ]
    await page.reload()  # what is shown comes from the server
    await page.select_option("#att-session", str(past[1]))
    await expect(tap).to_have_attribute("data-state", "late")
    assert "迟到" in await tap.inner_text()
    assert await phone.serious_a11y_violations() == []
    assert phone.foreign_hosts() == set() and phone.errors == []


def decode_qr(data_url: str) -> str:
    """The text of the QR code in an ``<img src="data:image/gif;base64,…">``."""
    raw = base64.b64decode(data_url.split(",", 1)[1])
    image = Image.open(io.BytesIO(raw)).convert("L")
    found = zxingcpp.read_barcodes(image)
    assert found, "no QR code found in the image"
    return str(found[0].text)


async def test_scores_issuance_and_certificates_on_a_phone(phone: Visit, api: Any) -> None:
    admin, base = await api("admin"), await api("base1")
    course = await own_course(admin)
    base_id = await base1_id(base)
    offering_id, past = await class_with_past_sessions(
        base, course["id"], base_id, f"考前班{uuid.uuid4().hex[:6]}"
    )
    passer, failer = await fresh_people(2)
    for p in (passer, failer):
        await admin("POST", f"/api/offerings/{offering_id}/enrollments", {"practitioner_id": p["id"]})
    for sid in past:
        await base(
            "POST",
            f"/api/sessions/{sid}/attendance",
            {"entries": [{"practitioner_id": p["id"], "present": True} for p in (passer, failer)]},
        )
    done = await base("POST", f"/api/offerings/{offering_id}/complete")
    assert done["completed"] == 2
    sitting = await base(
        "POST",
        "/api/sittings",
        {
            "programme_code": "1X-YEZH-1",
            "training_base_id": base_id,
            "exam_date": str(local_now().date()),
            "title": f"页面测试考核{uuid.uuid4().hex[:6]}",
        },
    )
    await base("POST", f"/api/sittings/{sitting['id']}/candidates", {"practitioner_id": passer["id"]})

    page = phone.page
    await login(phone, "base1")
    assert urlparse(page.url).path == "/base"
    await no_overflow(phone)
    await phone.shot("base-home-phone")
    await phone.goto("/base/sittings")
    row = page.locator(f"#sittings tr[data-sitting='{sitting['id']}']")
    assert sitting["title"] in await row.inner_text()
    await no_overflow(phone)
    await phone.shot("base-sittings-phone")
    await row.locator("a").click()
    await page.wait_for_url(f"**/base/sittings/{sitting['id']}")
    assert await page.locator("#candidates tbody tr").count() == 1
    # the other one is registered from the people who completed a class at this base
    await page.select_option("#rg-person", str(failer["id"]))
    await page.click("form[data-kind=register] button[type=submit]")
    await expect(page.locator("#msg")).to_have_text(re.compile(f"^已报名考生：{failer['name']}"))
    assert await page.locator("#candidates tbody tr").count() == 2
    assert await page.locator(f"#rg-person option[value='{failer['id']}']").count() == 0

    # one invalid score (full-width 105: above 100) → refused in Chinese, nothing saved
    await page.fill(f"#th-{passer['id']}", "88")
    await page.fill(f"#pr-{passer['id']}", "１０５")
    await page.fill(f"#th-{failer['id']}", "59.5")
    await page.fill(f"#pr-{failer['id']}", "")
    await page.click("#scores button[type=submit]")
    msg = page.locator("#scores-msg")
    text = await msg.inner_text()
    assert f"{passer['name']}的实操成绩「105」无效：须为 0–100 之间的数字" in text
    assert f"请填写{failer['name']}的实操成绩" in text
    assert await page.locator(f"#pr-{passer['id']}").get_attribute("aria-invalid") == "true"
    assert all(c["theory"] is None for c in await base("GET", f"/api/sittings/{sitting['id']}/candidates"))
    await phone.shot("base-scores-refused-phone")

    await page.fill(f"#pr-{passer['id']}", "９０．５")  # full-width digits are fine
    await page.fill(f"#pr-{failer['id']}", "75")
    await page.click("#scores button[type=submit]")
    await expect(page.locator("#msg")).to_have_text(re.compile("^已保存"))
    assert await page.locator("#msg").inner_text() == "已保存 2 人的成绩，其中通过 1 人"
    assert await page.locator(f"tr[data-practitioner='{passer['id']}'] .result").inner_text() == "通过"
    assert await page.locator(f"tr[data-practitioner='{failer['id']}'] .result").inner_text() == "未通过"
    assert await page.locator("#passed-count").inner_text() == "1"

    await page.click("#issue")
    await expect(page.locator("#msg")).to_have_text(re.compile("^已发证"))
    assert await page.locator("#msg").inner_text() == "已发证 1 张"
    link = page.locator("#certificates a.cert-number")
    assert await link.count() == 1
    number = await link.inner_text()
    assert re.fullmatch(r"[0-9A-Z]{22}", number), number
    assert await link.get_attribute("href") == f"/v/{number}"
    assert passer["name"] in await page.locator("#certificates tbody tr").inner_text()
    assert await page.locator("#issue").count() == 0  # the sitting is closed
    await no_overflow(phone)
    await phone.shot("base-certificates-phone")
    assert await phone.serious_a11y_violations() == []
    await link.click()
    await page.wait_for_url(f"**/v/{number}")
    assert await page.locator("#outcome").get_attribute("data-outcome") == "valid"
    assert phone.foreign_hosts() == set() and phone.errors == []


async def test_city_admin_chooses_a_base(visit: Visit) -> None:
    page = visit.page
    await login(visit, "admin")
    await visit.goto("/base")
    bases = page.locator("#bases a")
    assert await bases.count() >= 6  # the demo's bases
    await bases.first.click()
    await page.wait_for_url(re.compile(r"/base\?base_id=\d+$"))
    assert await page.locator("h1").count() == 1 and await page.locator("#new-offering").count() == 1
    nav = page.locator("header nav a", has_text="考试场次")
    assert re.search(r"^/base/sittings\?base_id=\d+$", await nav.get_attribute("href") or "")
    assert await visit.serious_a11y_violations() == []
    response = await visit.goto("/base/offerings/999999999")
    assert response.status == 404 and "不存在" in await page.locator("main").inner_text()
    assert visit.foreign_hosts() == set()
