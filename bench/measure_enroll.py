"""Measure ``enroll`` — 500 trainees enrolling at once for 40 seats, over real HTTP.

In the database ``tuoyu_bench_enroll`` (migrated, seeded) the project's own library opens one
offering per round with capacity 40 (a course of its own per round: one live place per course),
as ``tests/factories.py`` does, and 500 trainees: practitioners with valid resident ID numbers
and trainee logins, created with the accounts service. They log in over HTTP
(``POST /api/auth/login``) and their Bearer tokens are collected first.

Each round fires, with ``asyncio.gather`` on ``httpx.AsyncClient``s (one connection per request):

- 500 ``POST /api/offerings/{id}/enrollments`` (body ``{}``: a trainee enrolls themself), one per
  trainee. Checked: every answer 201, exactly 40 ``confirmed`` and 460 ``waitlisted`` with the
  positions 1…460, each once — the seats are taken by the database, never overbooked;
- as the baseline, the same kind of burst of 500 ``GET /health``; the order alternates between
  rounds. Each request of a burst goes on a client of its own (``burst``), so both kinds pay
  for opening 500 connections.

Reported: requests/s of the enrollment burst ÷ requests/s of the ``/health`` burst (for
information: the price of a seat taken under contention).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import ssl
import time
from collections import Counter
from decimal import Decimal
from typing import Any

import httpx

from bench import pg
from bench.context import RunContext
from bench.datagen import FAMILY, GIVEN
from bench.project_db import CLOCK, bound_to
from bench.results import Measure, median
from bench.servers import Server, run_tuoyu, tuoyu_env, tuoyu_server
from talent_pool.identity import id_check_character

DATABASE = "tuoyu_bench_enroll"
TRAINEES = 500
CAPACITY = 40
PASSWORD = "trainee-password-2026"
SIGNUP_CONCURRENCY = 4  # password hashing (Argon2id) is CPU-bound: more in flight only queues


def trainee(i: int) -> dict[str, str]:
    """Trainee ``i``: username, password, a valid resident ID number, a name."""
    birth = dt.date(1995, 3, 1) + dt.timedelta(days=i // 400)
    first17 = f"370112{birth:%Y%m%d}{(i % 400) * 2:03d}"
    return {
        "username": f"bench-trainee-{i:03d}",
        "password": PASSWORD,
        "id_number": first17 + id_check_character(first17),
        "name": FAMILY[i % len(FAMILY)] + GIVEN[i // len(FAMILY) % len(GIVEN)] + GIVEN[i % len(GIVEN)],
    }


async def prepare_offerings(rounds: int) -> list[int]:
    """A training base and, per round, a course and an offering of it with 40 seats."""
    import training
    from training.schemas import CourseIn, OfferingIn, TrainingBaseIn

    start = CLOCK.today() + dt.timedelta(days=7)
    async with bound_to(DATABASE):
        base = await training.create_training_base(
            TrainingBaseIn(name="基准测试实训基地", district_code="370112", accredited=True)
        )
        offerings = []
        for r in range(rounds):
            course = await training.create_course(
                CourseIn(
                    code=f"BENCH-ENROLL-{r + 1}",
                    title=f"幼儿照护岗前培训（基准{r + 1}）",
                    category="pre_job",
                    hours=Decimal("16"),
                )
            )
            offering = await training.create_offering(
                OfferingIn(
                    course_id=course.id,
                    training_base_id=base.id,
                    start_date=start,
                    end_date=start + dt.timedelta(days=6),
                    capacity=CAPACITY,
                )
            )
            offerings.append(offering.id)
    return offerings


async def create_trainees() -> None:
    """The 500 trainees: a practitioner each (``talent_pool.register_practitioner``) and a
    trainee login for them (``service.accounts.create_account``). Trainee self-sign-up over
    HTTP asks for a one-time code sent to a phone, which a benchmark cannot receive."""
    import talent_pool
    from service.accounts import AccountIn, create_account
    from talent_pool.schemas import PractitionerIn

    gate = asyncio.Semaphore(SIGNUP_CONCURRENCY)
    today = CLOCK.today()

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

    async with bound_to(DATABASE):
        await asyncio.gather(*(one(i) for i in range(TRAINEES)))


async def log_in(server: Server, usernames: list[str] | None = None) -> list[dict[str, str]]:
    """Log ``usernames`` (default: the 500 trainees) in over HTTP, four at a time (Argon2id is
    CPU-bound); returns their Bearer headers. Each login on a client of its own: a client that
    kept the previous login's cookie would be asked for a CSRF token."""
    gate = asyncio.Semaphore(SIGNUP_CONCURRENCY)

    async def one(username: str) -> dict[str, str]:
        async with gate, httpx.AsyncClient(base_url=server.base_url, timeout=120) as client:
            r = await client.post("/api/auth/login", json={"username": username, "password": PASSWORD})
        if r.status_code != 201:
            raise RuntimeError(f"login {username}: HTTP {r.status_code} {r.text[:300]}")
        return {"Authorization": f"Bearer {r.json()['token']}"}

    names = usernames if usernames is not None else [trainee(i)["username"] for i in range(TRAINEES)]
    return list(await asyncio.gather(*(one(u) for u in names)))


async def burst(
    server: Server, requests: list[dict[str, Any]]
) -> tuple[float, list[httpx.Response | BaseException]]:
    """Fire every request at once, each on a client of its own (so each opens its own
    connection); returns the seconds from the first send to the last answer, and the answers
    (or exceptions). One shared pool of 500 connections would measure httpx instead: its
    pool's bookkeeping grows with the number of connections (500 ``GET /health`` on one
    ``AsyncClient`` take seconds), while 500 single-connection clients open and send in a
    fraction of a second."""
    tls = ssl.create_default_context()  # plain HTTP; shared so that creating a client is cheap
    clients = [httpx.AsyncClient(base_url=server.base_url, timeout=120, verify=tls) for _ in requests]
    try:
        started = time.perf_counter()
        answers = await asyncio.gather(
            *(client.request(**req) for client, req in zip(clients, requests, strict=True)),
            return_exceptions=True,
        )
        return time.perf_counter() - started, list(answers)
    finally:
        await asyncio.gather(*(client.aclose() for client in clients))


def check_health(answers: list[httpx.Response | BaseException]) -> None:
    bad = [a for a in answers if not isinstance(a, httpx.Response) or a.status_code != 200]
    if bad:
        raise RuntimeError(f"/health burst: {len(bad)} failures, e.g. {bad[0]!r}")


def check_enrollments(offering_id: int, answers: list[httpx.Response | BaseException]) -> None:
    """Every answer 201; exactly 40 confirmed and 460 waitlisted at positions 1…460, each once."""
    errors = [a for a in answers if not isinstance(a, httpx.Response) or a.status_code != 201]
    if errors:
        kinds = Counter(
            f"HTTP {a.status_code}" if isinstance(a, httpx.Response) else type(a).__name__ for a in errors
        )
        first = errors[0]
        sample = first.text[:300] if isinstance(first, httpx.Response) else repr(first)
        raise RuntimeError(
            f"offering {offering_id}: {len(errors)} of {len(answers)} failed {dict(kinds)}: {sample}"
        )
    bodies = [a.json() for a in answers if isinstance(a, httpx.Response)]
    statuses = Counter(b["status"] for b in bodies)
    positions = sorted(b["waitlist_position"] for b in bodies if b["status"] == "waitlisted")
    waitlisted = TRAINEES - CAPACITY
    if statuses != Counter(confirmed=CAPACITY, waitlisted=waitlisted):
        raise RuntimeError(
            f"offering {offering_id}: expected {CAPACITY} confirmed, {waitlisted} waitlisted, "
            f"got {dict(statuses)}"
        )
    if positions != list(range(1, waitlisted + 1)):
        raise RuntimeError(f"offering {offering_id}: waitlist positions are not 1..{waitlisted} each once")


async def run(ctx: RunContext) -> list[Measure]:
    """The ``enroll`` measure (see the module docstring)."""
    work = ctx.folder("enroll")
    try:
        await pg.recreate(DATABASE)
        env = tuoyu_env(pg.url(DATABASE), work / "data")
        run_tuoyu(["migrate"], env)
        run_tuoyu(["seed"], env)
        offerings = await prepare_offerings(ctx.rounds)
        ctx.log(f"enroll: creating {TRAINEES} trainees and their logins")
        await create_trainees()
        enroll_rps: list[float] = []
        health_rps: list[float] = []
        with tuoyu_server(env, work) as server:
            ctx.log(f"enroll: logging in {TRAINEES} trainees")
            tokens = await log_in(server)
            health = [{"method": "GET", "url": "/health"}] * TRAINEES
            for r, offering_id in enumerate(offerings):
                enroll = [
                    {
                        "method": "POST",
                        "url": f"/api/offerings/{offering_id}/enrollments",
                        "json": {},
                        "headers": h,
                    }
                    for h in tokens
                ]
                for kind in ("health", "enroll") if r % 2 == 0 else ("enroll", "health"):
                    if kind == "health":
                        elapsed, answers = await burst(server, health)
                        check_health(answers)
                        health_rps.append(TRAINEES / elapsed)
                    else:
                        elapsed, answers = await burst(server, enroll)
                        check_enrollments(offering_id, answers)
                        enroll_rps.append(TRAINEES / elapsed)
                ctx.log(
                    f"enroll: round {r + 1}/{len(offerings)}: enroll {enroll_rps[-1]:,.0f} req/s "
                    f"(40 confirmed, 460 waitlisted 1…460), /health {health_rps[-1]:,.0f} req/s"
                )
            rss = server.peak_rss_mib()
        ctx.note(f"enroll: peak RSS of tuoyu serve after the bursts {rss:.0f} MiB")
        return [
            Measure(
                f"enroll: {TRAINEES} concurrent enrollments, {CAPACITY} seats ÷ {TRAINEES} × /health",
                f"burst of {TRAINEES} GET /health, same client setup, same run",
                [e / h for e, h in zip(enroll_rps, health_rps, strict=True)],
                None,
                None,
                f"enroll {median(enroll_rps):,.0f} req/s vs /health {median(health_rps):,.0f} req/s; "
                "every round 40 confirmed / 460 waitlisted / 0 errors",
            )
        ]
    finally:
        await pg.drop(DATABASE)
