"""The scan path (service.scan) answers exactly as the ``/v/{number}`` route does: for each kind of
scan, the same status, headers (but the request id) and body from an app with the scan path and
one without (``TUOYU_SCAN_PATH=false``), the same verification log rows and request metrics — and
the scans it should take, it did take (``tuoyu_scan_path_answers_total``), while a browser, a bad
request, a client over the rate limit and a full pool go through the route."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

import httpx
import pytest
from litestar import Litestar, get

from certification import issue_certificates
from certification.tables import VerificationLog
from service.runtime import load_keyring
from service.scan import ScanPath
from talent_pool.db import use_engine
from tests.factories import ISSUE_DAY, passed_sitting
from tests.servers import serve_in_process, settings_for
from worker.clock import FixedClock

NOW = dt.datetime(2026, 12, 1, 4, 0, tzinfo=dt.UTC)  # 12:00 on 1 December in Jinan
JSON = {"accept": "application/json"}


def _metric(text: str, name: str, **labels: str) -> float:
    """The value of one Prometheus series in ``/metrics`` text (0 when absent)."""
    for line in text.splitlines():
        if not line.startswith(name + "{") and not line.startswith(name + " "):
            continue
        if all(f'{k}="{v}"' in line for k, v in labels.items()):
            return float(line.rsplit(" ", 1)[1])
    return 0.0


async def _metrics(c: httpx.AsyncClient) -> str:
    return (await c.get("/metrics")).text


def _comparable(r: httpx.Response) -> tuple[int, list[tuple[str, str]], Any]:
    headers = [  # an Allow header lists the same methods in any order
        (k, ", ".join(sorted(v.split(", "))) if k == "allow" else v)
        for k, v in r.headers.multi_items()
        if k != "x-request-id"
    ]
    kind = r.headers.get("content-type", "")
    body: Any = r.json() if "json" in kind and r.content else r.text
    if isinstance(body, str):  # a page: the same but its per-request CSRF token
        body = re.sub(r'(name="_csrf_token" value=")[^"]*', r"\1", body)
    return r.status_code, headers, body


async def _scans(settings: Any, pg_engine: Any, requests: list[tuple[str, str, dict[str, str]]]) -> Any:
    """Send ``requests`` (method, path and query, headers) to a fresh app of ``settings``; returns
    the answers, how many the scan path answered, how many ``/v/{number}`` requests the metrics
    counted, and how many verification log rows were written."""
    from service.app import create_app

    before = await VerificationLog.count()
    async with serve_in_process(create_app(settings, engine=pg_engine, clock=FixedClock(NOW))) as c:
        text = await _metrics(c)
        fast0 = _metric(text, "tuoyu_scan_path_answers_total")
        counted0 = sum(
            _metric(text, "tuoyu_requests_total", path="/v/{number}", status_code=str(s))
            for s in (200, 400, 429, 503)
        )
        answers = [await c.request(m, u, headers=h) for m, u, h in requests]
        text = await _metrics(c)
        fast = _metric(text, "tuoyu_scan_path_answers_total") - fast0
        counted = (
            sum(
                _metric(text, "tuoyu_requests_total", path="/v/{number}", status_code=str(s))
                for s in (200, 400, 429, 503)
            )
            - counted0
        )
    logged = await VerificationLog.count() - before  # the app flushed its log when it stopped
    return answers, fast, counted, logged


async def _certificate_url(settings: Any) -> str:
    sitting_id, _ = await passed_sitting(1, names=["扫码甲"])
    issued = await issue_certificates(
        sitting_id, issued_on=ISSUE_DAY, public_url=settings.public_url, keyring=load_keyring(settings)
    )
    parts = urlsplit(issued.certificates[0].verify_url)
    return f"{parts.path}?{parts.query}"


async def test_the_scan_path_answers_as_the_route_does(db: None, pg_engine: Any, tmp_path: Path) -> None:
    settings = settings_for(tmp_path)
    url = await _certificate_url(settings)
    path, query = url.split("?")
    number = path.rsplit("/", 1)[1]
    fields = dict(parse_qsl(query))
    fields["h"] = ("B" if fields["h"][0] == "A" else "A") + fields["h"][1:]
    tampered = f"{path}?{urlencode(fields)}"
    taken = [  # the scan path answers these itself
        ("GET", url, JSON),
        ("GET", tampered, JSON),  # a doctored field: forged
        ("GET", re.sub(r"([?&]s=)[^&]+", r"\1xyz", url), JSON),  # a bad signature: forged
        ("GET", f"{url}&i=20200101", JSON),  # a signed field given twice: forged
        ("GET", f"/v/{number.lower()}?{query}", JSON),  # normalised like a typed number
        ("GET", f"/v/%EF%BC%B3{number[1:]}?{query}", JSON),  # a full-width first letter
        ("GET", f"/v/S1{number[2:]}?{query}", JSON),  # a number nobody holds
        ("GET", f"/v/{number}", JSON),  # no signature: typed
        ("GET", f"/v/{'9' * 2000}", JSON),  # over-long: malformed
        ("GET", url, {**JSON, "authorization": "Bearer not-a-token", "cookie": "tuoyu_token=junk"}),
        ("HEAD", url, JSON),
        ("GET", url, {"accept": "Application/JSON"}),  # media types are case-insensitive
    ]
    routed = [  # these go through the route
        ("GET", url, {"accept": "text/html"}),  # a browser: the page
        ("GET", url, {"accept": "application/json, text/html"}),
        ("GET", url, {}),  # no Accept: the page
        ("GET", f"{url}&x=%00", JSON),  # a control character: 400
        ("GET", f"/v/{number}/", JSON),  # a trailing slash: the router's (it verifies too)
        ("POST", url, JSON),  # 405
    ]
    requests = taken + routed
    slow, slow_fast, slow_counted, slow_logged = await _scans(
        settings.model_copy(update={"scan_path": False}), pg_engine, requests
    )
    fast, fast_fast, fast_counted, fast_logged = await _scans(settings, pg_engine, requests)

    assert slow_fast == 0 and fast_fast == len(taken)
    for (method, sent, headers), a, b in zip(requests, slow, fast, strict=True):
        assert _comparable(b) == _comparable(a), (method, sent, headers)
        assert b.headers["x-request-id"]
    outcomes = [r.json()["outcome"] for r in fast[:9]]
    assert outcomes == ["valid", "forged", "forged", "forged", "valid", "valid", "forged", "valid", "unknown"]
    assert fast[-3].status_code == 400 and fast[-1].status_code == 405
    # one log row and one metrics count per verification, wherever it was answered
    assert fast[-2].json()["outcome"] == "valid"
    assert fast_logged == slow_logged == len(taken) + 4  # the pages and the trailing slash verify too
    assert fast_counted == slow_counted


async def test_a_client_over_the_limit_gets_the_routes_429(db: None, pg_engine: Any, tmp_path: Path) -> None:
    settings = settings_for(tmp_path, verify_rate_per_minute=3)
    url = await _certificate_url(settings)
    requests = [("GET", url, JSON)] * 5
    slow, *_ = await _scans(settings.model_copy(update={"scan_path": False}), pg_engine, requests)
    fast, fast_fast, _, fast_logged = await _scans(settings, pg_engine, requests)
    assert [r.status_code for r in fast] == [200, 200, 200, 429, 429]
    assert fast_fast == 3 and fast_logged == 3
    for a, b in zip(slow, fast, strict=True):
        assert _comparable(b) == _comparable(a)
    assert int(fast[3].headers["retry-after"]) >= 1 and fast[3].json()["code"] == "too_many_requests"


async def test_a_full_pool_gets_the_routes_503_after_one_try_counted_once(
    db: None, pg_engine: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The use case fails on the scan path (the only connection is held elsewhere): the route
    answers its 503 without running the use case again (one wait for the pool, not two), and the
    scan counts once against the client's limit (two a minute here: the third scan is 429)."""
    from service import usecases
    from service.app import create_app

    calls: list[str] = []
    verify = usecases.verify

    async def counted(*args: Any) -> Any:
        calls.append(args[1])
        return await verify(*args)

    monkeypatch.setattr(usecases, "verify", counted)
    settings = settings_for(
        tmp_path, db_pool_min=1, db_pool_max=1, db_pool_timeout=0.3, verify_rate_per_minute=2
    )
    url = await _certificate_url(settings)
    app = create_app(settings, clock=FixedClock(NOW))  # its own engine: a pool of one connection
    try:
        async with serve_in_process(app) as c:
            engine = app.state.rt.engine
            held = await engine.pool.acquire()
            try:
                busy = await c.get(url, headers=JSON)
                assert busy.status_code == 503, busy.text
                assert busy.headers["retry-after"] == "5" and busy.json()["code"] == "unavailable"
                assert busy.headers["x-request-id"] and busy.headers["x-content-type-options"] == "nosniff"
                assert len(calls) == 1  # the route raised the scan path's error, it did not try again
                during = await _metrics(c)  # served during the outage, the job gauges marked stale
                assert _metric(during, "tuoyu_job_metrics_stale") == 1
                timing = _metric(
                    during,
                    "tuoyu_request_duration_seconds_sum",
                    path="/v/{number}",
                    status_code="503",
                )
                assert timing >= 0.3  # timed from the scan path's start: the pool wait included
            finally:
                await engine.pool.release(held)
            assert _metric(await _metrics(c), "tuoyu_job_metrics_stale") == 0
            fine = await c.get(url, headers=JSON)
            assert fine.status_code == 200 and fine.json()["outcome"] == "valid"
            assert (await c.get(url, headers=JSON)).status_code == 429  # 503 + 200: two, counted once each
    finally:
        use_engine(pg_engine)


def test_an_app_whose_scan_route_is_not_public_does_not_start() -> None:
    @get("/v/{number:str}", opt={"policy": "certificate.match"}, sync_to_thread=False)
    def guarded(number: str) -> str:
        return number

    scan = ScanPath(None, None, None)  # type: ignore[arg-type]  # never reached: the check fails first
    app = Litestar(route_handlers=[guarded])
    with pytest.raises(RuntimeError, match="no longer a plain public route"):
        scan.wrap(app, app.asgi_handler)
    with pytest.raises(RuntimeError, match="has no GET /v/"):
        scan.wrap(Litestar(route_handlers=[]), app.asgi_handler)
