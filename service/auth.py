"""Login tokens and role guards.

Tokens are JWTs (HS256, PyJWT through ``litestar.security.jwt.JWTCookieAuth``) sent as
``Authorization: Bearer <token>`` by API clients or as the ``token`` cookie by pages.
Roles: ``city_admin`` (regulator), ``base_staff`` (one training base), ``employer_staff``
(one employer), ``trainee`` (one practitioner).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler
from litestar.security.jwt import JWTCookieAuth, Token

from service.accounts import AccountOut, account_for_token
from service.settings import Settings

PUBLIC_PATHS = [
    r"^/$",
    r"^/v/",
    r"^/api/verify",
    r"^/\.well-known/",
    r"^/api/auth/login",
    r"^/api/auth/register",
    r"^/login",
    r"^/schema",
    r"^/health",
    r"^/ready",
    r"^/metrics",
    r"^/api/catalog",
    r"^/static/",
    r"^/favicon",
]


async def _retrieve_user(token: Token, connection: ASGIConnection[Any, Any, Any, Any]) -> AccountOut:
    try:
        account_id = int(token.sub)
    except ValueError:
        raise NotAuthorizedException("登录已失效，请重新登录") from None
    iat_ms = token.extras.get("iat_ms")
    issued = dt.datetime.fromtimestamp(iat_ms / 1000, dt.UTC) if isinstance(iat_ms, int) else token.iat
    account = await account_for_token(account_id, issued)
    if account is None:
        raise NotAuthorizedException("登录已失效，请重新登录")
    return account


def build_auth(settings: Settings) -> JWTCookieAuth[AccountOut, Token]:
    """The app's authentication backend (JWT in header or cookie, public paths excluded)."""
    return JWTCookieAuth[AccountOut, Token](
        retrieve_user_handler=_retrieve_user,
        token_secret=settings.token_secret(),
        default_token_expiration=dt.timedelta(hours=settings.token_hours),
        exclude=PUBLIC_PATHS,
        samesite="lax",
        secure=settings.public_url.startswith("https://"),
    )


def user_of(connection: ASGIConnection[Any, Any, Any, Any]) -> AccountOut:
    """The logged-in account; raises 401 when the route was reached without one."""
    user = connection.scope.get("user")
    if not isinstance(user, AccountOut):
        raise NotAuthorizedException("需要登录")
    return user


def require(*roles: str) -> Callable[[ASGIConnection[Any, Any, Any, Any], BaseRouteHandler], None]:
    """A Litestar guard allowing only the given roles (403 otherwise, 401 when not logged in)."""

    def guard(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
        user = user_of(connection)
        if user.role not in roles:
            raise PermissionDeniedException(f"此操作需要角色：{'、'.join(roles)}")

    return guard
