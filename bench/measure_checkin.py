"""Measure ``checkin`` — 200 trainees scanning a session's rotating QR within a minute, over real HTTP.

In the database ``tuoyu_bench_checkin`` (migrated, seeded) the project's own library opens one
offering at a base with 200 seats starting today, enrolls 200 trainees (the enroll measure's
trainees: practitioners with valid resident ID numbers and trainee logins) and, per round, adds
one session that starts now (local time), so the check-in window is open. A base staff login of
that base shows the QR: ``POST /api/sessions/{id}/checkin-token`` (the 15-second token).

Each round scans as a room of trainees does: in waves of 50, each wave reading the QR the
screen shows at that moment (a fresh token fetched over HTTP first), every trainee scanning
**twice** (a double tap, a second try on a slow network): 400 ``POST /api/checkin`` per round,
each on a connection of its own. Checked: every answer 201 with ``checked_in`` or
``already_checked_in``, exactly 200 ``checked_in``, and in the database exactly one attendance
row per trainee for the session — none lost, none doubled. The baseline is the same waves of
``GET /health``; the order alternates between rounds.

Reported: scans/s ÷ ``/health`` requests/s (information: the price of recording a scan).
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections import Counter
from decimal import Decimal

import asyncpg
import httpx

from bench import pg
from bench.context import RunContext
from bench.measure_enroll import PASSWORD, burst, check_health, log_in, trainee
from bench.project_db import CLOCK, bound_to
from bench.results import Measure, median
from bench.servers import Server, run_tuoyu, tuoyu_env, tuoyu_server

DATABASE = "tuoyu_bench_checkin"
TRAINEES = 200
WAVE = 50
STAFF = "bench-base-staff"


async def prepare(rounds: int) -> tuple[int, list[int]]:
    """A base with a staff login, an offering with 200 seats from today, the 200 trainees
    enrolled, and one session per round starting at the next whole minute (local time)."""
    import talent_pool
    import training
    from service.accounts import AccountIn, create_account
    from talent_pool.schemas import PractitionerIn
    from training.schemas import CourseIn, OfferingIn, SessionIn, TrainingBaseIn

    now = CLOCK.now()
    local = now.astimezone(CLOCK.zone)
    today = local.date()
    async with bound_to(DATABASE):
        base = await training.create_training_base(
            TrainingBaseIn(name="基准测试签到基地", district_code="370112", accredited=True)
        )
        await create_account(
            AccountIn(
                username=STAFF,
                password=PASSWORD,
                role="base_staff",
                display_name="签到基准",
                training_base_id=base.id,
            )
        )
        course = await training.create_course(
            CourseIn(
                code="BENCH-CHECKIN",
                title="婴幼儿照护在岗培训（签到基准）",
                category="refresher",
                hours=Decimal("8"),
            )
        )
        offering = await training.create_offering(
            OfferingIn(
                course_id=course.id,
                training_base_id=base.id,
                start_date=today,
                end_date=today + dt.timedelta(days=1),
                capacity=TRAINEES,
            )
        )
        gate = asyncio.Semaphore(4)  # Argon2id hashing is CPU-bound

        async def one(i: int) -> None:
            data = trainee(i)
            async with gate:
                person = await talent_pool.register_practitioner(
                    PractitionerIn(id_number=data["id_number"], name=data["name"]), today=today
                )
                await create_account(
                    AccountIn(
                        username=data["username"],
                        password=PASSWORD,
                        role="trainee",
                        display_name=data["name"],
                        practitioner_id=person.id,
                    )
                )
                await training.enroll(offering.id, person.id, now=now, today=today)

        await asyncio.gather(*(one(i) for i in range(TRAINEES)))
        start = (local + dt.timedelta(minutes=1)).replace(second=0, microsecond=0)
        sessions = []
        for r in range(rounds):
            # sessions of one offering may not overlap: 2-minute sessions, each starting a
            # minute after the last ended; all start within the 30-minute check-in window
            begins = start + dt.timedelta(minutes=3 * r)
            if begins.date() != today:
                raise RuntimeError("checkin: run before 23:30 local time (sessions would cross midnight)")
            session = await training.add_session(
                offering.id,
                SessionIn(
                    day=today,
                    starts_at=begins.time(),
                    ends_at=(begins + dt.timedelta(minutes=2)).time(),
                    hours=Decimal("0.03"),
                ),
                now=now,
            )
            sessions.append(session.id)
    return offering.id, sessions


async def scan_round(
    server: Server, session_id: int, staff: dict[str, str], trainees: list[dict[str, str]]
) -> tuple[float, list[httpx.Response | BaseException]]:
    """Waves of 50 trainees, each wave with the token the screen shows then, each trainee twice."""
    elapsed = 0.0
    answers: list[httpx.Response | BaseException] = []
    async with httpx.AsyncClient(base_url=server.base_url, timeout=60) as screen:
        for first in range(0, len(trainees), WAVE):
            r = await screen.post(f"/api/sessions/{session_id}/checkin-token", json={}, headers=staff)
            if r.status_code != 201:
                raise RuntimeError(f"checkin-token: HTTP {r.status_code} {r.text[:300]}")
            token = r.json()["token"]
            wave = trainees[first : first + WAVE]
            requests = [
                {"method": "POST", "url": "/api/checkin", "json": {"token": token}, "headers": h}
                for h in wave + wave
            ]
            seconds, got = await burst(server, requests)
            elapsed += seconds
            answers.extend(got)
    return elapsed, answers


async def health_round(server: Server) -> tuple[float, list[httpx.Response | BaseException]]:
    """The same waves (2 × 50 requests each) of ``GET /health``."""
    elapsed = 0.0
    answers: list[httpx.Response | BaseException] = []
    for _ in range(0, TRAINEES, WAVE):
        seconds, got = await burst(server, [{"method": "GET", "url": "/health"}] * (2 * WAVE))
        elapsed += seconds
        answers.extend(got)
    return elapsed, answers


async def check_scans(session_id: int, answers: list[httpx.Response | BaseException]) -> None:
    """Every answer 201; exactly 200 ``checked_in`` and 200 ``already_checked_in``; one
    attendance row per trainee in the database."""
    errors = [a for a in answers if not isinstance(a, httpx.Response) or a.status_code != 201]
    if errors:
        first = errors[0]
        sample = first.text[:300] if isinstance(first, httpx.Response) else repr(first)
        raise RuntimeError(f"session {session_id}: {len(errors)} of {len(answers)} scans failed: {sample}")
    statuses = Counter(a.json()["status"] for a in answers if isinstance(a, httpx.Response))
    if statuses != Counter(checked_in=TRAINEES, already_checked_in=TRAINEES):
        raise RuntimeError(f"session {session_id}: expected 200 checked_in + 200 repeats: {dict(statuses)}")
    conn = await asyncpg.connect(pg.url(DATABASE))
    try:
        rows = await conn.fetchval(
            "SELECT count(*) FROM tr_attendance WHERE session = $1 AND checked_in_at IS NOT NULL", session_id
        )
        people = await conn.fetchval(
            "SELECT count(DISTINCT enrollment) FROM tr_attendance WHERE session = $1", session_id
        )
    finally:
        await conn.close()
    if rows != TRAINEES or people != TRAINEES:
        raise RuntimeError(f"session {session_id}: {rows} attendance rows, {people} people; expected 200")


async def run(ctx: RunContext) -> list[Measure]:
    """The ``checkin`` measure (see the module docstring)."""
    work = ctx.folder("checkin")
    try:
        await pg.recreate(DATABASE)
        env = tuoyu_env(pg.url(DATABASE), work / "data")
        run_tuoyu(["migrate"], env)
        run_tuoyu(["seed"], env)
        ctx.log(f"checkin: {TRAINEES} trainees enrolled, {ctx.rounds} sessions starting now")
        _, sessions = await prepare(ctx.rounds)
        scan_rps: list[float] = []
        health_rps: list[float] = []
        with tuoyu_server(env, work) as server:
            usernames = [STAFF] + [trainee(i)["username"] for i in range(TRAINEES)]
            staff, *trainees = await log_in(server, usernames)
            for r, session_id in enumerate(sessions):
                for kind in ("health", "scan") if r % 2 == 0 else ("scan", "health"):
                    if kind == "health":
                        seconds, answers = await health_round(server)
                        check_health(answers)
                        health_rps.append(len(answers) / seconds)
                    else:
                        seconds, answers = await scan_round(server, session_id, staff, trainees)
                        await check_scans(session_id, answers)
                        scan_rps.append(len(answers) / seconds)
                ctx.log(
                    f"checkin: round {r + 1}/{len(sessions)}: {scan_rps[-1]:,.0f} scans/s "
                    f"(200 recorded once, 200 repeats), /health {health_rps[-1]:,.0f} req/s"
                )
        return [
            Measure(
                f"checkin: {TRAINEES} trainees × 2 scans in waves of {WAVE} ÷ /health",
                "the same waves of GET /health, same client setup, same run",
                [s / h for s, h in zip(scan_rps, health_rps, strict=True)],
                None,
                None,
                f"scans {median(scan_rps):,.0f}/s vs /health {median(health_rps):,.0f} req/s; every round "
                "200 recorded once, 200 repeats answered already_checked_in, 0 errors",
            )
        ]
    finally:
        await pg.drop(DATABASE)
