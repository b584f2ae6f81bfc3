"""Measure ``targets`` — the whole dashboard, ``GET /api/targets?levels=city,district,zone,street``
(the city, its 12 districts, 3 functional zones and 164 streets) at N× Jinan, against
one hand-written SQL statement computing the same numbers (``bench/targets_sql.py``).

For each scale: the cached dataset ``tuoyu_bench_<N>x`` (``bench/datagen.py``) is served by
``tuoyu serve``; a city admin (``bench/api_client.py``) logs in over HTTP. After a warm-up of
both, every round times API calls (Bearer token, a keep-alive connection) and runs of the
statement over asyncpg in alternating order — one pair at 10× and 100×, the median of several
pairs at 1× (:func:`pairs_per_round`); the ratio of the round is API ÷ SQL (goal ≤ 1.5). Before
any timing, the statement's numbers are checked against the API's, scope by scope (employed,
certified, trainings of employed, people trained ≥ 1, person-trainings) — a difference fails the
measure. Also noted: the peak RSS of the web process after the calls.
"""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

import asyncpg
import httpx

import talent_pool.reference
from bench import datagen, pg, targets_sql
from bench.api_client import ensure_city_admin, login
from bench.context import RunContext
from bench.results import Measure, median
from bench.servers import run_tuoyu, tuoyu_env, tuoyu_server

GOAL = 1.5
PATH = "/api/targets?levels=city,district,zone,street"


def api_counts(reports: list[dict[str, Any]]) -> tuple[dt.date, dict[str, dict[str, int]]]:
    """The reference date and ``{scope: counts}`` the API answered (same fields as the SQL):
    trained people from the share shown beside 人均培训; the city's trainings of employed people
    from its reconciliation (all person-trainings − those of people without a post)."""
    out: dict[str, dict[str, int]] = {}
    as_of = dt.date.fromisoformat(reports[0]["as_of"])
    for report in reports:
        ind = {i["key"]: i for i in report["indicators"]}
        per_person = ind["trainings_per_practitioner"]
        person_trainings = ind["person_trainings"]["numerator"]
        rec = report.get("reconciliation")
        of_employed = (
            rec["city_person_trainings"] - rec["trainings_without_post"] if rec else person_trainings
        )
        out[report["scope"]] = {
            "employed": report["employed_practitioners"],
            "certified": ind["certification_rate"]["numerator"],
            "trained_people": per_person["beside"]["numerator"],
            "trainings_of_employed": of_employed,
            "person_trainings": person_trainings,
        }
        if report["as_of"] != reports[0]["as_of"]:
            raise RuntimeError("scopes of one answer with different reference dates")
    return as_of, out


def expected_scopes() -> int:
    """The city, its districts, functional zones and streets (the reference data)."""
    divisions = talent_pool.reference.jinan_divisions()
    streets = talent_pool.reference.jinan_streets()["streets"]
    return 1 + len(divisions["districts"]) + len(divisions["functional_zones"]) + len(streets)


def compare(api: dict[str, dict[str, int]], sql: dict[str, dict[str, int]]) -> None:
    """Every scope the API reports has the same five numbers in the statement's answer (a
    district without posts is absent from the statement: zeros)."""
    empty = dict.fromkeys(targets_sql.FIELDS, 0)
    diffs = [
        f"{scope}.{field}: API {numbers[field]} vs SQL {sql.get(scope, empty)[field]}"
        for scope, numbers in api.items()
        for field in targets_sql.FIELDS
        if numbers[field] != sql.get(scope, empty)[field]
    ]
    extra = sorted(set(sql) - set(api))
    if diffs or extra:
        raise AssertionError(
            f"hand-written SQL disagrees with /api/targets: {diffs[:10]} extra scopes {extra}"
        )
    if len(api) != expected_scopes():
        raise AssertionError(f"expected {expected_scopes()} scopes, the API gave {len(api)}")


ROUND_SECONDS = 0.5
MAX_PAIRS = 15


def pairs_per_round(pair_seconds: float) -> int:
    """How many (API, SQL) pairs one round times: enough for about :data:`ROUND_SECONDS` (a
    25 ms answer at 1× is one scheduler hiccup away from a ±20 % swing; the median of a round's
    pairs is not), at most :data:`MAX_PAIRS`, at least one (10× and 100× take seconds)."""
    return max(1, min(MAX_PAIRS, int(ROUND_SECONDS / max(pair_seconds, 1e-3))))


async def time_api(client: httpx.AsyncClient, headers: dict[str, str]) -> tuple[float, list[dict[str, Any]]]:
    started = time.perf_counter()
    r = await client.get(PATH, headers=headers)
    elapsed = time.perf_counter() - started
    if r.status_code != 200:
        raise RuntimeError(f"GET {PATH}: HTTP {r.status_code} {r.text[:300]}")
    return elapsed, r.json()


async def time_sql(
    conn: asyncpg.Connection, sql: str, as_of: dt.date
) -> tuple[float, dict[str, dict[str, int]]]:
    started = time.perf_counter()
    result = await targets_sql.counts(conn, sql, as_of)
    return time.perf_counter() - started, result


async def measure_scale(ctx: RunContext, scale: int) -> Measure:
    work = ctx.folder(f"targets-{scale}x")
    dataset = await datagen.ensure(scale, work, regenerate=ctx.regenerate, log=ctx.log)
    env = tuoyu_env(pg.url(dataset.database), work / "data")
    run_tuoyu(["migrate"], env)  # a cached database gets the migrations committed since its load
    await ensure_city_admin(dataset.database, env)
    conn = await asyncpg.connect(pg.url(dataset.database))
    try:
        statement = await targets_sql.statement(conn)
        with tuoyu_server(env, work) as server:
            async with httpx.AsyncClient(base_url=server.base_url, timeout=600) as client:
                headers = await login(client)
                # warm-up (caches, prepared statements) and the correctness check
                _, reports = await time_api(client, headers)
                as_of, api = api_counts(reports)
                _, sql = await time_sql(conn, statement, as_of)
                compare(api, sql)
                ctx.log(
                    f"targets {scale}x: numbers agree for {len(api)} scopes (as of {as_of}: "
                    f"{api['city']['employed']:,} employed, {api['city']['certified']:,} certified)"
                )
                warm = (await time_api(client, headers))[0] + (await time_sql(conn, statement, as_of))[0]
                pairs = pairs_per_round(warm)
                api_times: list[float] = []
                sql_times: list[float] = []
                for r in range(ctx.rounds):
                    api_round: list[float] = []
                    sql_round: list[float] = []
                    for p in range(pairs):
                        if (r + p) % 2:
                            sql_round.append((await time_sql(conn, statement, as_of))[0])
                            api_round.append((await time_api(client, headers))[0])
                        else:
                            api_round.append((await time_api(client, headers))[0])
                            sql_round.append((await time_sql(conn, statement, as_of))[0])
                    api_times.append(median(api_round))
                    sql_times.append(median(sql_round))
                    ctx.log(
                        f"targets {scale}x: round {r + 1}/{ctx.rounds} (median of {pairs}): "
                        f"API {api_times[-1] * 1000:,.1f} ms, SQL {sql_times[-1] * 1000:,.1f} ms"
                    )
            rss = server.peak_rss_mib()
    finally:
        await conn.close()
    ctx.note(f"targets {scale}x: peak RSS of tuoyu serve after the calls {rss:.0f} MiB")
    return Measure(
        f"targets {scale}× (whole dashboard ÷ SQL)",
        "one hand-written SQL statement over asyncpg, same run",
        [a / s for a, s in zip(api_times, sql_times, strict=True)],
        "<=",
        GOAL,
        f"API {median(api_times) * 1000:,.1f} ms vs SQL {median(sql_times) * 1000:,.1f} ms; "
        f"{dataset.rows['tp_practitioner']:,} practitioners",
    )


async def run(ctx: RunContext) -> list[Measure]:
    """The ``targets`` measure at every scale of ``ctx.scales``."""
    out = []
    for scale in ctx.scales:
        try:
            out.append(await measure_scale(ctx, scale))
        except Exception as exc:
            ctx.log(f"targets {scale}x failed: {exc}")
            out.append(
                Measure(
                    f"targets {scale}× (whole dashboard ÷ SQL)",
                    "one hand-written SQL statement over asyncpg",
                    goal_op="<=",
                    goal=GOAL,
                    error=f"{type(exc).__name__}: {' '.join(str(exc).split())[:300]}",
                )
            )
    return out
