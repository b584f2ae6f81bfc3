"""Administration of logins: reset a password, deactivate and reactivate a login, and confirm in
person the identity of someone who signed up (for people without a phone on record)."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from pydantic import BaseModel

from service import usecases
from service.accounts import AccountOut
from service.policy import action, user_of
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


class AccountsController(Controller):
    path = "/api/accounts"
    tags = ["accounts"]

    @post("/{account_id:int}/reset-password", opt=action("account.manage"), summary="Reset a password")
    async def reset(self, account_id: int, request: Request[Any, Any, Any], rt: Runtime) -> ResetOut:
        temporary = await usecases.reset_password(rt, user_of(request), account_id)
        return ResetOut(account_id=account_id, temporary_password=temporary)

    @post("/{account_id:int}/deactivate", opt=action("account.manage"), summary="Deactivate a login at once")
    async def deactivate(self, account_id: int, request: Request[Any, Any, Any], rt: Runtime) -> AccountOut:
        return await usecases.set_account_active(rt, user_of(request), account_id, active=False)

    @post("/{account_id:int}/activate", opt=action("account.manage"), summary="Reactivate a login")
    async def activate(self, account_id: int, request: Request[Any, Any, Any], rt: Runtime) -> AccountOut:
        return await usecases.set_account_active(rt, user_of(request), account_id, active=True)

    @get(
        "/pending-identities",
        opt=action("identity.confirm"),
        summary="Sign-ups waiting for an identity confirmation by me (my staff, trainees, district)",
    )
    async def pending(self, request: Request[Any, Any, Any], rt: Runtime) -> list[PendingIdentity]:
        rows = await usecases.pending_identities(rt, user_of(request))
        return [PendingIdentity(**row) for row in rows]

    @post(
        "/{account_id:int}/confirm-identity",
        opt=action("identity.confirm"),
        summary="Confirm in person that a sign-up is who it claims to be",
    )
    async def confirm(self, account_id: int, request: Request[Any, Any, Any], rt: Runtime) -> AccountOut:
        return await usecases.confirm_identity(rt, user_of(request), account_id)
