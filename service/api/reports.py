"""Regulator reports: the plan's talent targets for the city and each district."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Annotated, Any

from litestar import Controller, Request, get
from litestar.pagination import OffsetPagination
from litestar.params import QueryParameter

from service import usecases
from service.policy import action, targets_scope, user_of
from service.runtime import Runtime
from talent_pool.schemas import ShortfallPerson, TargetsReport


@dataclass
class ShortfallList(OffsetPagination[ShortfallPerson]):
    """One page (Litestar's offset pagination: ``items``, ``limit``, ``offset``, ``total``) of the
    employed practitioners behind ``indicator`` in ``scope`` for ``year``, as of the local date
    ``as_of``."""

    indicator: str = ""
    year: int = 0
    as_of: dt.date | None = None
    scope: str = "city"


class ReportsController(Controller):
    path = "/api/targets"
    tags = ["targets"]

    @get(
        summary="Talent targets for a year: the city and each district (or one scope); a district "
        "regulator sees their district",
        opt=action("targets.read"),
    )
    async def targets(
        self,
        request: Request[Any, Any, Any],
        rt: Runtime,
        year: Annotated[
            int | None, QueryParameter(ge=2000, le=2100, description="calendar year (local)")
        ] = None,
        scope_code: Annotated[
            str | None,
            QueryParameter(name="scope", description="'city' or a district code; omitted → all"),
        ] = None,
    ) -> list[TargetsReport]:
        scope = targets_scope(user_of(request), scope_code)
        return await usecases.targets_table(rt, year=year, scope=scope)

    @get(
        "/shortfall/{indicator:str}",
        summary="Drill down: employed practitioners behind certification_rate or trainings_per_practitioner",
        opt=action("targets.shortfall"),
    )
    async def drill_down(
        self,
        request: Request[Any, Any, Any],
        rt: Runtime,
        indicator: str,
        year: Annotated[int | None, QueryParameter(ge=2000, le=2100)] = None,
        scope_code: Annotated[str | None, QueryParameter(name="scope")] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=1000)] = 100,
        offset: Annotated[int, QueryParameter(ge=0)] = 0,
    ) -> ShortfallList:
        scope = targets_scope(user_of(request), scope_code)
        page = await usecases.shortfall(rt, indicator, year=year, scope=scope, limit=limit, offset=offset)
        return ShortfallList(
            items=page.people,
            limit=limit,
            offset=offset,
            total=page.total,
            indicator=page.indicator,
            year=page.year,
            as_of=page.as_of,
            scope=page.scope,
        )
