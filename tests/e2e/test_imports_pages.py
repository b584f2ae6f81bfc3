"""The regulator's import page in Chromium: a messy GBK spreadsheet from an institution checked
as a dry run (progress, report, every rejected row with its reason), then imported; desktop and
phone."""

from __future__ import annotations

from pathlib import Path

from tests.e2e.conftest import DEMO_PASSWORD, Visit
from tests.factories import make_id


def messy_gbk_csv(path: Path) -> Path:
    """What an institution sends: GBK without BOM, header aliases, stray and full-width spaces,
    an ID with lower-case x and full-width digits, a garbled name, a bad check digit."""
    ids = [make_id(n, address="370112", birth="19620202") for n in range(1, 5)]
    bad = ids[3][:17] + ("0" if ids[3][17] != "0" else "1")
    full_width = ids[1].translate(str.maketrans("0123456789X", "０１２３４５６７８９ｘ"))
    lines = [
        "证件号码 , 名字 ,联系电话,备注",
        f" {ids[0].lower()} ,  刘　晓 ,13800000000,",
        f"{full_width},欧阳娜娜,,",
        f"{ids[2]},{'张三'.encode().decode('gbk')},,转入",
        f"{bad},王五,,",
    ]
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("gbk"))
    return path


async def login_admin(visit: Visit) -> None:
    """The demo city admin logs in (``Visit.login`` waits with a string predicate, which the
    pages' CSP refuses as eval: waiting for the URL instead)."""
    await visit.goto("/login")
    await visit.page.fill("#username", "admin")
    await visit.page.fill("#password", DEMO_PASSWORD)
    await visit.page.click("button[type=submit]")
    await visit.page.wait_for_url("**/dashboard")


async def _run(visit: Visit, file: Path, *, dry_run: bool) -> None:
    page = visit.page
    await page.select_option("#kind", "practitioners")
    await page.set_input_files("#file", str(file))
    if not dry_run:
        await page.uncheck("#dry-run")
    await page.click("#import-form button[type=submit]")
    await page.wait_for_selector("#report:not([hidden])", timeout=60_000)


async def test_regulator_checks_then_imports_a_messy_spreadsheet(visit: Visit, tmp_path: Path) -> None:
    page = visit.page
    await login_admin(visit)
    await visit.goto("/dashboard/imports")
    file = messy_gbk_csv(tmp_path / "机构报送.csv")
    await _run(visit, file, dry_run=True)
    rows = page.locator("#problems tbody tr")
    assert await rows.count() == 2
    first = await rows.nth(0).inner_text()
    assert "4" in first and "姓名" in first and "乱码" in first
    assert "校验码错误" in await rows.nth(1).inner_text()
    summary = await page.locator("#summary").inner_text()
    assert "试运行" in summary and "将新增 2" in summary and "忽略的列：备注" in summary
    await visit.shot("imports-dry-run")
    assert await visit.serious_a11y_violations() == []
    await _run(visit, file, dry_run=False)
    summary = await page.locator("#summary").inner_text()
    assert "导入完成" in summary and ("已新增 2" in summary or "已存在且一致 2" in summary)
    assert await page.get_attribute("#report-link", "href") is not None
    assert visit.foreign_hosts() == set() and visit.errors == []


async def test_import_page_on_a_phone(phone: Visit) -> None:
    await login_admin(phone)
    await phone.goto("/dashboard/imports")
    assert await phone.page.locator("#import-form").is_visible()
    await phone.shot("imports-phone")
    assert await phone.serious_a11y_violations() == []
    assert phone.foreign_hosts() == set() and phone.errors == []
