"""The trainee's pages on a phone (390×844) against ``tuoyu serve --demo``: log in → 我的培训,
the catalog (filters, enroll, the waitlist position), cancel on 我的培训, QR check-in through the
link the QR encodes and by pasting (expired and garbage codes refused in Chinese), the training
record, certificates (QR image, PDF), online lessons, and self sign-up with the one-time code the
demo's console SMS sender writes to the server log.

Every row written here belongs to offerings, courses and people the test creates itself (unique
codes per run); the demo's own rows are only read.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx

from service.settings import Settings
from tests.e2e.conftest import CHROMIUM, DEMO_PASSWORD, LiveServer, Visit
from tests.factories import make_id
from training.checkin_token import issue_token

BEIJING = ZoneInfo("Asia/Shanghai")


class Api:
    """The JSON API as one demo user (bearer token, so no CSRF)."""

    def __init__(self, server: LiveServer, username: str) -> None:
        self.server, self.username = server, username
        self.headers: dict[str, str] = {}

    async def __aenter__(self) -> Api:
        r = await self.call("POST", "/api/auth/login", {"username": self.username, "password": DEMO_PASSWORD})
        self.headers = {"Authorization": f"Bearer {r['token']}"}
        return self

    async def __aexit__(self, *exc: object) -> None:
        return None

    async def call(self, method: str, path: str, body: Any = None, status: int | None = None) -> Any:
        async with httpx.AsyncClient(base_url=self.server.url, timeout=30) as c:
            r = await c.request(method, path, json=body, headers=self.headers)
        assert r.status_code == (status or r.status_code) and (status or r.status_code < 400), r.text
        return r.json()


def _now_local() -> dt.datetime:
    return dt.datetime.now(BEIJING)


async def _offering(
    admin: Api, base_id: int, *, start: dt.date, end: dt.date, capacity: int, title: str
) -> dict[str, Any]:
    """A fresh course (unique code) and an offering of it at ``base_id``."""
    code = f"E2E-TR-{secrets.token_hex(3).upper()}"
    course = await admin.call(
        "POST",
        "/api/courses",
        {"code": code, "title": f"{title}课程", "category": "refresher", "hours": "3.0"},
    )
    return await admin.call(
        "POST",
        "/api/offerings",
        {
            "course_id": course["id"],
            "training_base_id": base_id,
            "title": title,
            "start_date": start.isoformat(),
            "end_date": end.isoformat(),
            "capacity": capacity,
        },
    )


async def _expect_clean(v: Visit, *refusals: int) -> None:
    """No serious a11y violation, no foreign host, no console error — except Chromium's own line
    for an API answer the step provoked on purpose (``refusals``: e.g. 422 for an expired code)."""
    assert await v.serious_a11y_violations() == []
    assert v.foreign_hosts() == set()
    provoked = tuple(f"the server responded with a status of {status} " for status in refusals)
    assert [e for e in v.errors if not any(p in e for p in provoked)] == []


async def _text(v: Visit, selector: str) -> str:
    return str(await v.page.locator(selector).inner_text())


async def _loaded(v: Visit, *selectors: str) -> None:
    """Wait until the script has replaced each list's 加载中… placeholder."""
    for selector in selectors:
        await v.page.locator(selector, has_text="加载中").wait_for(state="detached")


async def test_catalog_enroll_waitlist_and_cancel(phone: Visit, live_server: LiveServer) -> None:
    async with Api(live_server, "admin") as admin, Api(live_server, "base1") as base:
        base_id = (await base.call("GET", "/api/auth/me"))["training_base_id"]
        start = _now_local().date() + dt.timedelta(days=40)
        tag = secrets.token_hex(2)
        open_one = await _offering(
            admin,
            base_id,
            start=start,
            end=start + dt.timedelta(days=2),
            capacity=5,
            title=f"手机报名班{tag}",
        )
        full_one = await _offering(
            admin,
            base_id,
            start=start,
            end=start + dt.timedelta(days=2),
            capacity=1,
            title=f"满员候补班{tag}",
        )
        await admin.call(
            "POST",
            f"/api/offerings/{open_one['id']}/sessions",
            {"day": start.isoformat(), "starts_at": "09:00", "ends_at": "12:00", "topic": "回应性照护"},
        )
        # someone else takes the only seat of the second class
        other = await admin.call(
            "POST",
            "/api/practitioners",
            {"id_number": make_id(secrets.randbelow(900) + 50, birth="19880704"), "name": "占位学员"},
        )
        await admin.call(
            "POST", f"/api/offerings/{full_one['id']}/enrollments", {"practitioner_id": other["id"]}
        )

    v = phone
    await v.login("trainee1")
    assert v.page.url.endswith("/my")
    await _loaded(v, "#enrollments", "#sessions", "#notices")
    assert "我的培训" in await v.page.title()
    await v.shot("trainee-home")
    await _expect_clean(v)

    await v.goto("/my/catalog")
    item = v.page.locator(f"li[data-offering='{open_one['id']}']")
    await item.wait_for()
    assert "剩余 5 个名额" in await item.inner_text()
    assert "3.0 学时" in await item.inner_text()
    # filters: this class's month and district keep it; another district hides it
    await v.page.select_option("#f-month", start.strftime("%Y-%m"))
    await v.page.check("#f-seats")
    assert await item.is_visible()
    assert await v.page.locator(f"li[data-offering='{full_one['id']}']").count() == 0  # full: hidden
    await v.page.uncheck("#f-seats")
    await v.shot("trainee-catalog")
    await _expect_clean(v)

    await item.get_by_role("button").click()
    await v.page.wait_for_selector("#flash.ok")
    assert "报名成功" in await _text(v, "#flash")
    assert "已报名" in await item.inner_text()
    assert "剩余 4 个名额" in await item.inner_text()

    full = v.page.locator(f"li[data-offering='{full_one['id']}']")
    assert "已满" in await full.inner_text()
    await full.get_by_role("button").click()
    await v.page.wait_for_selector("#flash.info")
    assert "候补第1位" in await _text(v, "#flash")
    assert "候补第1位" in await full.inner_text()
    await v.shot("trainee-catalog-enrolled")

    # enrolling twice is refused by the API (here: the course's other class is held)
    await v.goto("/my")
    await _loaded(v, "#enrollments", "#sessions")
    mine = v.page.locator("#enrollments li", has_text=open_one["title"])
    assert "已报名" in await mine.inner_text()
    waiting = v.page.locator("#enrollments li", has_text=full_one["title"])
    assert "候补第1位" in await waiting.inner_text()
    sessions = v.page.locator("#sessions li", has_text=open_one["title"])
    assert f"{start.isoformat()} 09:00–12:00" in await sessions.inner_text()
    await v.shot("trainee-home-enrolled")

    await mine.get_by_role("button", name="取消报名").click()
    await mine.get_by_role("button", name="确定取消").click()
    await v.page.wait_for_selector("#flash.ok")
    assert "已取消报名" in await _text(v, "#flash")
    mine = v.page.locator("#enrollments li", has_text=open_one["title"])
    assert "已取消" in await mine.inner_text()
    assert await mine.get_by_role("button", name="取消报名").count() == 0
    await waiting.get_by_role("button", name="取消报名").click()
    await waiting.get_by_role("button", name="确定取消").click()
    await v.page.locator("#enrollments li", has_text="候补第").wait_for(state="detached")
    await _expect_clean(v)


def _session_now() -> tuple[dt.date, str, str, str]:
    """``(day, starts_at, ends_at, hours)`` of a session of today (local) that started this
    minute, so check-in is open now (up to an hour, never past midnight)."""
    now = _now_local()
    start = now.replace(second=0, microsecond=0)
    end = min(start + dt.timedelta(hours=1), start.replace(hour=23, minute=59))
    if end <= start:  # 23:59 itself
        start = start - dt.timedelta(minutes=1)
    minutes = int((end - start).total_seconds()) // 60
    hours = f"{minutes * 100 // 60 / 100:.2f}"
    return start.date(), start.strftime("%H:%M"), end.strftime("%H:%M"), hours


async def test_checkin_by_link_and_paste(phone: Visit, live_server: LiveServer) -> None:
    day, starts, ends, hours = _session_now()
    async with (
        Api(live_server, "admin") as admin,
        Api(live_server, "base1") as base,
        Api(live_server, "trainee1") as me,
    ):
        base_id = (await base.call("GET", "/api/auth/me"))["training_base_id"]
        offering = await _offering(
            admin, base_id, start=day, end=day, capacity=10, title=f"今日签到班{secrets.token_hex(2)}"
        )
        session = await base.call(
            "POST",
            f"/api/offerings/{offering['id']}/sessions",
            {
                "day": day.isoformat(),
                "starts_at": starts,
                "ends_at": ends,
                "hours": hours,
                "topic": "签到演练",
            },
        )
        await me.call("POST", f"/api/offerings/{offering['id']}/enrollments", {})
        issued = await base.call(
            "POST", f"/api/sessions/{session['id']}/checkin-token", {"purpose": "checkin"}
        )
    assert issued["url"].startswith(live_server.url + "/checkin?t=")

    v = phone
    # the QR opened without a login: the login page, then back to the link, which checks in
    await v.goto(issued["url"][len(live_server.url) :])
    await v.page.wait_for_url(re.compile(r"/login\?next="))
    await v.page.fill("#username", "trainee1")
    await v.page.fill("#password", DEMO_PASSWORD)
    await v.page.click("button[type=submit]")
    await v.page.wait_for_url(re.compile(r"/checkin"))
    await v.page.wait_for_selector("#result.ok, #result.error")
    result = await _text(v, "#result")
    # the token lives 15–30 s: a slow login may outlive it, and the page says so in Chinese
    assert "签到成功" in result or "二维码已过期" in result, result
    if "二维码已过期" in result:
        async with Api(live_server, "base1") as base:
            issued = await base.call(
                "POST", f"/api/sessions/{session['id']}/checkin-token", {"purpose": "checkin"}
            )
        await v.goto(issued["url"][len(live_server.url) :])
        await v.page.wait_for_selector("#result.ok")
        assert "签到成功" in await _text(v, "#result")
    await v.shot("trainee-checkin-done")
    await _expect_clean(v, 422)  # 422 only when the first code expired during the login

    # pasting the link again: already checked in
    async with Api(live_server, "base1") as base:
        issued = await base.call(
            "POST", f"/api/sessions/{session['id']}/checkin-token", {"purpose": "checkin"}
        )
    await v.goto("/my/checkin")
    await v.page.fill("#token", issued["url"])
    await v.page.click("#token-form button")
    await v.page.locator("#result.ok", has_text="已签到").wait_for()

    # a genuine code of two minutes ago (a photo passed on) and a garbage one are refused
    key = Settings(data_dir=live_server.data_dir).checkin_key()
    old = issue_token(key, session["id"], "checkin", now=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=2))
    await v.page.fill("#token", old.token)
    await v.page.click("#token-form button")
    await v.page.locator("#result.error", has_text="二维码已过期").wait_for()
    await v.shot("trainee-checkin-expired")
    await v.page.fill("#token", "不是签到码")
    await v.page.click("#token-form button")
    await v.page.locator("#result", has_text="二维码无效").wait_for()
    await _expect_clean(v, 422)


async def test_record_certificates_and_lessons(phone: Visit, live_server: LiveServer) -> None:
    async with (
        Api(live_server, "admin") as admin,
        Api(live_server, "base1") as base,
        Api(live_server, "trainee1") as me,
    ):
        base_id = (await base.call("GET", "/api/auth/me"))["training_base_id"]
        start = _now_local().date() + dt.timedelta(days=20)
        offering = await _offering(
            admin, base_id, start=start, end=start, capacity=10, title=f"线上学习班{secrets.token_hex(2)}"
        )
        lesson = await admin.call(
            "POST",
            f"/api/courses/{offering['course_id']}/lessons",
            {
                "title": "婴幼儿回应性照护（视频）",
                "media": live_server.courseware("lesson-e2e.mp4"),
                "duration_seconds": 1200,
            },
        )
        await me.call("POST", f"/api/offerings/{offering['id']}/enrollments", {})
    v = phone
    await v.login("trainee1")
    await v.goto("/my/certificates")
    await _loaded(v, "#certificates")
    certs = v.page.locator("#certificates li.cert")
    if await certs.count():  # the demo's first cohort member passed in this run
        first = certs.first
        number = await first.get_attribute("data-number")
        assert number and number in await first.inner_text()
        assert re.search("有效|已过期|已吊销|已暂停|已换发新证", await first.inner_text())
        qr = first.locator("img.qr")
        await qr.wait_for()
        assert await qr.evaluate("i => i.decode().then(() => i.naturalWidth)") > 0
        href = await first.get_by_role("link", name="下载证书 PDF").get_attribute("href")
        pdf = await v.page.request.get(v.base + str(href))
        assert pdf.status == 200 and pdf.headers["content-type"] == "application/pdf"
    else:
        assert "暂无证书" in await _text(v, "#certificates")
    await v.shot("trainee-certificates")
    await _expect_clean(v)

    await v.goto("/my/record")
    await _loaded(v, "#trainings", "#years")
    years = await _text(v, "#years")
    assert re.search(r"\d{4}年\s+\d+ 次\s+[\d.]+ 小时", years), years
    await v.shot("trainee-record")
    await _expect_clean(v)

    await v.goto("/my/lessons")
    await _loaded(v, "#lessons")
    card = v.page.locator("#lessons section", has_text=offering["title"])
    row = card.locator("li", has_text=lesson["title"])
    assert "时长 20 分钟" in await row.inner_text()
    assert await row.get_by_role("progressbar").get_attribute("value") == "0"
    await v.shot("trainee-lessons")
    await _expect_clean(v)


async def test_signup_with_the_code_from_the_demo_log(phone: Visit, live_server: LiveServer) -> None:
    v = phone
    phone_number = f"139{secrets.randbelow(10**8):08d}"
    username = f"signup{secrets.token_hex(3)}"
    await v.goto("/signup")
    # a malformed ID number is refused in Chinese, nothing created
    await v.page.fill("#s-name", "李新")
    await v.page.fill("#s-id", "370102199001011234")
    await v.page.fill("#s-phone", phone_number)
    await v.page.fill("#s-user", username)
    await v.page.fill("#s-pass", "a-long-password")
    await v.page.click("#signup-form button")
    await v.page.wait_for_selector("#flash.error")
    assert "身份证" in await _text(v, "#flash")
    await v.shot("trainee-signup-error")
    await _expect_clean(v, 422)

    await v.page.fill("#s-id", make_id(secrets.randbelow(900) + 50, birth="19950312"))
    await v.page.click("#signup-form button")
    await v.page.wait_for_selector("#code-card:not([hidden])")
    assert "验证码" in await _text(v, "#next-step")
    await v.shot("trainee-signup-code")
    await _expect_clean(v, 422)
    log = (live_server.data_dir / "serve.log").read_text(errors="replace")
    codes = re.findall(rf"SMS to {phone_number}: .*?验证码为 (\d{{6}})", log)
    assert codes, "the console SMS sender wrote no code for this phone"
    await v.page.fill("#s-code", "000000" if codes[-1] != "000000" else "111111")
    await v.page.click("#code-form button")
    await v.page.wait_for_selector("#flash.error")
    assert "验证码错误" in await _text(v, "#flash")
    await v.page.fill("#s-code", codes[-1])
    await v.page.click("#code-form button")
    await v.page.wait_for_url(re.compile(r"/my$"))
    await _loaded(v, "#enrollments", "#sessions", "#notices")
    assert await v.page.locator("#identity-card").is_hidden()
    assert "还没有报名" in await _text(v, "#enrollments")
    await _expect_clean(v, 422)


def _qr_y4m(text: str, path: Path, *, width: int = 640, height: int = 480) -> Path:
    """A short Y4M video (what Chromium's fake camera plays) of ``text`` as a QR code: black
    modules on white, centred, grey chroma."""
    import qrcode

    qr = qrcode.QRCode(border=4)
    qr.add_data(text)
    qr.make(fit=True)
    matrix = qr.get_matrix()
    scale = min(width, height) * 9 // 10 // len(matrix)
    side = scale * len(matrix)
    left, top = (width - side) // 2, (height - side) // 2
    luma = bytearray(b"\xeb" * (width * height))
    for y, row in enumerate(matrix):
        for x, dark in enumerate(row):
            if dark:
                for dy in range(scale):
                    start = (top + y * scale + dy) * width + left + x * scale
                    luma[start : start + scale] = b"\x10" * scale
    chroma = b"\x80" * (width * height // 2)
    frame = b"FRAME\n" + bytes(luma) + chroma
    path.write_bytes(f"YUV4MPEG2 W{width} H{height} F10:1 Ip A1:1 C420jpeg\n".encode() + frame * 3)
    return path


async def test_checkin_with_the_phone_camera(browser: Any, live_server: LiveServer, tmp_path: Path) -> None:
    """The in-page scanner: Chromium's fake camera shows the base's QR, jsQR reads it, the page
    posts the token. (The token may outlive its 15–30 s while the browser starts: then the page
    says 二维码已过期 — which still proves the code was read from the camera and sent.)"""
    day, starts, ends, hours = _session_now()
    async with (
        Api(live_server, "admin") as admin,
        Api(live_server, "base1") as base,
        Api(live_server, "trainee1") as me,
    ):
        base_id = (await base.call("GET", "/api/auth/me"))["training_base_id"]
        offering = await _offering(
            admin, base_id, start=day, end=day, capacity=10, title=f"相机签到班{secrets.token_hex(2)}"
        )
        session = await base.call(
            "POST",
            f"/api/offerings/{offering['id']}/sessions",
            {
                "day": day.isoformat(),
                "starts_at": starts,
                "ends_at": ends,
                "hours": hours,
                "topic": "相机签到",
            },
        )
        await me.call("POST", f"/api/offerings/{offering['id']}/enrollments", {})
        issued = await base.call(
            "POST", f"/api/sessions/{session['id']}/checkin-token", {"purpose": "checkin"}
        )
    video = _qr_y4m(issued["url"], tmp_path / "qr.y4m")
    camera_browser = await browser.browser_type.launch(
        executable_path=CHROMIUM,
        args=[
            "--no-sandbox",
            "--use-fake-ui-for-media-stream",
            "--use-fake-device-for-media-stream",
            f"--use-file-for-fake-video-capture={video}",
        ],
    )
    try:
        context = await camera_browser.new_context(
            locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
        )
        await context.grant_permissions(["camera"], origin=live_server.url)
        v = Visit(await context.new_page(), live_server.url)
        await v.login("trainee1")
        await v.goto("/my/checkin")
        await v.page.click("#camera-start")
        await v.page.locator("#camera-msg", has_text="已识别二维码").wait_for()
        await v.page.wait_for_selector("#result.ok, #result.error")
        result = await _text(v, "#result")
        assert "签到成功" in result or "二维码已过期" in result, result
        await v.shot("trainee-checkin-camera")
        await _expect_clean(v, 422)
    finally:
        await camera_browser.close()


async def test_pages_work_on_a_desktop_too(visit: Visit) -> None:
    """1280 px wide: the same pages, nothing overflowing, still accessible."""
    v = visit
    await v.login("trainee1")
    for path, name, lists in (
        ("/my", "trainee-home-desktop", ("#enrollments", "#sessions", "#notices")),
        ("/my/catalog", "trainee-catalog-desktop", ("#offerings",)),
        ("/my/certificates", "trainee-certificates-desktop", ("#certificates",)),
    ):
        await v.goto(path)
        await _loaded(v, *lists)
        assert await v.page.evaluate("document.documentElement.scrollWidth") <= 1280
        await v.shot(name)
        await _expect_clean(v)
    await v.goto("/signup")
    await v.shot("trainee-signup-desktop")
    await _expect_clean(v)


async def test_a_pending_login_verifies_on_my_home(phone: Visit, live_server: LiveServer) -> None:
    """Signed up through the API but not verified yet: 我的培训 asks for the code first."""
    phone_number = f"137{secrets.randbelow(10**8):08d}"
    username = f"pending{secrets.token_hex(3)}"
    async with httpx.AsyncClient(base_url=live_server.url, timeout=30) as c:
        r = await c.post(
            "/api/auth/register",
            json={
                "username": username,
                "password": "a-long-password",
                "id_number": make_id(secrets.randbelow(900) + 50, birth="19970521"),
                "name": "赵待验",
                "phone": phone_number,
            },
        )
        assert r.status_code == 201, r.text
    v = phone
    await v.goto("/login")
    await v.page.fill("#username", username)
    await v.page.fill("#password", "a-long-password")
    await v.page.click("button[type=submit]")
    await v.page.wait_for_url(re.compile(r"/my$"))
    await v.page.locator("#identity-card").wait_for()
    await _loaded(v, "#enrollments")
    await v.shot("trainee-home-pending")
    await _expect_clean(v)
    log = (live_server.data_dir / "serve.log").read_text(errors="replace")
    code = re.findall(rf"SMS to {phone_number}: .*?验证码为 (\d{{6}})", log)[-1]
    await v.page.fill("#identity-code", code)
    await v.page.click("#identity-form button")
    await v.page.locator("#identity-card").wait_for(state="hidden")
    await _loaded(v, "#enrollments")
    assert "还没有报名" in await _text(v, "#enrollments")
    await _expect_clean(v)


async def test_joining_a_live_session_records_attendance(phone: Visit, live_server: LiveServer) -> None:
    day, starts, ends, hours = _session_now()
    async with (
        Api(live_server, "admin") as admin,
        Api(live_server, "base1") as base,
        Api(live_server, "trainee1") as me,
    ):
        base_id = (await base.call("GET", "/api/auth/me"))["training_base_id"]
        offering = await _offering(
            admin, base_id, start=day, end=day, capacity=10, title=f"直播班{secrets.token_hex(2)}"
        )
        session = await base.call(
            "POST",
            f"/api/offerings/{offering['id']}/sessions",
            {
                "day": day.isoformat(),
                "starts_at": starts,
                "ends_at": ends,
                "hours": hours,
                "topic": "直播答疑",
                "mode": "live",
                "join_url": "https://live.example.invalid/room/1",
            },
        )
        await me.call("POST", f"/api/offerings/{offering['id']}/enrollments", {})
    v = phone
    await v.login("trainee1")
    await _loaded(v, "#sessions")
    item = v.page.locator("#sessions li", has_text=offering["title"])
    assert "直播" in await item.inner_text()
    await item.get_by_role("button", name="进入直播（记考勤）").click()
    await item.locator(".flash.ok", has_text="考勤已记录").wait_for()
    assert await item.get_by_role("link", name="打开直播间").get_attribute("href") == session["join_url"]
    await v.shot("trainee-home-live")
    await _expect_clean(v)
    async with Api(live_server, "base1") as base:
        rows = await base.call("GET", f"/api/sessions/{session['id']}/attendance")
    assert [r["present"] for r in rows] == [True], rows
