"""Web pages (Chinese): home, login, and the regulator's targets dashboard."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get
from litestar.response import Redirect, Template

from service import usecases
from service.accounts import AccountOut


class PagesController(Controller):
    path = "/"
    include_in_schema = False

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
