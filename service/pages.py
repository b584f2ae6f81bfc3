"""Web pages (Chinese, mobile-first): home, login and 修改密码 (every role); the regulator's pages:
``service/pages_regulator.py``.

Pages use the same policy as the API (``service.policy``): without a login a browser is sent to
``/login``; with the wrong role it gets the Chinese error page (403); an account whose password an
administrator reset is sent to ``/account/password`` from every other page.
"""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get
from litestar.response import Template

from service.errors import status_for
from service.policy import PASSWORD_PAGE, action, user_of
from talent_pool.errors import TuoyuError


def _error_page(request: Request[Any, Any, Any], exc: TuoyuError) -> Template:
    """Domain errors on pages: a Chinese message, not JSON."""
    return Template(template_name="error.html", context={"message": exc.message}, status_code=status_for(exc))


class PagesController(Controller):
    path = "/"
    include_in_schema = False
    exception_handlers = {TuoyuError: _error_page}

    @get("/", opt=action("public"))
    async def home(self) -> Template:
        return Template(template_name="index.html", context={})

    @get("/login", opt=action("public"))
    async def login(self, request: Request[Any, Any, Any]) -> Template:
        """The login form; ``?changed=1`` after a password change says to log in with the new one
        (read leniently: any other value is simply no message, never an error page)."""
        changed = request.query_params.get("changed") == "1"
        return Template(template_name="login.html", context={"changed": changed})

    @get(PASSWORD_PAGE, opt=action("me", password_change=True))
    async def password(self, request: Request[Any, Any, Any]) -> Template:
        """修改密码 for every role: the form posts to ``POST /api/auth/password``
        (``service/static/account.js``); after an administrator's reset every other page comes
        here first (``forced``)."""
        user = user_of(request)
        return Template(
            template_name="account/password.html",
            context={"username": user.username, "forced": user.must_change_password},
        )
