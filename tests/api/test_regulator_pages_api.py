"""The regulator's pages over HTTP in-process: the dashboard's charts and year selector, the
drill-down district → employer → person, the spreadsheets with the page's numbers, and a
district admin kept inside their district."""

from __future__ import annotations

import datetime as dt
import io
import re
from typing import Any
from urllib.parse import unquote

from openpyxl import load_workbook

from service.accounts.tables import AuditEntry
from talent_pool.identity import uscc_check_character
from tests.factories import (
    credential,
    employ,
    make_employer,
    register_people,
    role_headers,
    training_record,
)
from worker.clock import Clock

HTML = {"Accept": "text/html"}


def code(first17: str) -> str:
    return first17 + uscc_check_character(first17)


async def test_dashboard_drill_down_and_exports(client: Any) -> None:
    x = await make_employer(credit_code=code("91370102MA3E0X1P6"), name="甲托育园", district_code="370102")
    a, b = await register_people(2, prefix="页面")
    await employ(x, [a, b])
    await credential(a, number="S000037000001265920001", issued_on=dt.date(2025, 3, 1), source_ref="pg:a")
    today = Clock().today()  # the app's business date (Asia/Shanghai)
    await training_record(a, hours="8", completed_on=today, source_ref="pg:t")
    city = await role_headers(client, "pg-city", "city_admin")

    board = await client.get("/dashboard", headers={**HTML, **city})
    assert board.status_code == 200, board.text
    html = board.text
    assert html.count('<g class="bar" data-scope=') == 12
    assert html.count('class="gauge ') == 4
    assert 'data-scope="370102"' in html and "50.0%（1/2）" in html
    last = await client.get(f"/dashboard?year={today.year - 1}", headers={**HTML, **city})
    assert f'<option value="{today.year - 1}" selected>' in last.text
    # a district's gauges: a bar only where the district has a target (持证率, 人均培训次数)
    focused = (await client.get("/dashboard?scope=370102", headers={**HTML, **city})).text
    gauges = re.findall(r'<figure class="gauge[^"]*" data-indicator="(\w+)">(.*?)</figure>', focused, re.S)
    assert [(key, 'class="gbar"' in body) for key, body in gauges] == [
        ("certification_rate", True),
        ("trainings_per_practitioner", True),
        ("person_trainings", False),
        ("training_bases", False),
    ]
    # a scope the board does not show is said, never answered with the city's figures
    for other, words in (
        ("employer:1", "不在监管看板中"),
        ("bogus", "无效"),
        ("employer:" + "1" * 4301, "不是有效的机构范围"),
    ):
        refused = await client.get(f"/dashboard?scope={other}", headers={**HTML, **city})
        assert refused.status_code in (400, 422) and words in refused.text, (other[:20], refused.status_code)
    spaced = await client.get(
        "/dashboard?scope=%20370102%20", headers={**HTML, **city}
    )  # as the API reads it
    assert spaced.status_code == 200 and 'data-indicator="certification_rate"' in spaced.text

    district = await client.get("/dashboard/districts/370102", headers={**HTML, **city})
    assert district.status_code == 200, district.text
    assert f'href="/dashboard/employers/{x}?year={today.year}">甲托育园' in district.text
    employer = await client.get(f"/dashboard/employers/{x}", headers={**HTML, **city})
    assert employer.status_code == 200, employer.text
    assert f'href="/dashboard/people/{a}">' in employer.text
    person = await client.get(f"/dashboard/people/{a}", headers={**HTML, **city})
    assert person.status_code == 200, person.text
    assert "S000037000001265920001" in person.text and "有效" in person.text
    await client.app.state.rt.audit_log.flush()
    reads = await AuditEntry.select(AuditEntry.path, AuditEntry.subjects).where(
        AuditEntry.kind == "read_personal"
    )
    assert {"path": f"/dashboard/people/{a}", "subjects": f",{a},"} in reads  # the full record is audited
    assert not any("/employers/" in r["path"] for r in reads)  # masked list: not a personal read

    xlsx = await client.get("/dashboard/targets.xlsx", headers=city)
    assert xlsx.status_code == 200
    disposition = xlsx.headers["content-disposition"]
    assert "filename*=UTF-8''" in disposition
    assert unquote(disposition.split("''")[1]) == f"规划指标_{today.year}年_济南市.xlsx"
    ws = load_workbook(io.BytesIO(xlsx.content)).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[1][:3] == ("范围", "在职人员", "持证率（%）")
    lixia = next(r for r in rows if r[0] == "历下区")
    assert lixia[1:3] == (2, 50)

    short = await client.get(
        "/dashboard/shortfall.xlsx?indicator=certification_rate&scope=370102", headers=city
    )
    rows = list(load_workbook(io.BytesIO(short.content)).active.iter_rows(values_only=True))
    assert rows[2][0] == "页面丁" and rows[2][3] == "甲托育园" and len(rows) == 3
    assert re.fullmatch(r"\d{3}\*{13}[0-9X]{2}", str(rows[2][1]))  # a list never carries full ID numbers
    page = await client.get(
        "/dashboard/shortfall?indicator=certification_rate&scope=370102", headers={**HTML, **city}
    )
    assert "页面丁" in page.text and not re.search(r"(?<![0-9])\d{17}[0-9X](?![0-9])", page.text)

    district_admin = await role_headers(client, "pg-tianqiao", "district_admin", district_code="370105")
    own = await client.get("/dashboard", headers={**HTML, **district_admin})
    assert own.text.count('data-level="district"') == 1 and 'data-scope="370105"' in own.text
    scopes = re.findall(r'<tr data-scope="([^"]+)"', own.text)
    assert scopes[0] == "370105" and all(s.startswith("street:") for s in scopes[1:])  # and its streets
    for path in (
        f"/dashboard/employers/{x}",
        f"/dashboard/people/{a}",
        "/dashboard/districts/370102",
        "/dashboard?scope=370102",  # another district on the board: a permission matter, as in the API
        "/dashboard?scope=city",
        "/dashboard/targets.xlsx?scope=370102",
    ):
        r = await client.get(path, headers={**HTML, **district_admin})
        assert r.status_code == 403 and "只能" in r.text, path  # the Chinese reason, on the error page
    future = await client.get(f"/dashboard?year={today.year + 1}", headers={**HTML, **city})
    assert future.status_code == 422 and "尚未开始" in future.text
