"""Administration of logins: reset a password, deactivate and reactivate a login, and confirm in
person the identity of someone who signed up (for people without a phone on record)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from litestar import Controller, Request, get, post
from pydantic import BaseModel

from service import usecases
from service.accounts import AccountOut
from service.audit import entries_about, personal_read
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
    async def audit(self, practitioner_id: int, request: Request[Any, Any, Any]) -> list[AuditLine]:
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
