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


async def test_roster_marks_late_and_the_last_mark_wins(client: AsyncTestClient) -> None:  # type: ignore[type-arg]
    """迟到 by tapping: present and late (counts as attended, like a late QR check-in); a later
    mark replaces it and every mark stays in the history; an absent row cannot be late."""
    today = Clock().today()
    admin = await admin_headers(client)
    # an 8 h course: its two 4 h sessions deliver it (completion needs the course's hours)
    offering = await make_offering(capacity=5, start=today - dt.timedelta(days=5), end=today, hours="8")
    late_one, absent_one = await register_people(2)
    sessions = []
    for days in (4, 3):
        s = await client.post(
            f"/api/offerings/{offering}/sessions",
            headers=admin,
            json={"day": str(today - dt.timedelta(days=days)), "starts_at": "08:00", "ends_at": "12:00"},
        )
        assert s.status_code == 201, s.text
        sessions.append(s.json()["id"])
    enrollments = {}
    for pid in (late_one, absent_one):
        e = await client.post(
            f"/api/offerings/{offering}/enrollments", headers=admin, json={"practitioner_id": pid}
        )
        assert e.status_code == 201, e.text
        enrollments[pid] = e.json()["id"]
    first, second = sessions

    async def mark(session: int, pid: int, **state: bool) -> dict[str, int]:
        r = await client.post(
            f"/api/sessions/{session}/attendance",
            headers=admin,
            json={"entries": [{"enrollment_id": enrollments[pid], **state}], "method": "roster"},
        )
        assert r.status_code == 201, r.text
        return {k: r.json()[k] for k in ("present", "absent", "late")}

    async def row(session: int, pid: int) -> tuple[bool, bool]:
        rows = (await client.get(f"/api/sessions/{session}/attendance", headers=admin)).json()
        found = next(r for r in rows if r["enrollment_id"] == enrollments[pid])
        return found["present"], found["late"]

    assert await mark(first, late_one, present=True, late=True) == {"present": 1, "absent": 0, "late": 1}
    assert await row(first, late_one) == (True, True)
    assert await mark(first, late_one, present=True, late=False) == {"present": 1, "absent": 0, "late": 0}
    assert await mark(first, late_one, present=False) == {"present": 0, "absent": 1, "late": 0}
    assert await row(first, late_one) == (False, False)
    assert await mark(first, late_one, present=True, late=True) == {"present": 1, "absent": 0, "late": 1}
    # present without a late mark keeps the stored one (an API client unaware of 迟到)
    assert await mark(first, late_one, present=True) == {"present": 1, "absent": 0, "late": 1}

    refused = await client.post(
        f"/api/sessions/{first}/attendance",
        headers=admin,
        json={"entries": [{"enrollment_id": enrollments[late_one], "present": False, "late": True}]},
    )
    assert refused.status_code == 422 and "缺勤不能同时标记迟到" in refused.text, refused.text
    # the validator's words only: no pydantic internals in English (trial finding)
    assert not any(s in refused.text for s in ("validation error", "pydantic", "Value error", "input_value"))
    assert await row(first, late_one) == (True, True)  # nothing changed

    history = (await client.get(f"/api/sessions/{first}/attendance/history", headers=admin)).json()
    assert [(h["present_after"], h["late_after"]) for h in history] == [
        (True, True),
        (True, False),
        (False, False),
        (True, True),
    ]
    assert all(h["method"] == "roster" and h["changed_by"] == "regulator" for h in history)

    # late counts as attended for completion: 8 of 8 hours; the other person 4 of 8 (absent once)
    await mark(second, late_one, present=True, late=True)
    await mark(first, absent_one, present=True)
    await mark(second, absent_one, present=False)
    done = await client.post(f"/api/offerings/{offering}/complete", headers=admin)
    assert done.status_code == 201, done.text
    outcome = {e["practitioner_id"]: (e["status"], e["attended_hours"]) for e in done.json()["entries"]}
    assert outcome == {late_one: ("completed", "8.00"), absent_one: ("not_completed", "4.00")}


async def test_a_class_not_started_cannot_be_completed_nor_a_session_moved_into_the_past(
    client: AsyncTestClient,  # type: ignore[type-arg]
) -> None:
    """The fresh-user trial through the API: a class starting tomorrow (its course has online
    lessons, as the demo's course 1), one person enrolled, no sessions — completion answered 201
    and closed the person 未结业, dated before the class's start; a session moved from tomorrow
    to yesterday 17:00 let a class complete at once."""
    from training import add_lesson, get_offering
    from training.online_schemas import LessonIn

    today = Clock().today()
    tomorrow = today + dt.timedelta(days=1)
    admin = await admin_headers(client)
    offering = await make_offering(capacity=3, start=tomorrow, end=today + dt.timedelta(days=20))
    course = (await get_offering(offering)).course_id
    await add_lesson(
        course, LessonIn(title="回应性照护", media="yezh-01.mp4", duration_seconds=600), media_base="/c"
    )
    (pid,) = await register_people(1)
    r = await client.post(
        f"/api/offerings/{offering}/enrollments", headers=admin, json={"practitioner_id": pid}
    )
    assert r.status_code == 201, r.text
    done = await client.post(f"/api/offerings/{offering}/complete", headers=admin)
    assert done.status_code == 409, done.text
    assert done.json()["code"] == "offering_not_started"
    assert done.json()["detail"] == f"班级 {offering} 尚未开班（{tomorrow} 开班），开班前不能结业"
    page = await client.get(f"/base/offerings/{offering}", headers=admin)  # the button says so too
    assert page.status_code == 200, page.text
    assert f'data-offering="{offering}" disabled>' in page.text
    assert (
        f'data-code="offering_not_started">{done.json()["detail"]}。</p>' in page.text
    )  # the server's words
    preview = await client.get(f"/api/offerings/{offering}/completion-preview", headers=admin)
    assert preview.status_code == 200 and preview.json()["completed_on"] == str(
        tomorrow
    )  # never before start
    assert preview.json()["entries"][0]["status"] == "not_completed"  # still only a preview

    started = await make_offering(
        capacity=3, course_code="MOVE", start=today - dt.timedelta(days=2), end=today + dt.timedelta(days=20)
    )
    future = await client.post(
        f"/api/offerings/{started}/sessions",
        headers=admin,
        json={"day": str(tomorrow), "starts_at": "09:00", "ends_at": "12:00"},
    )
    assert future.status_code == 201, future.text
    moved = await client.post(
        f"/api/sessions/{future.json()['id']}/move",
        headers=admin,
        json={
            "day": str(today - dt.timedelta(days=1)),
            "starts_at": "17:00",
            "ends_at": "18:00",
            "reason": "调课",
        },
    )
    assert moved.status_code == 422, moved.text
    assert (
        moved.json()["code"] == "session_in_past" and "不能把课次调到已过去的时间" in moved.json()["detail"]
    )
    blocked = await client.post(f"/api/offerings/{started}/complete", headers=admin)
    assert blocked.status_code == 409 and blocked.json()["code"] == "sessions_not_over"
