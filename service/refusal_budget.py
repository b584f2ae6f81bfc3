"""A login's refused claims a day (``TUOYU_CLAIM_REFUSALS_PER_DAY``): past the budget, the login's
claims are refused (429) until local midnight.

The per-minute limit (``service.ratelimit.AccountLimits``) slows a prober to ten tries a minute —
still thousands a day. An employer claiming its real staff types a wrong digit now and then; a run
of refusals (no match, an existing claim, bad input) is how an account probes who is in the pool.
So the refusals of the business day (``TUOYU_TIMEZONE``) are counted from the audit
(``write_refused`` entries of the login and the route's action, ``service.audit``) — the entries
written plus those this process has not written yet — and once they reach the budget every
further claim of the login that day is 429 with ``Retry-After`` (the seconds until local midnight)
and a Chinese reason, before anything is read or written, audited like any refused claim (a 429
does not count toward the budget). Successful claims never count.

In one process the count is exact: it waits for a batch being written (``AuditLog.settled``), so
each entry is counted once, from the table or from the queue; a refusal is queued before its
answer leaves (``service.audit``); and a login's requests on a budgeted route are answered one
after another (:class:`OneAtATime`), so claims sent at the same moment are each checked after the
one before was answered — before that, each was checked before any was answered and a burst could
pass the budget by the number in flight (one or two over in a trial's bursts of 5–8, 2026-11-30).
It may trail by the entries another web process has not written yet (they are written every
second): a burst spread over processes can pass the budget by what the per-minute limit lets
through, never more. A 5xx answer (a database outage) is not a refusal and never counts
(``service.audit``).

A route names its budget in its ``opt`` (``refusal_budget="claim"``); the app's one
``before_request`` hook calls :func:`limit_refusals` after the policy and the per-minute limit.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from litestar import Litestar, Request
from litestar.enums import ScopeType
from litestar.exceptions import TooManyRequestsException
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Receive, Scope, Send

from service.audit import AuditLog
from service.audit_refusals import REFUSED, refused_since
from service.turns import Turns
from worker.clock import Clock

REFUSAL_BUDGET = "refusal_budget"
"""The route ``opt`` key naming the daily budget of refused writes the route counts against (a
key of the app's :class:`RefusalBudget`)."""


class RefusalBudget:
    """Daily budgets of refused writes per login: ``per_day`` maps a budget's name (a route's
    :data:`REFUSAL_BUDGET`) to the refusals one login may have on one local day."""

    def __init__(self, per_day: Mapping[str, int], audit_log: AuditLog, clock: Clock) -> None:
        self.per_day = dict(per_day)
        self.audit_log = audit_log
        self.clock = clock

    async def check(self, name: str, action: str, account_id: int) -> None:
        """Refuse ``account_id``'s write of ``action`` when its refused writes of ``action`` today
        (local) reached the budget ``name``: ``TooManyRequestsException`` (429, a Chinese
        ``detail``, ``Retry-After`` = seconds until local midnight). ``KeyError`` for a budget the
        app does not have."""
        per_day = self.per_day[name]
        now = self.clock.now()
        today = self.clock.local(now).date()
        midnight = dt.datetime.combine(today, dt.time(), tzinfo=self.clock.zone)
        async with self.audit_log.settled():  # this process's entries: written or queued, once
            refused = await refused_since(account_id, action, midnight)
            refused += sum(
                1
                for r in self.audit_log.queued()
                if r.actor_id == account_id
                and r.kind == REFUSED
                and r.action == action
                and r.status != 429
                and dt.datetime.fromisoformat(r.at) >= midnight
            )
        if refused < per_day:
            return
        seconds = self.clock.seconds_to_midnight()
        raise TooManyRequestsException(
            detail=f"今日被拒绝的认领已达 {per_day} 次（每个账号每天上限），请明天再试；"
            "如确需继续认领，请联系所在区县卫健部门",
            headers={"Retry-After": str(seconds)},
        )


async def limit_refusals(request: Request[Any, Any, Any]) -> None:
    """Apply the daily budget the matched route names in its ``opt`` (:data:`REFUSAL_BUDGET`), if
    any, to the logged-in account and the route's policy action; the budgets are the app's
    ``state.refusal_budget`` (:class:`RefusalBudget`). Raises as :meth:`RefusalBudget.check`."""
    opt = request.scope["route_handler"].opt
    name = opt.get(REFUSAL_BUDGET)
    if name is None:
        return
    budget: RefusalBudget = request.app.state.refusal_budget
    await budget.check(name, str(opt["policy"]), request.scope["user"].id)


class OneAtATime(ASGIMiddleware):
    """Answers one login's requests on a route with a daily refusal budget (:data:`REFUSAL_BUDGET`)
    one after another in this process, each from its budget check until its answer has started
    (its refusal, if it is one, queued by ``service.audit``): so the check of the next one counts
    it. Other logins, other routes and requests without a login pass straight on. A login waits
    for its own earlier request only (a claim takes a few ms; one stuck on the database is ended by
    the command timeout). A middleware of each budgeted route (``middleware=[OneAtATime()]``, so
    no other request pays for it; :func:`check_turns` holds every budgeted route to it): inside
    the authentication middleware (it reads the login from ``scope["user"]``) and inside
    :class:`service.audit.AuditMiddleware`."""

    scopes = (ScopeType.HTTP,)

    def __init__(self) -> None:
        self.turns = Turns()

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        handler = scope.get("route_handler")
        name = (getattr(handler, "opt", None) or {}).get(REFUSAL_BUDGET)
        account_id = getattr(scope.get("user"), "id", None)
        if name is None or not isinstance(account_id, int):
            await next_app(scope, receive, send)
            return
        async with self.turns.of((account_id, str(name))):
            await next_app(scope, receive, send)


def check_turns(app: Litestar) -> None:
    """Raise ``RuntimeError`` at start-up when a route names a refusal budget
    (:data:`REFUSAL_BUDGET`) without :class:`OneAtATime` among its middleware: its budget could be
    passed by a burst."""
    for route in app.routes:
        for handler in getattr(route, "route_handlers", ()):
            if handler.opt.get(REFUSAL_BUDGET) and not any(
                isinstance(m, OneAtATime) for m in handler.resolve_middleware()
            ):
                raise RuntimeError(f"{route.path} has a refusal budget but no OneAtATime middleware")
