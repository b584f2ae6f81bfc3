"""Administration of logins: reset a password, deactivate and reactivate a login, and confirm in
person the identity of someone who signed up (for people without a phone on record)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from litestar import Controller, Request, get, post
from litestar.pagination import OffsetPagination
from litestar.params import QueryParameter
from pydantic import BaseModel

from service import usecases
from service.accounts import AccountOut
from service.audit import entries_about, personal_read
from service.hygiene import Offset, OptionalQueryId, QueryId
from service.policy import action, ensure_practitioner, user_of
from service.runtime import Runtime


class ResetOut(BaseModel):
    """A temporary password, shown once: the person must change it at their next login."""

    account_id: int
    temporary_password: str


class PendingIdentity(BaseModel):
    """A sign-up waiting for an identity confirmation the caller may give."""

    account_id: int
    username: str
    claimed_name: str
    claimed_id_number: str


class AuditLine(BaseModel):
    """One audited act concerning a person: when, what kind (write / write_refused /
    read_personal), by whom."""

    at: dt.datetime
    kind: str
    actor: str
    role: str
    action: str
    method: str
    path: str


class RefusalLine(BaseModel):
    """One refused write (audit kind ``write_refused``): which login tried, when (UTC), what, the
    answer's status (404 no match, 409 claimed already, 422/400 bad input, 429 over the limit …),
    from which address, the request id. It names no person."""

    id: int
    at: dt.datetime
    account_id: int | None
    actor: str
    role: str
    action: str
    method: str
    path: str
    status: int
    client: str
    request_id: str


@dataclass
class RefusalPage(OffsetPagination[RefusalLine]):
    """One page of refused writes, newest first (``items``, ``limit``, ``offset``, ``total``)."""


class RefusalCount(BaseModel):
    """A login's refused writes in the period: how many, the first and last (UTC), per status."""

    account_id: int | None
    actor: str
    role: str
    count: int
    first_at: dt.datetime
    last_at: dt.datetime
    statuses: dict[int, int]


Since = Annotated[
    dt.date | None, QueryParameter(name="from", description="first local day (inclusive); default: open")
]
Until = Annotated[
    dt.date | None, QueryParameter(name="to", description="last local day (inclusive); default: open")
]
RefusedAction = Annotated[
    Literal["employment.claim", "certificate.match"],
    QueryParameter(
        name="action",
        description="which refused writes: employment.claim (an employer's claims, the default) or "
        "certificate.match (identity matches against a certificate; their path names it)",
    ),
]


class AccountsController(Controller):
    path = "/api"
    tags = ["accounts"]

    @post(
        "/accounts/{account_id:int}/reset-password", opt=action("account.manage"), summary="Reset a password"
    )
    async def reset(self, account_id: int, request: Request[Any, Any, Any], rt: Runtime) -> ResetOut:
        temporary = await usecases.reset_password(rt, user_of(request), account_id)
        return ResetOut(account_id=account_id, temporary_password=temporary)

    @post(
        "/accounts/{account_id:int}/deactivate",
        opt=action("account.manage"),
        summary="Deactivate a login at once",
    )
    async def deactivate(self, account_id: int, request: Request[Any, Any, Any], rt: Runtime) -> AccountOut:
        return await usecases.set_account_active(rt, user_of(request), account_id, active=False)

    @post("/accounts/{account_id:int}/activate", opt=action("account.manage"), summary="Reactivate a login")
    async def activate(self, account_id: int, request: Request[Any, Any, Any], rt: Runtime) -> AccountOut:
        return await usecases.set_account_active(rt, user_of(request), account_id, active=True)

    @get(
        "/accounts/pending-identities",
        opt=action("identity.confirm"),
        summary="Sign-ups waiting for an identity confirmation by me (my staff, trainees, district)",
    )
    async def pending(self, request: Request[Any, Any, Any], rt: Runtime) -> list[PendingIdentity]:
        rows = await usecases.pending_identities(rt, user_of(request))
        if rows:
            personal_read(request)
        return [PendingIdentity(**row) for row in rows]

    @get(
        "/audit",
        opt=action("audit.read"),
        summary="Who read or changed a person's data (regulators: people of their district)",
    )
    async def audit(self, practitioner_id: QueryId, request: Request[Any, Any, Any]) -> list[AuditLine]:
        await ensure_practitioner(user_of(request), practitioner_id)
        return [AuditLine(**row) for row in await entries_about(practitioner_id)]

    @get("/me/audit", opt=action("audit.mine"), summary="Who looked at my record (the audit of my data)")
    async def my_audit(self, request: Request[Any, Any, Any]) -> list[AuditLine]:
        user = user_of(request)
        if user.practitioner_id is None:
            return []
        return [AuditLine(**row) for row in await entries_about(user.practitioner_id)]

    @post(
        "/accounts/{account_id:int}/confirm-identity",
        opt=action("identity.confirm"),
        summary="Confirm in person that a sign-up is who it claims to be",
    )
    async def confirm(self, account_id: int, request: Request[Any, Any, Any], rt: Runtime) -> AccountOut:
        return await usecases.confirm_identity(rt, user_of(request), account_id)

    @get(
        "/audit/refusals",
        opt=action("audit.refusals"),
        summary="Refused writes (audit kind write_refused) of one action — by default an employer's "
        "refused claims (action=employment.claim), or action=certificate.match — who tried, when, the "
        "status; by login and local days, newest first, paged (regulators: the logins of their "
        "district). No person is named",
    )
    async def refusals(
        self,
        request: Request[Any, Any, Any],
        rt: Runtime,
        account_id: OptionalQueryId = None,
        since: Since = None,
        until: Until = None,
        limit: Annotated[int, QueryParameter(ge=1, le=1000)] = 100,
        offset: Offset = 0,
        refused_action: RefusedAction = "employment.claim",
    ) -> RefusalPage:
        rows, total = await usecases.refused_writes(
            rt,
            user_of(request),
            account_id=account_id,
            since=since,
            until=until,
            limit=limit,
            offset=offset,
            action=refused_action,
        )
        return RefusalPage(items=[RefusalLine(**r) for r in rows], limit=limit, offset=offset, total=total)

    @get(
        "/audit/refusals/by-account",
        opt=action("audit.refusals"),
        summary="Refused writes of one action (default employment.claim) counted per login on local "
        "days (most first): how many, first and last, per status (regulators: the logins of their "
        "district)",
    )
    async def refusals_by_account(
        self,
        request: Request[Any, Any, Any],
        rt: Runtime,
        since: Since = None,
        until: Until = None,
        refused_action: RefusedAction = "employment.claim",
    ) -> list[RefusalCount]:
        rows = await usecases.refused_writes_by_account(
            rt, user_of(request), since=since, until=until, action=refused_action
        )
        return [RefusalCount(**r) for r in rows]
