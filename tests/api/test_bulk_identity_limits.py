"""Bulk verification cannot be used to find a holder's ID number: identity comparisons are
counted per login and day (a certificate at most ``TUOYU_BULK_IDENTITY_PER_CERTIFICATE`` times
across all jobs, ``TUOYU_BULK_IDENTITY_PER_DAY`` rows in all), rows beyond answer 超出核验次数,
and every holder asked about sees who checked them in ``GET /api/me/audit``. An HR person
checking 500 staff once each is answered in full."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Any

from openpyxl import load_workbook

from certification import issue_certificates
from service.runtime import load_keyring
from tests.factories import (
    ISSUE_DAY,
    credential,
    login,
    make_employer,
    make_id,
    passed_sitting,
    register_people,
    role_headers,
)
from tests.servers import serve_in_process, settings_for, wait_for
from worker.clock import FixedClock

NOW = dt.datetime(2026, 12, 1, 4, 0, tzinfo=dt.UTC)  # 12:00 on 1 December in Jinan
MATCH = 9  # the 身份核对 column of the answer sheet
NOTE = 10


async def _answers(c: Any, headers: dict[str, str], text: str) -> tuple[dict[str, Any], list[list[Any]]]:
    created = await c.post("/api/bulk-verifications", headers=headers, json={"text": text})
    assert created.status_code == 202, created.text
    job_id = created.json()["id"]

    async def finished() -> dict[str, Any] | None:
        body = (await c.get(f"/api/bulk-verifications/{job_id}", headers=headers)).json()
        return body if body["status"] == "done" else None

    job = await wait_for(finished)
    data = (await c.get(f"/api/bulk-verifications/{job_id}/result.xlsx", headers=headers)).content
    rows = [list(r) for r in load_workbook(io.BytesIO(data)).worksheets[0].iter_rows(values_only=True)]
    return job, rows[1:]


async def test_one_certificate_with_many_id_numbers_is_not_answered_and_the_holder_sees_who_asked(
    db: None, pg_engine: Any, tmp_path: Path
) -> None:
    from service.app import create_app

    settings = settings_for(tmp_path)
    sitting_id, (holder, other) = await passed_sitting(2)
    certs = (
        await issue_certificates(
            sitting_id, issued_on=ISSUE_DAY, public_url=settings.public_url, keyring=load_keyring(settings)
        )
    ).certificates
    number = next(x.number for x in certs if x.practitioner_id == holder)
    other_number = next(x.number for x in certs if x.practitioner_id == other)
    clock = FixedClock(NOW)
    async with serve_in_process(create_app(settings, engine=pg_engine, clock=clock)) as c:
        hr = await role_headers(c, "hr-probe", "employer_staff", employer_id=await make_employer())
        # the attack: the holder's certificate with 200 candidate ID numbers (all with valid
        # check characters), the right one (make_id(1)) among them near the end
        candidates = [make_id(seq) for seq in range(2, 200)] + [make_id(1), make_id(200)]
        job, rows = await _answers(c, hr, "\n".join(f"{number}\t{i}" for i in candidates))
        matches = [r[MATCH] for r in rows]
        assert matches == ["不一致"] * 3 + ["超出核验次数"] * 197  # never 一致: nothing to learn
        assert rows[-2][NOTE] == "本账号今日核对该证书身份证号的次数已达上限，未核对；请明日再试"
        assert job["summary"] == {"有效": 200, "超出核验次数": 197}
        # a later job of the same login, the right ID number first: still not answered
        _, rows = await _answers(c, hr, f"{number}\t{make_id(1)}\n{other_number}\t{make_id(2)}")
        assert [r[MATCH] for r in rows] == ["超出核验次数", "一致"]
        # the next local day the certificate may be checked again
        clock.set(NOW + dt.timedelta(hours=13))  # 01:00 on 2 December in Jinan
        hr = await login(c, "hr-probe")
        _, rows = await _answers(c, hr, f"{number}\t{make_id(1)}")
        assert [r[MATCH] for r in rows] == ["一致"]

        # each holder sees the employer's bulk verifications in their own audit
        await c.app.state.rt.audit_log.flush()
        for person in (holder, other):
            me = await role_headers(c, f"holder-{person}", "trainee", practitioner_id=person)
            mine = (await c.get("/api/me/audit", headers=me)).json()
            seen = [e for e in mine if e["action"] == "bulk.verify" and e["actor"] == "hr-probe"]
            assert len(seen) == (3 if person == holder else 1), mine


async def test_an_hr_person_checks_500_staff_once_each_and_the_daily_budget_holds(
    db: None, pg_engine: Any, tmp_path: Path
) -> None:
    from service.app import create_app

    people = await register_people(500)
    numbers = [f"EXT-2025-{i:04d}" for i in range(500)]  # credentials imported from another issuer
    for person, number in zip(people, numbers, strict=True):
        await credential(
            person, number=number, issued_on=dt.date(2025, 6, 1), source_ref=number, source="import"
        )
    settings = settings_for(tmp_path, bulk_identity_per_day=600)
    async with serve_in_process(create_app(settings, engine=pg_engine, clock=FixedClock(NOW))) as c:
        hr = await role_headers(c, "hr-staff", "employer_staff", employer_id=await make_employer())
        staff = "\n".join(f"{n}\t{make_id(i + 1)}" for i, n in enumerate(numbers))
        job, rows = await _answers(c, hr, staff)
        assert job["summary"] == {"有记录（外部导入，无电子签名）": 500}
        assert [r[MATCH] for r in rows] == ["一致"] * 500
        # 100 more comparisons left today (600): the next 150 rows are answered up to the budget
        again = "\n".join(f"{n}\t{make_id(i + 1)}" for i, n in enumerate(numbers[:150]))
        job, rows = await _answers(c, hr, again)
        assert [r[MATCH] for r in rows] == ["一致"] * 100 + ["超出核验次数"] * 50
        assert rows[-1][NOTE] == "本账号今日核对身份证号的行数已达上限，未核对；请明日再试"
        # another login has its own budget
        other = await role_headers(
            c,
            "hr-other",
            "employer_staff",
            employer_id=await make_employer(credit_code="91370102MA3C4LDL95", name="另一家"),
        )
        _, rows = await _answers(c, other, f"{numbers[0]}\t{make_id(1)}")
        assert [r[MATCH] for r in rows] == ["一致"]
