"""Login tokens and role guards.

Tokens are JWTs (HS256, PyJWT through ``litestar.security.jwt.JWTCookieAuth``) sent as
``Authorization: Bearer <token>`` by API clients or as the ``token`` cookie by pages.
Roles: ``city_admin`` (regulator), ``base_staff`` (one training base), ``employer_staff``
(one employer), ``trainee`` (one practitioner).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException
from litestar.security.jwt import JWTCookieAuth, Token

from service.accounts import AccountOut, account_for_token
from service.settings import Settings

PUBLIC_PATHS = [r"^/schema", r"^/static/", r"^/favicon"]
"""Framework paths outside the login; every route of ours says so itself (``policy.action``)."""


async def _retrieve_user(token: Token, connection: ASGIConnection[Any, Any, Any, Any]) -> AccountOut:
    try:
        account_id = int(token.sub)
    except ValueError:
        raise NotAuthorizedException("登录已失效，请重新登录") from None
    iat_ms = token.extras.get("iat_ms")
    issued = dt.datetime.fromtimestamp(iat_ms / 1000, dt.UTC) if isinstance(iat_ms, int) else token.iat
    jti = token.jti if isinstance(token.jti, str) else None  # the id login gives each token
    name, created = token.extras.get("un"), token.extras.get("ca")  # tokens issued since 2026-11-30
    account = await account_for_token(
        account_id,
        issued,
        jti,
        name if isinstance(name, str) else None,
        created if isinstance(created, int) else None,
    )
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
        exclude_opt_key="exclude_from_auth",
        samesite="lax",
        secure=settings.public_url.startswith("https://"),
    )
