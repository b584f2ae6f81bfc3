"""Verification of credentials imported from outside (issue 10 leftover: ``recorded``, not 查无此证)
and the employer's identity match (人证核验: 一致 / 不一致, never the stored ID number), over HTTP."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from certification import issue_certificates
from service.accounts.tables import AuditEntry
from service.runtime import load_keyring
from tests.api.test_bulk_verification import _done, _rows
from tests.factories import (
    ISSUE_DAY,
    credential,
    employ,
    login,
    make_employer,
    make_id,
    passed_sitting,
    register_people,
    role_headers,
)
from tests.servers import serve_in_process, settings_for
from worker.clock import FixedClock

NOW = dt.datetime(2026, 12, 1, 4, 0, tzinfo=dt.UTC)  # 12:00 on 1 December in Jinan
IMPORTED = "S100137000012231000042"  # another issuer's number, on record here, never signed here
IMPORTED_EXPIRED = "S100137000012201000043"
JSON = {"Accept": "application/json"}


async def test_imported_credentials_answer_recorded_on_the_public_verification(
    db: None, pg_engine: Any, tmp_path: Path
) -> None:
    from service.app import create_app

    a, b = await register_people(2, names=["外来甲", "外来乙"])
    employer = await make_employer()
    await employ(employer, [a, b])
    await credential(
        a,
        number=IMPORTED,
        issued_on=dt.date(2023, 5, 1),
        expires_on=dt.date(2027, 5, 1),
        issuer="（导入）",
        source="import",
        source_ref=f"import:cred:{IMPORTED}",
    )
    await credential(
        b,
        number=IMPORTED_EXPIRED,
        issued_on=dt.date(2020, 5, 1),
        expires_on=dt.date(2023, 5, 1),
        issuer="（导入）",
        source="import",
        source_ref=f"import:cred:{IMPORTED_EXPIRED}",
    )
    settings = settings_for(tmp_path)
    async with serve_in_process(create_app(settings, engine=pg_engine, clock=FixedClock(NOW))) as c:
        answer = (await c.get(f"/v/{IMPORTED}", headers=JSON)).json()
        assert answer["outcome"] == "recorded"
        assert answer["reason"] == "imported_record" and answer["signature_checked"] is False
        assert (answer["issuer"], answer["holder_name_masked"]) == ("（导入）", "外**")
        assert answer["holder_id_masked"] == make_id(1)[:3] + "*" * 13 + make_id(1)[-2:]
        assert answer["expires_on"] == "2027-05-01"
        typed = (await c.get(f"/api/verify/{IMPORTED.lower()}")).json()
        assert typed["outcome"] == "recorded"  # typed numbers are normalised the same way
        page = await c.get(f"/v/{IMPORTED}", headers={"Accept": "text/html"})
        assert "有记录（外部导入，无电子签名）" in page.text and "查无此证" not in page.text
        assert "外部导入" in page.text and make_id(1) not in page.text

        expired = (await c.get(f"/v/{IMPORTED_EXPIRED}", headers=JSON)).json()
        assert (expired["outcome"], expired["reason"]) == ("expired", "imported_record")
        # a signed URL never matches an imported record: its signature cannot check out
        forged = (await c.get(f"/v/{IMPORTED}?k=abc&s=xyz&p=1X-YEZH-1", headers=JSON)).json()
        assert forged["outcome"] == "forged"
        assert (await c.get("/api/verify/S100137000012231000099")).json()["outcome"] == "unknown"

        # the employer's staff list and the public answer now agree: held, and on record
        hr = await role_headers(c, "hr-rec", "employer_staff", employer_id=employer)
        listed = (await c.get(f"/api/employers/{employer}/staff", headers=hr)).json()
        staff = {m["practitioner_id"]: m for m in listed}
        assert staff[a]["certified"] is True and staff[b]["certified"] is False

        # the OpenAPI document names the new outcome
        spec = (await c.get("/schema/openapi.json")).json()
        outcomes = spec["components"]["schemas"]["VerificationResult"]["properties"]["outcome"]["enum"]
        assert "recorded" in outcomes

        # bulk verification says the same
        pasted = {"text": f"{IMPORTED}\t{make_id(1)}"}
        job = (await c.post("/api/bulk-verifications", headers=hr, json=pasted)).json()
        done = await _done(c, hr, job["id"])
        assert done["summary"] == {"有记录（外部导入，无电子签名）": 1}
        rows = _rows((await c.get(f"/api/bulk-verifications/{job['id']}/result.xlsx", headers=hr)).content)
        assert rows[1][2] == "有记录（外部导入，无电子签名）" and rows[1][9] == "一致"
        assert rows[1][10] == "外部导入的证书记录，无电子签名，请核对纸质原件"


async def test_identity_match_answers_only_match_or_no_match(
    db: None, pg_engine: Any, tmp_path: Path
) -> None:
    from service.app import create_app

    settings = settings_for(tmp_path, verify_rate_per_minute=25)
    sitting_id, (holder,) = await passed_sitting(1, names=["买买提·艾力"])
    cert = (
        await issue_certificates(
            sitting_id, issued_on=ISSUE_DAY, public_url=settings.public_url, keyring=load_keyring(settings)
        )
    ).certificates[0]
    stored = make_id(1)
    employer = await make_employer()
    async with serve_in_process(create_app(settings, engine=pg_engine, clock=FixedClock(NOW))) as c:
        hr = await role_headers(c, "hr-match", "employer_staff", employer_id=employer)
        # one login compares a certificate at most 3 times a day (the next test): two logins here
        hr2 = await role_headers(c, "hr-match-2", "employer_staff", employer_id=employer)
        trainee = await role_headers(c, "t-match", "trainee", practitioner_id=holder)
        url = f"/api/verify/{cert.number}/identity"

        async def ask(body: dict[str, str], headers: dict[str, str] = hr) -> Any:
            return await c.post(url, headers=headers, json=body)

        right = await ask({"id_number": stored.lower(), "name": "买买提•艾力"})  # x and a bullet: normalised
        assert right.status_code == 200, right.text
        assert right.json() == {
            "number": cert.number,
            "outcome": "valid",
            "id_number": "一致",
            "name": "一致",
            "verdict": "一致",
        }
        wrong = await ask({"id_number": make_id(2)})
        assert [wrong.json()[k] for k in ("id_number", "name", "verdict")] == ["不一致", "未提供", "不一致"]
        half = await ask({"id_number": stored, "name": "别人"})
        assert [half.json()[k] for k in ("id_number", "name", "verdict")] == ["一致", "不一致", "不一致"]
        invalid = await ask({"id_number": "110105194912310021"})  # wrong check digit
        assert [invalid.json()[k] for k in ("id_number", "verdict")] == ["身份证号无效", "不一致"]
        id_only = (await ask({"id_number": stored}, hr2)).json()
        assert [id_only[k] for k in ("id_number", "name", "verdict")] == ["一致", "未提供", "一致"]
        # a name is confirmed only with the right ID number: it cannot be unmasked by guessing
        guess = await ask({"id_number": make_id(2), "name": "买买提·艾力"}, hr2)
        assert [guess.json()[k] for k in ("id_number", "name", "verdict")] == ["不一致", "无法核对", "不一致"]
        name_only = await ask({"name": "买买提·艾力"})
        assert (
            name_only.status_code == 422
            and name_only.json()["detail"] == "请填写求职者的身份证号（姓名可选）"
        )
        unknown = await c.post(
            "/api/verify/S000000000000000000001/identity", headers=hr, json={"id_number": stored}
        )
        assert unknown.json()["verdict"] == "无法核对" and unknown.json()["outcome"] == "unknown"
        empty = await ask({"id_number": " ", "name": ""})
        assert empty.status_code == 422
        for answer in (right, wrong, half, invalid, unknown, empty):
            assert stored not in answer.text and stored[6:14] not in answer.text  # nor the birth date

        assert (await ask({"id_number": stored}, trainee)).status_code == 403
        assert (await c.post(url, json={"id_number": stored})).status_code == 401

        # audited as concerning the holder (they can see who checked them)
        await c.app.state.rt.audit_log.flush()
        entries = await AuditEntry.select().where(AuditEntry.action == "certificate.match")
        about = {(e["path"], e["subjects"]) for e in entries if e["status"] == 200}
        assert about == {(url, f",{holder},"), ("/api/verify/S000000000000000000001/identity", "")}

        # rate limited per client like public verification: 429 with Retry-After (an unknown
        # number is never counted against the login's comparisons: this is the client's limit)
        unknown_url = "/api/verify/S000000000000000000001/identity"
        statuses = [
            (await c.post(unknown_url, headers=hr2, json={"id_number": stored})).status_code
            for _ in range(30)
        ]
        assert 429 in statuses
        limited = await c.post(unknown_url, headers=hr2, json={"id_number": stored})
        assert limited.status_code == 429 and int(limited.headers["retry-after"]) >= 1
        assert limited.json()["code"] == "too_many_requests"


async def test_a_login_compares_one_certificate_three_times_a_day_in_bulk_and_single_matches(
    db: None, pg_engine: Any, tmp_path: Path
) -> None:
    """Trying candidate ID numbers one match at a time finds nothing either: the 4th comparison of
    one certificate by one login on one local day — single matches and bulk rows counted together
    — is refused (429 ``identity_checks_exhausted``), never 一致/不一致, and the holder sees it."""
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
    stored = make_id(1)  # the holder's ID number
    employer = await make_employer()
    clock = FixedClock(NOW)
    async with serve_in_process(create_app(settings, engine=pg_engine, clock=clock)) as c:
        hr = await role_headers(c, "hr-cap", "employer_staff", employer_id=employer)
        url = f"/api/verify/{number}/identity"

        async def ask(id_number: str, headers: dict[str, str], at: str = url) -> Any:
            return await c.post(at, headers=headers, json={"id_number": id_number})

        # two candidates one at a time, a third in bulk: three comparisons, all 不一致
        for candidate in (make_id(3), make_id(4)):
            assert (await ask(candidate, hr)).json()["verdict"] == "不一致"
        assert (await ask("110105194912310021", hr)).json()["id_number"] == "身份证号无效"  # not counted
        job = (
            await c.post("/api/bulk-verifications", headers=hr, json={"text": f"{number}\t{make_id(5)}"})
        ).json()
        await _done(c, hr, job["id"])
        rows = _rows((await c.get(f"/api/bulk-verifications/{job['id']}/result.xlsx", headers=hr)).content)
        assert rows[1][9] == "不一致"

        # the 4th — the right ID number — is refused: the answer says nothing about it
        refused = await ask(stored, hr)
        assert refused.status_code == 429, refused.text
        body = refused.json()
        assert (body["code"], body["limit"]) == ("identity_checks_exhausted", "per_certificate")
        assert body["detail"] == "今日对该证书的人证核验次数已用完，请明日再试或联系区级监管部门"
        assert "verdict" not in body and "一致" not in refused.text.replace("人证核验", "")
        assert refused.headers["retry-after"] == str(12 * 3600)  # 12:00 in Jinan: until midnight
        assert (await ask(stored, hr)).status_code == 429  # and stays refused
        # … and in bulk the same day: counted together
        job = (
            await c.post("/api/bulk-verifications", headers=hr, json={"text": f"{number}\t{stored}"})
        ).json()
        await _done(c, hr, job["id"])
        rows = _rows((await c.get(f"/api/bulk-verifications/{job['id']}/result.xlsx", headers=hr)).content)
        assert rows[1][9] == "超出核验次数"

        # another certificate, and another login, are not affected
        assert (await ask(make_id(2), hr, f"/api/verify/{other_number}/identity")).json()["verdict"] == "一致"
        hr2 = await role_headers(c, "hr-cap-2", "employer_staff", employer_id=employer)
        assert (await ask(stored, hr2)).json()["verdict"] == "一致"

        # the holder sees the refusals among the matches (the malformed ID number too): who kept trying
        await c.app.state.rt.audit_log.flush()
        me = await role_headers(c, "holder-cap", "trainee", practitioner_id=holder)
        mine = (await c.get("/api/me/audit", headers=me)).json()
        matches = [(e["kind"], e["actor"]) for e in mine if e["action"] == "certificate.match"]
        assert sorted(matches) == sorted(
            [("write", "hr-cap")] * 3 + [("write_refused", "hr-cap")] * 2 + [("write", "hr-cap-2")]
        )
        other_me = await role_headers(c, "holder-cap-2", "trainee", practitioner_id=other)
        theirs = (await c.get("/api/me/audit", headers=other_me)).json()
        assert [e["kind"] for e in theirs if e["action"] == "certificate.match"] == ["write"]

        # the next local day the certificate may be compared again
        clock.set(NOW + dt.timedelta(hours=13))  # 01:00 on 2 December in Jinan
        hr = await login(c, "hr-cap")
        assert (await ask(stored, hr)).json()["verdict"] == "一致"
