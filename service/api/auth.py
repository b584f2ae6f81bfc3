"""Login, trainee self-registration, who-am-I, and account creation by the city admin."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import Cookie
from litestar.security.jwt import Token
from pydantic import BaseModel, Field

from service import usecases
from service.accounts import AccountIn, AccountOut, authenticate, revoke_tokens
from service.auth import require, user_of
from service.runtime import Runtime


class LoginIn(BaseModel):
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=128)


class LoginOut(BaseModel):
    token: str
    account: AccountOut


class TraineeSignupIn(BaseModel):
    """A trainee signs up with their resident ID number (GB 11643), name and a password."""

    username: str = Field(min_length=3, max_length=64, pattern=r"^[A-Za-z0-9_.@\-]+$")
    password: str = Field(min_length=8, max_length=128)
    id_number: str = Field(min_length=15, max_length=40)
    name: str = Field(min_length=1, max_length=64)
    phone: str = Field(default="", max_length=20)


class AuthController(Controller):
    path = "/api/auth"
    tags = ["auth"]

    @post("/login", summary="Log in; returns a bearer token and sets the `token` cookie")
    async def login(self, data: LoginIn, request: Request[Any, Any, Any], rt: Runtime) -> Response[LoginOut]:
        account = await authenticate(data.username, data.password)
        auth = request.app.state.auth
        issued_ms = int(rt.now().timestamp() * 1000)  # sub-second, so logout can cut off exactly
        token = auth.create_token(
            identifier=str(account.id), token_extras={"role": account.role, "iat_ms": issued_ms}
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

    @post("/register", summary="Trainee self-registration (creates the practitioner if new)")
    async def register(self, data: TraineeSignupIn, rt: Runtime) -> AccountOut:
        return await usecases.register_trainee(
            rt,
            username=data.username,
            password=data.password,
            id_number=data.id_number,
            name=data.name,
            phone=data.phone,
        )

    @post("/logout", summary="Log out: clears the `token` cookie", opt={"no_rate_limit": True})
    async def logout(self, request: Request[Any, Any, Any], rt: Runtime) -> Response[None]:
        """Ends every session of the account: its tokens are refused from now on."""
        auth = request.app.state.auth
        user = request.scope.get("user")
        if isinstance(user, AccountOut):
            await revoke_tokens(user.id, now=rt.now())
        return Response(
            None, status_code=204, cookies=[Cookie(key=auth.key, path=auth.path, value="", max_age=0)]
        )

    @get("/me", summary="The logged-in account", opt={"no_rate_limit": True})
    async def me(self, request: Request[AccountOut, Token, Any]) -> AccountOut:
        return user_of(request)

    @post(
        "/accounts",
        guards=[require("city_admin")],
        summary="Create a login (city admin); the scope id must exist",
        opt={"no_rate_limit": True},
    )
    async def create(self, data: AccountIn) -> AccountOut:
        return await usecases.create_scoped_account(data)
