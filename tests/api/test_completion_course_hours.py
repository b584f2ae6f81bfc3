"""Completion measures attendance against the course's hours (fresh-user trial, HIGH): a base
opened a class of the 16-hour course, scheduled one session today 00:00–01:00, marked the one
trainee present and completed it — 201, "出勤 1.0 / 1.0 学时（100.0%）… 达到结业要求", and a 1-hour
training record entered the talent pool as a 培训人次. A 15-minute session ("hours": "0.25") did
the same. Now completion is refused (409 ``course_hours_not_held``), nothing is written, and the
preview says why. On PostgreSQL, through the HTTP API; failed before the fix."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from service.accounts import AccountIn, create_account
from talent_pool.tables import Practitioner, TrainingRecord
from tests.factories import PASSWORD, login, make_offering, register_people
from tests.servers import serve_in_process, settings_for
from training import get_offering
from training.tables import Enrollment
from worker.clock import FixedClock

TODAY = dt.date(2026, 12, 4)
AT_1350 = dt.datetime(2026, 12, 4, 5, 50, tzinfo=dt.UTC)  # 13:50 in Jinan


@pytest.fixture
async def clocked(db: None, pg_engine: Any, tmp_path: Path) -> AsyncIterator[Any]:
    """The app in-process on a fixed clock (13:50 in Jinan on 4 December 2026)."""
    from service.app import create_app

    app = create_app(settings_for(tmp_path), engine=pg_engine, clock=FixedClock(AT_1350))
    async with serve_in_process(app) as c:
        yield c


async def _trial_class(client: Any, session: dict[str, str]) -> tuple[int, int, dict[str, str], int]:
    """The trial's steps up to completion: base1 opens a class (yesterday–today, capacity 2) of
    the 16 h course, adds ``session`` today, trainee1 enrolls and is marked present. Returns
    (offering, session, base headers, practitioner)."""
    seed = await make_offering(course_title="幼儿照护（初级）岗前培训")  # the 16 h course and a base
    course_id, base_id = (await get_offering(seed)).course_id, (await get_offering(seed)).training_base_id
    await create_account(
        AccountIn(username="base1", password=PASSWORD, role="base_staff", training_base_id=base_id)
    )
    base = await login(client, "base1")
    r = await client.post(
        "/api/offerings",
        headers=base,
        json={
            "course_id": course_id,
            "training_base_id": base_id,
            "start_date": str(TODAY - dt.timedelta(days=1)),
            "end_date": str(TODAY),
            "capacity": 2,
        },
    )
    assert r.status_code == 201, r.text
    oid = r.json()["id"]
    r = await client.post(f"/api/offerings/{oid}/sessions", headers=base, json={"day": str(TODAY), **session})
    assert r.status_code == 201, r.text
    sid = r.json()["id"]
    (pid,) = await register_people(1)
    await Practitioner.update({Practitioner.phone: "13900000001"}).where(
        Practitioner._meta.primary_key == pid
    )
    await create_account(
        AccountIn(username="trainee1", password=PASSWORD, role="trainee", practitioner_id=pid)
    )
    trainee = await login(client, "trainee1")
    assert (
        await client.post(f"/api/offerings/{oid}/enrollments", headers=trainee, json={})
    ).status_code == 201
    r = await client.post(
        f"/api/sessions/{sid}/attendance", headers=base, json={"entries": [{"practitioner_id": pid}]}
    )
    assert r.status_code in (200, 201), r.text
    return oid, sid, base, pid


@pytest.mark.parametrize(
    ("session", "held"),
    [
        ({"starts_at": "00:00", "ends_at": "01:00"}, "1.0"),  # the trial's exact steps
        ({"starts_at": "00:00", "ends_at": "01:00", "hours": "0.25"}, "0.25"),  # a 15-minute session
    ],
)
async def test_a_short_class_of_a_16_hour_course_cannot_be_completed(
    clocked: Any, session: dict[str, str], held: str
) -> None:
    oid, _, base, _ = await _trial_class(clocked, session)
    expected = (
        f"班级仅安排 {held} 学时，课程要求 16.0 学时，结业至少需出勤 12.8 学时（80%），"
        "无人能够结业；请补足课次后再结业"
    )
    preview = await clocked.get(f"/api/offerings/{oid}/completion-preview", headers=base)
    assert preview.status_code == 200, preview.text
    (entry,) = preview.json()["entries"]
    assert (preview.json()["completed"], entry["status"]) == (0, "not_completed")
    assert entry["reason"].endswith(expected) and "16.0 学时" in entry["reason"]
    done = await clocked.post(f"/api/offerings/{oid}/complete", headers=base)
    assert done.status_code == 409, done.text
    body = done.json()
    assert (body["code"], body["detail"]) == ("course_hours_not_held", f"班级 {oid} 不能结业：{expected}")
    # nothing written: no training record (no 培训人次), the class open, the seat confirmed
    assert await TrainingRecord.count() == 0
    assert (await get_offering(oid)).status == "open"
    assert [r["status"] for r in await Enrollment.select(Enrollment.status)] == ["confirmed"]
    after = await clocked.get(f"/api/offerings/{oid}/completion-preview", headers=base)
    assert after.json()["entries"][0]["status"] == "not_completed"  # the preview agrees
