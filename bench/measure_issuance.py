"""Measure ``issuance`` — issuing a sitting of 200 passed candidates over HTTP until every
certificate has its QR code and PDF, against rendering those 200 documents alone.

In the database ``tuoyu_bench_issue`` (migrated, seeded) the project's own library prepares one
exam sitting per round (``1X-YEZH-1``, today): 200 new practitioners with the required 16
pre-job training hours in the ledger, registered as candidates, all with passing scores (as
``tests/integration/test_cert_services.py`` does). ``tuoyu serve`` runs without Redis, so the
documents are rendered by the server process itself in the background after the issuing
transaction commits.

Each round times ``POST /api/sittings/{id}/issue`` (a city admin's Bearer token) until the 200
certificates of the sitting all have a row in ``ce_certificate_document`` (polled every 20 ms).
The baseline, right after, in the bench process: the same 200 certificates (read with
``certification.get_certificate``) rendered one after another with
``certification._documents.render_files`` — the pure QR + PDF work. Ratio: issue + render ÷
render alone (goal ≤ 1.25): what issuing, signing, the ledger, the outbox, the dispatcher and
storing the documents add to the unavoidable rendering.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from decimal import Decimal

import asyncpg
import httpx

from bench import pg
from bench.api_client import ensure_city_admin, login
from bench.context import RunContext
from bench.datagen import FAMILY, GIVEN
from bench.project_db import CLOCK, bound_to
from bench.results import Measure, median
from bench.servers import run_tuoyu, tuoyu_env, tuoyu_server
from talent_pool.identity import id_check_character

DATABASE = "tuoyu_bench_issue"
CANDIDATES = 200
PROGRAMME = "1X-YEZH-1"
GOAL = 1.25
POLL_SECONDS = 0.02
DOCUMENTS_SQL = """
SELECT count(*) FROM ce_certificate_document d
JOIN ce_certificate c ON c.id = d.certificate
WHERE c.sitting = $1
"""


def person(seq: int) -> tuple[str, str]:
    """A valid resident ID number and a name for candidate ``seq`` (distinct per ``seq``)."""
    birth = dt.date(1990, 1, 1) + dt.timedelta(days=seq // 400)
    first17 = f"370102{birth:%Y%m%d}{(seq % 400) * 2:03d}"
    name = FAMILY[seq % len(FAMILY)] + GIVEN[seq // len(FAMILY) % len(GIVEN)] + GIVEN[seq % len(GIVEN)]
    return first17 + id_check_character(first17), name


async def prepare_sittings(rounds: int) -> list[int]:
    """One sitting per round with 200 passed candidates; returns the sitting ids."""
    import certification
    import talent_pool
    from certification.schemas import ResultIn, SittingIn
    from talent_pool.schemas import PractitionerIn, TrainingRecordIn

    today, now = CLOCK.today(), CLOCK.now()
    sittings = []
    async with bound_to(DATABASE):
        for r in range(rounds):
            sitting = await certification.create_sitting(
                SittingIn(programme_code=PROGRAMME, exam_date=today, title=f"基准测试考场 {r + 1}"),
                today=today,
            )
            results = []
            for i in range(CANDIDATES):
                seq = r * CANDIDATES + i
                id_number, name = person(seq)
                p = await talent_pool.register_practitioner(
                    PractitionerIn(id_number=id_number, name=name), today=today
                )
                await talent_pool.record_training(
                    TrainingRecordIn(
                        practitioner_id=p.id,
                        category="pre_job",
                        title="幼儿照护岗前培训",
                        hours=Decimal("16"),
                        completed_on=today,
                        source_ref=f"bench-issue:{seq}",
                    )
                )
                await certification.register_candidate(sitting.id, p.id)
                results.append(
                    ResultIn(practitioner_id=p.id, theory=Decimal("78.5"), practical=Decimal("82"))
                )
            out = await certification.record_results(
                sitting.id, results, entered_by="bench", now=now, today=today
            )
            if not all(r.passed for r in out):
                raise RuntimeError("a bench candidate did not pass")
            sittings.append(sitting.id)
    return sittings


async def issue_and_wait(
    client: httpx.AsyncClient, headers: dict[str, str], conn: asyncpg.Connection, sitting_id: int
) -> tuple[float, float, list[str]]:
    """``(seconds until all documents exist, seconds of the POST alone, certificate numbers)``."""
    started = time.perf_counter()
    r = await client.post(f"/api/sittings/{sitting_id}/issue", headers=headers)
    posted = time.perf_counter() - started
    if r.status_code != 201 or len(r.json()) != CANDIDATES:
        raise RuntimeError(f"issue sitting {sitting_id}: HTTP {r.status_code} {r.text[:300]}")
    deadline = started + 600
    while await conn.fetchval(DOCUMENTS_SQL, sitting_id) < CANDIDATES:
        if time.perf_counter() > deadline:
            raise RuntimeError(f"sitting {sitting_id}: documents not rendered within 600 s")
        await asyncio.sleep(POLL_SECONDS)
    return time.perf_counter() - started, posted, [c["number"] for c in r.json()]


async def render_alone(numbers: list[str]) -> float:
    """Seconds to render the certificates' QR codes and PDFs one after another, nothing else."""
    import certification
    from certification._documents import render_files

    async with bound_to(DATABASE):
        certs = [await certification.get_certificate(n) for n in numbers]
    started = time.perf_counter()
    for cert in certs:
        render_files(cert)
    return time.perf_counter() - started


async def run(ctx: RunContext) -> list[Measure]:
    """The ``issuance`` measure (see the module docstring)."""
    work = ctx.folder("issuance")
    try:
        await pg.recreate(DATABASE)
        env = tuoyu_env(pg.url(DATABASE), work / "data")
        run_tuoyu(["migrate"], env)
        run_tuoyu(["seed"], env)
        await ensure_city_admin(DATABASE, env)
        ctx.log(f"issuance: preparing {ctx.rounds} sittings × {CANDIDATES} passed candidates")
        sittings = await prepare_sittings(ctx.rounds)
        totals: list[float] = []
        posts: list[float] = []
        renders: list[float] = []
        conn = await asyncpg.connect(pg.url(DATABASE))
        try:
            with tuoyu_server(env, work) as server:
                async with httpx.AsyncClient(base_url=server.base_url, timeout=600) as client:
                    headers = await login(client)
                    for r, sitting_id in enumerate(sittings):
                        total, posted, numbers = await issue_and_wait(client, headers, conn, sitting_id)
                        alone = await render_alone(numbers)
                        totals.append(total)
                        posts.append(posted)
                        renders.append(alone)
                        ctx.log(
                            f"issuance: round {r + 1}/{len(sittings)}: issue+render {total:.2f} s "
                            f"(POST {posted:.2f} s), render alone {alone:.2f} s"
                        )
                rss = server.peak_rss_mib()
        finally:
            await conn.close()
        ctx.note(
            f"issuance: peak RSS of tuoyu serve after issuing {len(sittings) * CANDIDATES} certificates "
            f"{rss:.0f} MiB"
        )
        return [
            Measure(
                f"issuance: issue {CANDIDATES} + render ÷ render alone",
                f"render_files() × {CANDIDATES} in one process, same run",
                [t / a for t, a in zip(totals, renders, strict=True)],
                "<=",
                GOAL,
                f"issue+render {median(totals):.2f} s (POST {median(posts):.2f} s) "
                f"vs render {median(renders):.2f} s",
            )
        ]
    finally:
        await pg.drop(DATABASE)
