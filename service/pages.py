"""Web pages (Chinese, mobile-first): home, login, the regulator's dashboard and drill-down."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, get
from litestar.params import QueryParameter
from litestar.response import Redirect, Template

import talent_pool
from service import usecases
from service.accounts import AccountOut
from service.errors import status_for
from service.runtime import Runtime
from talent_pool.errors import TuoyuError

PAGE_SIZE = 100


def _error_page(request: Request[Any, Any, Any], exc: TuoyuError) -> Template:
    """Domain errors on pages: a Chinese message, not JSON."""
    return Template(template_name="error.html", context={"message": exc.message}, status_code=status_for(exc))


def _regulator_gate(request: Request[Any, Any, Any]) -> Template | Redirect | None:
    """Not logged in → the login page; logged in without the regulator role → a 403 page."""
    user = request.scope.get("user")
    if not isinstance(user, AccountOut):
        return Redirect(path="/login")
    if user.role != "city_admin":
        return Template(
            template_name="error.html",
            context={"message": "此页面仅供市级监管账号使用，当前账号没有权限。"},
            status_code=403,
        )
    return None


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
        self,
        request: Request[Any, Any, Any],
        rt: Runtime,
        year: Annotated[int | None, QueryParameter(ge=2000, le=2100)] = None,
    ) -> Template | Redirect:
        if (gate := _regulator_gate(request)) is not None:
            return gate
        reports = await usecases.targets_table(rt, year=year)
        return Template(
            template_name="dashboard.html",
            context={"reports": reports, "year": year or rt.today().year},
        )

    @get("/dashboard/shortfall")
    async def shortfall(
        self,
        request: Request[Any, Any, Any],
        rt: Runtime,
        indicator: str = "certification_rate",
        scope_code: Annotated[str, QueryParameter(name="scope")] = "city",
        page: Annotated[int, QueryParameter(ge=1, le=100000)] = 1,
    ) -> Template | Redirect:
        if (gate := _regulator_gate(request)) is not None:
            return gate
        result = await usecases.shortfall(
            rt, indicator, year=None, scope=scope_code, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE
        )
        districts = {d["code"]: d["name"] for d in await talent_pool.list_districts()}
        pages = max(1, (result.total + PAGE_SIZE - 1) // PAGE_SIZE)
        return Template(
            template_name="shortfall.html",
            context={
                "r": result,
                "page": min(page, pages),
                "pages": pages,
                "districts": districts,
                "scope_name": "济南市" if scope_code == "city" else districts.get(scope_code, scope_code),
            },
        )
