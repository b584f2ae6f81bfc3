"""A district regulator stays inside the district: recording an employment cannot pull a person
of another district in (and so open their record), registering an already-registered person
returns nothing the caller may not read, and neither answer says anything about an outsider
(README, "Security and personal data")."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import talent_pool
from service.accounts.tables import AuditEntry, UserAccount
from talent_pool.identity import uscc_check_character
from talent_pool.schemas import EmploymentIn
from tests.factories import employ, make_employer, make_id, register_people, role_headers, training_base
from tests.servers import serve_in_process, settings_for
from worker.clock import FixedClock

NOW = dt.datetime(2026, 11, 30, 4, 0, tzinfo=dt.UTC)  # 12:00 in Jinan
TODAY = dt.date(2026, 11, 30)
A, B = "370102", "370105"


async def _serve(pg_engine: Any, tmp_path: Path) -> Any:
    from service.app import create_app

    return serve_in_process(create_app(settings_for(tmp_path), engine=pg_engine, clock=FixedClock(NOW)))


def _code(first17: str) -> str:
    return first17 + uscc_check_character(first17)


async def _world() -> dict[str, int]:
    """Two employers in A, one in B; ``outsider`` works in B, ``insider`` in A, ``former`` worked
    in A until last year (now in B), ``excluded`` works in B under 终身禁入."""
    employer_a = await make_employer(district_code=A)
    employer_a2 = await make_employer(credit_code=_code("91370102MA3C0X7PK"), district_code=A, name="甲二园")
    employer_b = await make_employer(credit_code=_code("91370105MA3C0X2PK"), district_code=B, name="乙园")
    outsider, insider, former, excluded = await register_people(
        4, names=["外区人", "本区人", "曾在职", "禁入者"]
    )
    await employ(employer_b, [outsider, former, excluded], start_date=dt.date(2026, 1, 5))
    await employ(employer_a, [insider], start_date=dt.date(2026, 1, 5))
    await talent_pool.start_employment(
        EmploymentIn(
            practitioner_id=former,
            employer_id=employer_a,
            start_date=dt.date(2024, 1, 1),
            end_date=dt.date(2025, 12, 31),
        )
    )
    return {
        "employer_a": employer_a,
        "employer_a2": employer_a2,
        "employer_b": employer_b,
        "outsider": outsider,
        "insider": insider,
        "former": former,
        "excluded": excluded,
    }


async def test_district_admin_cannot_pull_an_outsider_into_the_district(
    db: None, pg_engine: Any, tmp_path: Path
) -> None:
    async with await _serve(pg_engine, tmp_path) as c:
        w = await _world()
        city = await role_headers(c, "city", "city_admin")
        district_a = await role_headers(c, "dist-a", "district_admin", district_code=A)
        exclusion = {
            "kind": "violation",
            "title": "虐待婴幼儿",
            "evidence": "济卫监罚〔2026〕12号",
            "occurred_on": "2026-11-20",
            "lifetime_exclusion": True,
        }
        r = await c.post(f"/api/practitioners/{w['excluded']}/credit-records", headers=city, json=exclusion)
        assert r.status_code == 201, r.text

        def hire(pid: int, employer: str = "employer_a") -> dict[str, Any]:
            return {"practitioner_id": pid, "employer_id": w[employer], "start_date": TODAY.isoformat()}

        # a person of another district, one under 终身禁入, an unknown id: one and the same 403
        answers = []
        for pid in (w["outsider"], w["excluded"], 999_999):
            r = await c.post("/api/employments", headers=district_a, json=hire(pid))
            assert r.status_code == 403, r.text
            body = r.json()
            assert "lifetime_excluded" not in body and "终身禁入" not in body["detail"]
            answers.append(body["detail"])
        assert len(set(answers)) == 1
        # nothing was recorded, and the outsider's record stays closed
        assert [e.employer_id for e in await talent_pool.employments(practitioner_id=w["outsider"])] == [
            w["employer_b"]
        ]
        for path in (
            f"/api/practitioners/{w['outsider']}/record",
            f"/api/practitioners/{w['outsider']}/credit",
        ):
            assert (await c.get(path, headers=district_a)).status_code == 403

        # a person whose employment in the district has ended is not "in the district" to hire…
        r = await c.post("/api/employments", headers=district_a, json=hire(w["former"]))
        assert r.status_code == 403
        # …but the district keeps its history: their record stays readable (and audited)
        r = await c.get(f"/api/practitioners/{w['former']}/record", headers=district_a)
        assert r.status_code == 200, r.text

        # a person who currently works in the district: a second employment is recorded at once
        r = await c.post("/api/employments", headers=district_a, json=hire(w["insider"], "employer_a2"))
        assert r.status_code == 201, r.text
        assert (r.json()["status"], r.json()["confirmed_by"]) == ("active", "dist-a")

        # the city admin records anyone, and an excluded person still gets the exclusion named
        r = await c.post("/api/employments", headers=city, json=hire(w["outsider"]))
        assert r.status_code == 201, r.text
        r = await c.post("/api/employments", headers=city, json=hire(w["excluded"]))
        assert r.status_code == 409 and r.json()["lifetime_excluded"] is True


async def test_a_pending_claim_opens_nothing_until_the_person_confirms(
    db: None, pg_engine: Any, tmp_path: Path
) -> None:
    async with await _serve(pg_engine, tmp_path) as c:
        w = await _world()
        district_a = await role_headers(c, "dist-a", "district_admin", district_code=A)
        emp_a = await role_headers(c, "emp-a", "employer_staff", employer_id=w["employer_a"])
        person = await role_headers(c, "wai", "trainee", practitioner_id=w["outsider"])
        claim = {"id_number": make_id(1), "name": "外区人", "start_date": TODAY.isoformat()}
        r = await c.post("/api/employment-claims", headers=emp_a, json=claim)
        assert r.status_code == 201 and r.json()["status"] == "pending", r.text
        record = f"/api/practitioners/{w['outsider']}/record"
        assert (await c.get(record, headers=district_a)).status_code == 403
        r = await c.post(f"/api/employments/{r.json()['id']}/confirm", headers=person)
        assert r.status_code == 201 and r.json()["status"] == "active", r.text
        assert (await c.get(record, headers=district_a)).status_code == 200


async def test_registering_a_registered_person_shows_only_what_the_caller_may_read(
    db: None, pg_engine: Any, tmp_path: Path
) -> None:
    async with await _serve(pg_engine, tmp_path) as c:
        w = await _world()
        city = await role_headers(c, "city", "city_admin")
        district_a = await role_headers(c, "dist-a", "district_admin", district_code=A)
        base = await role_headers(c, "base", "base_staff", training_base_id=await training_base())
        emp_a = await role_headers(c, "emp-a", "employer_staff", employer_id=w["employer_a"])

        # the outsider (make_id(1), 外区人, no phone on record): the right name, a wrong name and
        # a phone to store all get one 409 without any personal data; nothing is stored
        answers = []
        for body in (
            {"id_number": make_id(1), "name": "外区人"},
            {"id_number": make_id(1), "name": "别的名字"},
            {"id_number": make_id(1), "name": "外区人", "phone": "13900000001"},
        ):
            r = await c.post("/api/practitioners", headers=district_a, json=body)
            assert r.status_code == 409, r.text
            assert make_id(1) not in r.text and "外区人" not in r.text and "1390000" not in r.text
            answers.append(r.json()["detail"])
        assert len(set(answers)) == 1
        assert (await talent_pool.get_practitioner(w["outsider"])).phone == ""

        # a person of the district: returned in full, and the read is audited
        r = await c.post(
            "/api/practitioners", headers=district_a, json={"id_number": make_id(2), "name": "本区人"}
        )
        assert r.status_code == 201 and r.json()["id_number"] == make_id(2), r.text
        # a wrong name for a readable person: named as such, the ID number not repeated
        r = await c.post(
            "/api/practitioners", headers=district_a, json={"id_number": make_id(2), "name": "错名"}
        )
        assert r.status_code == 409 and "另一姓名" in r.json()["detail"] and make_id(2) not in r.text
        # a new person: created, returned, audited; the city admin reads anyone (audited)
        new_id = make_id(9, address=A)
        r = await c.post("/api/practitioners", headers=district_a, json={"id_number": new_id, "name": "新人"})
        assert r.status_code == 201 and r.json()["name"] == "新人", r.text
        created = r.json()["id"]
        r = await c.post("/api/practitioners", headers=city, json={"id_number": make_id(1), "name": "外区人"})
        assert r.status_code == 201 and r.json()["id"] == w["outsider"], r.text
        # base staff and employer staff may not register anyone
        for headers in (base, emp_a):
            r = await c.post(
                "/api/practitioners", headers=headers, json={"id_number": make_id(1), "name": "外区人"}
            )
            assert r.status_code == 403 and make_id(1) not in r.text
    # (written when the app stops) each registration that returned full data names the person,
    # who sees it in their own audit (GET /api/me/audit); the refusals name no one
    reads = await AuditEntry.select(AuditEntry.actor, AuditEntry.subjects).where(
        (AuditEntry.path == "/api/practitioners") & (AuditEntry.subjects != "")
    )
    assert sorted((r["actor"], r["subjects"]) for r in reads) == sorted(
        [("dist-a", f",{w['insider']},"), ("dist-a", f",{created},"), ("city", f",{w['outsider']},")]
    )


async def test_a_district_admin_cannot_reset_a_trainees_password(
    db: None, pg_engine: Any, tmp_path: Path
) -> None:
    """A trainee's login is the person's own: a district admin of the district the person works
    in may not reset it (a trial took over a login that way, with the temporary password the reset
    hands back); it still resets the staff logins it manages, and the city admin the trainee's."""
    async with await _serve(pg_engine, tmp_path) as c:
        w = await _world()
        district_a = await role_headers(c, "dist-a", "district_admin", district_code=A)
        city = await role_headers(c, "city", "city_admin")
        await role_headers(c, "insider-login", "trainee", practitioner_id=w["insider"])
        await role_headers(c, "hr-a", "employer_staff", employer_id=w["employer_a"])
        ids = {a.username: a.id for a in await UserAccount.objects()}
        refused = await c.post(f"/api/accounts/{ids['insider-login']}/reset-password", headers=district_a)
        assert refused.status_code == 403 and "学员账号属于本人" in refused.json()["detail"], refused.text
        staff = await c.post(f"/api/accounts/{ids['hr-a']}/reset-password", headers=district_a)
        assert staff.status_code == 201, staff.text
        assert (
            await c.post(f"/api/accounts/{ids['insider-login']}/reset-password", headers=city)
        ).status_code == 201
