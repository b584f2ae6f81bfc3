"""Web pages (Chinese, mobile-first): home and login (the regulator's pages: ``service/pages_regulator.py``).

Pages use the same policy as the API (``service.policy``): without a login a browser is sent to
``/login``; with the wrong role it gets the Chinese error page (403).
"""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get
from litestar.response import Template

from service.errors import status_for
from service.policy import action
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
    async def login(self) -> Template:
        return Template(template_name="login.html", context={})
