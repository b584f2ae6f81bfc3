"""Browser-facing protections: security headers on every response, CSRF for cookie logins.

- **Headers**: ``Content-Security-Policy`` (only this origin's scripts and styles, no inline
  script, no framing: ``frame-ancestors 'none'``; video also from the courseware object store's
  origin when ``TUOYU_COURSEWARE_URL`` names one), ``X-Content-Type-Options: nosniff``,
  ``Referrer-Policy: no-referrer`` (a verify URL carries a signature: it never leaks through a
  referrer), ``X-Frame-Options: DENY``, ``Permissions-Policy`` (the camera for the in-page QR
  scanner, nothing else) and ``Strict-Transport-Security`` when the public URL is https. The
  OpenAPI pages under ``/schema`` get a policy that lets their bundled UI run.
  ``Cache-Control: no-store`` on every answer but the static files (``/static/``) unless the
  handler set its own: pages, JSON and downloads carry full ID numbers, phones and credit records
  for the roles that may read them, and a trial found a regulator's person page shown again from
  the browser's cache by Back after logging out (2026-11-30).
- **CSRF**: a request that writes and is authenticated by the login *cookie* (pages) must echo
  the ``csrftoken`` cookie in ``X-CSRFToken`` — Litestar's double-submit CSRF middleware; a
  request with a bearer token (API clients, which a browser never sends on its own) or without
  any login cookie is not a CSRF risk and passes. CORS stays closed (no CORS configuration):
  other origins cannot read responses.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from litestar.config.csrf import CSRFConfig
from litestar.enums import ScopeType
from litestar.middleware import ASGIMiddleware
from litestar.middleware.csrf import CSRFMiddleware
from litestar.types import ASGIApp, Receive, Scope, Send

_PAGE_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "media-src 'self' blob:{media}; connect-src 'self'; font-src 'self'; object-src 'none'; "
    "base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
CSP = _PAGE_CSP.format(media="")
"""The pages' policy when the app serves the courseware itself (no object store)."""
CSP_SCHEMA = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; worker-src 'self' blob:; object-src 'none'; "
    "frame-ancestors 'none'"
)


def page_csp(media_origins: Sequence[str] = ()) -> str:
    """The pages' ``Content-Security-Policy``: :data:`CSP` with ``media_origins`` (exact origins
    such as ``https://media.example.cn``, from ``Settings.media_origins``: the courseware object
    store) added to ``media-src``, so lesson videos load from there and from nowhere else."""
    return _PAGE_CSP.format(media="".join(f" {origin}" for origin in media_origins))


NO_STORE = (b"cache-control", b"no-store")
"""Stamped on every answer but the static files' (module docstring)."""


class SecurityHeaders:
    """The raw response headers of the module docstring, built once per app (``https``: the public
    URL is https; ``media_origins``: as :func:`page_csp`); stamped on every HTTP response by
    :class:`service.edge.Edge`."""

    def __init__(self, *, https: bool, media_origins: Sequence[str] = ()) -> None:
        self.static = _headers(page_csp(media_origins), https)
        self.page = [*self.static, NO_STORE]
        self.schema = [*_headers(CSP_SCHEMA, https), NO_STORE]

    def for_path(self, path: str) -> list[tuple[bytes, bytes]]:
        """The headers for a request to ``path``: the OpenAPI pages under ``/schema`` get theirs,
        the static files under ``/static/`` no ``Cache-Control`` (they may be cached)."""
        if path.startswith("/static/"):
            return self.static
        return self.schema if path.startswith("/schema") else self.page


def _headers(csp: str, https: bool) -> list[tuple[bytes, bytes]]:
    out = [
        (b"content-security-policy", csp.encode()),
        (b"x-content-type-options", b"nosniff"),
        (b"referrer-policy", b"no-referrer"),
        (b"x-frame-options", b"DENY"),
        (b"permissions-policy", b"camera=(self), microphone=(), geolocation=()"),
    ]
    if https:
        out.append((b"strict-transport-security", b"max-age=31536000; includeSubDomains"))
    return out


class CookieCsrfMiddleware(ASGIMiddleware):
    """Litestar's CSRF check for requests that carry the login cookie and no bearer token."""

    scopes = (ScopeType.HTTP,)

    def __init__(self, config: CSRFConfig, login_cookie: str) -> None:
        self.config = config
        self.login_cookie = login_cookie
        self._guarded: dict[int, CSRFMiddleware] = {}

    def _csrf(self, next_app: ASGIApp) -> CSRFMiddleware:
        key = id(next_app)
        if key not in self._guarded:
            self._guarded[key] = CSRFMiddleware(app=next_app, config=self.config)
        return self._guarded[key]

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        headers: dict[bytes, bytes] = dict(scope.get("headers", []))
        cookies = headers.get(b"cookie", b"").decode("latin-1")
        has_login_cookie = any(
            part.strip().startswith(self.login_cookie + "=") for part in cookies.split(";")
        )
        if headers.get(b"authorization") or not has_login_cookie:
            await next_app(scope, receive, send)
            return
        await self._csrf(next_app)(scope, receive, send)

    def __deepcopy__(self, memo: dict[int, Any]) -> CookieCsrfMiddleware:
        return self  # the same middleware object for the whole app


def csrf_config(secret: str, *, https: bool) -> CSRFConfig:
    """Double-submit CSRF: a ``csrftoken`` cookie readable by the page's script (``HttpOnly`` off by
    design) and the ``X-CSRFToken`` header."""
    return CSRFConfig(
        secret=secret,
        cookie_name="csrftoken",
        header_name="x-csrftoken",
        cookie_secure=https,
        cookie_samesite="strict",
        cookie_httponly=False,
    )
