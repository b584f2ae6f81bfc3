"""Employment transfer (调动) by a regulator: the old employment ends the day before, the new one
starts on the date (issue 12, "Registry": employments with position, start, end, transfer)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from litestar import Controller, Request, post
from pydantic import BaseModel

import talent_pool
from service.policy import action, ensure_district, ensure_employment, user_of
from talent_pool.schemas import EmploymentOut, Position


class TransferIn(BaseModel):
    """To ``employer_id`` from the local date ``on`` (the old employment ends the day before);
    ``position`` unchanged unless given."""

    employer_id: int
    on: dt.date
    position: Position | None = None


class EmploymentTransferController(Controller):
    path = "/api"
    tags = ["talent pool"]

    @post(
        "/employments/{employment_id:int}/transfer",
        opt=action("employment.transfer"),
        summary="Transfer a person to another employer (regulators of both districts)",
    )
    async def transfer(
        self, employment_id: int, data: TransferIn, request: Request[Any, Any, Any]
    ) -> EmploymentOut:
        user = user_of(request)
        await ensure_employment(user, employment_id)
        ensure_district(user, (await talent_pool.get_employer(data.employer_id)).district_code)
        return await talent_pool.transfer_employment(
            employment_id,
            to_employer_id=data.employer_id,
            on=data.on,
            position=data.position,
            by=user.username,
        )
