"""The whole loop through the HTTP API on PostgreSQL with a real Celery worker on Redis:
enroll → attend → complete → results → certificate (rendered by the worker) → QR decoded →
verify valid → revoke → verify revoked → targets changed by exactly the expected counts."""

from __future__ import annotations

import asyncio
import datetime as dt
import io
from typing import Any
from urllib.parse import urlsplit

import zxingcpp
from litestar.testing import AsyncTestClient
from PIL import Image

from certification import RENDER_TASK
from talent_pool.tables import OutboxMessage
from tests.factories import PASSWORD, admin_headers, login, make_id, person_name, sign_up
from tests.servers import wait_for
from worker.clock import Clock


async def ok(response: Any, status: int = 201) -> Any:
    assert response.status_code == status, response.text
    return response.json()


def city(reports: list[dict[str, Any]], key: str) -> dict[str, Any]:
    report = next(r for r in reports if r["scope"] == "city")
    return next(i for i in report["indicators"] if i["key"] == key)


async def test_whole_loop_with_celery_worker(celery_client: AsyncTestClient) -> None:  # type: ignore[type-arg]
    c = celery_client
    admin = await admin_headers(c)
    employer = await ok(
        await c.post(
            "/api/employers",
            headers=admin,
            json={
                "credit_code": "91350100M000100Y43",
                "name": "历下区示范托育中心",
                "district_code": "370102",
                "kind": "institution",
            },
        )
    )
    base = await ok(
        await c.post(
            "/api/training-bases",
            headers=admin,
            json={"name": "济南市托育实训基地", "district_code": "370102", "accredited": True},
        )
    )
    course = await ok(
        await c.post(
            "/api/courses",
            headers=admin,
            json={
                "code": "YEZH1",
                "title": "幼儿照护（初级）岗前培训",
                "category": "pre_job",
                "hours": "8.0",
            },
        )
    )
    await ok(
        await c.post(
            "/api/auth/accounts",
            headers=admin,
            json={
                "username": "base-staff",
                "password": PASSWORD,
                "role": "base_staff",
                "training_base_id": base["id"],
            },
        )
    )
    staff = await login(c, "base-staff")

    trainees = []
    for i in range(3):
        headers = await sign_up(c, f"trainee{i}", id_number=make_id(i + 1).lower(), name=person_name(i + 1))
        account = await ok(await c.get("/api/auth/me", headers=headers), 200)
        await ok(
            await c.post(
                "/api/employments",
                headers=admin,
                json={
                    "practitioner_id": account["practitioner_id"],
                    "employer_id": employer["id"],
                    "start_date": "2025-03-01",
                },
            )
        )
        trainees.append((account, headers))

    before = await ok(await c.get("/api/targets", headers=admin), 200)
    assert city(before, "certification_rate")["denominator"] == 3
    assert city(before, "certification_rate")["numerator"] == 0
    short = await ok(
        await c.get("/api/targets/shortfall/certification_rate?scope=370102", headers=admin), 200
    )
    assert short["total"] == 3 and {p["name"] for p in short["items"]} == {"学员一", "学员丁", "学员丂"}
    assert (short["limit"], short["offset"], short["indicator"]) == (100, 0, "certification_rate")

    today = Clock().today()  # the service's local date (Asia/Shanghai), not the machine's
    offering = await ok(
        await c.post(
            "/api/offerings",
            headers=staff,
            json={
                "course_id": course["id"],
                "training_base_id": base["id"],
                "start_date": str(today - dt.timedelta(days=3)),
                "end_date": str(today + dt.timedelta(days=1)),
                "capacity": 2,
            },
        )
    )
    sessions = [
        await ok(
            await c.post(
                f"/api/offerings/{offering['id']}/sessions",
                headers=staff,
                json={
                    "day": str(today - dt.timedelta(days=d)),
                    "starts_at": "09:00",
                    "ends_at": "13:00",
                    "topic": f"第{d}讲",
                },
            )
        )
        for d in (2, 1)
    ]
    # the catalog is public; enrollment needs the trainee's login
    assert any(o["id"] == offering["id"] for o in await ok(await c.get("/api/catalog/offerings"), 200))
    enrolled = [
        await ok(await c.post(f"/api/offerings/{offering['id']}/enrollments", headers=h, json={}))
        for _, h in trainees
    ]
    assert [e["status"] for e in enrolled] == ["confirmed", "confirmed", "waitlisted"]
    forbidden = await c.post("/api/offerings", headers=trainees[0][1], json={})
    assert forbidden.status_code == 403

    for s in sessions:
        await ok(
            await c.post(
                f"/api/sessions/{s['id']}/attendance",
                headers=staff,
                json={"entries": [{"enrollment_id": e["id"], "present": True} for e in enrolled[:2]]},
            )
        )
    report = await ok(await c.post(f"/api/offerings/{offering['id']}/complete", headers=staff))
    assert report["completed"] == 2

    sitting = await ok(
        await c.post(
            "/api/sittings",
            headers=staff,
            json={
                "programme_code": "1X-YEZH-1",
                "training_base_id": base["id"],
                "exam_date": str(today),
            },
        )
    )
    passer, failer = enrolled[0]["practitioner_id"], enrolled[1]["practitioner_id"]
    for pid in (passer, failer):
        await ok(
            await c.post(
                f"/api/sittings/{sitting['id']}/candidates",
                headers=staff,
                json={"practitioner_id": pid},
            )
        )
    results = await ok(
        await c.post(
            f"/api/sittings/{sitting['id']}/results",
            headers=staff,
            json={
                "results": [
                    {"practitioner_id": passer, "theory": "60.0", "practical": "75.5"},
                    {"practitioner_id": failer, "theory": "59.9", "practical": "99"},
                ]
            },
        )
    )
    assert [r["passed"] for r in results] == [True, False]
    issued = await ok(await c.post(f"/api/sittings/{sitting['id']}/issue", headers=staff))
    assert len(issued) == 1
    number = issued[0]["number"]
    # the issuing transaction recorded one render job; the dispatcher published it to Redis
    render_jobs = await OutboxMessage.select().where(OutboxMessage.task == RENDER_TASK).output(load_json=True)
    assert len(render_jobs) == 1 and render_jobs[0]["args"] == [[issued[0]["id"]]]

    holder = trainees[0][1]
    for _ in range(150):  # the Celery worker renders the QR and PDF into the database
        qr = await c.get(f"/api/certificates/{number}/qr.png", headers=holder)
        if qr.status_code == 200:
            break
        assert qr.status_code == 404, qr.text
        await asyncio.sleep(0.2)
    assert qr.status_code == 200 and qr.headers["content-type"] == "image/png"
    pdf = await c.get(f"/api/certificates/{number}/certificate.pdf", headers=holder)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    # the worker marked the job done once the documents were stored (and only then)
    job = await wait_for(lambda: OutboxMessage.select().where(OutboxMessage.done_at.is_not_null()).first())
    assert job["attempts"] == 1 and job["failed_at"] is None

    url = zxingcpp.read_barcodes(Image.open(io.BytesIO(qr.content)))[0].text
    assert url == issued[0]["verify_url"]
    parts = urlsplit(url)
    target = f"{parts.path}?{parts.query}"
    verdict = await ok(await c.get(target, headers={"Accept": "application/json"}), 200)
    assert (verdict["outcome"], verdict["signature_checked"]) == ("valid", True)
    assert verdict["holder_name_masked"] == "学**" and "*" in verdict["holder_id_masked"]
    page = await c.get(target, headers={"Accept": "text/html"})
    assert page.status_code == 200 and 'data-outcome="valid"' in page.text and "有效" in page.text

    middle = await ok(await c.get("/api/targets", headers=admin), 200)
    assert city(middle, "certification_rate")["numerator"] == 1
    assert city(middle, "person_trainings")["numerator"] - city(before, "person_trainings")["numerator"] == 2
    assert city(middle, "trainings_per_practitioner")["numerator"] == 2

    # the examining base reads its certificate with the holder's ID number masked; the holder in full
    as_base = await ok(await c.get(f"/api/certificates/{number}", headers=staff), 200)
    as_holder = await ok(await c.get(f"/api/certificates/{number}", headers=holder), 200)
    assert "*" in as_base["holder_id_number"] and as_base["holder_id_number"] != as_holder["holder_id_number"]
    assert as_holder["holder_id_number"] == make_id(1)  # stored normalised (upper-case X)
    assert (
        await c.post(f"/api/certificates/{number}/revoke", headers=staff, json={"reason": "x" * 5})
    ).status_code == 403
    await ok(
        await c.post(f"/api/certificates/{number}/revoke", headers=admin, json={"reason": "证书信息造假"})
    )
    verdict = await ok(await c.get(target, headers={"Accept": "application/json"}), 200)
    assert verdict["outcome"] == "revoked" and "证书信息造假" not in str(verdict)  # public: no reason
    page = await c.get(target, headers={"Accept": "text/html"})
    assert "已吊销" in page.text and "证书信息造假" not in page.text
    held = await ok(await c.get(f"/api/certificates/{number}", headers=holder), 200)
    assert held["status_reason"] == "证书信息造假"  # the holder reads it on their certificate

    after = await ok(await c.get("/api/targets", headers=admin), 200)
    assert city(after, "certification_rate")["numerator"] == 0
    assert city(after, "person_trainings")["numerator"] == city(middle, "person_trainings")["numerator"]


async def test_problem_details_and_auth(client: AsyncTestClient) -> None:  # type: ignore[type-arg]
    anonymous = await client.post("/api/employers", json={})
    assert anonymous.status_code == 401
    assert anonymous.headers["content-type"].startswith("application/problem+json")
    bad = await client.post(
        "/api/auth/register",
        json={
            "username": "someone",
            "password": PASSWORD,
            "id_number": "110105194912310021",
            "name": "张三",
        },
    )
    assert bad.status_code == 422
    body = bad.json()
    assert body["code"] == "invalid_id_number" and "校验码" in body["detail"]
    unknown = await client.get("/api/verify/NOPE", headers={"Accept": "application/json"})
    assert unknown.status_code == 200 and unknown.json()["outcome"] == "unknown"
    jwks = (await client.get("/.well-known/jwks.json")).json()
    assert jwks["keys"][0]["kty"] == "OKP" and jwks["keys"][0]["crv"] == "Ed25519"
    admin = await admin_headers(client)
    changed = await client.patch(
        "/api/programmes/1X-YEZH-1",
        headers=admin,
        json={"min_training_hours": "16", "training_category": "pre_job"},
    )
    assert changed.status_code == 200 and changed.json()["min_training_hours"] == "16"
    bad_mark = await client.patch("/api/programmes/1X-YEZH-1", headers=admin, json={"pass_mark_theory": 101})
    assert bad_mark.status_code == 400 and bad_mark.headers["content-type"].startswith(
        "application/problem+json"
    )
    schema = await client.get("/schema/openapi.json")
    assert schema.status_code == 200 and "/api/offerings/{offering_id}/enrollments" in schema.json()["paths"]
