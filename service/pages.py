"""Web pages (Chinese, mobile-first): home, login, the regulator's dashboard and drill-down.

Pages use the same policy as the API (``service.policy``): without a login a browser is sent to
``/login``; with the wrong role it gets the Chinese error page (403).
"""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, get
from litestar.params import QueryParameter
from litestar.response import Template

import talent_pool
from service import usecases
from service.audit import personal_read
from service.errors import status_for
from service.policy import action, targets_scope, user_of
from service.runtime import Runtime
from talent_pool.errors import TuoyuError

PAGE_SIZE = 100


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

    @get("/dashboard", opt=action("page.regulator"))
    async def dashboard(
        self,
        request: Request[Any, Any, Any],
        rt: Runtime,
        year: Annotated[int | None, QueryParameter(ge=2000, le=2100)] = None,
    ) -> Template:
        scope = targets_scope(user_of(request), None)
        reports = await usecases.targets_table(rt, year=year, scope=scope)
        return Template(
            template_name="dashboard.html",
            context={"reports": reports, "year": year or rt.today().year},
        )

    @get("/dashboard/shortfall", opt=action("page.regulator"))
    async def shortfall(
        self,
        request: Request[Any, Any, Any],
        rt: Runtime,
        indicator: str = "certification_rate",
        scope_code: Annotated[str, QueryParameter(name="scope")] = "city",
        page: Annotated[int, QueryParameter(ge=1, le=100000)] = 1,
    ) -> Template:
        user = user_of(request)
        scope = targets_scope(
            user, None if scope_code == "city" and user.role != "city_admin" else scope_code
        )
        result = await usecases.shortfall(
            rt, indicator, year=None, scope=scope, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE
        )
        personal_read(request, (p.practitioner_id for p in result.people))
        districts = {d["code"]: d["name"] for d in await talent_pool.list_districts()}
        pages = max(1, (result.total + PAGE_SIZE - 1) // PAGE_SIZE)
        shown = scope or "city"
        return Template(
            template_name="shortfall.html",
            context={
                "r": result,
                "page": min(page, pages),
                "pages": pages,
                "districts": districts,
                "scope_name": "济南市" if shown == "city" else districts.get(shown, shown),
            },
        )
