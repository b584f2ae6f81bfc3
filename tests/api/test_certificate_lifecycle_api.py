"""Certificates in depth over HTTP: the Verifiable Credential export checked by an independent
JOSE library against the published JWKS, its status through the verify API, renewal and
replacement by the regulator, and the expiring-soon list scoped per role."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path
from typing import Any

import pytest
from joserfc import jwt
from joserfc.errors import BadSignatureError
from joserfc.jwk import KeySet

from service.accounts.tables import AuditEntry
from tests.factories import employ, make_employer, make_id, passed_sitting, role_headers
from tests.servers import serve_in_process, settings_for
from worker.clock import FixedClock

NOW = dt.datetime(2026, 11, 29, 4, 0, tzinfo=dt.UTC)  # 12:00 in Jinan


async def _app(pg_engine: Any, tmp_path: Path, clock: FixedClock) -> Any:
    from service.app import create_app

    return create_app(
        settings_for(tmp_path, public_url="https://tuoyu.example.cn"), engine=pg_engine, clock=clock
    )


# "EdDSA" is the algorithm name Open Badges 3.0 / VC-JWT verifiers expect (RFC 9864 prefers "Ed25519")
@pytest.mark.filterwarnings("ignore:EdDSA is deprecated")
async def test_vc_export_verifies_with_an_independent_library_and_tracks_revocation(
    db: None, pg_engine: Any, tmp_path: Path
) -> None:
    clock = FixedClock(NOW)
    sitting_id, (pid, other) = await passed_sitting(2, names=["陈𠮷华", "李娜"])
    async with serve_in_process(await _app(pg_engine, tmp_path, clock)) as c:
        admin = await role_headers(c, "regulator", "city_admin")
        issued = await c.post(f"/api/sittings/{sitting_id}/issue", headers=admin)
        assert issued.status_code == 201
        number = next(x["number"] for x in issued.json() if x["practitioner_id"] == pid)
        holder = await role_headers(c, "chen", "trainee", practitioner_id=pid)
        stranger = await role_headers(c, "lina", "trainee", practitioner_id=other)

        r = await c.get(f"/api/certificates/{number}/vc.jwt", headers=holder)
        assert r.status_code == 200 and r.headers["content-type"].startswith("application/jwt")
        token = r.text
        assert (await c.get(f"/api/certificates/{number}/vc.jwt", headers=stranger)).status_code == 403
        await c.app.state.rt.audit_log.flush()  # the download is audited as a read of the holder's data
        reads = await AuditEntry.select(AuditEntry.actor, AuditEntry.subjects).where(
            (AuditEntry.kind == "read_personal") & (AuditEntry.path == f"/api/certificates/{number}/vc.jwt")
        )
        assert [(r["actor"], r["subjects"]) for r in reads] == [("chen", f",{pid},")], reads

        jwks = (await c.get("/.well-known/jwks.json")).json()
        decoded = jwt.decode(token, KeySet.import_key_set(jwks), algorithms=["EdDSA"])  # raises if forged
        assert decoded.header == {"alg": "EdDSA", "typ": "JWT", "kid": jwks["keys"][0]["kid"]}
        claims = decoded.claims
        vc = claims["vc"]
        assert (
            claims["iss"] == "https://tuoyu.example.cn" and claims["jti"] == f"urn:tuoyu:certificate:{number}"
        )
        assert claims["nbf"] == int(
            dt.datetime(2026, 11, 28, 16, 0, tzinfo=dt.UTC).timestamp()
        )  # 29 Nov, Jinan
        assert claims["exp"] == int(
            dt.datetime(2029, 11, 29, 16, 0, tzinfo=dt.UTC).timestamp()
        )  # after 29 Nov 2029
        assert vc["type"] == ["VerifiableCredential", "AchievementCredential"]
        assert vc["@context"] == [
            "https://www.w3.org/2018/credentials/v1",
            "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
        ]
        assert (vc["issuanceDate"], vc["expirationDate"]) == ("2026-11-28T16:00:00Z", "2029-11-29T16:00:00Z")
        subject = vc["credentialSubject"]
        assert subject["achievement"]["name"] == "幼儿照护职业技能等级证书（初级）"
        assert subject["identifier"] == [
            {"type": "IdentityObject", "identityType": "name", "hashed": False, "identityHash": "陈𠮷华"}
        ]
        # no ID number, not even hashed: an unkeyed hash of an ID number is recovered by search
        assert make_id(1) not in token and make_id(1) not in str(claims)
        assert not any(
            hashlib.sha256(f"{make_id(1)}{s}".encode()).hexdigest() in str(claims) for s in ("", number)
        )
        status_url = vc["credentialStatus"]["id"]
        assert status_url == f"https://tuoyu.example.cn/api/verify/{number}"

        tampered = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
        with pytest.raises(BadSignatureError):
            jwt.decode(tampered, KeySet.import_key_set(jwks), algorithms=["EdDSA"])

        path = status_url.removeprefix("https://tuoyu.example.cn")
        assert (await c.get(path)).json()["outcome"] == "valid"
        revoked = await c.post(
            f"/api/certificates/{number}/revoke", headers=admin, json={"reason": "考核舞弊"}
        )
        assert revoked.status_code == 201
        assert (await c.get(path)).json()["outcome"] == "revoked"  # the credential's status
        refused = await c.get(f"/api/certificates/{number}/vc.jwt", headers=holder)
        assert refused.status_code == 409
        assert refused.json()["detail"] == f"证书 {number} 当前状态为“吊销”，不能导出可验证凭证"


async def test_renewal_replacement_and_expiring_lists_by_role(
    db: None, pg_engine: Any, tmp_path: Path
) -> None:
    clock = FixedClock(NOW)
    sitting_id, (pid, _other) = await passed_sitting(2)
    employer = await make_employer()
    await employ(employer, [pid])
    async with serve_in_process(await _app(pg_engine, tmp_path, clock)) as c:
        admin = await role_headers(c, "regulator", "city_admin")
        certs = (await c.post(f"/api/sittings/{sitting_id}/issue", headers=admin)).json()
        mine = next(x["number"] for x in certs if x["practitioner_id"] == pid)
        hr = await role_headers(c, "hr1", "employer_staff", employer_id=employer)
        district = await role_headers(c, "lixia", "district_admin", district_code="370102")
        other_district = await role_headers(c, "shizhong", "district_admin", district_code="370103")

        clock.set(dt.datetime(2029, 9, 1, 4, 0, tzinfo=dt.UTC))  # 89 days before expiry
        city_list = (await c.get("/api/certificates/expiring?within_days=90", headers=admin)).json()
        assert sorted(x["number"] for x in city_list) == sorted(x["number"] for x in certs)
        assert [x["number"] for x in (await c.get("/api/certificates/expiring", headers=hr)).json()] == [mine]
        assert [
            x["number"] for x in (await c.get("/api/certificates/expiring", headers=district)).json()
        ] == [mine]
        assert (await c.get("/api/certificates/expiring", headers=other_district)).json() == []
        bad = await c.get("/api/certificates/expiring?within_days=0", headers=admin)
        assert bad.status_code == 422 and bad.json()["detail"] == "提前天数须在 1–366 之间"

        assert (await c.post(f"/api/certificates/{mine}/renew", headers=hr)).status_code == 403
        renewed = await c.post(f"/api/certificates/{mine}/renew", headers=admin)
        assert renewed.status_code == 201
        new = renewed.json()
        assert (new["supersedes"], new["issued_on"], new["expires_on"]) == (mine, "2029-09-01", "2032-11-29")
        assert (await c.get(f"/api/verify/{mine}")).json()["outcome"] == "superseded"
        assert [x["number"] for x in (await c.get("/api/certificates/expiring", headers=hr)).json()] == []

        no_reason = await c.post(f"/api/certificates/{new['number']}/replace", headers=admin, json={})
        assert no_reason.status_code == 400
        replaced = await c.post(
            f"/api/certificates/{new['number']}/replace", headers=admin, json={"reason": "姓名更正"}
        )
        assert replaced.status_code == 201 and replaced.json()["expires_on"] == "2032-11-29"
        staff = (await c.get(f"/api/employers/{employer}/staff", headers=hr)).json()
        assert staff[0]["valid_credentials"] == [f"幼儿照护职业技能等级证书（{replaced.json()['number']}）"]
