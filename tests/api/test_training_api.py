"""Training endpoints use the service's local day: no attendance for sessions that have not
happened, training records dated the last session, role-appropriate errors for enrollment."""

from __future__ import annotations

import datetime as dt

from litestar.testing import AsyncTestClient

from tests.factories import PASSWORD, admin_headers, login, make_offering, register_people
from worker.clock import Clock


async def test_local_day_rules_through_the_api(client: AsyncTestClient) -> None:  # type: ignore[type-arg]
    today = Clock().today()
    admin = await admin_headers(client)
    offering = await make_offering(
        capacity=5, start=today - dt.timedelta(days=5), end=today + dt.timedelta(days=5)
    )
    (pid,) = await register_people(1)
    past = await client.post(
        f"/api/offerings/{offering}/sessions",
        headers=admin,
        json={"day": str(today - dt.timedelta(days=3)), "starts_at": "08:00", "ends_at": "12:00"},
    )
    future = await client.post(
        f"/api/offerings/{offering}/sessions",
        headers=admin,
        json={"day": str(today + dt.timedelta(days=2)), "starts_at": "08:00", "ends_at": "12:00"},
    )
    assert past.status_code == future.status_code == 201
    missing = await client.post(f"/api/offerings/{offering}/enrollments", headers=admin, json={})
    assert missing.status_code == 422 and "身份证号和姓名" in missing.json()["detail"]
    enrolled = await client.post(
        f"/api/offerings/{offering}/enrollments", headers=admin, json={"practitioner_id": pid}
    )
    assert enrolled.status_code == 201, enrolled.text
    early = await client.post(
        f"/api/sessions/{future.json()['id']}/attendance",
        headers=admin,
        json={"entries": [{"practitioner_id": pid, "present": True}]},
    )
    assert early.status_code == 422 and "尚未开始" in early.json()["detail"]
    for bad in ({"practitioner_id": pid, "present": "yes"}, {"practitioner_id": str(pid), "present": True}):
        r = await client.post(
            f"/api/sessions/{past.json()['id']}/attendance", headers=admin, json={"entries": [bad]}
        )
        assert r.status_code in (400, 422), r.text


async def test_employers_cannot_enroll_people(client: AsyncTestClient) -> None:  # type: ignore[type-arg]
    from tests.factories import make_employer

    admin = await admin_headers(client)
    employer = await make_employer()
    r = await client.post(
        "/api/auth/accounts",
        headers=admin,
        json={
            "username": "hr-staff",
            "password": PASSWORD,
            "role": "employer_staff",
            "employer_id": employer,
        },
    )
    assert r.status_code == 201, r.text
    hr = await login(client, "hr-staff")
    offering = await make_offering(capacity=5, start=Clock().today())
    (pid,) = await register_people(1)
    denied = await client.post(
        f"/api/offerings/{offering}/enrollments", headers=hr, json={"practitioner_id": pid}
    )
    assert denied.status_code == 403 and denied.json()["code"] == "forbidden"
