"""Training in depth pages against ``tuoyu serve --demo``: the base's 师资 page (add a trainer
with a qualification and a course, assign them, a double booking refused in Chinese), the
regulator's 师资库 (the pool by district, evaluations, a promotion with its reason), 培训补贴
(flag a class, its roster, the 人社 xlsx opened with openpyxl) and the trainee's lesson player on a
phone (a real WebM made by Chromium's MediaRecorder, heartbeats recorded, skipping ahead refused).

Every row written here belongs to courses, offerings, trainers and lessons the test creates
itself (unique codes per run); the demo's own rows are only read.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import io
import secrets
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import openpyxl

from tests.e2e.conftest import DEMO_PASSWORD, LiveServer, Visit
from tests.factories import make_id

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

    async def call(self, method: str, path: str, body: Any = None) -> Any:
        async with httpx.AsyncClient(base_url=self.server.url, timeout=30) as c:
            r = await c.request(method, path, json=body, headers=self.headers)
        assert r.status_code < 400, r.text
        return r.json()


def _today() -> dt.date:
    return dt.datetime.now(BEIJING).date()


def _id_number() -> str:
    """A fresh valid ID number (random birth date and sequence: no clash with other runs' rows)."""
    birth = f"19{60 + secrets.randbelow(40)}{1 + secrets.randbelow(12):02d}{1 + secrets.randbelow(28):02d}"
    return make_id(secrets.randbelow(1000), birth=birth)


async def _offering(
    admin: Api, base_id: int, title: str, *, start: dt.date | None = None, days: int = 30
) -> dict[str, Any]:
    """A fresh course (unique code) and an offering of it at ``base_id`` running from ``start``
    (today by default) for ``days`` days."""
    start = start or _today()
    course = await admin.call(
        "POST",
        "/api/courses",
        {
            "code": f"E2E-TP-{secrets.token_hex(3).upper()}",
            "title": f"{title}课程",
            "category": "refresher",
            "hours": "3.0",
        },
    )
    return await admin.call(
        "POST",
        "/api/offerings",
        {
            "course_id": course["id"],
            "training_base_id": base_id,
            "title": title,
            "start_date": start.isoformat(),
            "end_date": (start + dt.timedelta(days=days)).isoformat(),
            "capacity": 10,
        },
    )


async def _expect_clean(v: Visit, *refusals: int) -> None:
    """No serious a11y violation, no foreign host, no console error — except Chromium's own line
    for an API answer the step provoked on purpose (``refusals``: e.g. 409 for a double booking)."""
    assert await v.serious_a11y_violations() == []
    assert v.foreign_hosts() == set()
    provoked = tuple(f"the server responded with a status of {status} " for status in refusals)
    assert [e for e in v.errors if not any(p in e for p in provoked)] == []


async def _loaded(v: Visit, selector: str) -> None:
    await v.page.locator(selector, has_text="加载中").wait_for(state="detached")


async def test_base_adds_a_trainer_and_assigns_them_without_double_booking(
    visit: Visit, live_server: LiveServer
) -> None:
    async with Api(live_server, "admin") as admin, Api(live_server, "base1") as base:
        base_id = (await base.call("GET", "/api/auth/me"))["training_base_id"]
        offering = await _offering(admin, base_id, f"师资排课班{secrets.token_hex(2)}")
        day = (_today() + dt.timedelta(days=7)).isoformat()
        first = await base.call(
            "POST",
            f"/api/offerings/{offering['id']}/sessions",
            {"day": day, "starts_at": "09:00", "ends_at": "11:00", "topic": "回应性照护"},
        )
        other = await admin.call(  # a second class of the same course: its session overlaps
            "POST",
            "/api/offerings",
            {
                "course_id": offering["course_id"],
                "training_base_id": base_id,
                "title": f"{offering['title']}二班",
                "start_date": offering["start_date"],
                "end_date": offering["end_date"],
                "capacity": 10,
            },
        )
        overlapping = await base.call(
            "POST",
            f"/api/offerings/{other['id']}/sessions",
            {"day": day, "starts_at": "10:00", "ends_at": "12:00", "topic": "安全照护"},
        )
    name = "讲师" + chr(0x4E00 + secrets.randbelow(0x5000)) + chr(0x4E00 + secrets.randbelow(0x5000))
    v = visit
    await v.login("base1")
    await v.page.get_by_role("link", name="师资").click()
    await v.page.wait_for_url("**/base/trainers")

    await v.page.locator("#new-trainer summary").click()
    form = v.page.locator("form[data-kind=create-trainer]")
    await form.get_by_label("姓名").fill(name)
    await form.get_by_label("身份证号").fill(_id_number())
    await form.get_by_label("资质名称").fill("育婴员一级")
    await form.get_by_label("证书编号").fill("YY-2024-0001")
    await form.get_by_label(offering["course_title"]).check()
    await form.get_by_role("button", name="添加讲师").click()
    await v.page.locator("#msg", has_text=f"已添加讲师：{name}").wait_for()
    row = v.page.locator("#trainers tr", has_text=name)
    text = await row.inner_text()
    assert "育婴员一级" in text and offering["course_title"] in text and "讲师" in text
    assert "*" in await row.locator("td").first.inner_text()  # the ID number is masked

    first_row = v.page.locator(f"#sessions tr[data-session='{first['id']}']")
    await first_row.locator("select").select_option(label=name)
    await first_row.get_by_role("button", name="安排").click()
    await first_row.locator(".flash", has_text="已安排").wait_for()
    assert name in await first_row.locator(".assigned").inner_text()

    second_row = v.page.locator(f"#sessions tr[data-session='{overlapping['id']}']")
    await second_row.locator("select").select_option(label=name)
    await second_row.get_by_role("button", name="安排").click()
    refusal = second_row.locator(".flash.error")
    await refusal.wait_for()
    assert "讲师已有时间重叠的课" in await refusal.inner_text()
    assert name not in await second_row.locator(".assigned").inner_text()
    await v.shot("training-base-trainers")

    # taken off the first session, the trainer may teach the overlapping one
    await first_row.get_by_role("button", name=f"撤下 {name}").click()
    await first_row.locator(".flash", has_text="已撤下").wait_for()
    assert "未安排" in await first_row.locator(".assigned").inner_text()
    await second_row.get_by_role("button", name="安排").click()
    await second_row.locator(".flash", has_text="已安排").wait_for()
    assert name in await second_row.locator(".assigned").inner_text()
    await _expect_clean(v, 409)

    async with Api(live_server, "base1") as base:
        assigned = await base.call("GET", f"/api/sessions/{first['id']}/trainers")
        assert assigned == []
        assigned = await base.call("GET", f"/api/sessions/{overlapping['id']}/trainers")
        assert [a["trainer_name"] for a in assigned] == [name]


async def test_regulator_sees_the_pool_by_district_and_promotes(
    visit: Visit, live_server: LiveServer
) -> None:
    async with Api(live_server, "admin") as admin, Api(live_server, "base1") as base:
        base_id = (await base.call("GET", "/api/auth/me"))["training_base_id"]
        district = next(b for b in await admin.call("GET", "/api/training-bases") if b["id"] == base_id)[
            "district_code"
        ]
        name = "师资" + chr(0x4E00 + secrets.randbelow(0x5000)) + chr(0x4E00 + secrets.randbelow(0x5000))
        trainer = await admin.call(
            "POST",
            "/api/trainers",
            {
                "id_number": _id_number(),
                "name": name,
                "district_code": district,
                "training_base_id": base_id,
                "qualifications": [{"name": "保育师二级"}],
            },
        )
    v = visit
    await v.login("admin")
    await v.goto("/dashboard/trainers")
    assert await v.page.locator("section.district").count() >= 1
    await v.page.get_by_label("区县").select_option(district)
    await v.page.get_by_role("button", name="查看").click()
    await v.page.wait_for_url(f"**/dashboard/trainers?district_code={district}")
    sections = v.page.locator("section.district")
    assert await sections.count() == 1 and await sections.first.get_attribute("data-district") == district
    item = v.page.locator(f"li.trainer[data-trainer='{trainer['id']}']")
    await item.locator("summary").click()
    await _loaded(v, f"li.trainer[data-trainer='{trainer['id']}'] .evaluations")
    await _loaded(v, f"li.trainer[data-trainer='{trainer['id']}'] .history")
    assert "暂无学员评价" in await item.locator(".evaluations").inner_text()
    assert "保育师二级" in await item.inner_text()

    await item.get_by_label("新职级").select_option("senior")
    await item.get_by_label("理由（必填）").fill("年度考核优秀，学员评价高")
    await item.get_by_role("button", name="确认职级变动").click()
    await v.page.locator("#msg", has_text="晋升").wait_for()
    item = v.page.locator(f"li.trainer[data-trainer='{trainer['id']}']")
    assert "高级讲师" in await item.locator("summary").inner_text()
    await item.locator("summary").click()
    await _loaded(v, f"li.trainer[data-trainer='{trainer['id']}'] .history")
    history = await item.locator(".history").inner_text()
    assert "晋升：讲师 → 高级讲师" in history and "年度考核优秀" in history
    await v.shot("training-regulator-pool")
    await _expect_clean(v)


async def test_regulator_withdraws_a_base_with_its_reason(visit: Visit, live_server: LiveServer) -> None:
    """实训基地: a withdrawal before the accreditation is refused in Chinese and changes nothing;
    a withdrawal with its reason is saved, shown and kept in the change history. The base is not
    accredited, so the demo's 实训基地 counts stay as they are."""
    accredited = _today() - dt.timedelta(days=200)
    name = "撤销测试基地" + secrets.token_hex(2)
    async with Api(live_server, "admin") as admin:
        base = await admin.call(
            "POST",
            "/api/training-bases",
            {"name": name, "district_code": "370105", "accredited_on": accredited.isoformat()},
        )
    v = visit
    await v.login("admin")
    await v.goto("/dashboard/bases?district_code=370105")
    section = v.page.locator(f"section.base[data-base='{base['id']}']")
    await section.get_by_text("修改基地信息 / 撤销认定").click()
    await section.get_by_label("撤销日期（清空即恢复认定）").fill(
        (accredited - dt.timedelta(days=1)).isoformat()
    )
    await section.get_by_label("撤销原因（撤销时必填）").fill("年度复核不合格")
    await section.get_by_role("button", name="保存修改").click()
    await section.locator(".flash", has_text="早于认定日期").wait_for()
    withdrawn = _today() - dt.timedelta(days=20)
    await section.get_by_label("撤销日期（清空即恢复认定）").fill(withdrawn.isoformat())
    await section.get_by_role("button", name="保存修改").click()
    await v.page.locator("#msg", has_text="起撤销认定").wait_for()
    section = v.page.locator(f"section.base[data-base='{base['id']}']")
    text = await section.inner_text()
    assert "已撤销认定" in text and withdrawn.isoformat() in text and "年度复核不合格" in text
    await section.get_by_text("变更记录").click()
    await _loaded(v, f"section.base[data-base='{base['id']}'] .history")
    history = await section.locator(".history").inner_text()
    assert f"撤销日期：（空） → {withdrawn.isoformat()}" in history and "经办：admin" in history
    await v.shot("training-regulator-bases")
    await _expect_clean(v, 422)


async def test_subsidy_designation_roster_xlsx_and_claim(visit: Visit, live_server: LiveServer) -> None:
    """A class of yesterday that trainee1 (employed: the demo's first cohort member) attended in
    full, completed; the regulator flags it, sees trainee1 eligible, downloads the xlsx, records
    the grant."""
    yesterday = _today() - dt.timedelta(days=1)
    async with (
        Api(live_server, "admin") as admin,
        Api(live_server, "base1") as base,
        Api(live_server, "trainee1") as me,
    ):
        base_id = (await base.call("GET", "/api/auth/me"))["training_base_id"]
        person = (await me.call("GET", "/api/auth/me"))["practitioner_id"]
        offering = await _offering(admin, base_id, f"补贴班{secrets.token_hex(2)}", start=yesterday, days=1)
        session = await base.call(
            "POST",
            f"/api/offerings/{offering['id']}/sessions",
            {"day": yesterday.isoformat(), "starts_at": "09:00", "ends_at": "12:00"},
        )
        await me.call("POST", f"/api/offerings/{offering['id']}/enrollments", {})
        scanned = dt.datetime.combine(yesterday, dt.time(8, 55), BEIJING).isoformat()
        report = await base.call(
            "POST",
            f"/api/training-bases/{base_id}/attendance-batches",
            {
                "rows": [
                    {
                        "row_id": f"e2e-tp-{secrets.token_hex(4)}",
                        "session_id": session["id"],
                        "practitioner_id": person,
                        "present": True,
                        "scanned_at": scanned,
                    }
                ]
            },
        )
        assert "recorded" in str(report), report
        done = await base.call("POST", f"/api/offerings/{offering['id']}/complete")
        assert done["completed"] == 1, done
    v = visit
    await v.login("admin")
    await v.goto(f"/dashboard/subsidies?district_code={offering['district_code']}")
    section = v.page.locator(f"#o{offering['id']}")
    await section.get_by_role("button", name="标记为补贴班级").click()
    await v.page.locator("#msg", has_text=f"已标记为补贴班级：{offering['title']}").wait_for()
    section = v.page.locator(f"#o{offering['id']}")
    assert "补贴班级" in await section.locator("h2").inner_text()
    await section.locator("details summary").click()
    await _loaded(v, f"#o{offering['id']} .roster")
    assert "符合条件 1 人" in await section.locator(".roster .summary").inner_text()
    row = section.locator("table.eligible tr[data-enrollment]")
    assert await row.count() == 1
    row_text = await row.inner_text()
    assert f"PX{done['completed_on'][:4]}" in row_text  # the completion certificate number
    assert "*" in row_text  # the page shows the ID number masked (the xlsx has it in full)

    async with v.page.expect_download() as download_info:
        await section.get_by_role("link", name="导出补贴名单（Excel）").click()
    download = await download_info.value
    with open(str(await download.path()), "rb") as f:
        book = openpyxl.load_workbook(io.BytesIO(f.read()))
    cells = [str(c.value) for r in book.active.iter_rows() for c in r if c.value is not None]
    assert any("职业培训补贴申请人员花名册" in c for c in cells), cells
    assert "公民身份号码" in cells and "证书编号" in cells
    assert any(len(c) == 18 and "*" not in c and c[:6].isdigit() for c in cells)  # the full ID number
    await v.shot("training-subsidies")

    await row.get_by_role("checkbox").check()
    await section.get_by_role("button", name="登记所选学员已发放补贴").click()
    await v.page.locator("#msg", has_text="已登记 1 人的补贴发放").wait_for()
    roster = await section.locator(".roster").inner_text()
    assert "符合条件 0 人" in roster and "已发放" in roster
    await v.shot("training-subsidies-claimed")
    await _expect_clean(v)

    async with Api(live_server, "admin") as admin:
        api_roster = await admin.call("GET", f"/api/offerings/{offering['id']}/subsidy-roster")
    assert api_roster["eligible"] == [] and [x["claimed"] for x in api_roster["excluded"]] == [True]


_RECORD_WEBM = """async () => {
  const canvas = document.createElement("canvas");
  canvas.width = 160; canvas.height = 120;
  const ctx = canvas.getContext("2d");
  const recorder = new MediaRecorder(canvas.captureStream(10), { mimeType: "video/webm;codecs=vp8" });
  const chunks = [];
  recorder.ondataavailable = (e) => chunks.push(e.data);
  recorder.start();
  for (let i = 0; i < 20; i++) {
    ctx.fillStyle = i % 2 ? "#1f6f5c" : "#ffffff"; ctx.fillRect(0, 0, 160, 120);
    await new Promise((r) => setTimeout(r, 100));
  }
  const stopped = new Promise((r) => { recorder.onstop = r; });
  recorder.stop();
  await stopped;
  return Array.from(new Uint8Array(await new Blob(chunks).arrayBuffer()));
}"""


async def test_lesson_player_records_heartbeats(phone: Visit, live_server: LiveServer) -> None:
    media = f"e2e-{secrets.token_hex(4)}.webm"
    async with (
        Api(live_server, "admin") as admin,
        Api(live_server, "base1") as base,
        Api(live_server, "trainee1") as me,
    ):
        base_id = (await base.call("GET", "/api/auth/me"))["training_base_id"]
        offering = await _offering(admin, base_id, f"线上课件班{secrets.token_hex(2)}")
        lesson = await admin.call(
            "POST",
            f"/api/courses/{offering['course_id']}/lessons",
            {
                "title": "回应性照护示范（视频）",
                "media": live_server.courseware(media),
                "duration_seconds": 120,
            },
        )
        enrollment = await me.call("POST", f"/api/offerings/{offering['id']}/enrollments", {})
    v = phone
    await v.login("trainee1")
    # a real video file, recorded by this Chromium, in the folder the app serves /courseware from
    data = await v.page.evaluate(_RECORD_WEBM)
    folder = live_server.data_dir / "courseware"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / media).write_bytes(bytes(data))

    await v.goto("/my/lessons")
    await _loaded(v, "#lessons")
    await v.page.get_by_role("link", name=lesson["title"]).click()
    await v.page.wait_for_url(f"**/my/lessons/{lesson['id']}?enrollment={enrollment['id']}")
    await v.page.locator("#percent", has_text="0.0%").wait_for()
    ready = await v.page.evaluate(
        "() => new Promise((ok) => { const el = document.getElementById('video');"
        " if (el.readyState >= 1) ok(el.readyState);"
        " el.addEventListener('loadedmetadata', () => ok(el.readyState));"
        " el.addEventListener('error', () => ok(-1)); })"
    )
    assert ready >= 1  # the browser could read the courseware the app served

    # really play the (two-second) video: the page's own play / pause / ended heartbeats
    await v.page.evaluate(
        "() => { const el = document.getElementById('video'); el.muted = true; return el.play(); }"
    )
    await v.page.evaluate(
        "() => new Promise((ok) => { const el = document.getElementById('video');"
        " if (el.ended) ok(); else el.addEventListener('ended', () => ok()); })"
    )
    played = await v.page.evaluate("() => window.tuoyuPlayer.beat(false).then((r) => r.data)")  # after those
    assert played["watched_seconds"] >= 1 and played["covered_seconds"] == played["watched_seconds"]
    await v.page.locator("#percent", has_text=f"{played['percent']}%").wait_for()

    # the player's heartbeat function with chosen positions: only real time since the last counts
    await asyncio.sleep(3)
    position = played["last_position"] + 3
    second = await v.page.evaluate(f"() => window.tuoyuPlayer.beat(true, {position}).then((r) => r.data)")
    assert 1 <= second["credited"] <= 3
    assert second["watched_seconds"] == played["watched_seconds"] + second["credited"]
    await v.page.locator("#percent", has_text=f"{second['percent']}%").wait_for()

    skipped = await v.page.evaluate("() => window.tuoyuPlayer.beat(true, 100).then((r) => r.status)")
    assert skipped == 409
    assert "不能跳过未观看的内容" in await v.page.locator("#flash").inner_text()
    await v.shot("training-lesson-player")
    await _expect_clean(v, 409)

    async with Api(live_server, "trainee1") as me:
        progress = await me.call("GET", f"/api/enrollments/{enrollment['id']}/progress")
    mine = next(p for p in progress if p["lesson_id"] == lesson["id"])
    assert mine["watched_seconds"] == second["watched_seconds"] > played["watched_seconds"]
    assert mine["covered_seconds"] == second["covered_seconds"]  # the skip changed nothing


async def test_lesson_player_says_when_the_video_cannot_load(phone: Visit, live_server: LiveServer) -> None:
    """A lesson whose file is missing (the courseware answers 404): the player says so in Chinese
    instead of leaving a silent black box."""
    async with (
        Api(live_server, "admin") as admin,
        Api(live_server, "base1") as base,
        Api(live_server, "trainee1") as me,
    ):
        base_id = (await base.call("GET", "/api/auth/me"))["training_base_id"]
        offering = await _offering(admin, base_id, f"缺失课件班{secrets.token_hex(2)}")
        missing = live_server.courseware(f"e2e-missing-{secrets.token_hex(4)}.webm")
        lesson = await admin.call(
            "POST",
            f"/api/courses/{offering['course_id']}/lessons",
            {"title": "缺失的课件", "media": missing, "duration_seconds": 60},
        )
        (live_server.data_dir / "courseware" / missing).unlink()  # removed from the folder since
        enrollment = await me.call("POST", f"/api/offerings/{offering['id']}/enrollments", {})
    v = phone
    await v.login("trainee1")
    message = v.page.locator("#video-error")
    response = await v.goto(f"/my/lessons/{lesson['id']}?enrollment={enrollment['id']}")
    assert response.status == 200
    await message.wait_for(state="visible")
    assert await message.inner_text() == "视频无法播放（文件不存在或网络问题），请稍后重试或联系培训基地"
    assert await message.get_attribute("role") == "alert"
    await v.shot("training-lesson-player-missing-file")
    await _expect_clean(v, 404)  # Chromium's own line for the missing file, nothing else


async def test_trainee_starts_learning_without_knowing_ids(phone: Visit, live_server: LiveServer) -> None:
    """我的培训 links 开始学习 to the class's first lesson; the player opens without an enrollment
    id; a link naming another person's enrollment answers in Chinese and shows nothing of theirs."""
    async with (
        Api(live_server, "admin") as admin,
        Api(live_server, "base1") as base,
        Api(live_server, "trainee1") as me,
    ):
        base_id = (await base.call("GET", "/api/auth/me"))["training_base_id"]
        offering = await _offering(admin, base_id, f"开始学习班{secrets.token_hex(2)}")
        first = await admin.call(
            "POST",
            f"/api/courses/{offering['course_id']}/lessons",
            {
                "title": "第一课：安全照护",
                "media": live_server.courseware(f"e2e-{secrets.token_hex(4)}.webm"),
                "duration_seconds": 60,
            },
        )
        await admin.call(
            "POST",
            f"/api/courses/{offering['course_id']}/lessons",
            {
                "title": "第二课：回应性照护",
                "media": live_server.courseware(f"e2e-{secrets.token_hex(4)}.webm"),
                "duration_seconds": 60,
            },
        )
        mine = await me.call("POST", f"/api/offerings/{offering['id']}/enrollments", {})
        other_person = await admin.call(
            "POST", "/api/practitioners", {"id_number": _id_number(), "name": "邻座学员"}
        )
        other = await admin.call(
            "POST", f"/api/offerings/{offering['id']}/enrollments", {"practitioner_id": other_person["id"]}
        )
    v = phone
    await v.login("trainee1")
    await v.goto("/my")
    item = v.page.locator(f"li[data-enrollment='{mine['id']}']")
    start = item.get_by_role("link", name="开始学习")
    await start.wait_for()
    assert "下一节：第一课：安全照护" in await item.inner_text()
    await v.shot("trainee-start-learning-phone")
    await start.click()
    await v.page.wait_for_url(f"**/my/lessons/{first['id']}?enrollment={mine['id']}")
    assert await v.page.locator("h1").inner_text() == "第一课：安全照护"

    await v.goto(f"/my/lessons/{first['id']}")  # no id: the trainee's own enrollment is found
    assert await v.page.locator("[data-page=player]").get_attribute("data-enrollment") == str(mine["id"])

    response = await v.goto(f"/my/lessons/{first['id']}?enrollment={other['id']}")
    assert response.status == 404
    assert "没有找到你报名的、包含此课件的班级" in await v.page.locator("#player-missing").inner_text()
    assert "邻座学员" not in await v.page.content() and await v.page.locator("video").count() == 0
    assert await v.page.evaluate("document.documentElement.scrollWidth") <= 390
    await v.shot("trainee-player-missing-phone")
    await _expect_clean(v, 404)


async def test_the_demo_trainee_plays_the_demo_lessons(phone: Visit) -> None:
    """``tuoyu serve --demo`` enrolls trainee1 in an online class (service/demo_online.py):
    我的培训 shows 开始学习 and the player plays the lesson's video from ``/courseware``."""
    v = phone
    await v.login("trainee1")
    await v.goto("/my")
    item = v.page.locator("#enrollments li", has_text="婴幼儿回应性照护线上专题")
    start = item.get_by_role("link", name="开始学习")
    await start.wait_for()
    assert "在线课程 2 节 · 下一节：第1节 婴幼儿回应性照护" in await item.inner_text()
    await start.click()
    await v.page.wait_for_url("**/my/lessons/*")
    assert await v.page.locator("h1").inner_text() == "第1节 婴幼儿回应性照护"
    duration = await v.page.locator("video").evaluate(
        "v => new Promise(done => v.readyState >= 1 ? done(v.duration)"
        " : v.addEventListener('loadedmetadata', () => done(v.duration), { once: true }))"
    )
    assert round(duration) == 40  # the WebM file was served and decoded
    await v.shot("trainee-demo-lesson-phone")
    await _expect_clean(v)


async def test_staff_pages_fit_a_phone(phone: Visit) -> None:
    """At 390 px nothing but the tables' own scroll boxes is wider than the screen."""
    v = phone
    await v.login("base1")
    await v.goto("/base/trainers")
    assert await v.page.evaluate("() => document.documentElement.scrollWidth") <= 390
    await v.shot("training-base-trainers-phone")
    await _expect_clean(v)
    await v.page.context.clear_cookies()
    await v.login("admin")
    for path, name in (
        ("/dashboard/trainers", "pool"),
        ("/dashboard/subsidies", "subsidies"),
        ("/dashboard/bases", "bases"),
    ):
        await v.goto(path)
        assert await v.page.evaluate("() => document.documentElement.scrollWidth") <= 390, path
        await v.shot(f"training-{name}-phone")
        await _expect_clean(v)
