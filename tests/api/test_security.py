"""Security and privacy as an outsider, a curious employer and a forger would try them:
sign-up and look-ups that reveal nothing, one-time codes, claims that need proof, tokens that
end, lock-out, the hash-chained audit log, headers, and markup that never runs."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import jwt
import pytest

from service.accounts.tables import AuditEntry, UserAccount
from service.sms import RecordingSms
from talent_pool import register_practitioner
from talent_pool.db import use_engine
from talent_pool.schemas import PractitionerIn
from talent_pool.tables import Employment, Practitioner
from tests.factories import PASSWORD, admin_headers, login, make_employer, make_id, sign_up
from tests.servers import serve_in_process, settings_for
from worker.clock import FixedClock

TODAY = dt.date(2026, 11, 29)
KNOWN = make_id(1)  # in the pool as 王芳, phone on record
UNKNOWN = make_id(2)


async def _known_person() -> int:
    return (
        await register_practitioner(
            PractitionerIn(id_number=KNOWN, name="王芳", phone="13811112222"), today=TODAY
        )
    ).id


def _shape(body: Any) -> Any:
    """The structure of a JSON body: keys and value types, not values."""
    if isinstance(body, dict):
        return {k: _shape(v) for k, v in body.items() if k not in ("id", "username")}
    if isinstance(body, list):
        return [_shape(v) for v in body[:1]]
    return type(body).__name__


async def test_sign_up_answers_the_same_whoever_the_id_number_belongs_to(client: Any) -> None:
    await _known_person()
    answers = []
    for n, (id_number, name) in enumerate(
        [(KNOWN, "王芳"), (KNOWN, "李四"), (UNKNOWN, "王芳"), (UNKNOWN, "李四")]
    ):
        r = await client.post(
            "/api/auth/register",
            json={
                "username": f"user{n}",
                "password": PASSWORD,
                "id_number": id_number,
                "name": name,
                "phone": "13900000000",
            },
        )
        answers.append(
            (r.status_code, _shape(r.json()), r.json()["next_step"], r.json()["account"]["identity_status"])
        )
    assert len(set(map(str, answers))) == 1, answers  # status, body shape, message: identical
    assert answers[0][0] == 201 and answers[0][3] == "pending"
    # the codes went to the phone on record (known ID, right name) and to the typed phone (new ID)
    assert sorted(phone for phone, _ in client.sms.sent) == ["13811112222", "13900000000", "13900000000"]
    assert await Practitioner.count() == 1  # nothing created before a code is entered
    # a pending login sees nothing and cannot enroll
    stranger = await login(client, "user1")
    assert (await client.get("/api/me/certificates", headers=stranger)).json() == []
    me = await client.get("/api/auth/me", headers=stranger)
    assert me.json()["practitioner_id"] is None and me.json()["identity_status"] == "pending"


async def test_codes_bind_the_right_login_and_nothing_else(client: Any) -> None:
    person = await _known_person()
    owner = await sign_up(client, "wangfang", id_number=KNOWN, name="王芳")  # the code reached 138…2222
    assert (await client.get("/api/auth/me", headers=owner)).json()["practitioner_id"] == person
    # a stranger with the same ID and name: the code goes to the owner's phone, never to them
    r = await client.post(
        "/api/auth/register",
        json={
            "username": "thief",
            "password": PASSWORD,
            "id_number": KNOWN,
            "name": "王芳",
            "phone": "13700000000",
        },
    )
    assert r.status_code == 201 and client.sms.sent[-1][0] == "13811112222"
    thief = await login(client, "thief")
    for guess in ("000000", "123456", "999999", "111111", "222222", "333333"):
        bad = await client.post("/api/auth/verify-identity", headers=thief, json={"code": guess})
        assert bad.status_code == 422 and bad.json()["detail"] == "验证码错误或已过期，请重新获取"
    real_code = client.sms.sent[-1][1].split("验证码为 ")[1][:6]
    late = await client.post("/api/auth/verify-identity", headers=thief, json={"code": real_code})
    assert late.status_code == 422  # five attempts used up: even the right code no longer works
    assert (await UserAccount.objects().get(UserAccount.username == "thief")).practitioner_id is None


async def test_employer_claims_need_proof_and_wait_for_the_person(client: Any) -> None:
    admin = await admin_headers(client)
    person = await _known_person()
    mine = await make_employer()
    r = await client.post(
        "/api/auth/accounts",
        headers=admin,
        json={"username": "hr-staff", "password": PASSWORD, "role": "employer_staff", "employer_id": mine},
    )
    assert r.status_code == 201
    hr = await login(client, "hr-staff")
    answers = []
    for id_number, name in ((KNOWN, "李四"), (UNKNOWN, "王芳")):
        bad = await client.post(
            "/api/employment-claims",
            headers=hr,
            json={"id_number": id_number, "name": name, "start_date": "2026-01-01"},
        )
        answers.append((bad.status_code, bad.json()["detail"]))
    assert len(set(answers)) == 1 and answers[0][0] == 404  # unknown ID, wrong name: the same answer
    # an ID number malformed in itself is named as such: that says nothing about who is registered
    for id_number, reason in (("110105194912310021", "校验码错误"), ("3.70102E+17", "科学计数法")):
        bad = await client.post(
            "/api/employment-claims",
            headers=hr,
            json={"id_number": id_number, "name": "王芳", "start_date": "2026-01-01"},
        )
        assert bad.status_code == 422 and bad.json()["code"] == "invalid_id_number"
        assert reason in bad.json()["detail"] and "未找到" not in bad.json()["detail"]
    claim = await client.post(
        "/api/employment-claims",
        headers=hr,
        json={"id_number": KNOWN, "name": "王芳", "start_date": "2026-01-01"},
    )
    assert claim.status_code == 201 and claim.json()["status"] == "pending"
    assert "13811112222" not in claim.text  # no phone comes back to someone who did not enter it
    staff = await client.get(f"/api/employers/{mine}/staff", headers=hr)
    assert staff.json() == []  # a pending claim shows nothing
    # the person confirms in their own account; the employer then sees a masked ID number
    owner = await sign_up(client, "wangfang", id_number=KNOWN, name="王芳")
    pending = (await client.get("/api/employments?status=pending", headers=owner)).json()
    assert [p["employer_id"] for p in pending] == [mine]
    ok = await client.post(f"/api/employments/{pending[0]['id']}/confirm", headers=owner)
    assert ok.status_code == 201 and ok.json()["status"] == "active"
    staff = (await client.get(f"/api/employers/{mine}/staff", headers=hr)).json()
    assert [(m["practitioner_id"], m["id_number"]) for m in staff] == [
        (person, KNOWN[:3] + "*" * 13 + KNOWN[-2:])
    ]
    assert (await client.get(f"/api/employers/{mine}/staff", headers=admin)).json()[0]["id_number"] == KNOWN
    # the employer ends it
    ended = await client.post(
        f"/api/employments/{pending[0]['id']}/end", headers=hr, json={"end_date": str(TODAY)}
    )
    assert ended.status_code == 201 and ended.json()["end_date"] == str(TODAY)
    assert await Employment.count() == 1


async def test_refused_claims_are_audited_like_the_successful_one(client: Any) -> None:
    """An employer trying ID numbers leaves a trace: every refused claim (no match, malformed
    input, a claim already pending) is an audit entry with its status, the successful one too;
    the refusals' answers are as before, their entries name nobody, and other routes' refusals
    stay unaudited."""
    from service.audit import verify_chain

    admin = await admin_headers(client)
    await _known_person()
    mine = await make_employer()
    await client.post(
        "/api/auth/accounts",
        headers=admin,
        json={"username": "hr-probe", "password": PASSWORD, "role": "employer_staff", "employer_id": mine},
    )
    hr = await login(client, "hr-probe")
    tries = [
        ({"id_number": KNOWN, "name": "李四", "start_date": "2026-01-01"}, 404),  # wrong name
        ({"id_number": UNKNOWN, "name": "王芳", "start_date": "2026-01-01"}, 404),  # not in the pool
        ({"id_number": "110105194912310021", "name": "王芳", "start_date": "2026-01-01"}, 422),  # bad ID
        ({"id_number": KNOWN, "name": "王芳", "start_date": "not a date"}, 400),  # malformed input
        ({"id_number": KNOWN, "name": "王芳", "start_date": "2026-01-01"}, 201),  # the claim
        ({"id_number": KNOWN, "name": "王芳", "start_date": "2026-01-01"}, 409),  # claimed already
    ]
    answers = []
    for body, status in tries:
        r = await client.post("/api/employment-claims", headers=hr, json=body)
        assert r.status_code == status, (body, r.text)
        answers.append(r.json().get("detail"))
    assert answers[0] == answers[1]  # still one answer for every miss
    # a refused write of another route (a malformed employer) is not audited
    bad = await client.post(
        "/api/employers", headers=admin, json={"credit_code": "x", "name": "", "district_code": "1"}
    )
    assert bad.status_code == 400
    await client.app.state.rt.audit_log.flush()
    entries = await AuditEntry.select().where(AuditEntry.method == "POST").order_by(AuditEntry.id)
    claims = [
        (e["kind"], e["status"], e["actor"], e["role"], e["action"], e["subjects"])
        for e in entries
        if e["path"] == "/api/employment-claims"
    ]
    refused = [
        ("write_refused", status, "hr-probe", "employer_staff", "employment.claim", "") for _, status in tries
    ]
    refused[4] = ("write", 201, "hr-probe", "employer_staff", "employment.claim", "")
    assert claims == refused
    assert [e for e in entries if e["path"] == "/api/employers" and e["status"] >= 400] == []
    assert (await verify_chain())[1] is None  # refusals are chained like every entry


async def test_forged_expired_and_replayed_tokens(client: Any, tmp_path: Path) -> None:
    admin = await admin_headers(client)
    token = admin["Authorization"].split()[1]
    claims = jwt.decode(token, options={"verify_signature": False})
    forged = jwt.encode(
        {**claims, "sub": "1", "role": "city_admin"},
        "not-the-secret-of-this-service-at-all",
        algorithm="HS256",
    )
    assert (
        await client.get("/api/targets", headers={"Authorization": f"Bearer {forged}"})
    ).status_code == 401
    none_alg = jwt.encode({**claims}, key="", algorithm="none")  # type: ignore[arg-type]
    assert (
        await client.get("/api/targets", headers={"Authorization": f"Bearer {none_alg}"})
    ).status_code == 401
    secret = client.app.state.rt.settings.token_secret()
    expired = jwt.encode(
        {**claims, "exp": int(dt.datetime(2020, 1, 1, tzinfo=dt.UTC).timestamp())}, secret, algorithm="HS256"
    )
    assert (
        await client.get("/api/targets", headers={"Authorization": f"Bearer {expired}"})
    ).status_code == 401
    assert (await client.get("/api/targets", headers=admin)).status_code == 200
    await client.post("/api/auth/logout", headers=admin)
    assert (await client.get("/api/targets", headers=admin)).status_code == 401  # replaying it after logout


async def test_passwords_change_reset_deactivate_and_lock(db: None, pg_engine: Any, tmp_path: Path) -> None:
    from service.app import create_app

    clock = FixedClock(dt.datetime(2026, 11, 29, 2, tzinfo=dt.UTC))
    app = create_app(settings_for(tmp_path), engine=pg_engine, clock=clock, sms=RecordingSms())
    try:
        async with serve_in_process(app) as client:
            admin = await admin_headers(client)
            await client.post(
                "/api/auth/accounts",
                headers=admin,
                json={"username": "base", "password": PASSWORD, "role": "examiner"},
            )
            base_id = (await UserAccount.objects().get(UserAccount.username == "base")).id
            old = await login(client, "base")
            clock.advance(dt.timedelta(seconds=1))  # a token is refused when issued at or before a cut-off
            changed = await client.post(
                "/api/auth/password",
                headers=old,
                json={"old_password": PASSWORD, "new_password": "a-new-password"},
            )
            assert changed.status_code == 204
            assert (await client.get("/api/auth/me", headers=old)).status_code == 401  # old tokens end
            clock.advance(dt.timedelta(seconds=1))
            new = await login(client, "base", "a-new-password")
            clock.advance(dt.timedelta(seconds=1))
            # an admin reset: a temporary password, to be changed before anything else
            reset = await client.post(f"/api/accounts/{base_id}/reset-password", headers=admin)
            temporary = reset.json()["temporary_password"]
            assert (await client.get("/api/auth/me", headers=new)).status_code == 401
            clock.advance(dt.timedelta(seconds=1))
            forced = await login(client, "base", temporary)
            blocked = await client.get("/api/me/sittings", headers=forced)
            assert blocked.status_code == 403 and "修改密码" in blocked.json()["detail"]
            assert (await client.get("/api/auth/me", headers=forced)).json()["must_change_password"] is True
            await client.post(
                "/api/auth/password",
                headers=forced,
                json={"old_password": temporary, "new_password": "final-password"},
            )
            clock.advance(dt.timedelta(seconds=1))
            final = await login(client, "base", "final-password")
            assert (await client.get("/api/me/sittings", headers=final)).status_code == 200
            clock.advance(dt.timedelta(seconds=1))
            # deactivation ends the login at once
            await client.post(f"/api/accounts/{base_id}/deactivate", headers=admin)
            assert (await client.get("/api/me/sittings", headers=final)).status_code == 401
            await client.post(f"/api/accounts/{base_id}/activate", headers=admin)
            # five wrong passwords lock the login for 15 minutes, even against the right password
            for _ in range(5):
                bad = await client.post(
                    "/api/auth/login", json={"username": "base", "password": "wrong-password"}
                )
                assert bad.status_code == 401
            locked = await client.post(
                "/api/auth/login", json={"username": "base", "password": "final-password"}
            )
            assert locked.status_code == 401
            clock.advance(dt.timedelta(minutes=16))
            assert (
                await client.post("/api/auth/login", json={"username": "base", "password": "final-password"})
            ).status_code == 201
    finally:
        use_engine(pg_engine)


async def test_audit_log_records_reads_of_personal_data_and_detects_tampering(client: Any) -> None:
    from service.audit import verify_chain

    admin = await admin_headers(client)
    person = await _known_person()
    record = await client.get(f"/api/practitioners/{person}/record", headers=admin)
    assert record.status_code == 200
    await client.post(
        "/api/employers",
        headers=admin,
        json={"credit_code": "91350100M000100Y43", "name": "示范托育中心", "district_code": "370102"},
    )
    await client.app.state.rt.audit_log.flush()
    owner = await sign_up(client, "wangfang", id_number=KNOWN, name="王芳")
    await client.app.state.rt.audit_log.flush()
    mine = (await client.get("/api/me/audit", headers=owner)).json()
    assert any(
        e["kind"] == "read_personal" and e["role"] == "city_admin" and "/record" in e["path"] for e in mine
    )
    checked, bad = await verify_chain()
    assert bad is None and checked >= 3
    entries = await AuditEntry.select().order_by(AuditEntry.id)
    kinds = [(e["kind"], e["action"], e["subjects"]) for e in entries]
    assert ("read_personal", "practitioner.record", f",{person},") in kinds
    assert ("write", "employer.create", "") in kinds
    # tamper with one entry: the chain breaks exactly there
    await AuditEntry.update({AuditEntry.actor: "someone-else"}).where(AuditEntry.id == entries[1]["id"])
    assert await verify_chain() == (1, entries[1]["id"])


async def test_headers_and_markup_that_never_runs(client: Any) -> None:
    admin = await admin_headers(client)
    page = await client.get("/", headers={"Accept": "text/html"})
    csp = page.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp and "unsafe-inline" not in csp
    assert page.headers["x-content-type-options"] == "nosniff"
    assert page.headers["referrer-policy"] == "no-referrer"
    assert "<script>" not in page.text.split("</head>")[1]  # no inline script in the body
    # markup in free text is stored as text and rendered escaped
    r = await client.post(
        "/api/employers",
        headers=admin,
        json={
            "credit_code": "91350100M000100Y43",
            "name": "<script>alert(1)</script>托育",
            "district_code": "370102",
        },
    )
    assert r.status_code == 201 and r.json()["name"] == "<script>alert(1)</script>托育"
    for attempt in ("370102' OR '1'='1", "city; DROP TABLE tp_employer", "../../etc/passwd"):
        probe = await client.get("/api/targets", headers=admin, params={"scope": attempt})
        assert probe.status_code == 422, probe.text
    assert (await client.get("/api/employers/1", headers=admin)).status_code == 200  # still there


def _directive(csp: str, name: str) -> list[str]:
    """The sources of one CSP directive (``media-src 'self' blob:`` → ``["'self'", "blob:"]``)."""
    return next(part.split()[1:] for part in csp.split(";") if part.split()[0] == name)


async def test_media_src_allows_exactly_the_courseware_store(
    client: Any, pg_engine: Any, tmp_path: Path
) -> None:
    """Lessons on the object store (``TUOYU_COURSEWARE_URL``) may play: its origin, and nothing
    wider, joins ``media-src``; without a store the app's own files only."""
    from service.app import create_app

    plain = (await client.get("/", headers={"Accept": "text/html"})).headers["content-security-policy"]
    assert _directive(plain, "media-src") == ["'self'", "blob:"]
    settings = settings_for(tmp_path, courseware_url="https://Media.Example.cn:8443/tuoyu/courseware/")
    async with serve_in_process(create_app(settings, engine=pg_engine)) as store:
        for path in ("/", "/login", "/v/S000037000001265000001"):
            csp = (await store.get(path, headers={"Accept": "text/html"})).headers["content-security-policy"]
            assert _directive(csp, "media-src") == ["'self'", "blob:", "https://media.example.cn:8443"], path
            assert _directive(csp, "script-src") == ["'self'"] and _directive(csp, "connect-src") == [
                "'self'"
            ]
            assert "*" not in csp


async def test_a_lesson_on_a_host_the_player_cannot_load_is_refused(
    client: Any, pg_engine: Any, tmp_path: Path
) -> None:
    """What media-src allows is what the lesson API accepts: file names (the app's courseware) and
    addresses on the object store's origin; any other host is refused with 422 naming them."""
    from service.app import create_app
    from tests.factories import make_offering
    from training import get_offering

    course = (await get_offering(await make_offering(capacity=5))).course_id
    path = f"/api/courses/{course}/lessons"

    def lesson(media: str) -> dict[str, Any]:
        return {"title": "回应性照护", "media": media, "duration_seconds": 600}

    admin = await admin_headers(client)
    foreign = await client.post(path, headers=admin, json=lesson("https://cdn.other.cn/v.mp4"))
    assert foreign.status_code == 422, foreign.text
    assert foreign.json()["detail"] == (
        "课件地址的主机 cdn.other.cn 不在允许的来源内，学员的播放器无法加载："
        "本系统未配置课件存储地址，请把视频放入课件目录并填写文件名"
    )
    folder = client.app.state.rt.settings.courseware_path()
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "v.mp4").write_bytes(b"\x00\x00\x00\x18ftypmp42")
    assert (await client.post(path, headers=admin, json=lesson("v.mp4"))).status_code == 201
    settings = settings_for(tmp_path, courseware_url="https://Media.Example.cn:8443/tuoyu/courseware/")
    async with serve_in_process(create_app(settings, engine=pg_engine)) as store:
        admin = await login(store, "regulator")
        for media in (
            "https://media.example.cn:8443/tuoyu/courseware/v.mp4",
            "https://MEDIA.example.cn:8443/x.mp4",
        ):
            added = await store.post(path, headers=admin, json=lesson(media))
            assert added.status_code == 201 and added.json()["media_url"] == media, added.text
        for media in (
            "https://cdn.other.cn/v.mp4",
            "https://media.example.cn/v.mp4",  # port 443, not the store's 8443
            "https://media.example.cn.evil.cn:8443/v.mp4",
            "https://media.example.cn:8443@evil.cn/v.mp4",
        ):
            refused = await store.post(path, headers=admin, json=lesson(media))
            assert refused.status_code == 422, (media, refused.text)
            assert "课件存储 https://media.example.cn:8443 上的 https:// 地址" in refused.json()["detail"]
        assert [x["media"] for x in (await store.get(path, headers=admin)).json()] == [
            "v.mp4",
            "https://media.example.cn:8443/tuoyu/courseware/v.mp4",
            "https://MEDIA.example.cn:8443/x.mp4",
        ]  # nothing refused was saved


@pytest.mark.parametrize("path", ["/api/verify/S000037000001265000001", "/v/S000037000001265000001"])
async def test_public_verification_answers_without_personal_data(client: Any, path: str) -> None:
    r = await client.get(path, headers={"Accept": "application/json"})
    assert r.status_code == 200 and r.json()["outcome"] == "unknown"
    assert set(r.json()) >= {"outcome", "holder_name_masked", "holder_id_masked"}
    assert "status_reason" not in r.json()


SECURITY_HEADERS = {
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
}


@pytest.mark.parametrize(
    ("method", "path", "headers", "status"),
    [
        ("GET", "/my", {"Accept": "text/html"}, 302),  # a page without a session → the login page
        ("GET", "/my", {"Accept": "text/html", "Cookie": "token=garbage"}, 302),  # a broken session
        ("GET", "/api/employers/1", {}, 401),  # the API without a login
        ("GET", "/no/such/page", {"Accept": "text/html"}, 404),  # no route: routing answers
        ("GET", "/api/no-such-thing", {}, 404),
        ("DELETE", "/health", {}, 405),  # a route, not this method
    ],
)
async def test_every_answer_carries_the_security_headers(
    client: Any, method: str, path: str, headers: dict[str, str], status: int
) -> None:
    """Also the answers made outside the routes' middleware (the login redirect, 401 from the
    authentication middleware, 404/405 from routing): same headers, and the caller's request id."""
    r = await client.request(
        method, path, headers={**headers, "X-Request-ID": "probe-1"}, follow_redirects=False
    )
    assert r.status_code == status, r.text
    if status == 302:
        assert r.headers["location"] == "/login?next=%2Fmy"
    csp = r.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in csp and "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert {name: r.headers.get(name) for name in SECURITY_HEADERS} == SECURITY_HEADERS
    assert r.headers["permissions-policy"].startswith("camera=(self)")
    assert r.headers["x-request-id"] == "probe-1"
    assert r.headers["cache-control"] == "no-store"


async def test_answers_with_personal_data_are_never_stored_by_the_browser(client: Any) -> None:
    """A regulator's person page, the record and the credit file are ``no-store`` (a trial:
    Back after logging out showed a person's full ID number and phone from the browser's cache);
    a handler's own ``Cache-Control`` is kept, and static files may be cached."""
    admin = await admin_headers(client)
    pid = (
        await client.post("/api/practitioners", headers=admin, json={"id_number": make_id(7), "name": "王芳"})
    ).json()["id"]
    for path in (f"/api/practitioners/{pid}/record", f"/api/practitioners/{pid}/credit"):
        r = await client.get(path, headers=admin)
        assert (r.status_code, r.headers.get("cache-control")) == (200, "no-store"), path
    cookie = {"Cookie": f"token={admin['Authorization'].removeprefix('Bearer ')}", "Accept": "text/html"}
    page = await client.get(f"/dashboard/people/{pid}", headers=cookie)
    assert (page.status_code, page.headers.get("cache-control")) == (200, "no-store"), page.text[:300]
    static = await client.get("/static/app.css")
    assert static.status_code == 200 and "cache-control" not in static.headers
    assert static.headers["x-content-type-options"] == "nosniff"


async def test_a_handler_error_and_a_validation_error_carry_the_headers(client: Any) -> None:
    admin = await admin_headers(client)
    missing = await client.get("/api/employers/999999", headers=admin)
    refused = await client.get("/api/targets", headers=admin, params={"scope": "nowhere"})
    assert (missing.status_code, refused.status_code) == (404, 422)
    for r in (missing, refused):
        assert "frame-ancestors 'none'" in r.headers["content-security-policy"]
        assert r.headers["x-content-type-options"] == "nosniff" and len(r.headers["x-request-id"]) == 32
