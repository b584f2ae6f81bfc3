"""Talent-pool API: employers, practitioners, employments and claims, a practitioner's record."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from litestar import Controller, Request, get, post
from pydantic import BaseModel

import talent_pool
from service import usecases
from service.audit import personal_read
from service.policy import (
    DISTRICT,
    EMPLOYER,
    REGULATORS,
    TRAINEE,
    action,
    ensure_district,
    ensure_employer,
    ensure_employment,
    ensure_employment_recorder,
    ensure_practitioner,
    may_read_practitioner,
    user_of,
)
from service.refusal_budget import OneAtATime
from service.runtime import Runtime
from talent_pool.schemas import (
    EmployerIn,
    EmployerOut,
    EmploymentClaimIn,
    EmploymentIn,
    EmploymentOut,
    PractitionerIn,
    PractitionerOut,
    PractitionerRecord,
    StaffMember,
)


class EmploymentEndIn(BaseModel):
    end_date: dt.date


class TalentController(Controller):
    path = "/api"
    tags = ["talent pool"]

    @get("/districts", summary="The city's districts/counties", opt=action("public"))
    async def districts(self) -> list[dict[str, str]]:
        return await talent_pool.list_districts()

    @get(
        "/divisions",
        summary="The divisions hierarchy: districts with their streets (街道/镇), functional zones "
        "as overlays on streets",
        opt=action("public"),
    )
    async def divisions(self) -> dict[str, Any]:
        return await talent_pool.divisions_tree()

    @post(
        "/employers",
        opt=action("employer.create"),
        summary="Register an employer (托育机构: kind, 普惠 flag, places); a code failing the GB 32100 "
        "check character only with credit_code_override and a note",
    )
    async def create_employer(self, data: EmployerIn, request: Request[Any, Any, Any]) -> EmployerOut:
        user = user_of(request)
        ensure_district(user, data.district_code)
        return await talent_pool.register_employer(data, override_by=user.username)

    @get("/employers/{employer_id:int}", opt=action("employer.read"), summary="One employer")
    async def employer(self, employer_id: int, request: Request[Any, Any, Any]) -> EmployerOut:
        await ensure_employer(user_of(request), employer_id)
        return await talent_pool.get_employer(employer_id)

    @get(
        "/employers/{employer_id:int}/staff",
        opt=action("employer.staff"),
        summary="Current staff with valid credentials and this year's trainings (持证上岗 check); "
        "ID numbers masked except for regulators",
    )
    async def staff(
        self, employer_id: int, request: Request[Any, Any, Any], rt: Runtime
    ) -> list[StaffMember]:
        user = user_of(request)
        await ensure_employer(user, employer_id)
        staff = await usecases.staff_of_employer(rt, employer_id, full_ids=user.role in REGULATORS)
        if user.role in REGULATORS:
            personal_read(request, (m.practitioner_id for m in staff))
        return staff

    @post(
        "/practitioners",
        opt=action("practitioner.create"),
        summary="Register a practitioner by resident ID (regulators; people sign up themselves). "
        "A person already registered is returned only to a caller who may read their record (an "
        "audited personal read); otherwise 409 with one message whatever the name",
    )
    async def create_practitioner(
        self, data: PractitionerIn, request: Request[Any, Any, Any], rt: Runtime
    ) -> PractitionerOut:
        user = user_of(request)

        async def may_read(practitioner_id: int) -> bool:
            return await may_read_practitioner(user, practitioner_id)

        person = await talent_pool.register_practitioner(data, today=rt.today(), may_read=may_read)
        personal_read(request, [person.id])
        return person

    @post(
        "/employments",
        opt=action("employment.create"),
        summary="Record an employment, active at once (a city admin; a district admin at an employer "
        "of the district and only for a person who currently works in the district — anyone else "
        "is 403 and is hired through the employer's claim)",
    )
    async def create_employment(
        self, data: EmploymentIn, request: Request[Any, Any, Any], rt: Runtime
    ) -> EmploymentOut:
        user = user_of(request)
        ensure_district(user, (await talent_pool.get_employer(data.employer_id)).district_code)
        await ensure_employment_recorder(user, data.practitioner_id, today=rt.today())
        employment_id = await talent_pool.start_employment(data, confirmed_by=user.username)
        return await talent_pool.get_employment(employment_id)

    @post(
        "/employment-claims",
        # refused claims are audited too; per login: TUOYU_CLAIM_RATE_PER_MINUTE claims a minute,
        # TUOYU_CLAIM_REFUSALS_PER_DAY refused ones a day
        opt=action(
            "employment.claim", audit_refusals=True, account_rate_limit="claim", refusal_budget="claim"
        ),
        middleware=[OneAtATime()],  # a login's claims one after another: a burst stops at the budget
        summary="An employer claims a person by full ID number and name; pending until confirmed. "
        "Limited per login a minute, and to a number of refused claims a local day (429 with "
        "Retry-After); every refused claim is audited (write_refused)",
    )
    async def claim(
        self, data: EmploymentClaimIn, request: Request[Any, Any, Any], rt: Runtime
    ) -> EmploymentOut:
        user = user_of(request)
        assert user.employer_id is not None
        return await talent_pool.claim_employment(
            user.employer_id,
            id_number=data.id_number,
            name=data.name,
            start_date=data.start_date,
            position=data.position,
            requested_by=user.username,
            today=rt.today(),
        )

    @get(
        "/employments",
        opt=action("employment.list"),
        summary="Employments: a trainee's own, an employer's, or a district's (regulators)",
    )
    async def list_employments(
        self,
        request: Request[Any, Any, Any],
        status: Literal["active", "pending", "declined"] | None = None,
    ) -> list[EmploymentOut]:
        user = user_of(request)
        if user.role == TRAINEE:
            return await talent_pool.employments(practitioner_id=user.practitioner_id or -1, status=status)
        if user.role == EMPLOYER:
            return await talent_pool.employments(employer_id=user.employer_id, status=status)
        district = user.district_code if user.role == DISTRICT else None
        return await talent_pool.employments(district_code=district, status=status)

    @post(
        "/employments/{employment_id:int}/confirm",
        opt=action("employment.decide"),
        summary="The person (or a regulator) confirms an employer's claim",
    )
    async def confirm(self, employment_id: int, request: Request[Any, Any, Any]) -> EmploymentOut:
        return await self._decide(employment_id, request, confirm=True)

    @post(
        "/employments/{employment_id:int}/decline",
        opt=action("employment.decide"),
        summary="The person (or a regulator) declines an employer's claim",
    )
    async def decline(self, employment_id: int, request: Request[Any, Any, Any]) -> EmploymentOut:
        return await self._decide(employment_id, request, confirm=False)

    async def _decide(
        self, employment_id: int, request: Request[Any, Any, Any], *, confirm: bool
    ) -> EmploymentOut:
        user = user_of(request)
        await ensure_employment(user, employment_id, deciding=True)
        by = "self" if user.role == TRAINEE else user.username
        return await talent_pool.decide_employment(
            employment_id,
            confirm=confirm,
            by=by,
            practitioner_id=user.practitioner_id if user.role == TRAINEE else None,
        )

    @post(
        "/employments/{employment_id:int}/end",
        opt=action("employment.end"),
        summary="End an employment (the employer or a regulator)",
    )
    async def end(
        self, employment_id: int, data: EmploymentEndIn, request: Request[Any, Any, Any]
    ) -> EmploymentOut:
        user = user_of(request)
        await ensure_employment(user, employment_id)
        employer = user.employer_id if user.role == EMPLOYER else None
        return await talent_pool.end_employment(employment_id, data.end_date, employer_id=employer)

    @get(
        "/practitioners/{practitioner_id:int}/record",
        opt=action("practitioner.record"),
        summary="A practitioner's whole record (the person, regulators of their district)",
    )
    async def record(self, practitioner_id: int, request: Request[Any, Any, Any]) -> PractitionerRecord:
        await ensure_practitioner(user_of(request), practitioner_id)
        personal_read(request, [practitioner_id])
        return await talent_pool.practitioner_record(practitioner_id)
