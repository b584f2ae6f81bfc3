"""The exam pages in Chromium: a trainee takes an online theory exam on a phone (start, answers
saved as chosen, a reload mid-exam keeps them and the server's countdown, hand in, result), an
attempt past its deadline is closed, the attempt limit shows; an examiner marks practical items
on a desktop and sees the third-marking flag when two markings differ beyond the tolerance.

Each test makes its own sitting through the API (the live server is shared with other browser
tests). The live server runs on the wall clock, so a deadline is moved by editing that attempt's
row in the server's database (the test's own attempt only) instead of waiting half an hour.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import AsyncIterator
from urllib.parse import quote

import asyncpg
import httpx
import pytest

from service.demo_exams import DEMO_SITTING_TITLE
from tests.e2e.conftest import DEMO_PASSWORD, LiveServer, Visit
from tests.servers import PG_ADMIN_URL, TEST_DB

PROGRAMME = "4-10-01-03-L5"  # the demo's online exam programme (service/demo_exams.py)
PAPER_KEYS = {"position", "kind", "kind_name", "stem", "options", "points", "chosen"}


async def client(live: LiveServer, username: str, password: str = DEMO_PASSWORD) -> httpx.AsyncClient:
    c = httpx.AsyncClient(base_url=live.url, timeout=30)
    r = await c.post("/api/auth/login", json={"username": username, "password": password})
    assert r.status_code in (200, 201), r.text
    c.headers["Authorization"] = f"Bearer {r.json()['token']}"
    return c


@pytest.fixture
async def staff(live_server: LiveServer) -> AsyncIterator[dict[str, httpx.AsyncClient]]:
    clients = {u: await client(live_server, u) for u in ("admin", "base1", "trainee1", "examiner1")}
    yield clients
    for c in clients.values():
        await c.aclose()


async def new_sitting(base: httpx.AsyncClient, title: str) -> int:
    base_id = (await base.get("/api/auth/me")).json()["training_base_id"]
    today = dt.datetime.now(dt.timezone(dt.timedelta(hours=8))).date()  # the service's local date
    r = await base.post(
        "/api/sittings",
        json={
            "programme_code": PROGRAMME,
            "training_base_id": base_id,
            "exam_date": today.isoformat(),
            "title": f"{title} {uuid.uuid4().hex[:6]}",
        },
    )
    assert r.status_code == 201, r.text
    return int(r.json()["id"])


async def register(base: httpx.AsyncClient, sitting_id: int, practitioner_id: int) -> bool:
    r = await base.post(f"/api/sittings/{sitting_id}/candidates", json={"practitioner_id": practitioner_id})
    return r.status_code in (200, 201)


async def trainee_sitting(staff: dict[str, httpx.AsyncClient], title: str) -> int:
    sitting_id = await new_sitting(staff["base1"], title)
    me = (await staff["trainee1"].get("/api/auth/me")).json()
    assert await register(staff["base1"], sitting_id, me["practitioner_id"])
    return sitting_id


async def set_deadline(attempt_id: int, sql_expression: str) -> None:
    """Move one attempt's deadline in the live server's database (``now()`` there = its clock)."""
    conn = await asyncpg.connect(PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{TEST_DB}_e2e")
    try:
        await conn.execute(
            f"UPDATE ce_exam_attempt SET started_at = {sql_expression} - interval '30 minutes', "
            f"deadline = {sql_expression} WHERE id = $1",
            attempt_id,
        )
    finally:
        await conn.close()


async def login(v: Visit, username: str, next_path: str, *, home: bool = False) -> None:
    """Log in through the login page and land on ``next_path``. (``Visit.login`` waits with
    ``wait_for_function``, which the pages' CSP — no eval — refuses.) ``home``: no ``?next=``,
    ``next_path`` is the role's home the login page sends the user to."""
    await v.goto("/login" if home else "/login?next=" + quote(next_path))
    await v.page.fill("#username", username)
    await v.page.fill("#password", DEMO_PASSWORD)
    await v.page.click("button[type=submit]")
    await v.page.wait_for_url(f"**{next_path}")
    await v.page.wait_for_load_state("networkidle")


def seconds(clock: str) -> int:
    parts = [int(p) for p in clock.split(":")]
    return sum(p * 60**i for i, p in enumerate(reversed(parts)))


async def test_trainee_takes_an_exam_on_a_phone(
    phone: Visit, live_server: LiveServer, staff: dict[str, httpx.AsyncClient]
) -> None:
    page = phone.page
    sitting_id = await trainee_sitting(staff, "e2e 在线理论考试")
    await login(phone, "trainee1", "/my/exams")
    card = page.locator(f"article[data-sitting='{sitting_id}']")
    assert "已用 0 / 共 2 次" in await card.inner_text()
    await phone.shot("exams-trainee-list-phone")
    assert await phone.serious_a11y_violations() == []
    await card.get_by_role("link", name="进入在线理论考试").click()
    await page.wait_for_url(f"**/my/exams/{sitting_id}")
    await page.wait_for_selector("#start")
    await phone.shot("exams-trainee-sitting-phone")
    assert await phone.serious_a11y_violations() == []
    async with page.expect_response(lambda r: re.search(r"/api/attempts/\d+$", r.url) is not None) as got:
        await page.click("#start")
    paper = await (await got.value).json()
    attempt_id = paper["id"]
    await page.wait_for_url(f"**/my/exams/attempts/{attempt_id}")
    # what the browser receives has no answers: exactly the candidate's fields
    assert paper["status"] == "open" and paper["question_count"] == len(paper["questions"]) == 10
    for q in paper["questions"]:
        assert set(q) == PAPER_KEYS and all(set(o) == {"label", "text"} for o in q["options"])
    await page.wait_for_selector("fieldset.question")
    assert await page.locator("fieldset.question").count() == 10

    # answer every question; each shows 已保存 once the server has it
    chosen: dict[int, str] = {}
    for q in paper["questions"]:
        fs = page.locator(f"#q{q['position']}")
        picks = q["options"][:2] if q["kind"] == "multiple" else q["options"][:1]
        for o in picks:
            await fs.locator(f"input[value='{o['label']}']").check()
        chosen[q["position"]] = "".join(o["label"] for o in picks)
        await fs.locator(".saved", has_text="已保存").wait_for()
    await page.locator("#progress", has_text="已答 10 / 10 题").wait_for()
    await phone.shot("exams-trainee-question-phone")
    assert await phone.serious_a11y_violations() == []
    before = seconds(await page.inner_text("#countdown"))
    saved = (await staff["trainee1"].get(f"/api/attempts/{attempt_id}")).json()
    assert {q["position"]: q["chosen"] for q in saved["questions"]} == chosen

    # reload mid-exam, on a phone whose clock is two hours fast: the answers are kept and the
    # countdown carries on from the server's deadline, not the phone's clock
    await page.clock.set_system_time(dt.datetime.now(dt.UTC) + dt.timedelta(hours=2))
    await page.reload()
    await page.wait_for_selector("fieldset.question")
    for position, letters in chosen.items():
        checked = page.locator(f"#q{position} input:checked")
        assert [await checked.nth(i).get_attribute("value") for i in range(await checked.count())] == list(
            letters
        )
    after = seconds(await page.inner_text("#countdown"))
    assert 0 < after <= before <= 30 * 60

    # offline, a choice is not saved and the page says so; back online, choosing saves again
    q = next(q for q in paper["questions"] if q["kind"] != "multiple")
    fs = page.locator(f"#q{q['position']}")
    await page.context.set_offline(True)
    await fs.locator(f"input[value='{q['options'][1]['label']}']").check()
    await fs.locator(".saved", has_text="网络中断，本题未保存").wait_for()
    await page.context.set_offline(False)
    await fs.locator(f"input[value='{q['options'][0]['label']}']").check()
    await fs.locator(".saved", has_text="已保存").wait_for()
    offline = [e for e in phone.errors if "ERR_INTERNET_DISCONNECTED" in e]
    phone.errors[:] = [e for e in phone.errors if e not in offline]

    # hand in with confirmation, then the result
    await page.click("#submit")
    await page.wait_for_selector("#confirm-submit[open]")
    assert "全部题目已作答" in await page.inner_text("#confirm-text")
    await phone.shot("exams-trainee-confirm-phone")
    await page.click("#confirm-yes")
    await page.wait_for_selector("#result")
    result = (await staff["trainee1"].get(f"/api/attempts/{attempt_id}")).json()
    assert result["status"] == "submitted" and result["score"] is not None
    assert {q["position"]: q["chosen"] for q in result["questions"]} == chosen
    assert await page.inner_text("#score") == result["score"]
    assert ("不合格" if not result["passed"] else "合格") in await page.inner_text("#result")
    await phone.shot("exams-trainee-result-phone")
    assert await phone.serious_a11y_violations() == []
    assert phone.foreign_hosts() == set() and phone.errors == []


async def test_a_late_attempt_is_closed_and_the_limit_shows(
    phone: Visit, live_server: LiveServer, staff: dict[str, httpx.AsyncClient]
) -> None:
    page = phone.page
    trainee = staff["trainee1"]
    sitting_id = await trainee_sitting(staff, "e2e 超时收卷")
    first = await trainee.post(f"/api/sittings/{sitting_id}/attempts")
    assert first.status_code == 201, first.text
    attempt_id = first.json()["id"]
    assert (
        await trainee.put(
            f"/api/attempts/{attempt_id}/answers", json={"answers": [{"position": 1, "choice": "A"}]}
        )
    ).status_code == 200
    await set_deadline(attempt_id, "now() - interval '10 minutes'")  # past the deadline and the grace

    # opening the page finds it overdue: closed at the deadline with what was saved
    await login(phone, "trainee1", f"/my/exams/attempts/{attempt_id}")
    await page.wait_for_selector("#result")
    text = await page.inner_text("#result")
    assert "超时收卷" in text and "已按截止时间收卷" in text and "1 / 10 题" in text
    closed = (await trainee.get(f"/api/attempts/{attempt_id}")).json()
    assert closed["status"] == "expired" and closed["closed_at"] == closed["deadline"]
    await phone.shot("exams-trainee-expired-phone")

    # the second (last) attempt: at the server's deadline the page hands the paper in itself
    await phone.goto(f"/my/exams/{sitting_id}")
    async with page.expect_response(lambda r: re.search(r"/api/attempts/\d+$", r.url) is not None) as got:
        await page.click("#start")
    second = (await (await got.value).json())["id"]
    await page.wait_for_selector("fieldset.question")
    await set_deadline(second, "now() + interval '3 seconds'")
    await page.reload()
    await page.wait_for_selector("#result", timeout=20000)
    text = await page.inner_text("#result")
    assert "系统已自动交卷" in text and "考试次数已用完" in text
    assert (await trainee.get(f"/api/attempts/{second}")).json()["status"] == "submitted"
    await phone.shot("exams-trainee-used-up-phone")
    assert await phone.serious_a11y_violations() == []

    # no start button any more, on the sitting page and in the list
    await phone.goto(f"/my/exams/{sitting_id}")
    await page.locator("#msg", has_text="考试次数已用完").wait_for()
    assert await page.locator("#start").count() == 0
    await phone.goto("/my/exams")
    card = page.locator(f"article[data-sitting='{sitting_id}']")
    await card.locator(".used-up").wait_for()
    assert "已用 2 / 共 2 次" in await card.inner_text()
    assert await card.get_by_role("link").count() == 0
    assert phone.foreign_hosts() == set() and phone.errors == []


async def _two_candidates(base: httpx.AsyncClient, sitting_id: int) -> list[int]:
    """Register two people of the demo workforce (the first two the rules admit)."""
    got: list[int] = []
    for pid in range(4990, 4600, -1):
        if await register(base, sitting_id, pid):
            got.append(pid)
        if len(got) == 2:
            return got
    raise AssertionError("no eligible candidates in the demo workforce")


async def test_examiner_marks_practical_items(
    visit: Visit, live_server: LiveServer, staff: dict[str, httpx.AsyncClient]
) -> None:
    page = visit.page
    base, admin = staff["base1"], staff["admin"]
    sitting_id = await new_sitting(base, "e2e 实操双评")
    a, b = await _two_candidates(base, sitting_id)
    second_name = f"e2e-examiner-{uuid.uuid4().hex[:6]}"
    created = await admin.post(
        "/api/auth/accounts", json={"username": second_name, "password": DEMO_PASSWORD, "role": "examiner"}
    )
    assert created.status_code == 201, created.text
    me = (await staff["examiner1"].get("/api/auth/me")).json()
    for examiner_id in (me["id"], created.json()["id"]):
        r = await base.post(f"/api/sittings/{sitting_id}/examiners", json={"examiner_id": examiner_id})
        assert r.status_code == 201, r.text
    other = await client(live_server, second_name)
    marked = await other.put(
        f"/api/sittings/{sitting_id}/practical/{a}", json={"items": {"care": 35, "safety": 25, "record": 25}}
    )
    assert marked.status_code == 200 and marked.json()["status"] == "awaiting_second", marked.text

    await login(visit, "examiner1", "/examiner", home=True)  # the examiner's home after login
    row = page.locator(f"#sittings tr[data-sitting='{sitting_id}']")
    await row.wait_for()
    assert "2 人" in await row.locator(".todo").inner_text()
    assert DEMO_SITTING_TITLE in await page.inner_text("#sittings")  # the demo's sitting too
    await visit.shot("exams-examiner-home")
    assert await visit.serious_a11y_violations() == []
    await row.get_by_role("link", name="评分").click()
    await page.wait_for_url(f"**/examiner/sittings/{sitting_id}")
    cand_a = page.locator(f"#candidates tr[data-practitioner='{a}']")
    cand_b = page.locator(f"#candidates tr[data-practitioner='{b}']")
    await cand_a.wait_for()
    assert "待二评" in await cand_a.inner_text() and "待一评" in await cand_b.inner_text()
    assert await cand_a.locator("td").nth(1).inner_text() == "—"  # blind: not the other examiner's marks

    # validation: beyond the item's maximum, not a number; nothing is sent
    await cand_b.get_by_role("button", name="评分").click()
    await page.fill("#item-care", "45")
    await page.fill("#item-safety", "abc")
    await page.click("#marking-save")
    assert "不能超过满分 40 分" in await page.inner_text("#item-care-err")
    assert "须为数字" in await page.inner_text("#item-safety-err")
    assert "请先更正" in await page.inner_text("#marking-msg")
    assert await page.get_attribute("#item-care", "aria-invalid") == "true"
    await visit.shot("exams-examiner-validation")
    assert await visit.serious_a11y_violations() == []
    await page.fill("#item-care", "30")
    await page.fill("#item-safety", "２０")  # full-width digits typed on a Chinese keyboard
    await page.fill("#item-record", "20.5")
    assert await page.inner_text("#marking-total") == "70.5"
    await page.click("#marking-save")
    await page.locator("#msg", has_text=f"考生 {b}：已保存").wait_for()
    assert "待二评" in await cand_b.inner_text() and "70.5 分" in await cand_b.inner_text()

    # the second marking of A differs by 35 points (tolerance 10): a third marking is needed
    await cand_a.get_by_role("button", name="评分").click()
    await page.fill("#item-care", "20")
    await page.fill("#item-safety", "15")
    await page.fill("#item-record", "15")
    await page.click("#marking-save")
    await page.locator("#msg", has_text="须第三位考评员评分").wait_for()
    assert await cand_a.get_attribute("data-status") == "needs_third"
    assert "需第三评" in await cand_a.inner_text() and "超过允许误差 10 分" in await cand_a.inner_text()
    await visit.shot("exams-examiner-third-marking")

    # B's second marking within the tolerance: the final score is the mean (70.5 and 72 → 71.3)
    r = await other.put(
        f"/api/sittings/{sitting_id}/practical/{b}", json={"items": {"care": 32, "safety": 20, "record": 20}}
    )
    assert r.json()["status"] == "final" and r.json()["score"] == "71.3", r.text
    await page.reload()
    await cand_b.wait_for()
    assert "已定分" in await cand_b.inner_text() and "71.3 分" in await cand_b.inner_text()
    assert await cand_b.get_by_role("button").count() == 1  # may still correct their own marking
    await visit.shot("exams-examiner-final")
    assert await visit.serious_a11y_violations() == []
    assert visit.foreign_hosts() == set() and visit.errors == []
    await other.aclose()


async def test_pages_refuse_other_roles_and_records(
    visit: Visit, staff: dict[str, httpx.AsyncClient], live_server: LiveServer
) -> None:
    """A trainee cannot open the examiner's pages; an examiner cannot open a sitting that is
    not theirs (Chinese error page, 403)."""
    sitting_id = await new_sitting(staff["base1"], "e2e 未分配")
    await login(visit, "examiner1", "/examiner")
    response = await visit.goto(f"/examiner/sittings/{sitting_id}")
    assert response.status == 403
    assert "只能处理分配给本人的考试场次" in await visit.page.inner_text("main")
    response = await visit.goto("/my/exams")
    assert response.status == 403


async def test_trainee_sees_the_demo_exam_on_a_desktop(visit: Visit) -> None:
    """``tuoyu serve --demo`` leaves trainee1 an online theory exam to take (read only here)."""
    await login(visit, "trainee1", "/my/exams")
    card = visit.page.locator("article.exam-card", has_text=DEMO_SITTING_TITLE)
    await card.wait_for()
    assert await card.get_by_role("link").count() == 1  # enter (or resume) the exam
    await visit.shot("exams-trainee-list-desktop")
    assert await visit.serious_a11y_violations() == []
    assert visit.foreign_hosts() == set() and visit.errors == []


async def _fits_the_width(v: Visit, table: str, width: int = 390) -> None:
    """No sideways scrolling: neither the page nor the table's scroll box is wider than the
    screen, and every 评分 control lies inside it."""
    page = v.page
    assert await page.evaluate("document.documentElement.scrollWidth") <= width
    box = await page.eval_on_selector(
        table, "t => [t.parentElement.scrollWidth, t.parentElement.clientWidth]"
    )
    assert box[0] <= box[1], f"{table} scrolls sideways: {box}"
    controls = page.locator(f"{table} a.button, {table} button")
    for i in range(await controls.count()):
        edge = await controls.nth(i).bounding_box()
        assert edge is not None and edge["x"] >= 0 and edge["x"] + edge["width"] <= width, edge


async def test_examiner_marks_on_a_phone_without_scrolling_sideways(
    phone: Visit, staff: dict[str, httpx.AsyncClient]
) -> None:
    """At 390×844 the examiner's sittings and candidates are cards (label: value) with the 评分
    control in full width: the marking works without any sideways scrolling."""
    page = phone.page
    base = staff["base1"]
    sitting_id = await new_sitting(base, "e2e 手机评分")
    a, _ = await _two_candidates(base, sitting_id)
    me = (await staff["examiner1"].get("/api/auth/me")).json()
    r = await base.post(f"/api/sittings/{sitting_id}/examiners", json={"examiner_id": me["id"]})
    assert r.status_code == 201, r.text

    await login(phone, "examiner1", "/examiner", home=True)
    row = page.locator(f"#sittings tr[data-sitting='{sitting_id}']")
    await row.wait_for()
    await _fits_the_width(phone, "#sittings")
    await phone.shot("exams-examiner-home-phone")
    assert await phone.serious_a11y_violations() == []
    await row.get_by_role("link", name="评分").click()
    await page.wait_for_url(f"**/examiner/sittings/{sitting_id}")
    cand = page.locator(f"#candidates tr[data-practitioner='{a}']")
    await cand.wait_for()
    await _fits_the_width(phone, "#candidates")
    await phone.shot("exams-examiner-sitting-phone")
    await cand.get_by_role("button", name="评分").click()
    for code, points in (("care", "30"), ("safety", "20"), ("record", "20")):
        await page.fill(f"#item-{code}", points)
    await page.click("#marking-save")
    await page.locator("#msg", has_text=f"考生 {a}：已保存").wait_for()
    assert "70.0 分" in await cand.inner_text()
    await _fits_the_width(phone, "#candidates")
    await phone.shot("exams-examiner-marked-phone")
    assert await phone.serious_a11y_violations() == []
    assert phone.errors == [] and phone.foreign_hosts() == set()
