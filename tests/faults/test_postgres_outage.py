"""PostgreSQL goes away under load and comes back: the service says "try again shortly" (503
with ``Retry-After``) instead of failing, keeps running, and recovers by itself with its counters
consistent."""

from __future__ import annotations

import asyncio
import collections
import datetime as dt
import time
from decimal import Decimal

import httpx

from tests.faults.conftest import (
    PostgresCluster,
    Rig,
    Traffic,
    bound_to,
    issue,
    login,
    make_id,
    passed_sitting,
    person_name,
    today,
    training_base_with_staff,
    tuoyu_env,
)

OUTAGE_SECONDS = 10
CAPACITY = 40
PEOPLE = range(100, 400)


async def _offering_with_people(url: str, base_id: int) -> tuple[int, dict[int, dict[str, str]]]:
    """An open offering (capacity :data:`CAPACITY`, starting next week) at ``base_id`` and the
    practitioners ``PEOPLE``; returns the offering id and ``{id: {"id_number", "name"}}`` (staff
    enroll a person by ID number and name)."""
    import talent_pool
    import training
    from talent_pool.schemas import PractitionerIn
    from training.schemas import CourseIn, OfferingIn

    day = today()
    async with bound_to(url):
        course = await training.create_course(
            CourseIn(code="FAULT-PRE", title="幼儿照护岗前培训", category="pre_job", hours=Decimal(16))
        )
        offering = await training.create_offering(
            OfferingIn(
                course_id=course.id,
                training_base_id=base_id,
                start_date=day + dt.timedelta(days=7),
                end_date=day + dt.timedelta(days=14),
                capacity=CAPACITY,
            )
        )
        people = {
            (
                await talent_pool.register_practitioner(
                    PractitionerIn(id_number=make_id(seq), name=person_name(seq)), today=day
                )
            ).id: {"id_number": make_id(seq), "name": person_name(seq)}
            for seq in PEOPLE
        }
    return offering.id, people


async def _enrollment_state(url: str, offering_id: int) -> tuple[int, collections.Counter[str], list[int]]:
    """``confirmed_count`` of the offering, its enrollments by status, and the enrolled people."""
    from training.tables import Enrollment, Offering

    async with bound_to(url):
        offering = await Offering.select(Offering.confirmed_count).where(Offering.id == offering_id).first()
        rows = await Enrollment.select(Enrollment.status, Enrollment.practitioner).where(
            Enrollment.offering == offering_id
        )
    assert offering is not None
    return (
        offering["confirmed_count"],
        collections.Counter(r["status"] for r in rows),
        sorted(r["practitioner"] for r in rows),
    )


async def test_postgres_stopped_under_verify_and_enroll_load(
    rig: Rig, database_url: str, postgres: PostgresCluster
) -> None:
    """PostgreSQL stopped (fast shutdown: every connection dies) for 10 s while certificates are
    verified and staff enroll people into a 40-seat offering: every answer while it is down is
    503 with ``Retry-After`` (never 500, never a hang), every answer once it is back succeeds,
    ``/health`` answers 200 throughout, the same ``tuoyu serve`` process serves before, during
    and after, and the offering's ``confirmed_count`` equals its confirmed enrollments."""
    env = tuoyu_env(rig.path("data"), database_url=database_url, verify_rate_per_minute=100_000)
    base_id = await training_base_with_staff(database_url)
    sitting_id = await passed_sitting(database_url, base_id, range(3))
    offering_id, people = await _offering_with_people(database_url, base_id)
    web = rig.serve(env)
    waiting = collections.deque(people)
    enrolled: list[int] = []
    traffic = Traffic()
    async with web.client(timeout=20) as client:
        staff = await login(client, "base")
        number = (await issue(client, staff, sitting_id))[0]["number"]

        async def enroll_next() -> httpx.Response:
            pid = waiting.popleft()
            response = await client.post(
                f"/api/offerings/{offering_id}/enrollments", headers=staff, json=people[pid]
            )
            (enrolled if response.status_code == 201 else waiting).append(pid)  # refused: try again later
            return response

        json = {"Accept": "application/json"}
        traffic.loop("verify", lambda: client.get(f"/api/verify/{number}", headers=json))
        traffic.loop("enroll", enroll_next, pause=0.2)
        traffic.loop("health", lambda: client.get("/health"), pause=0.5)
        await asyncio.sleep(3)

        stopping = time.monotonic()
        postgres.stop("fast")
        down = time.monotonic()
        await asyncio.sleep(OUTAGE_SECONDS)
        restarting = time.monotonic()
        postgres.start()
        up = time.monotonic()
        await asyncio.sleep(8)
        await traffic.stop()

    outcomes = [o for o in traffic.outcomes if o.kind != "health"]
    unexpected = [o for o in outcomes if o.status not in (200, 201, 503)]
    assert unexpected == [], unexpected[:5]
    assert [o for o in outcomes if o.status == 503 and o.retry_after != "5"] == []
    while_down = [o for o in traffic.sent_between(down, restarting) if o.kind != "health"]
    assert {o.kind for o in while_down} == {"verify", "enroll"}
    assert {o.status for o in while_down} == {503}
    after = [o for o in traffic.sent_between(up, time.monotonic()) if o.kind != "health"]
    assert {o.kind for o in after} == {"verify", "enroll"}
    assert [o for o in after if o.status not in (200, 201)] == []
    assert {o.status for o in traffic.outcomes if o.kind == "health"} == {200}
    assert web.proc.alive() and "Started server process" in web.proc.log()
    assert web.proc.log().count("Started server process") == 1  # never restarted

    confirmed_count, by_status, in_db = await _enrollment_state(database_url, offering_id)
    assert confirmed_count == by_status["confirmed"] == min(CAPACITY, len(enrolled))
    assert in_db == sorted(enrolled)  # exactly the people whose enrollment was answered 201
    statuses = traffic.statuses()
    print(
        f"\nstop took {down - stopping:.1f} s, start {up - restarting:.1f} s; answers "
        f"{ {k: dict(v) for k, v in statuses.items()} }; while down {len(while_down)} x 503; "
        f"enrolled {len(enrolled)} ({dict(by_status)}), confirmed_count {confirmed_count}"
    )
