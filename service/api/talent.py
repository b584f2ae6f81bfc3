"""Talent-pool API: employers, practitioners, employments, a practitioner's record."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.exceptions import PermissionDeniedException

import talent_pool
from service import usecases
from service.auth import require, user_of
from service.runtime import Runtime
from talent_pool.schemas import (
    EmployerIn,
    EmployerOut,
    EmploymentIn,
    PractitionerIn,
    PractitionerOut,
    PractitionerRecord,
    StaffMember,
)


class TalentController(Controller):
    path = "/api"
    tags = ["talent pool"]

    @get("/districts", summary="The city's districts/counties", exclude_from_auth=True)
    async def districts(self) -> list[dict[str, str]]:
        return await talent_pool.list_districts()

    @post("/employers", guards=[require("city_admin")], summary="Register an employer (托育机构)")
    async def create_employer(self, data: EmployerIn) -> EmployerOut:
        return await talent_pool.register_employer(data)

    @get("/employers/{employer_id:int}", guards=[require("city_admin", "employer_staff")])
    async def employer(self, employer_id: int, request: Request[Any, Any, Any]) -> EmployerOut:
        user = user_of(request)
        if user.role == "employer_staff" and user.employer_id != employer_id:
            raise PermissionDeniedException("只能查看本机构")
        return await talent_pool.get_employer(employer_id)

    @get(
        "/employers/{employer_id:int}/staff",
        guards=[require("city_admin", "employer_staff")],
        summary="Current staff with valid credentials and this year's trainings (持证上岗 check)",
    )
    async def staff(
        self, employer_id: int, request: Request[Any, Any, Any], rt: Runtime
    ) -> list[StaffMember]:
        user = user_of(request)
        if user.role == "employer_staff" and user.employer_id != employer_id:
            raise PermissionDeniedException("只能查看本机构")
        return await usecases.staff_of_employer(rt, employer_id)

    @post(
        "/practitioners",
        guards=[require("city_admin", "employer_staff", "base_staff")],
        summary="Register a practitioner (find or create by resident ID)",
    )
    async def create_practitioner(self, data: PractitionerIn, rt: Runtime) -> PractitionerOut:
        return await talent_pool.register_practitioner(data, today=rt.today())

    @post(
        "/employments",
        guards=[require("city_admin", "employer_staff")],
        summary="Record that a practitioner works at an employer",
    )
    async def create_employment(self, data: EmploymentIn, request: Request[Any, Any, Any]) -> dict[str, int]:
        user = user_of(request)
        if user.role == "employer_staff" and user.employer_id != data.employer_id:
            raise PermissionDeniedException("只能为本机构登记任职")
        return {"id": await talent_pool.start_employment(data)}

    @get(
        "/practitioners/{practitioner_id:int}/record",
        summary="A practitioner's whole record (self, city admin)",
    )
    async def record(self, practitioner_id: int, request: Request[Any, Any, Any]) -> PractitionerRecord:
        user = user_of(request)
        if not (user.role == "city_admin" or user.practitioner_id == practitioner_id):
            raise PermissionDeniedException("只能查看本人的档案")
        return await talent_pool.practitioner_record(practitioner_id)
