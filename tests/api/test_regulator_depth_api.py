"""The regulator pages in depth through the app on PostgreSQL, exact values: a zone's and a
street's rows on the dashboard and the district page (and their spreadsheets, with the page's
columns and the reconciliation line), the drill-down list pages and their spreadsheets (the
background check overdue list shrinking when a check is recorded), the person page's credit file
and the 终身禁入 banner, and a district admin refused another district's list in Chinese."""

from __future__ import annotations

import datetime as dt
import io
import re
from typing import Any

from openpyxl import load_workbook

from service import regulator
from talent_pool.identity import uscc_check_character
from talent_pool.tables import TargetSnapshot
from tests.factories import credential, employ, make_employer, register_people, role_headers, training_record
from worker.clock import Clock

HTML = {"Accept": "text/html"}
STREET = "370176001"  # 舜华路街道: 历下区, managed by the 高新区 (zone 370176)


def _rows(content: bytes) -> list[tuple[Any, ...]]:
    return list(load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True))


async def test_zone_street_rows_lists_and_credit_file(client: Any) -> None:
    first17 = "91370102MA3E0X1P6"
    x = await make_employer(
        credit_code=first17 + uscc_check_character(first17),
        name="甲托育园",
        district_code="370102",
        street_code=STREET,
    )
    a, b = await register_people(2, prefix="页面")
    await employ(x, [a, b])
    await credential(a, number="S000037000001265920001", issued_on=dt.date(2025, 3, 1), source_ref="pg:a")
    today = Clock().today()
    await training_record(a, hours="8", completed_on=today, source_ref="pg:t")
    city = await role_headers(client, "pg-city", "city_admin")

    # the dashboard: the zone row, and with the district chosen its street row
    board = await client.get("/dashboard?scope=370102", headers={**HTML, **city})
    assert board.status_code == 200, board.text
    html = board.text
    assert '<tr data-scope="zone:370176" data-level="zone">' in html
    assert f'<tr data-scope="street:{STREET}" data-level="street">' in html
    assert '<option value="street:370176001">舜华路街道</option>' in html
    assert html.count("50.0%（1/2）") >= 4  # gauge, district, zone and street rows
    assert 'id="reconciliation"' in html and "各区县在职人员合计 2 人" in html
    # the trend: the nightly snapshot (written at start-up for the day that ended) as one bar; the
    # year before it has none — the empty state says so
    taken = await TargetSnapshot.select(TargetSnapshot.taken_on).where(TargetSnapshot.scope == "370102")
    (snap,) = {r["taken_on"] for r in taken}
    trend = await client.get(f"/dashboard?scope=370102&year={snap.year}", headers={**HTML, **city})
    assert (
        f'<g class="month" data-month="{snap.month}">' in trend.text and 'id="trend-empty"' not in trend.text
    )
    last = await client.get(f"/dashboard?year={snap.year - 1}", headers={**HTML, **city})
    assert (
        'id="trend-empty"' in last.text and "还没有快照" in last.text and 'id="trend-chart"' not in last.text
    )
    zone = await client.get("/dashboard?scope=zone:370176", headers={**HTML, **city})
    assert "济南高新技术产业开发区 · 指标完成情况" in zone.text

    xlsx = await client.get("/dashboard/targets.xlsx?scope=370102", headers=city)
    rows = _rows(xlsx.content)
    assert list(rows[1]) == [c.header for c in regulator.TARGET_COLUMNS] + ["达标情况"]
    by_scope = {r[0]: r for r in rows[2:]}
    assert by_scope["舜华路街道"][:3] == ("舜华路街道", 2, 50)
    assert by_scope["济南高新技术产业开发区"][:3] == ("济南高新技术产业开发区", 2, 50)
    # 持证率 is a level: 未达标; 人均培训 accrues through the running year: judged by its projection
    verdicts = "从业人员持证率未达标、从业人员人均接受培训次数有未达标风险"
    assert by_scope["舜华路街道"][-2:] == ("街道", verdicts)
    assert rows[-1][0] == "说明" and str(rows[-1][1]).startswith("各区县在职人员合计 2 人，其中 0 人")

    streets = await client.get("/dashboard/districts/370102/streets.xlsx", headers=city)
    rows = _rows(streets.content)
    assert [r[:3] for r in rows[2:] if r[1]] == [("舜华路街道", 2, 50)]  # the other streets: nobody

    # the background check overdue list: both, until a check is recorded for one
    page = await client.get("/dashboard/lists/background_overdue?scope=370102", headers={**HTML, **city})
    assert page.status_code == 200, page.text
    assert 'id="total">2<' in page.text and f'href="/dashboard/people/{a}">页面一</a>' in page.text
    assert not re.search(r"(?<![0-9])\d{17}[0-9X](?![0-9])", page.text)  # ID numbers masked in lists
    r = await client.post(
        f"/api/practitioners/{a}/background-checks", json={"checked_on": today.isoformat()}, headers=city
    )
    assert r.status_code == 201, r.text
    export = await client.get("/dashboard/lists/background_overdue/export.xlsx?scope=370102", headers=city)
    rows = _rows(export.content)
    assert rows[1] == ("姓名", "身份证号", "电话", "机构", "区县", "上次审查日期", "情况")
    assert (
        len(rows) == 3 and rows[2][0] == "页面丁" and rows[2][3:] == ("甲托育园", "历下区", None, "从未审查")
    )
    uncertified = await client.get(
        "/dashboard/lists/uncertified?scope=street:370176001", headers={**HTML, **city}
    )
    assert 'id="total">1<' in uncertified.text and "页面丁" in uncertified.text
    unknown = await client.get("/dashboard/lists/nonsense", headers={**HTML, **city})
    assert unknown.status_code == 422 and "名单 nonsense 不存在" in unknown.text

    # the person page: the credit file, and the banner once excluded
    r = await client.post(
        f"/api/practitioners/{b}/credit-records",
        json={
            "kind": "violation",
            "title": "虐待婴幼儿",
            "evidence": "公安机关处理决定 历公决字〔2026〕12号",
            "occurred_on": today.isoformat(),
            "lifetime_exclusion": True,
        },
        headers=city,
    )
    assert r.status_code == 201, r.text
    person = await client.get(f"/dashboard/people/{b}", headers={**HTML, **city})
    assert 'id="excluded-banner"' in person.text and "历公决字〔2026〕12号" in person.text
    assert "从未审查" in person.text and 'id="check-overdue">已逾期' in person.text
    checked = await client.get(f"/dashboard/people/{a}", headers={**HTML, **city})
    assert 'id="excluded-banner"' not in checked.text and 'id="check-overdue"' not in checked.text
    assert (
        f"{today.replace(year=today.year + 1) if not (today.month == 2 and today.day == 29) else ''}"
        in checked.text
    )

    # a district admin: their own district's list, never another's
    other = await role_headers(client, "pg-tianqiao", "district_admin", district_code="370105")
    refused = await client.get("/dashboard/lists/uncertified?scope=370102", headers={**HTML, **other})
    assert refused.status_code == 403 and "区县监管账号只能查看本区县" in refused.text
    refused = await client.get(f"/dashboard/people/{b}", headers={**HTML, **other})
    assert refused.status_code == 403 and "只能查看本人（或本区县从业人员）的档案" in refused.text
    own = await client.get("/dashboard/lists/uncertified", headers={**HTML, **other})
    assert own.status_code == 200 and 'id="total">0<' in own.text
