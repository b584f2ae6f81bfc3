"""Measure ``http`` — requests per second of the service's hot endpoints, over real HTTP.

``tuoyu serve`` runs on PostgreSQL (database ``tuoyu_bench_http``, migrated, loaded with
``tuoyu demo``) beside a hello-world Litestar app (``bench/hello.py``) under the same uvicorn
options. wrk (``-t1 -c32``) loads one endpoint at a time, every endpoint once per round, the order
rotating from round to round, so each ratio compares numbers taken seconds apart:

| ratio | what it says | goal |
|---|---|---|
| ``/health`` ÷ hello | cost of the app's stack (auth exclusion, middleware, problem details) | ≥ 0.6 |
| verify ÷ ``/ready`` | signed-URL verification vs. the trivial endpoint that touches the database | ≥ 0.8 |
| catalog ÷ ``/ready`` | the public course catalog vs. the same | ≥ 0.7 |
| verify ÷ ``/health``, catalog ÷ ``/health`` | the same against no database at all | info |
| typed number ÷ ``/ready`` | ``GET /api/verify/<number>``: same lookup and answer, no signature | info |
| verify ÷ typed number | what the Ed25519 signature check of the URL costs on top | info |
| verify ÷ verify through the route | what the scan path (``service.scan``) gains over the route | info |
| verify ÷ verify floor | the project's own cost on top of the unavoidable work of a scan | info |
| verify floor ÷ ``/ready`` | what that unavoidable work allows at best, against the same baseline | info |

"Through the route" is a second ``tuoyu serve`` on the same database with ``TUOYU_SCAN_PATH=false``:
the same scans through the Litestar route and the app's middleware.

The verify floor is ``bench/floor_verify.py``: a one-route Litestar app doing only what any
implementation must do for a scan (the libsodium check, the row read on a pooled asyncpg
connection, the field comparison, the masked JSON answer, the log row in a batch), no middleware.

Verification requests cycle through the signed verify URLs of **all** certificates of the demo
database (``GET /v/<number>?…`` with ``Accept: application/json``), never one URL repeated.
Also noted: the peak RSS (``VmHWM``) of both server processes after the load, and the time of one
Ed25519 signature check (libsodium through PyNaCl, as the service checks them) in this process
during the run — the part of a verification that is the cryptographic library's.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import asyncpg
import httpx

from bench import pg, wrk
from bench.context import RunContext
from bench.results import Measure, median
from bench.servers import Server, floor_server, hello_server, run_tuoyu, tuoyu_env, tuoyu_server

DATABASE = "tuoyu_bench_http"
ENDPOINTS = ("hello", "health", "ready", "catalog", "verify", "typed", "floor", "route")
PATHS = {"hello": "/", "health": "/health", "ready": "/ready", "catalog": "/api/catalog/offerings"}
VERIFY_HEADERS = {"Accept": "application/json"}
# (name, numerator, denominator, goal op, goal)
RATIOS = (
    ("/health ÷ hello-world", "health", "hello", ">=", 0.6),
    ("verify JSON ÷ /ready", "verify", "ready", ">=", 0.8),
    ("catalog ÷ /ready", "catalog", "ready", ">=", 0.7),
    ("verify JSON ÷ /health", "verify", "health", None, None),
    ("catalog ÷ /health", "catalog", "health", None, None),
    ("typed number ÷ /ready", "typed", "ready", None, None),
    ("verify JSON ÷ typed number", "verify", "typed", None, None),
    ("verify JSON ÷ verify through the route", "verify", "route", None, None),
    ("verify JSON ÷ verify floor", "verify", "floor", None, None),
    ("verify floor ÷ /ready", "floor", "ready", None, None),
)
LABELS = {
    "hello": "hello-world",
    "health": "/health",
    "ready": "/ready",
    "catalog": "catalog",
    "verify": "verify",
    "typed": "typed number",
    "floor": "verify floor",
    "route": "verify through the route",
}


async def verify_paths(database: str) -> list[str]:
    """Path and query of every certificate's signed verify URL (the host is the server's)."""
    conn = await asyncpg.connect(pg.url(database))
    try:
        rows = await conn.fetch("SELECT verify_url FROM ce_certificate ORDER BY id")
    finally:
        await conn.close()
    paths = []
    for row in rows:
        parts = urlsplit(row["verify_url"])
        paths.append(f"{parts.path}?{parts.query}")
    if not paths:
        raise RuntimeError(f"no certificates in {database}: did tuoyu demo issue any?")
    return paths


def precheck(app: Server, hello: Server, floor: Server, verify: list[str]) -> None:
    """Each endpoint answers 200 (wrk does not count 3xx), every verify URL verifies (its
    signature checks out: the host rewrite kept it intact), and the floor gives the service's
    outcome for each (it does the same work, not less)."""
    with httpx.Client(timeout=10) as client:
        for name, path in PATHS.items():
            server = hello if name == "hello" else app
            r = client.get(server.base_url + path)
            if r.status_code != 200:
                raise RuntimeError(f"{name} {path}: HTTP {r.status_code} {r.text[:300]}")
        for path in verify:
            r = client.get(app.base_url + path, headers=VERIFY_HEADERS)
            body = r.json() if r.status_code == 200 else {}
            if r.status_code != 200 or not body.get("signature_checked"):
                raise RuntimeError(f"verify {path}: HTTP {r.status_code} {r.text[:300]}")
            low = client.get(floor.base_url + path)
            if low.status_code != 200 or low.json().get("outcome") != body.get("outcome"):
                raise RuntimeError(f"floor {path}: HTTP {low.status_code} {low.text[:300]} vs {body}")
            typed = client.get(f"{app.base_url}/api/verify/{urlsplit(path).path.rsplit('/', 1)[1]}")
            if typed.status_code != 200 or typed.json().get("outcome") in (None, "unknown", "forged"):
                raise RuntimeError(f"typed {path}: HTTP {typed.status_code} {typed.text[:300]}")


def load(ctx: RunContext, targets: dict[str, tuple[str, Path | None]]) -> dict[str, list[float]]:
    """Requests/s of every endpoint per round (``targets``: name → (url, wrk script or None)),
    after a one-second warm-up of each. The order rotates every round."""
    for name, (url, script) in targets.items():
        wrk.run(url, 1, script=script, label=f"warm-up {name}")
    rates: dict[str, list[float]] = {name: [] for name in targets}
    names = list(targets)
    for r in range(ctx.rounds):
        order = names[r % len(names) :] + names[: r % len(names)]
        for name in order:
            url, script = targets[name]
            result = wrk.run(url, ctx.seconds, script=script, label=name)
            rates[name].append(result.requests_per_second)
        ctx.log(
            f"http: round {r + 1}/{ctx.rounds}: " + ", ".join(f"{n} {rates[n][-1]:,.0f}/s" for n in names)
        )
    return rates


def signature_check_us(checks: int = 2000) -> float:
    """Microseconds of one Ed25519 verification with PyNaCl (libsodium), as ``certification.signing``
    checks verify URLs: the median of five timings of ``checks`` checks of a 120-byte message."""
    import time

    from nacl.signing import SigningKey

    key = SigningKey.generate()
    signed = key.sign(b"x" * 120)
    verify_key = key.verify_key
    timings = []
    for _ in range(5):
        start = time.perf_counter()
        for _ in range(checks):
            verify_key.verify(signed.message, signed.signature)
        timings.append((time.perf_counter() - start) / checks * 1e6)
    return median(timings)


def distance_note(rates: dict[str, list[float]], check_us: float) -> str:
    """Where a verification's time goes, per request at full load (µs of one server process:
    10⁶ ÷ the median requests/s): what the 0.8 goal allows, what the scan path saves against the
    route, what the libsodium check is of it, and what verify costs over the floor."""
    us = {name: 1e6 / median(values) for name, values in rates.items()}
    allowed = us["ready"] / 0.8
    return (
        f"http: µs per request at full load — /ready {us['ready']:.0f}, typed number {us['typed']:.0f}, "
        f"verify {us['verify']:.0f}, verify through the route {us['route']:.0f}, verify floor "
        f"{us['floor']:.0f}; the 0.8 goal allows verify {allowed:.0f} µs ({us['verify'] - allowed:+.0f} "
        f"µs now); the scan path saves {us['route'] - us['verify']:.0f} µs a scan against the route; "
        f"verify costs {us['verify'] - us['floor']:+.0f} µs over the floor (the libsodium check alone "
        f"{check_us:.0f} µs)"
    )


def measures(rates: dict[str, list[float]]) -> list[Measure]:
    out = []
    for title, num, den, op, goal in RATIOS:
        ratios = [a / b for a, b in zip(rates[num], rates[den], strict=True)]
        detail = (
            f"{LABELS[num]} {median(rates[num]):,.0f} req/s vs {LABELS[den]} {median(rates[den]):,.0f} req/s"
        )
        out.append(Measure(f"http: {title}", f"{LABELS[den]} req/s, same run", ratios, op, goal, detail))
    return out


async def run(ctx: RunContext) -> list[Measure]:
    """The ``http`` measure (see the module docstring)."""
    work = ctx.folder("http")
    try:
        ctx.log(f"http: database {DATABASE}: migrate, load the demo")
        await pg.recreate(DATABASE)
        env = tuoyu_env(pg.url(DATABASE), work / "data")
        run_tuoyu(["migrate"], env)
        run_tuoyu(["demo", "--out", str(work / "demo-out")], env)
        paths = await verify_paths(DATABASE)
        script = wrk.cycling_script(paths, VERIFY_HEADERS, work / "verify.lua")
        typed = wrk.cycling_script(
            [f"/api/verify/{urlsplit(p).path.rsplit('/', 1)[1]}" for p in paths], {}, work / "typed.lua"
        )
        route_env = {**env, "TUOYU_SCAN_PATH": "false"}
        with (
            hello_server(work) as hello,
            tuoyu_server(env, work) as app,
            tuoyu_server(route_env, work, name="tuoyu serve route") as route,
        ):
            jwks = work / "jwks.json"
            jwks.write_text(httpx.get(app.base_url + "/.well-known/jwks.json", timeout=10).text, "utf-8")
            with floor_server(pg.url(DATABASE), jwks, work / "data" / "holder_hash_key", work) as floor:
                precheck(app, hello, floor, paths)
                targets: dict[str, tuple[str, Path | None]] = {
                    name: ((hello if name == "hello" else app).base_url + path, None)
                    for name, path in PATHS.items()
                }
                targets["verify"] = (app.base_url, script)
                targets["typed"] = (app.base_url, typed)
                targets["floor"] = (floor.base_url, script)
                targets["route"] = (route.base_url, script)
                ctx.log(
                    f"http: {ctx.rounds} rounds × {len(targets)} endpoints × {ctx.seconds:g} s "
                    f"(wrk -t{wrk.THREADS} -c{wrk.CONNECTIONS}); verify cycles through {len(paths)} URLs"
                )
                rates = load(ctx, targets)
                ctx.note(
                    f"http: peak RSS after the load — tuoyu serve {app.peak_rss_mib():.0f} MiB, "
                    f"hello-world {hello.peak_rss_mib():.0f} MiB, verify floor {floor.peak_rss_mib():.0f} MiB"
                )
            check = signature_check_us()
            ctx.note(f"http: one Ed25519 signature check (libsodium) in this process: {check:.0f} µs")
            ctx.note(distance_note(rates, check))
        return measures(rates)
    finally:
        await pg.drop(DATABASE)
