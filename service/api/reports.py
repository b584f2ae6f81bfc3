"""Regulator reports: the plan's talent targets for the city and each district."""

from __future__ import annotations

from litestar import Controller, get
from litestar.params import Parameter

from service import usecases
from service.auth import require
from talent_pool.schemas import TargetsReport


class ReportsController(Controller):
    path = "/api/targets"
    tags = ["targets"]
    guards = [require("city_admin")]

    @get(summary="Talent targets for a year: the city and each district (or one scope)")
    async def targets(
        self,
        year: int | None = Parameter(default=None, ge=2000, le=2100, description="calendar year (local)"),
        scope_code: str | None = Parameter(
            query="scope", default=None, description="'city' or a district code; omitted → all"
        ),
    ) -> list[TargetsReport]:
        return await usecases.targets_table(year=year, scope=scope_code)
