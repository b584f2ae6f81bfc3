"""Training subsidy API (职业培训补贴): flag an offering as subsidised, the roster of eligible
trainees (JSON and the xlsx a 人社 office expects), grants recorded against it."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from litestar import Controller, Request, Response, get, post

import training
from service.audit import personal_read
from service.policy import action, ensure_offering, ensure_offering_regulator, user_of
from service.runtime import Runtime
from training.schemas import OfferingOut
from training.subsidy import SubsidyClaimIn, SubsidyFlagIn, SubsidyRoster

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class SubsidyController(Controller):
    path = "/api/offerings/{offering_id:int}"
    tags = ["subsidies"]

    @post("/subsidy", opt=action("subsidy.designate"), summary="Flag an offering as subsidised (or not)")
    async def designate(
        self, offering_id: int, data: SubsidyFlagIn, request: Request[Any, Any, Any]
    ) -> OfferingOut:
        await ensure_offering_regulator(user_of(request), offering_id)
        return await training.set_subsidised(offering_id, data.subsidised)

    @get(
        "/subsidy-roster",
        opt=action("subsidy.roster"),
        summary="Trainees eligible for the subsidy, and why not",
    )
    async def roster(self, offering_id: int, request: Request[Any, Any, Any]) -> SubsidyRoster:
        await ensure_offering(user_of(request), offering_id, read=True)
        roster = await training.subsidy_roster(offering_id)
        personal_read(request, (r.practitioner_id for r in roster.eligible))  # full ID numbers
        return roster

    @get(
        "/subsidy-roster.xlsx",
        opt=action("subsidy.roster"),
        summary="The roster as the xlsx a 人社 office expects",
        media_type=XLSX,
    )
    async def roster_xlsx(
        self, offering_id: int, request: Request[Any, Any, Any], rt: Runtime
    ) -> Response[bytes]:
        await ensure_offering(user_of(request), offering_id, read=True)
        export = await training.subsidy_roster_xlsx(offering_id, today=rt.today())
        personal_read(request, export.practitioner_ids)  # full ID numbers
        return Response(
            export.content,
            media_type=XLSX,
            headers={
                "Content-Disposition": f'attachment; filename="subsidy-{offering_id}.xlsx"; '
                f"filename*=UTF-8''{quote(export.file_name)}"
            },
        )

    @post("/subsidy-claims", opt=action("subsidy.claim"), summary="Record subsidies granted from the roster")
    async def claims(
        self, offering_id: int, data: SubsidyClaimIn, request: Request[Any, Any, Any], rt: Runtime
    ) -> SubsidyRoster:
        user = user_of(request)
        await ensure_offering_regulator(user, offering_id)
        return await training.record_subsidy_claims(
            offering_id,
            data.enrollment_ids,
            by=user.username,
            now=rt.now(),
            claimed_on=data.claimed_on or rt.today(),
        )
