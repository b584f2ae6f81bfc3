"""The targets over HTTP: the whole dashboard (city, districts, zones, streets) agrees with one
independent hand-written SQL statement at 1× Jinan (``bench/targets_sql.py``); a district
regulator sees their district, its streets and employers only; lists, trend and divisions."""

from __future__ import annotations

import datetime as dt
from typing import Any

import asyncpg
from litestar.testing import AsyncTestClient

import talent_pool
from bench import targets_sql
from bench.measure_targets import api_counts
from service.accounts import AccountIn, create_account
from service.demo_data import generate_workforce
from talent_pool.tables import Division, Employer
from tests.factories import PASSWORD, admin_headers, login
from worker.clock import Clock
from worker.targets import targets_report

DASHBOARD = "/api/targets?levels=city,district,zone,street"


async def _give_streets() -> None:
    """Every employer of the generated workforce gets a street of its district (round robin)."""
    streets: dict[str, list[str]] = {}
    for s in await Division.select(Division.code, Division.parent_code).where(Division.level == "street"):
        streets.setdefault(s["parent_code"], []).append(s["code"])
    for e in await Employer.select(Employer.id, Employer.district_code):
        codes = sorted(streets[e["district_code"]])
        await Employer.update({Employer.street_code: codes[e["id"] % len(codes)]}).where(
            Employer.id == e["id"]
        )


async def test_the_whole_dashboard_agrees_with_one_hand_written_statement(
    client: AsyncTestClient[Any], test_db_url: str
) -> None:
    await generate_workforce(today=Clock().today())  # 1×: 400 employers, 5,000 practitioners
    await _give_streets()
    admin = await admin_headers(client)
    r = await client.get(DASHBOARD, headers=admin)
    assert r.status_code == 200, r.text
    as_of, api = api_counts(r.json())
    assert len(api) == 1 + 12 + 3 + 164
    conn = await asyncpg.connect(test_db_url)
    try:
        sql = await targets_sql.counts(conn, await targets_sql.statement(conn), as_of)
    finally:
        await conn.close()
    empty = dict.fromkeys(targets_sql.FIELDS, 0)
    assert {s: api[s] for s in api} == {s: sql.get(s, empty) for s in api}
    assert set(sql) <= set(api)
    assert api["city"]["employed"] > 4000 and api["zone:370176"]["employed"] > 0


async def test_scopes_dates_lists_trend_and_a_district_regulator(client: AsyncTestClient[Any]) -> None:
    admin = await admin_headers(client)
    assert (await client.get("/api/divisions")).status_code == 200  # public, for pickers
    tree = (await client.get("/api/divisions")).json()
    assert {z["short"] for z in tree["zones"]} == {"高新区", "南部山区", "起步区"}
    one = await client.get("/api/targets?scope=zone:370176,street:370102001&as_of=2026-03-01", headers=admin)
    assert one.status_code == 200, one.text
    assert [(x["scope"], x["level"], x["as_of"]) for x in one.json()] == [
        ("zone:370176", "zone", "2026-03-01"),
        ("street:370102001", "street", "2026-03-01"),
    ]
    for bad in ("zone:nowhere", "street:370102999", "employer:abc", "3701", "city;drop"):
        assert (await client.get(f"/api/targets?scope={bad}", headers=admin)).status_code == 422, bad
    # ids no table can hold, digits that are not ASCII ("²"): refused like any bad key, never 500
    for bad in (
        "employer:%C2%B2",
        "employer:2147483648",
        "employer:99999999999",
        "%C2%B2" * 6,
        "employer:" + "1" * 4301,
    ):
        for path in ("/api/targets", "/api/targets/trend", "/api/targets/lists/uncertified"):
            answer = await client.get(f"{path}?scope={bad}", headers=admin)
            assert answer.status_code in (400, 422), (path, bad, answer.text)  # 400: over the length
        shortfall = await client.get(f"/api/targets/shortfall/certification_rate?scope={bad}", headers=admin)
        assert shortfall.status_code in (403, 422), (bad, shortfall.text)
    assert (await client.get("/api/targets?levels=planet", headers=admin)).status_code == 422
    tomorrow = (Clock().today() + dt.timedelta(days=1)).isoformat()
    assert (await client.get(f"/api/targets?as_of={tomorrow}", headers=admin)).status_code == 422
    # as_of in the years the reports cover (year is limited to 2000–2100; 0001-01-01 reported year 1)
    for ancient in ("/api/targets?as_of=0001-01-01", "/api/targets/lists/expiring?as_of=1999-12-31"):
        refused = await client.get(ancient, headers=admin)
        assert refused.status_code == 422 and "2000–2100" in refused.json()["detail"], refused.text
    lists = await client.get("/api/targets/lists/expiring?scope=370102", headers=admin)
    assert lists.status_code == 200 and lists.json()["total"] == 0
    assert (await client.get("/api/targets/lists/nonsense", headers=admin)).status_code == 422
    march = await targets_report(Clock().today(), as_of=dt.date(2026, 3, 31), scopes=["city"])
    await talent_pool.write_snapshots(dt.date(2026, 3, 31), march)
    trend = await client.get("/api/targets/trend?scope=city&year=2026", headers=admin)
    assert trend.status_code == 200
    # (the app's own dispatcher may have taken last night's snapshot meanwhile: other months)
    assert [
        (p["taken_on"], p["employed_practitioners"]) for p in trend.json() if p["month"] == "2026-03"
    ] == [("2026-03-31", 0)]

    await create_account(
        AccountIn(username="lixia", password=PASSWORD, role="district_admin", district_code="370102")
    )
    district = await login(client, "lixia")
    mine = await client.get("/api/targets", headers=district)
    assert [x["scope"] for x in mine.json()] == ["370102"]
    streets = await client.get("/api/targets?levels=street", headers=district)
    assert streets.status_code == 200
    assert {x["scope"] for x in streets.json()} == {
        f"street:{s['code']}" for d in tree["districts"] if d["code"] == "370102" for s in d["streets"]
    }
    own_street = await client.get("/api/targets?scope=street:370102001", headers=district)
    assert own_street.status_code == 200
    for outside in ("zone:370176", "street:370112018", "370112", "city"):
        r = await client.get(f"/api/targets?scope={outside}", headers=district)
        assert r.status_code == 403, outside
    assert (await client.get("/api/targets?levels=zone", headers=district)).status_code == 403
    assert (
        await client.get("/api/targets/lists/untrained?scope=370112", headers=district)
    ).status_code == 403
    assert (await client.get("/api/targets/trend?scope=370112", headers=district)).status_code == 403
    for bad in ("employer:%C2%B2", "employer:2147483648"):
        assert (await client.get(f"/api/targets?scope={bad}", headers=district)).status_code in (403, 422)
