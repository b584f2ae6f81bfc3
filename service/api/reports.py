"""Regulator reports: the plan's talent targets for the city and each district."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, get
from litestar.params import QueryParameter

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
        year: Annotated[
            int | None, QueryParameter(ge=2000, le=2100, description="calendar year (local)")
        ] = None,
        scope_code: Annotated[
            str | None,
            QueryParameter(name="scope", description="'city' or a district code; omitted → all"),
        ] = None,
    ) -> list[TargetsReport]:
        return await usecases.targets_table(year=year, scope=scope_code)
