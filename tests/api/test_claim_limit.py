"""An employer's claims are limited per login (``TUOYU_CLAIM_RATE_PER_MINUTE``), and regulators
read the refused ones (``GET /api/audit/refusals``): an account trying ID numbers is slowed down
and seen, and no person it typed is named anywhere."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import secrets
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from service.accounts import AccountIn, create_account
from service.accounts.tables import AuditEntry
from talent_pool import register_practitioner
from talent_pool.identity import uscc_check_character
from talent_pool.schemas import PractitionerIn
from talent_pool.tables import Employment
from tests.factories import PASSWORD, admin_headers, login, make_employer, make_id, person_name
from tests.servers import serve_in_process, settings_for
from worker.clock import FixedClock

PER_MINUTE = 3
START = dt.datetime(2026, 11, 30, 2, 0, 15, tzinfo=dt.UTC)  # 10:00:15 in Shanghai, 30 November
A, B = "370102", "370105"
KNOWN, OTHER, UNKNOWN = make_id(1), make_id(2), make_id(3)


def _credit(first17: str) -> str:
    return first17 + uscc_check_character(first17)


def _claim(id_number: str, name: str) -> dict[str, str]:
    return {"id_number": id_number, "name": name, "start_date": "2026-11-01"}


@contextlib.asynccontextmanager
async def _world(pg_engine: Any, tmp_path: Path, **settings: Any) -> AsyncIterator[dict[str, Any]]:
    """The app with ``settings`` (the claim limits), standing at ``START``; two people in the
    pool; an employer login in district A (``hr_a``) and one in B (``hr_b``), a district admin of
    each, the city admin, and each login's id."""
    from service.app import create_app

    clock = FixedClock(START)
    app = create_app(settings_for(tmp_path, **settings), engine=pg_engine, clock=clock)
    async with serve_in_process(app) as client:
        today = START.date()
        await register_practitioner(PractitionerIn(id_number=KNOWN, name="王芳"), today=today)
        await register_practitioner(PractitionerIn(id_number=OTHER, name="李娜"), today=today)
        employer_a = await make_employer(credit_code=_credit("91370102MA3C0X9PK"), district_code=A)
        employer_b = await make_employer(credit_code=_credit("91370105MA3C0X9PK"), district_code=B)
        ids = {
            "hr_a": (
                await create_account(
                    AccountIn(
                        username="hr-a", password=PASSWORD, role="employer_staff", employer_id=employer_a
                    )
                )
            ).id,
            "hr_b": (
                await create_account(
                    AccountIn(
                        username="hr-b", password=PASSWORD, role="employer_staff", employer_id=employer_b
                    )
                )
            ).id,
        }
        for username, district in (("district-a", A), ("district-b", B)):
            await create_account(
                AccountIn(username=username, password=PASSWORD, role="district_admin", district_code=district)
            )
        yield {
            "client": client,
            "clock": clock,
            "city": await admin_headers(client),
            "hr_a": await login(client, "hr-a"),
            "hr_b": await login(client, "hr-b"),
            "district_a": await login(client, "district-a"),
            "district_b": await login(client, "district-b"),
            "ids": ids,
        }


@pytest.fixture
async def world(db: None, pg_engine: Any, tmp_path: Path) -> AsyncIterator[dict[str, Any]]:
    """:func:`_world` limited to ``PER_MINUTE`` claims a login a minute."""
    async with _world(pg_engine, tmp_path, claim_rate_per_minute=PER_MINUTE) as w:
        yield w


async def _entries(client: Any, username: str) -> list[tuple[str, int, str]]:
    await client.app.state.rt.audit_log.flush()
    rows = await AuditEntry.select().where(AuditEntry.actor == username).order_by(AuditEntry.id)
    return [(r["kind"], r["status"], r["subjects"]) for r in rows if r["path"] == "/api/employment-claims"]


async def _probe(w: dict[str, Any]) -> None:
    """hr-a: two misses, one claim, then two over the limit; hr-b: one miss, one claim."""
    client = w["client"]
    for body, status in (
        (_claim(UNKNOWN, "王芳"), 404),
        (_claim(KNOWN, "李四"), 404),
        (_claim(KNOWN, "王芳"), 201),
        (_claim(OTHER, "李娜"), 429),
        (_claim(UNKNOWN, "张三"), 429),
    ):
        r = await client.post("/api/employment-claims", headers=w["hr_a"], json=body)
        assert r.status_code == status, (body, r.text)
    for body, status in ((_claim(UNKNOWN, "李娜"), 404), (_claim(OTHER, "李娜"), 201)):
        r = await client.post("/api/employment-claims", headers=w["hr_b"], json=body)
        assert r.status_code == status, (body, r.text)


async def test_claims_over_the_limit_are_refused_write_nothing_and_are_audited(world: dict[str, Any]) -> None:
    """The fourth claim of a login in a minute is 429 with Retry-After (the seconds left of the
    minute) and a Chinese reason, writes nothing, and is audited as a refused claim naming nobody;
    another employer's login (same client address) is not affected; the next minute counts anew."""
    w, client = world, world["client"]
    for body in (_claim(UNKNOWN, "王芳"), _claim(KNOWN, "李四"), _claim(KNOWN, "王芳")):
        await client.post("/api/employment-claims", headers=w["hr_a"], json=body)
    before = await Employment.count()
    r = await client.post("/api/employment-claims", headers=w["hr_a"], json=_claim(OTHER, "李娜"))
    assert r.status_code == 429, r.text
    assert r.headers["Retry-After"] == "45"  # 02:00:15 → the window ends at 02:01:00
    assert r.json()["code"] == "too_many_requests"
    assert r.json()["detail"] == "操作过于频繁：此操作每个账号每分钟最多 3 次，请 45 秒后再试"
    assert await Employment.count() == before  # nothing written
    # another employer's login, from the same address, claims that very person
    other = await client.post("/api/employment-claims", headers=w["hr_b"], json=_claim(OTHER, "李娜"))
    assert other.status_code == 201, other.text
    w["clock"].advance(dt.timedelta(seconds=45))  # the next minute
    again = await client.post("/api/employment-claims", headers=w["hr_a"], json=_claim(UNKNOWN, "张三"))
    assert again.status_code == 404, again.text
    assert await _entries(client, "hr-a") == [
        ("write_refused", 404, ""),
        ("write_refused", 404, ""),
        ("write", 201, ""),
        ("write_refused", 429, ""),
        ("write_refused", 404, ""),
    ]
    # the claim route documents its 429
    spec = (await client.get("/schema/openapi.json")).json()
    assert "429" in spec["paths"]["/api/employment-claims"]["post"]["responses"]


async def test_regulators_list_refused_claims_by_login_and_day(world: dict[str, Any]) -> None:
    """The city admin lists every refused claim (newest first, paged, by login and local day) and
    counts them per login; a district admin sees the logins of their district only; employers
    (the probers themselves) are refused; no typed ID number or name appears."""
    w, client = world, world["client"]
    await _probe(w)
    await client.app.state.rt.audit_log.flush()
    hr_a, hr_b = w["ids"]["hr_a"], w["ids"]["hr_b"]

    async def get(path: str, who: str) -> Any:
        return await client.get(path, headers=w[who])

    r = await get("/api/audit/refusals", "city")
    assert r.status_code == 200, r.text
    page = r.json()
    assert page["total"] == 5 and (page["limit"], page["offset"]) == (100, 0)
    assert [(i["account_id"], i["status"]) for i in page["items"]] == [
        (hr_b, 404),
        (hr_a, 429),
        (hr_a, 429),
        (hr_a, 404),
        (hr_a, 404),
    ]
    first = page["items"][0]
    assert (first["actor"], first["role"], first["action"], first["method"], first["path"]) == (
        "hr-b",
        "employer_staff",
        "employment.claim",
        "POST",
        "/api/employment-claims",
    )
    assert first["at"].startswith("2026-11-30T02:00:15")
    for text in (KNOWN, OTHER, UNKNOWN, "王芳", "李娜", "李四", "张三"):
        assert text not in r.text  # no person typed is named

    r = await get(f"/api/audit/refusals?account_id={hr_a}&limit=2&offset=1", "city")
    assert r.json()["total"] == 4
    assert [i["status"] for i in r.json()["items"]] == [429, 404]

    # local days: the refusals were made on 30 November (Shanghai)
    for query, total in (
        ("from=2026-11-30&to=2026-11-30", 5),
        ("from=2026-12-01", 0),
        ("to=2026-11-29", 0),
        ("from=0001-01-01&to=9999-12-31", 5),  # the calendar's ends: open bounds, not an error
    ):
        assert (await get(f"/api/audit/refusals?{query}", "city")).json()["total"] == total, query
    reversed_days = await get("/api/audit/refusals?from=2026-12-01&to=2026-11-30", "city")
    assert reversed_days.status_code == 422
    assert reversed_days.json()["detail"] == "起始日期不能晚于截止日期"
    assert (await get("/api/audit/refusals?account_id=999999", "city")).status_code == 404

    counts = (await get("/api/audit/refusals/by-account", "city")).json()
    assert [(c["account_id"], c["actor"], c["count"], c["statuses"]) for c in counts] == [
        (hr_a, "hr-a", 4, {"404": 2, "429": 2}),
        (hr_b, "hr-b", 1, {"404": 1}),
    ]
    assert counts[0]["first_at"].startswith("2026-11-30T02:00:15")

    # a district admin: the logins of their district only
    mine = (await get("/api/audit/refusals", "district_a")).json()
    assert mine["total"] == 4 and {i["account_id"] for i in mine["items"]} == {hr_a}
    assert (await get(f"/api/audit/refusals?account_id={hr_b}", "district_a")).status_code == 403
    assert [c["account_id"] for c in (await get("/api/audit/refusals/by-account", "district_b")).json()] == [
        hr_b
    ]

    # the page: per login for the chosen local days, then one login's refusals
    html = {"Accept": "text/html"}
    page = await client.get(
        "/dashboard/refusals?from=2026-11-30&to=2026-11-30", headers={**w["city"], **html}
    )
    assert page.status_code == 200, page.text
    assert 'id="refusals-total">5<' in page.text and "未匹配 2；超过频率限制 2" in page.text
    assert "2026-11-30 10:00:15" in page.text  # local time
    detail = await client.get(f"/dashboard/refusals?account_id={hr_a}", headers={**w["city"], **html})
    assert 'id="entries-total">4<' in detail.text and "hr-a 的明细" in detail.text
    mine_page = await client.get("/dashboard/refusals", headers={**w["district_b"], **html})
    assert "hr-b" in mine_page.text and "hr-a" not in mine_page.text
    for text in (KNOWN, OTHER, UNKNOWN, "王芳", "李娜", "李四", "张三"):
        assert text not in page.text + detail.text

    # not for employers: the prober cannot read its own trace
    for path in ("/api/audit/refusals", "/api/audit/refusals/by-account", "/dashboard/refusals"):
        denied = await get(path, "hr_a")
        assert denied.status_code == 403, denied.text


async def test_a_login_past_its_refused_claims_of_the_day_waits_until_midnight(
    db: None, pg_engine: Any, tmp_path: Path
) -> None:
    """With ``TUOYU_CLAIM_REFUSALS_PER_DAY=3``: three refused claims of a login on a local day,
    successful ones not counted, then every claim of that login — even a good one — is 429 until
    local midnight (Retry-After), writes nothing, and is audited; another employer's login is not
    affected; the next local day the login claims again."""
    async with _world(pg_engine, tmp_path, claim_refusals_per_day=3) as w:
        client = w["client"]
        for body, status in (
            (_claim(UNKNOWN, "王芳"), 404),
            (_claim(KNOWN, "王芳"), 201),  # a claim that succeeds does not count
            (_claim(KNOWN, "王芳"), 409),  # claimed already: a refusal
            (_claim(KNOWN, "李四"), 404),
        ):
            r = await client.post("/api/employment-claims", headers=w["hr_a"], json=body)
            assert r.status_code == status, (body, r.text)
            if status == 201:  # the refusals before it counted from the table, the later ones queued
                await client.app.state.rt.audit_log.flush()
        before = await Employment.count()
        r = await client.post("/api/employment-claims", headers=w["hr_a"], json=_claim(OTHER, "李娜"))
        assert r.status_code == 429, r.text
        # 10:00:15 in Shanghai → local midnight is 13 h 59 min 45 s away
        assert r.headers["Retry-After"] == str(13 * 3600 + 59 * 60 + 45)
        assert r.json()["detail"].startswith("今日被拒绝的认领已达 3 次（每个账号每天上限），请明天再试")
        assert await Employment.count() == before  # nothing written
        other = await client.post("/api/employment-claims", headers=w["hr_b"], json=_claim(OTHER, "李娜"))
        assert other.status_code == 201, other.text
        w["clock"].advance(dt.timedelta(hours=13, minutes=59, seconds=44))  # 23:59:59 local
        late = await client.post("/api/employment-claims", headers=w["hr_a"], json=_claim(UNKNOWN, "张三"))
        assert (late.status_code, late.headers["Retry-After"]) == (429, "1")
        w["clock"].advance(dt.timedelta(seconds=1))  # 1 December, 00:00 local
        again = await client.post("/api/employment-claims", headers=w["hr_a"], json=_claim(UNKNOWN, "张三"))
        assert again.status_code == 404, again.text
        assert [(kind, status) for kind, status, _ in await _entries(client, "hr-a")] == [
            ("write_refused", 404),
            ("write", 201),
            ("write_refused", 409),
            ("write_refused", 404),
            ("write_refused", 429),
            ("write_refused", 429),
            ("write_refused", 404),
        ]


async def test_a_burst_of_claims_at_once_stops_at_the_budget(
    db: None, pg_engine: Any, tmp_path: Path
) -> None:
    """With ``TUOYU_CLAIM_REFUSALS_PER_DAY=3``, eight claims of one login sent at the same moment,
    every one a refusal: exactly three are answered (404) and five are 429 — none passes the
    budget by being in flight beside the others (found by a trial: one or two over in bursts of
    5–8). Another login's burst at the same moment is counted apart, and a good claim of it is
    not held up behind the first login's."""
    async with _world(pg_engine, tmp_path, claim_refusals_per_day=3) as w:
        client = w["client"]

        async def claim(headers: dict[str, str], body: dict[str, str]) -> int:
            return (await client.post("/api/employment-claims", headers=headers, json=body)).status_code

        statuses = await asyncio.gather(
            *(claim(w["hr_a"], _claim(UNKNOWN, person_name(n + 1))) for n in range(8)),
            *(claim(w["hr_b"], _claim(UNKNOWN, person_name(n + 1))) for n in range(2)),
            claim(w["hr_b"], _claim(OTHER, "李娜")),
        )
        assert sorted(statuses[:8]) == [404] * 3 + [429] * 5, statuses
        assert statuses[8:] == [404, 404, 201], statuses
        refused = [(kind, status) for kind, status, _ in await _entries(client, "hr-a")]
        assert sorted(refused) == [("write_refused", 404)] * 3 + [("write_refused", 429)] * 5


async def test_two_web_processes_share_a_logins_claim_count_through_redis(
    db: None, pg_engine: Any, tmp_path: Path, celery_worker: dict[str, str]
) -> None:
    """With ``TUOYU_REDIS_URL`` set, two app instances (two web processes behind one balancer)
    count a login's claims together: with 3 a minute, the fourth claim is refused whichever
    instance it reaches; another login is counted apart."""
    import redis

    from service.accounts.tables import UserAccount
    from service.app import create_app

    # Redis is shared with other test runs, whose logins have the same small ids: start ours far
    # away, and clear what an earlier run of this test left in the minute
    await UserAccount.raw(f"SELECT setval('acc_user_id_seq', {secrets.randbelow(10**9) + 10**6})")
    settings = settings_for(tmp_path, claim_rate_per_minute=PER_MINUTE, **celery_worker)
    async with (
        serve_in_process(create_app(settings, engine=pg_engine)) as one,
        serve_in_process(create_app(settings, engine=pg_engine)) as two,
    ):
        employer = await make_employer()
        for username in ("hr-shared", "hr-apart"):
            account = await create_account(
                AccountIn(username=username, password=PASSWORD, role="employer_staff", employer_id=employer)
            )
            store = redis.Redis.from_url(celery_worker["redis_url"])
            for key in store.scan_iter(f"tuoyu_rl*claim/account:{account.id}/*"):
                store.delete(key)
            store.close()
        hr, apart = await login(one, "hr-shared"), await login(two, "hr-apart")
        statuses = [
            (
                await app.post("/api/employment-claims", headers=hr, json=_claim(UNKNOWN, person_name(n + 1)))
            ).status_code
            for n, app in enumerate((one, two, one, two, one))
        ]
        assert statuses == [404, 404, 404, 429, 429]
        other = await two.post("/api/employment-claims", headers=apart, json=_claim(UNKNOWN, "李四"))
        assert other.status_code == 404, other.text


async def test_refused_identity_matches_are_not_listed_as_refused_claims(world: dict[str, Any]) -> None:
    """A refused identity match (``certificate.match``, its path naming a certificate) is not a
    refused claim: the page and the API's default list claims only; ``action=certificate.match``
    lists the matches; another action is 400."""
    w, client = world, world["client"]
    await _probe(w)
    match_url = "/api/verify/S000000000000000000001/identity"
    refused = await client.post(match_url, headers=w["hr_a"], json={"id_number": " "})
    assert refused.status_code == 422, refused.text
    await client.app.state.rt.audit_log.flush()
    hr_a = w["ids"]["hr_a"]

    claims = (await client.get("/api/audit/refusals", headers=w["city"])).json()
    assert claims["total"] == 5 and {i["action"] for i in claims["items"]} == {"employment.claim"}
    counts = (await client.get("/api/audit/refusals/by-account", headers=w["city"])).json()
    assert [(c["account_id"], c["count"]) for c in counts] == [(hr_a, 4), (w["ids"]["hr_b"], 1)]
    matches = (await client.get("/api/audit/refusals?action=certificate.match", headers=w["city"])).json()
    assert [(i["account_id"], i["path"], i["status"]) for i in matches["items"]] == [(hr_a, match_url, 422)]
    by_login = await client.get("/api/audit/refusals/by-account?action=certificate.match", headers=w["city"])
    assert [(c["account_id"], c["count"]) for c in by_login.json()] == [(hr_a, 1)]
    assert (await client.get("/api/audit/refusals?action=x", headers=w["city"])).status_code == 400

    html = {**w["city"], "Accept": "text/html"}
    page = await client.get(f"/dashboard/refusals?account_id={hr_a}", headers=html)
    assert 'id="entries-total">4<' in page.text and 'id="refusals-total">5<' in page.text
    assert "S000000000000000000001" not in page.text and "/identity" not in page.text


async def test_a_malformed_date_is_named_as_sent(world: dict[str, Any]) -> None:
    """``from=bad`` is 400 naming ``from`` (the query name, not the handler's ``since``), ``to=bad``
    names ``to``; the page says which date is wrong."""
    w, client = world, world["client"]
    for query, key in (("from=bad", "from"), ("to=2026-13-01", "to")):
        for path in ("/api/audit/refusals", "/api/audit/refusals/by-account"):
            r = await client.get(f"{path}?{query}", headers=w["city"])
            assert r.status_code == 400, r.text
            assert [(e["key"], e["msg"]) for e in r.json()["errors"]] == [(key, "应为日期（YYYY-MM-DD）")]
        page = await client.get(f"/dashboard/refusals?{query}", headers={**w["city"], "Accept": "text/html"})
        assert page.status_code == 400 and f"{key}：应为日期（YYYY-MM-DD）" in page.text, page.text
    wrong_action = await client.get("/api/audit/refusals?action=x", headers=w["city"])
    assert [e["key"] for e in wrong_action.json()["errors"]] == ["action"]


def test_a_budgeted_route_without_its_turns_stops_start_up() -> None:
    """A route naming a refusal budget must take one login's requests one at a time
    (``OneAtATime`` among its middleware): an app built without it does not start."""
    from litestar import Litestar, post

    from service.refusal_budget import REFUSAL_BUDGET, OneAtATime, check_turns

    @post("/bare", opt={REFUSAL_BUDGET: "claim"})
    async def bare() -> None:
        return None

    @post("/guarded", opt={REFUSAL_BUDGET: "claim"}, middleware=[OneAtATime()])
    async def guarded() -> None:
        return None

    check_turns(Litestar([guarded]))
    with pytest.raises(RuntimeError, match="/bare has a refusal budget but no OneAtATime"):
        check_turns(Litestar([guarded, bare]))
