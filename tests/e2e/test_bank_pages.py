"""The city admin's question-bank pages (题库与组卷) in Chromium: a bad .xlsx refused whole with
its rows' reasons (nothing imported), a good one imported, the bank downloaded, a blueprint with
a wrong total refused then a right one saved, a shortfall in words once questions are retired,
the questions with their answers filtered by difficulty; the phone layout; another role refused.

The tests write only programme ``4-10-01-02-L5`` (育婴员 五级), whose bank the demo leaves empty,
so the exam pages' programme (``4-10-01-03-L5``) keeps its bank and blueprint."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from openpyxl import Workbook, load_workbook

from certification.question_xlsx import HEADERS
from tests.e2e.conftest import DEMO_PASSWORD, Visit

PROGRAMME = "4-10-01-02-L5"
DEMO_EXAM_PROGRAMME = "4-10-01-03-L5"

# 题号, 题型, 知识领域, 难度, 题干, options, 答案, 状态
GOOD: list[tuple[str, str, str, str, str, list[str], str, str]] = [
    (
        "YY-E2E-01",
        "单选",
        "婴幼儿保育",
        "易",
        "婴儿每日睡眠时间约为？",
        ["14–17 小时", "8 小时", "6 小时"],
        "A",
        "启用",
    ),
    (
        "YY-E2E-02",
        "单选",
        "婴幼儿保育",
        "易",
        "奶瓶消毒常用的方法是？",
        ["煮沸", "冷水冲洗", "晾干"],
        "A",
        "启用",
    ),
    ("YY-E2E-03", "判断", "婴幼儿保育", "易", "婴儿可以喝蜂蜜水。", [], "错", "启用"),
    (
        "YY-E2E-04",
        "多选",
        "婴幼儿保育",
        "难",
        "预防婴儿窒息的做法有？",
        ["仰卧睡", "床上不放软物", "俯卧睡"],
        "AB",
        "启用",
    ),
    (
        "YY-E2E-05",
        "判断",
        "婴幼儿保育",
        "难",
        "婴儿发热 38.5 ℃ 以上应及时就医或遵医嘱用药。",
        [],
        "对",
        "启用",
    ),
    (
        "YY-E2E-06",
        "单选",
        "安全与急救",
        "中",
        "婴儿气道异物梗阻时应采用？",
        ["背部叩击与胸部按压", "催吐", "拍头"],
        "A",
        "启用",
    ),
]


def bank_file(path: Path, rows: list[tuple[str, str, str, str, str, list[str], str, str]]) -> Path:
    """A question-bank spreadsheet in the import format (openpyxl)."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(HEADERS)
    for code, kind, domain, level, stem, options, answer, status in rows:
        sheet.append(
            [code, kind, domain, level, stem, *(options + [""] * (8 - len(options))), answer, "", status]
        )
    book.save(path)
    return path


async def login(visit: Visit, username: str, home: str) -> None:
    """Log in through the login page and wait for the role's home (``Visit.login`` waits with a
    string predicate, which the pages' CSP refuses as eval)."""
    await visit.goto("/login")
    await visit.page.fill("#username", username)
    await visit.page.fill("#password", DEMO_PASSWORD)
    await visit.page.click("button[type=submit]")
    await visit.page.wait_for_url(f"**{home}")


async def upload(visit: Visit, file: Path) -> None:
    page = visit.page
    await page.set_input_files("#bank-file", str(file))
    await page.click("#bank-upload button[type=submit]")
    await page.wait_for_selector("#bank-flash.ok, #bank-flash.error", timeout=30_000)


async def no_overflow(visit: Visit) -> None:
    width = await visit.page.evaluate("document.documentElement.scrollWidth")
    viewport = await visit.page.evaluate("window.innerWidth")
    assert width <= viewport, f"page is {width}px wide in a {viewport}px window"


async def set_blueprint_rows(page: Any, rows: list[tuple[str, str, str, str]]) -> None:
    """Replace the editor's rows with ``(domain, difficulty value, count, points)``."""
    while await page.locator("#bp-rows .bp-row").count():
        await page.locator("#bp-rows .bp-row .bp-remove").first.click()
    for domain, difficulty, count, points in rows:
        await page.click("#bp-add")
        row = page.locator("#bp-rows .bp-row").last
        await row.locator("[name=domain]").fill(domain)
        await row.locator("[name=difficulty]").select_option(difficulty)
        await row.locator("[name=question_count]").fill(count)
        await row.locator("[name=points]").fill(points)


async def test_city_admin_manages_a_bank_and_its_blueprint(visit: Visit, tmp_path: Path) -> None:
    page = visit.page
    await login(visit, "admin", "/dashboard")
    await page.click("header a[href='/dashboard/bank']")
    await page.wait_for_url("**/dashboard/bank")
    demo = page.locator(f"#programme-{DEMO_EXAM_PROGRAMME}")
    assert "可组卷" in await demo.locator(".verdict").inner_text()
    assert "生活照料" in await demo.locator("table.matrix").inner_text()
    assert "未设置蓝图" in await page.locator(f"#row-{PROGRAMME} .verdict-cell").inner_text()
    assert await page.locator(f"#programme-{PROGRAMME}").count() == 0  # no bank, no blueprint: no card
    await visit.shot("bank-index-desktop")
    assert await visit.serious_a11y_violations() == []

    await page.click(f"#row-{PROGRAMME} a")
    await page.wait_for_url(f"**/dashboard/bank/{PROGRAMME}")
    assert "暂无试题" in await page.locator("main").inner_text()

    # a bad file: one good row, two bad ones → refused whole, each bad row's reasons in Chinese
    bad = [
        GOOD[0],
        ("YY-E2E-07", "单选", "婴幼儿保育", "很难", "题干", ["甲", "乙"], "A", "启用"),
        ("YY-E2E-08", "多选", "婴幼儿保育", "易", "题干", ["甲", "乙", "丙"], "A", "启用"),
    ]
    await upload(visit, bank_file(tmp_path / "坏题库.xlsx", bad))
    assert "2 行错误，未导入任何试题" in await page.locator("#bank-flash.error").inner_text()
    errors = page.locator("#bank-errors tbody tr")
    assert await errors.count() == 2
    assert "第 3 行" in await errors.nth(0).inner_text() and "难度" in await errors.nth(0).inner_text()
    assert "第 4 行" in await errors.nth(1).inner_text()
    assert "多选题至少有 2 个正确选项" in await errors.nth(1).inner_text()
    await visit.shot("bank-upload-refused")
    await page.reload()
    assert "暂无试题" in await page.locator("main").inner_text()  # nothing was imported

    # a good file: imported; the matrix counts it by domain and difficulty
    await upload(visit, bank_file(tmp_path / "题库.xlsx", GOOD))
    assert "新增 6 题" in await page.locator("#bank-flash.ok").inner_text()
    assert await page.locator("#active-count").inner_text() == "6"
    care = await page.locator("#bank-matrix tbody tr", has_text="婴幼儿保育").inner_text()
    assert care.split()[1:] == ["3", "0", "2", "5"]  # 易 中 难 合计

    # the download is the bank in the import format
    async with page.expect_download() as info:
        await page.click("#bank-download")
    download = await info.value
    book = load_workbook(io.BytesIO(Path(await download.path()).read_bytes()))
    sheet = book.worksheets[0]
    assert [c.value for c in sheet[1]][:3] == ["题号", "题型", "知识领域"]
    assert sorted(r[0] for r in sheet.iter_rows(min_row=2, values_only=True)) == [q[0] for q in GOOD]

    # a blueprint of 90 points is refused with the API's reason; nothing saved
    await set_blueprint_rows(page, [("婴幼儿保育", "1", "3", "20"), ("婴幼儿保育", "3", "2", "15")])
    assert "90 分（须恰好为 100 分）" in await page.locator("#bp-total").inner_text()
    await page.click("#bp-form button[type=submit]")
    await page.wait_for_selector("#bp-flash.error")
    assert "蓝图总分为 90 分，须恰好为 100 分" in await page.locator("#bp-problems").inner_text()
    await visit.shot("bank-blueprint-refused")
    await page.reload()
    assert await page.locator("#bp-current").count() == 0

    # 100 points: saved, and the bank fills it
    await set_blueprint_rows(
        page,
        [("婴幼儿保育", "1", "3", "20"), ("婴幼儿保育", "3", "2", "15"), ("安全与急救", "2", "1", "10")],
    )
    assert "合计 6 题，100 分" in await page.locator("#bp-total").inner_text()
    await page.click("#bp-form button[type=submit]")
    await page.wait_for_selector("#bp-flash.ok")
    assert "组卷蓝图已保存：共 6 题，100.0 分" in await page.locator("#bp-flash").inner_text()
    assert "可组卷" in await page.locator("#bp-state").inner_text()
    assert await page.locator("#bp-current tbody tr").count() == 3

    # retiring a 难 question leaves the blueprint short: said in words
    retire = [(*GOOD[4][:7], "停用")]
    await upload(visit, bank_file(tmp_path / "停用.xlsx", retire))
    assert "更新 1 题" in await page.locator("#bank-flash.ok").inner_text()
    assert "「婴幼儿保育·难」缺 1 题" in await page.locator("#bp-state").inner_text()
    await visit.shot("bank-programme-desktop")
    await visit.goto("/dashboard/bank")
    row = await page.locator(f"#row-{PROGRAMME}").inner_text()
    assert "题量不足" in row and "「婴幼儿保育·难」缺 1 题" in row
    assert row.split()[2:7] == ["5", "3", "1", "1", "1"]  # 启用, 易 中 难, 停用
    assert "「婴幼儿保育·难」缺 1 题" in await page.locator(f"#programme-{PROGRAMME} .verdict").inner_text()
    await visit.shot("bank-index-shortfall")
    await visit.goto(f"/dashboard/bank/{PROGRAMME}")

    # the questions with their answers, filtered by difficulty
    await page.select_option("#q-filter [name=difficulty]", "3")
    await page.click("#q-filter button[type=submit]")
    await page.wait_for_url("**difficulty=3**")
    items = page.locator("#questions li.question")
    assert await items.count() == 2
    assert "共 2 题" in await page.locator("#q-count").inner_text()
    first = await items.nth(0).inner_text()
    assert "YY-E2E-04" in first and "答案：AB" in first and "正确答案" in first
    assert "停用" in await items.nth(1).inner_text()
    assert await visit.serious_a11y_violations() == []
    # the browser logs the two refusals (the bad file, the 90-point blueprint), and nothing else
    refused = [e for e in visit.errors if "status of 422" in e]
    assert len(refused) == 2 and len(visit.errors) == 2, visit.errors
    assert visit.foreign_hosts() == set()


async def test_bank_pages_on_a_phone(phone: Visit) -> None:
    page = phone.page
    await login(phone, "admin", "/dashboard")
    await phone.goto("/dashboard/bank")
    await no_overflow(phone)
    await phone.shot("bank-index-phone")
    await phone.goto(f"/dashboard/bank/{DEMO_EXAM_PROGRAMME}")
    assert await page.locator("#bp-rows .bp-row").count() >= 1
    assert "合计" in await page.locator("#bp-total").inner_text()
    assert await page.locator("#questions li.question").count() >= 1
    await no_overflow(phone)
    await phone.shot("bank-programme-phone")
    assert await phone.serious_a11y_violations() == []
    assert phone.errors == [], phone.errors


async def test_other_roles_are_refused_the_bank_pages(visit: Visit) -> None:
    await login(visit, "base1", "/base")
    response = await visit.goto("/dashboard/bank")
    assert response.status == 403
    assert await visit.page.title() == "出错了"
    assert "无法完成请求" in await visit.page.locator("main").inner_text()
    # 返回 goes back to the page that led here (a javascript: link would be blocked by the CSP)
    await visit.page.click("text=返回")
    await visit.page.wait_for_url(lambda url: url.endswith("/base"))
    await visit.goto("/dashboard/bank")
    response = await visit.goto(f"/dashboard/bank/{DEMO_EXAM_PROGRAMME}")
    assert response.status == 403
    assert "正确答案" not in await visit.page.locator("main").inner_text()
    api = await visit.page.request.get(f"{visit.base}/api/programmes/{DEMO_EXAM_PROGRAMME}/questions")
    assert api.status == 403
