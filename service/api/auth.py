"""Logins: log in and out, sign up with real-name verification, change a password; and the
administration of logins (create, reset, deactivate, confirm an identity)."""

from __future__ import annotations

import secrets
from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import Cookie
from litestar.security.jwt import Token
from pydantic import BaseModel, Field, field_validator

from service import usecases
from service.accounts import (
    AccountIn,
    AccountOut,
    account_created,
    authenticate,
    change_password,
    revoke_token,
    revoke_tokens,
)
from service.accounts.identity import NEXT_STEP, sign_up, verify_code
from service.policy import action, user_of
from service.runtime import Runtime
from talent_pool.identity import normalise_phone


class LoginIn(BaseModel):
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=128)


class LoginOut(BaseModel):
    token: str
    account: AccountOut


class TraineeSignupIn(BaseModel):
    """A trainee signs up with their resident ID number (GB 11643), name, mobile phone and a
    password; the login stays pending until a one-time code (or a confirmation in person)."""

    username: str = Field(min_length=3, max_length=64, pattern=r"^[A-Za-z0-9_.@\-]+$")
    password: str = Field(max_length=128)  # the length rule is the rules module's (422 naming it)
    id_number: str = Field(min_length=15, max_length=40)
    name: str = Field(min_length=1, max_length=64)
    phone: str = Field(default="", max_length=20, pattern=r"^[0-9+\- ]*$")

    _phone = field_validator("phone", mode="before")(normalise_phone)


class SignupOut(BaseModel):
    """The answer to every sign-up: the pending login and what to do next."""

    account: AccountOut
    next_step: str


class CodeIn(BaseModel):
    code: str = Field(min_length=4, max_length=12)


class PasswordChangeIn(BaseModel):
    old_password: str = Field(min_length=1, max_length=128)
    new_password: str = Field(max_length=128)  # the length rule is the rules module's (422 naming it)


class AuthController(Controller):
    path = "/api/auth"
    tags = ["auth"]

    @post(
        "/login", summary="Log in; returns a bearer token and sets the `token` cookie", opt=action("public")
    )
    async def login(self, data: LoginIn, request: Request[Any, Any, Any], rt: Runtime) -> Response[LoginOut]:
        client = request.client.host if request.client else ""  # the proxy's X-Forwarded-For only if trusted
        account = await authenticate(data.username, data.password, now=rt.now(), client=client)
        auth = request.app.state.auth
        issued_ms = int(rt.now().timestamp() * 1000)  # sub-second, so logout can cut off exactly
        token = auth.create_token(
            identifier=str(account.id),
            token_unique_jwt_id=secrets.token_urlsafe(16),  # names this token for its own logout
            # the login's name and creation too: an id the embedded SQLite reuses after a deletion
            # is not this login, even under the same name (service.accounts.account_for_token)
            token_extras={
                "role": account.role,
                "iat_ms": issued_ms,
                "un": account.username,
                "ca": await account_created(account.id),
            },
        )
        cookie = Cookie(
            key=auth.key,
            path=auth.path,
            value=token,
            httponly=True,
            max_age=int(auth.default_token_expiration.total_seconds()),
            secure=auth.secure,
            samesite=auth.samesite,
        )
        return Response(LoginOut(token=token, account=account), cookies=[cookie])

    @post(
        "/register",
        summary="Trainee sign-up: a pending login; the same answer whoever the ID number belongs to",
        opt=action("public"),
    )
    async def register(self, data: TraineeSignupIn, rt: Runtime) -> SignupOut:
        account = await sign_up(
            username=data.username,
            password=data.password,
            id_number=data.id_number,
            name=data.name,
            phone=data.phone,
            today=rt.today(),
            now=rt.now(),
            secret=rt.settings.token_secret(),
            sms=rt.sms,
        )
        return SignupOut(account=account, next_step=NEXT_STEP)

    @post(
        "/verify-identity",
        summary="Complete real-name verification with the one-time code",
        opt=action("me"),
    )
    async def verify_identity(self, data: CodeIn, request: Request[Any, Any, Any], rt: Runtime) -> AccountOut:
        return await verify_code(
            user_of(request).id, data.code, today=rt.today(), now=rt.now(), secret=rt.settings.token_secret()
        )

    @post(
        "/logout",
        summary=(
            "Log out this token only (the account's other logins keep working); "
            "`POST /api/auth/logout-everywhere` ends them all"
        ),
        opt=action("me", no_rate_limit=True, password_change=True),
    )
    async def logout(self, request: Request[AccountOut, Token, Any], rt: Runtime) -> Response[None]:
        auth = request.app.state.auth
        token = request.auth
        if isinstance(token.jti, str) and token.jti:
            await revoke_token(user_of(request).id, token.jti, expires_at=token.exp, now=rt.now())
        else:  # a token issued before tokens had an id: only "everywhere" can end it
            await revoke_tokens(user_of(request).id, now=rt.now())
        return Response(
            None, status_code=204, cookies=[Cookie(key=auth.key, path=auth.path, value="", max_age=0)]
        )

    @post(
        "/logout-everywhere",
        summary="Log out everywhere: every token of the account stops working (every device and person)",
        opt=action("me", no_rate_limit=True, password_change=True),
    )
    async def logout_everywhere(self, request: Request[Any, Any, Any], rt: Runtime) -> Response[None]:
        auth = request.app.state.auth
        await revoke_tokens(user_of(request).id, now=rt.now())
        return Response(
            None, status_code=204, cookies=[Cookie(key=auth.key, path=auth.path, value="", max_age=0)]
        )

    @post(
        "/password",
        summary=(
            "Change my password (every token stops working; log in again); a wrong current password "
            "is 422 and counts toward the login's lockout"
        ),
        opt=action("me", password_change=True),
    )
    async def password(
        self, data: PasswordChangeIn, request: Request[Any, Any, Any], rt: Runtime
    ) -> Response[None]:
        auth = request.app.state.auth
        client = request.client.host if request.client else ""  # as for the login's lockout
        await change_password(
            user_of(request).id, data.old_password, data.new_password, now=rt.now(), client=client
        )
        return Response(
            None, status_code=204, cookies=[Cookie(key=auth.key, path=auth.path, value="", max_age=0)]
        )

    @get("/me", summary="The logged-in account", opt=action("me", no_rate_limit=True, password_change=True))
    async def me(self, request: Request[AccountOut, Token, Any]) -> AccountOut:
        return user_of(request)

    @post(
        "/accounts",
        opt=action("account.create", no_rate_limit=True),
        summary="Create a login; the scope id must exist (a district regulator: inside the district)",
    )
    async def create(self, data: AccountIn, request: Request[Any, Any, Any]) -> AccountOut:
        return await usecases.create_scoped_account(user_of(request), data)
