"""A refused claim is queued for the audit before its answer leaves (service.audit): the login's
next claim, sent the moment the refusal arrives, already counts it against the day's budget
(service.refusal_budget). It used to be queued after the whole answer was sent, and a quick
second claim could slip past the budget (seen in CI: the third of a two-a-day budget was a 404)."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from typing import Any

from litestar.types import Message

from service.accounts import AccountOut
from service.audit import AUDIT_REFUSALS, AuditLog, AuditMiddleware
from worker.clock import FixedClock

EMPLOYER = AccountOut(
    id=7,
    username="employer1",
    role="employer_staff",
    display_name="机构",
    training_base_id=None,
    employer_id=3,
    practitioner_id=None,
)


async def _answer(status: int, method: str, audited_refusals: bool) -> tuple[list[int], int]:
    """Run one request through the middleware: how many entries were queued when the client got
    the answer's first and last message, and how many in the end."""
    audit_log = AuditLog()
    middleware = AuditMiddleware(audit_log, FixedClock(dt.datetime(2026, 11, 30, 8, tzinfo=dt.UTC)))
    handler = SimpleNamespace(opt={"policy": "employment.claim", AUDIT_REFUSALS: audited_refusals})
    scope: Any = {
        "type": "http",
        "method": method,
        "path": "/api/employment-claims",
        "user": EMPLOYER,
        "route_handler": handler,
        "state": {},
        "client": ("127.0.0.1", 5000),
    }
    seen: list[int] = []

    async def app(_scope: Any, _receive: Any, send: Any) -> None:
        await send({"type": "http.response.start", "status": status, "headers": []})
        await send({"type": "http.response.body", "body": b"{}", "more_body": False})

    async def client(message: Message) -> None:
        seen.append(len(audit_log.queued()))

    async def receive() -> Message:
        return {"type": "http.disconnect"}

    await middleware.handle(scope, receive, client, app)
    return seen, len(audit_log.queued())


async def test_a_refused_claim_is_queued_before_the_client_sees_the_refusal() -> None:
    seen, total = await _answer(404, "POST", audited_refusals=True)
    assert seen == [1, 1] and total == 1


async def test_a_write_is_queued_once() -> None:
    seen, total = await _answer(201, "POST", audited_refusals=False)
    assert seen == [1, 1] and total == 1


async def test_refusals_of_other_routes_and_reads_are_not_audited() -> None:
    assert (await _answer(404, "POST", audited_refusals=False))[1] == 0
    assert (await _answer(200, "GET", audited_refusals=True))[1] == 0


async def test_a_failure_of_the_service_is_no_refusal() -> None:
    """A claim answered 503 (the database stalled) decided nothing: not audited, so it never uses
    the login's budget of refused claims up (a second trial: two 503s locked an employer out for
    the day) nor shows regulators a probe."""
    for status in (500, 503):
        assert (await _answer(status, "POST", audited_refusals=True))[1] == 0
    assert (await _answer(409, "POST", audited_refusals=True))[1] == 1
