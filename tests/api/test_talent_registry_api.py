"""Issue 12 over HTTP on PostgreSQL: the employer override and fields, name rules, credit and
checks with their role rules, the talent search with consent, contact requests and an agency."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from service.accounts.tables import AuditEntry
from talent_pool.identity import uscc_check_character
from tests.factories import credential, employ, make_employer, make_id, register_people, role_headers
from tests.servers import serve_in_process, settings_for
from worker.clock import FixedClock

NOW = dt.datetime(2026, 11, 29, 4, 0, tzinfo=dt.UTC)  # 12:00 in Jinan
TODAY = dt.date(2026, 11, 29)
A, B = "370102", "370105"


async def _serve(pg_engine: Any, tmp_path: Path) -> Any:
    from service.app import create_app

    return serve_in_process(create_app(settings_for(tmp_path), engine=pg_engine, clock=FixedClock(NOW)))


async def ok(response: Any, status: int = 201) -> Any:
    assert response.status_code == status, response.text
    return response.json()


def bad_code() -> str:
    first17 = "91370102MA3C0X5PK"
    right = uscc_check_character(first17)
    return first17 + ("1" if right != "1" else "2")


async def test_employer_override_fields_and_name_rules(db: None, pg_engine: Any, tmp_path: Path) -> None:
    async with await _serve(pg_engine, tmp_path) as c:
        city = await role_headers(c, "city", "city_admin")
        body = {"credit_code": bad_code(), "name": "老字号托育园", "district_code": A}
        refused = await c.post("/api/employers", headers=city, json=body)
        assert refused.status_code == 422 and "校验码错误" in refused.json()["detail"]
        no_note = await c.post("/api/employers", headers=city, json={**body, "credit_code_override": True})
        assert no_note.status_code == 422 and "核实说明" in no_note.json()["detail"]
        made = await ok(
            await c.post(
                "/api/employers",
                headers=city,
                json={
                    **body,
                    "credit_code_override": True,
                    "credit_code_note": "营业执照原件已核实",
                    "kind": "home_point",
                    "inclusive": True,
                    "places": 6,
                },
            )
        )
        staff = await role_headers(c, "emp", "employer_staff", employer_id=made["id"])
        shown = await ok(await c.get(f"/api/employers/{made['id']}", headers=staff), 200)
        assert {
            k: shown[k] for k in ("credit_code_override", "credit_code_note", "credit_code_override_by")
        } == {
            "credit_code_override": True,
            "credit_code_note": "营业执照原件已核实",
            "credit_code_override_by": "city",
        }
        assert (shown["kind_name"], shown["inclusive"], shown["places"]) == ("家庭托育点", True, 6)
        negative = await c.post(
            "/api/employers",
            headers=city,
            json={"credit_code": "91350100M000100Y43", "name": "n", "district_code": A, "places": -1},
        )
        assert negative.status_code == 400

        person = await ok(
            await c.post(
                "/api/practitioners", headers=city, json={"id_number": make_id(1), "name": "买买提﹒艾力"}
            )
        )
        assert person["name"] == "买买提·艾力"
        wrong = await c.post(
            "/api/practitioners", headers=city, json={"id_number": make_id(2), "name": "王１芳"}
        )
        assert wrong.status_code == 400 and "１" in wrong.text and "U+FF11" in wrong.text


async def test_credit_records_roles_and_the_exclusion(db: None, pg_engine: Any, tmp_path: Path) -> None:
    async with await _serve(pg_engine, tmp_path) as c:
        employer_a = await make_employer(district_code=A)
        employer_b = await make_employer(
            credit_code="91370105MA3C0X2PK" + uscc_check_character("91370105MA3C0X2PK"),
            district_code=B,
            name="乙园",
        )
        [bad, good] = await register_people(2, names=["赵六", "钱七"])
        await employ(employer_a, [bad, good], start_date=dt.date(2026, 1, 5))
        city = await role_headers(c, "city", "city_admin")
        district_a = await role_headers(c, "dist-a", "district_admin", district_code=A)
        district_b = await role_headers(c, "dist-b", "district_admin", district_code=B)
        emp_a = await role_headers(c, "emp-a", "employer_staff", employer_id=employer_a)
        emp_b = await role_headers(c, "emp-b", "employer_staff", employer_id=employer_b)
        own = await role_headers(c, "zhao", "trainee", practitioner_id=bad)

        violation = {
            "kind": "violation",
            "title": "虐待婴幼儿",
            "evidence": "济卫监罚〔2026〕12号",
            "occurred_on": "2026-11-20",
            "lifetime_exclusion": True,
        }
        # a district admin of another district may not record on A's staff; employers never
        assert (
            await c.post(f"/api/practitioners/{bad}/credit-records", headers=district_b, json=violation)
        ).status_code == 403
        assert (
            await c.post(f"/api/practitioners/{bad}/credit-records", headers=emp_a, json=violation)
        ).status_code == 403
        record = await ok(
            await c.post(f"/api/practitioners/{bad}/credit-records", headers=district_a, json=violation)
        )
        assert record["recorded_by"] == "dist-a" and record["recorded_on"] == TODAY.isoformat()
        await ok(
            await c.post(
                f"/api/practitioners/{good}/background-checks",
                headers=city,
                json={"checked_on": "2026-01-04"},
            )
        )

        # a pre-hire check: district B may record it once B's employer has claimed the person
        pre_hire = {"kind": "pre_hire", "checked_on": TODAY.isoformat()}
        assert (
            await c.post(f"/api/practitioners/{good}/background-checks", headers=district_b, json=pre_hire)
        ).status_code == 403
        await ok(
            await c.post(
                "/api/employment-claims",
                headers=emp_b,
                json={"id_number": make_id(2), "name": "钱七", "start_date": TODAY.isoformat()},
            )
        )
        await ok(
            await c.post(f"/api/practitioners/{good}/background-checks", headers=district_b, json=pre_hire)
        )
        assert (
            await c.get(f"/api/practitioners/{good}/credit", headers=district_b)
        ).status_code == 403  # not yet

        # the employer: staff flags, not the record; no credit file
        staff = await ok(await c.get(f"/api/employers/{employer_a}/staff", headers=emp_a), 200)
        flags = {m["practitioner_id"]: (m["lifetime_excluded"], m["background_check_overdue"]) for m in staff}
        assert flags == {bad: (True, True), good: (False, False)}
        assert "虐待" not in str(staff)
        assert (await c.get(f"/api/practitioners/{bad}/credit", headers=emp_a)).status_code == 403
        assert (await c.get(f"/api/practitioners/{bad}/credit", headers=district_b)).status_code == 403

        # another employer linking the person is refused with the flag only
        claim = await c.post(
            "/api/employment-claims",
            headers=emp_b,
            json={"id_number": make_id(1), "name": "赵六", "start_date": TODAY.isoformat()},
        )
        assert claim.status_code == 409, claim.text
        assert claim.json()["lifetime_excluded"] is True and "终身禁入" in claim.json()["detail"]
        assert "虐待" not in claim.text

        # the person and a regulator in scope read the file; each read is audited
        mine = await ok(await c.get(f"/api/practitioners/{bad}/credit", headers=own), 200)
        assert (
            mine["status"]["lifetime_excluded"] is True and mine["credit_records"][0]["title"] == "虐待婴幼儿"
        )
        await ok(await c.get(f"/api/practitioners/{bad}/credit", headers=district_a), 200)

        # lists: the district admin's own district, the employer's own staff, a foreign district 403
        overdue = await ok(await c.get("/api/checks/background-overdue", headers=district_a), 200)
        assert [r["practitioner_id"] for r in overdue] == [bad]
        assert overdue[0]["due_on"] == "2026-01-05"
        assert (
            await c.get(f"/api/checks/background-overdue?district_code={B}", headers=district_a)
        ).status_code == 403
        assert await ok(await c.get("/api/checks/background-overdue", headers=emp_b), 200) == []
        expiring = await ok(await c.get("/api/checks/health-expiring?within_days=10", headers=emp_a), 200)
        assert {r["status"] for r in expiring} == {"missing"} and len(expiring) == 2

    reads = await AuditEntry.select(AuditEntry.actor).where(
        (AuditEntry.kind == "read_personal") & AuditEntry.path.like(f"%/practitioners/{bad}/credit")
    )
    assert sorted(r["actor"] for r in reads) == ["dist-a", "zhao"]


async def test_talent_search_shows_only_consenting_people(db: None, pg_engine: Any, tmp_path: Path) -> None:
    async with await _serve(pg_engine, tmp_path) as c:
        employer = await make_employer(district_code=A)
        people = await register_people(4, names=["孙一", "周二", "吴三", "郑四"])
        yes, no, uncertified, withdrawn = people
        for i, p in enumerate([yes, no, withdrawn]):
            await credential(
                p,
                programme_code="1X-YEZH",
                level="中级",
                number=f"N{i}",
                issued_on=dt.date(2026, 1, 5),
                source_ref=f"s{i}",
            )
        current = await make_employer(  # where 孙一 works now
            credit_code="91370102MA3C0X7PK" + uscc_check_character("91370102MA3C0X7PK"),
            district_code=A,
            name="孙一任职园",
        )
        await employ(current, [yes], start_date=dt.date(2023, 6, 1))
        heads = {}
        for p, name in zip(people, ("sun", "zhou", "wuu", "zheng"), strict=True):
            heads[p] = await role_headers(c, name, "trainee", practitioner_id=p)
        emp = await role_headers(c, "emp", "employer_staff", employer_id=employer)
        own = await role_headers(c, "own", "employer_staff", employer_id=current)
        agency = await role_headers(c, "agency", "agency", display_name="泉城人才")

        assert (await ok(await c.get("/api/me/talent-consent", headers=heads[yes]), 200))[
            "consented"
        ] is False
        no_district = await c.put("/api/me/talent-consent", headers=heads[yes], json={"consent": True})
        assert no_district.status_code == 422
        for p in (yes, uncertified, withdrawn):
            await ok(
                await c.put(
                    "/api/me/talent-consent", headers=heads[p], json={"consent": True, "district_code": A}
                ),
                200,
            )
        old = await ok(await c.get("/api/talent/search", headers=emp), 200)
        assert old["total"] == 2  # the non-consenting and the uncertified are not counted
        handle_w = next(x["handle"] for x in old["items"] if x["masked_name"] == "郑*")
        await ok(
            await c.put("/api/me/talent-consent", headers=heads[withdrawn], json={"consent": False}), 200
        )

        page = await ok(
            await c.get(
                f"/api/talent/search?district_code={A}&programme_code=1X-YEZH&level=中级", headers=emp
            ),
            200,
        )
        assert page["total"] == 1
        [cand] = page["items"]
        assert cand["masked_name"] == "孙*" and cand["years_of_experience"] == 3
        assert cand["credentials"] == [{"title": "幼儿照护", "programme_code": "1X-YEZH", "level": "中级"}]
        assert "孙一" not in str(page) and make_id(1) not in str(page)
        # 孙一's own employer does not find its own staff in the talent pool, nor can it ask
        assert (await ok(await c.get("/api/talent/search", headers=own), 200))["total"] == 0
        asked = await c.post("/api/talent/contact-requests", headers=own, json={"handle": cand["handle"]})
        assert asked.status_code == 404
        to_own = await c.post(
            "/api/talent/recommendations",
            headers=agency,
            json={"handle": cand["handle"], "employer_id": current},
        )
        assert to_own.status_code == 409 and "已在该机构任职" in to_own.json()["detail"]
        assert (await ok(await c.get(f"/api/talent/search?district_code={B}", headers=agency), 200))[
            "total"
        ] == 0
        assert (await ok(await c.get("/api/talent/search?level=高级", headers=emp), 200))["total"] == 0
        # an unknown level or district is refused in Chinese rather than answered with "nobody";
        # the obvious extra forms 5级 and 五級 (traditional) are understood
        for level in ("Ⅴ", "六级", "五级工人"):
            odd = await c.get(f"/api/talent/search?level={level}", headers=emp)
            assert odd.status_code == 422 and "无法识别的等级" in odd.json()["detail"], level
            assert "初级工" in odd.json()["detail"]
        for level in ("5级", "五級", "中級"):
            await ok(await c.get(f"/api/talent/search?level={level}", headers=emp), 200)
        nowhere = await c.get("/api/talent/search?district_code=999999", headers=emp)
        assert nowhere.status_code == 422 and "不是本市现行区县" in nowhere.json()["detail"]
        short = await c.get("/api/talent/search?district_code=abc", headers=emp)
        assert short.status_code == 400 and "至少 6 个字符" in short.text, short.text
        # a filter given twice is refused in Chinese, never the last value used silently
        for query in (f"district_code={B}&district_code={A}", "level=中级&level=高级"):
            twice = await c.get(f"/api/talent/search?{query}", headers=emp)
            assert twice.status_code == 400, twice.text
            assert twice.json()["code"] == "repeated_parameter" and "只能给一个值" in twice.json()["detail"]
        # the withdrawn person's old handle is unknown, like a made-up one
        gone = await c.post("/api/talent/contact-requests", headers=emp, json={"handle": handle_w})
        made_up = await c.post("/api/talent/contact-requests", headers=emp, json={"handle": "0" * 24})
        assert (
            gone.status_code == made_up.status_code == 404
            and gone.json()["detail"] == made_up.json()["detail"]
        )

        # a contact request through the platform: the phone only once accepted
        req = await ok(
            await c.post(
                "/api/talent/contact-requests",
                headers=emp,
                json={"handle": cand["handle"], "message": "欢迎面试"},
            )
        )
        assert req["phone"] is None and req["masked_name"] == "孙*"
        assert (
            await c.post("/api/talent/contact-requests", headers=emp, json={"handle": cand["handle"]})
        ).status_code == 409
        [mine] = await ok(await c.get("/api/me/contact-requests", headers=heads[yes]), 200)
        assert mine["message"] == "欢迎面试"
        other = await c.post(
            f"/api/me/contact-requests/{mine['id']}/answer", headers=heads[uncertified], json={"accept": True}
        )
        assert other.status_code == 404
        await ok(
            await c.post(
                f"/api/me/contact-requests/{mine['id']}/answer", headers=heads[yes], json={"accept": True}
            )
        )
        [seen] = await ok(await c.get("/api/talent/contact-requests", headers=emp), 200)
        assert seen["status"] == "accepted" and seen["phone"] == ""  # registered without a phone
        again = await c.post("/api/talent/contact-requests", headers=emp, json={"handle": cand["handle"]})
        assert again.status_code == 409 and "已同意" in again.json()["detail"]  # not asked twice

        # an agency recommends; the employer sees it; after withdrawal it disappears
        rec = await ok(
            await c.post(
                "/api/talent/recommendations",
                headers=agency,
                json={"handle": cand["handle"], "employer_id": employer, "note": "经验丰富"},
            )
        )
        assert rec["agency_name"] == "泉城人才"
        [shown] = await ok(await c.get("/api/talent/recommendations", headers=emp), 200)
        assert shown["candidate"]["masked_name"] == "孙*" and shown["note"] == "经验丰富"
        assert (
            await c.post(
                "/api/talent/recommendations",
                headers=emp,
                json={"handle": cand["handle"], "employer_id": employer},
            )
        ).status_code == 403
        await ok(await c.put("/api/me/talent-consent", headers=heads[yes], json={"consent": False}), 200)
        assert await ok(await c.get("/api/talent/recommendations", headers=emp), 200) == []
        assert await ok(await c.get("/api/talent/contact-requests", headers=emp), 200) == []
        assert (await ok(await c.get("/api/talent/search", headers=agency), 200))["total"] == 0

    phone_reads = await AuditEntry.select(AuditEntry.actor, AuditEntry.subjects).where(
        (AuditEntry.kind == "read_personal") & (AuditEntry.path == "/api/talent/contact-requests")
    )
    assert phone_reads == [{"actor": "emp", "subjects": f",{yes},"}]  # the read that showed a phone


async def test_transfer_needs_both_districts_in_scope(db: None, pg_engine: Any, tmp_path: Path) -> None:
    async with await _serve(pg_engine, tmp_path) as c:
        employer_a = await make_employer(district_code=A)
        first17 = "91370105MA3C0X2PK"
        employer_b = await make_employer(
            credit_code=first17 + uscc_check_character(first17), district_code=B, name="乙园"
        )
        [person] = await register_people(1, names=["调动者"])
        await employ(employer_a, [person], start_date=dt.date(2025, 1, 1))
        city = await role_headers(c, "city", "city_admin")
        district_a = await role_headers(c, "dist-a", "district_admin", district_code=A)
        [old] = await ok(await c.get("/api/employments", headers=district_a), 200)
        body = {"employer_id": employer_b, "on": TODAY.isoformat()}
        refused = await c.post(f"/api/employments/{old['id']}/transfer", headers=district_a, json=body)
        assert refused.status_code == 403
        moved = await ok(await c.post(f"/api/employments/{old['id']}/transfer", headers=city, json=body))
        assert (moved["employer_id"], moved["district_code"], moved["start_date"]) == (
            employer_b,
            B,
            TODAY.isoformat(),
        )
        ended = await ok(await c.get("/api/employments?status=active", headers=district_a), 200)
        assert [e["end_date"] for e in ended] == [(TODAY - dt.timedelta(days=1)).isoformat()]
