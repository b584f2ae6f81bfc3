"""Web pages (Chinese): home, login, and the regulator's targets dashboard."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, get
from litestar.params import QueryParameter
from litestar.response import Redirect, Template

from service import usecases
from service.accounts import AccountOut
from talent_pool.errors import TuoyuError


def _error_page(request: Request[Any, Any, Any], exc: TuoyuError) -> Template:
    """Domain errors on pages: a Chinese message, not JSON."""
    return Template(template_name="error.html", context={"message": exc.message}, status_code=exc.status)


class PagesController(Controller):
    path = "/"
    include_in_schema = False
    exception_handlers = {TuoyuError: _error_page}

    @get("/")
    async def home(self) -> Template:
        return Template(template_name="index.html", context={})

    @get("/login")
    async def login(self) -> Template:
        return Template(template_name="login.html", context={})

    @get("/dashboard")
    async def dashboard(
        self, request: Request[Any, Any, Any], year: int | None = None
    ) -> Template | Redirect:
        user = request.scope.get("user")
        if not isinstance(user, AccountOut) or user.role != "city_admin":
            return Redirect(path="/login")
        reports = await usecases.targets_table(year=year)
        return Template(
            template_name="dashboard.html",
            context={"reports": reports, "year": year or usecases.today().year},
        )

    @get("/dashboard/shortfall")
    async def shortfall(
        self,
        request: Request[Any, Any, Any],
        indicator: str = "certification_rate",
        scope_code: Annotated[str, QueryParameter(name="scope")] = "city",
        page: int = 1,
    ) -> Template | Redirect:
        user = request.scope.get("user")
        if not isinstance(user, AccountOut) or user.role != "city_admin":
            return Redirect(path="/login")
        size = 100
        result = await usecases.shortfall(
            indicator, year=None, scope=scope_code, limit=size, offset=(max(page, 1) - 1) * size
        )
        return Template(
            template_name="shortfall.html",
            context={"r": result, "page": max(page, 1), "pages": (result.total + size - 1) // size},
        )
