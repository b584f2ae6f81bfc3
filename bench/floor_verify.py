"""The floor of signed verification: the least any server on this stack must do to answer a scan.

A Litestar app with one route, ``GET /v/{number}?i=&e=&p=&h=&k=&s=``, written for the bench
from the verify URL's format (``certification.verify_url``'s docstring), not from the project's
code: check the Ed25519 signature over ``TYC1|number|p|i|e|h|k`` with libsodium (PyNaCl) against
the published JWKS, read the certificate's row by number on a pooled asyncpg connection (the
same table and index), compare the signed fields and the (keyed) holder hash, derive the state on
today's date, answer JSON with the holder masked, and log the scan — rows kept in memory and
written with one ``INSERT … SELECT FROM unnest(…)`` a second, as the service does.

No middleware, no rate limit, no metrics, no audit, no problem details, no sessions: everything
here is either the HTTP server and framework (also in the hello-world baseline), the
cryptographic library, or PostgreSQL. ``verify ÷ floor`` is therefore the project's own cost on
top of the unavoidable work, and ``floor ÷ /health`` what that work allows at best.

Configured by ``BENCH_FLOOR_DSN`` (asyncpg URL of the demo database), ``BENCH_FLOOR_JWKS``
(path of a JWKS file, e.g. the service's ``/.well-known/jwks.json``) and
``BENCH_FLOOR_HOLDER_KEY`` (the service's holder-hash key file, ``<data>/holder_hash_key``).
Served by uvicorn with the options of ``tuoyu serve`` (:func:`bench.servers.floor_server`).
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import datetime as dt
import hashlib
import hmac
import json
import os
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
from litestar import Litestar, Request, get
from nacl.exceptions import BadSignatureError
from nacl.signing import VerifyKey

SQL = (
    "SELECT programme, holder_name, holder_id_number, issued_on, expires_on, status, "
    "status_changed_on, issuer, kid FROM ce_certificate WHERE number = $1"
)
LOG_SQL = (
    "INSERT INTO ce_verification_log (number, outcome, signature_checked, client, at) "
    "SELECT * FROM unnest($1::varchar[], $2::varchar[], $3::bool[], $4::varchar[], $5::timestamptz[])"
)
CHANGED = ("revoked", "suspended", "superseded")

keys: dict[str, VerifyKey] = {}
programmes: dict[int, tuple[str, str, str]] = {}
pending: list[tuple[str, str, bool, str, dt.datetime]] = []
state: dict[str, Any] = {}


def _b64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _holder_hash(number: str, id_number: str, name: str) -> str:
    digest = hmac.new(state["holder_key"], f"{number}|{id_number}|{name}".encode(), hashlib.sha256).digest()[
        :8
    ]
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def _date(text: str) -> dt.date | None:
    return None if text == "0" else dt.date(int(text[:4]), int(text[4:6]), int(text[6:8]))


async def _flush_forever(pool: asyncpg.Pool) -> None:
    while True:
        await asyncio.sleep(1.0)
        batch = pending[:]
        del pending[:]
        if batch:
            await pool.execute(LOG_SQL, *(list(column) for column in zip(*batch, strict=True)))


async def _no_reset(_connection: asyncpg.Connection) -> None:
    """Nothing to reset between uses: no statement here changes session state or leaves a
    transaction open (asyncpg's default reset costs a round trip per release)."""


@contextlib.asynccontextmanager
async def lifespan(_app: Litestar) -> AsyncIterator[None]:
    with open(os.environ["BENCH_FLOOR_HOLDER_KEY"], encoding="utf-8") as f:
        state["holder_key"] = f.read().strip().encode()
    with open(os.environ["BENCH_FLOOR_JWKS"], encoding="utf-8") as f:
        for jwk in json.load(f)["keys"]:
            keys[jwk["kid"][:8]] = VerifyKey(_b64(jwk["x"]))
    pool = await asyncpg.create_pool(os.environ["BENCH_FLOOR_DSN"], min_size=10, max_size=10, reset=_no_reset)
    for row in await pool.fetch("SELECT id, code, title, level FROM ce_programme"):
        programmes[row["id"]] = (row["code"], row["title"], row["level"])
    state["pool"] = pool
    flusher = asyncio.create_task(_flush_forever(pool))
    try:
        yield
    finally:
        flusher.cancel()
        await pool.close()


def _answer(number: str, outcome: str, **detail: Any) -> dict[str, Any]:
    return {"outcome": outcome, "signature_checked": True, "number": number, **detail}


@get("/v/{number:str}")
async def verify(number: str, request: Request[Any, Any, Any]) -> dict[str, Any]:
    """One scan (see the module docstring)."""
    q = request.query_params
    i, e, p, h, k, s = (q.get(name, "") for name in ("i", "e", "p", "h", "k", "s"))
    answer = _answer(number, "forged")
    key = keys.get(k)
    try:
        if key is None or len(s) != 86:
            raise BadSignatureError
        key.verify(f"TYC1|{number}|{p}|{i}|{e}|{h}|{k}".encode(), _b64(s))
    except (BadSignatureError, ValueError):
        pass
    else:
        async with state["pool"].acquire() as connection:
            row = await connection.fetchrow(SQL, number)
        if row is None:
            answer = _answer(number, "unknown")
        else:
            code, title, level = programmes[row["programme"]]
            if (
                p != code
                or _date(i) != row["issued_on"]
                or _date(e) != row["expires_on"]
                or h != _holder_hash(number, row["holder_id_number"], row["holder_name"])
                or not row["kid"].startswith(k)
            ):
                answer = _answer(number, "forged")
            else:
                today = dt.date.today()
                outcome = "valid"
                changed = row["status_changed_on"]
                if row["status"] in CHANGED and (changed is None or changed <= today):
                    outcome = row["status"]
                elif row["expires_on"] is not None and row["expires_on"] < today:
                    outcome = "expired"
                name, id_number = row["holder_name"], row["holder_id_number"]
                answer = _answer(
                    number,
                    outcome,
                    holder_name_masked=name[0] + "*" * (len(name) - 1),
                    holder_id_masked=id_number[:4] + "*" * (len(id_number) - 8) + id_number[-4:],
                    programme_code=code,
                    programme_title=title,
                    level=level,
                    issued_on=row["issued_on"].isoformat(),
                    expires_on=row["expires_on"].isoformat() if row["expires_on"] else None,
                    status_changed_on=changed.isoformat() if outcome in CHANGED and changed else None,
                    issuer=row["issuer"],
                )
    client = request.client.host if request.client else ""
    pending.append((number, answer["outcome"], True, client, dt.datetime.now(dt.UTC)))
    return answer


app = Litestar(route_handlers=[verify], lifespan=[lifespan])
