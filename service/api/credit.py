"""Credit and checks API (信用与审查): credit records (红黑名单), background checks, health
certificates, a person's credit file, and the overdue / expiring lists.

Regulators record and read in their scope (a district admin: people who work or worked in their
district); the person reads their own file; an employer sees only its own staff's check status
and the lifetime-exclusion flag (in ``GET /api/employers/{id}/staff`` and in these lists, limited
to its staff). Every read of a credit file is audited as a personal read.
"""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.params import QueryParameter

import talent_pool
from service.audit import personal_read
from service.policy import action, check_list_scope, ensure_check_recorder, ensure_practitioner, user_of
from service.runtime import Runtime
from talent_pool.credit_schemas import (
    BackgroundCheckIn,
    BackgroundCheckOut,
    CheckListRow,
    CreditFile,
    CreditRecordIn,
    CreditRecordOut,
    HealthCertificateIn,
    HealthCertificateOut,
    WithdrawIn,
)

District = Annotated[str | None, QueryParameter(min_length=6, max_length=6)]


class CreditController(Controller):
    path = "/api"
    tags = ["credit and checks"]

    @post(
        "/practitioners/{practitioner_id:int}/credit-records",
        opt=action("credit.record"),
        summary="Record a commendation or violation (红黑名单); lifetime_exclusion (终身禁入) blocks new "
        "employments",
    )
    async def record_credit(
        self, practitioner_id: int, data: CreditRecordIn, request: Request[Any, Any, Any], rt: Runtime
    ) -> CreditRecordOut:
        user = user_of(request)
        await ensure_practitioner(user, practitioner_id)
        return await talent_pool.record_credit(
            practitioner_id, data, recorded_by_id=user.id, recorded_by=user.username, today=rt.today()
        )

    @post(
        "/credit-records/{record_id:int}/withdraw",
        opt=action("credit.record"),
        summary="Withdraw (撤销) a credit record entered in error, with the reason; a withdrawn "
        "lifetime exclusion no longer blocks employments",
    )
    async def withdraw_credit(
        self, record_id: int, data: WithdrawIn, request: Request[Any, Any, Any], rt: Runtime
    ) -> CreditRecordOut:
        user = user_of(request)
        await ensure_practitioner(user, await talent_pool.credit_record_owner(record_id))
        return await talent_pool.withdraw_credit(
            record_id, reason=data.reason, withdrawn_by=user.username, today=rt.today()
        )

    @post(
        "/practitioners/{practitioner_id:int}/background-checks",
        opt=action("check.record"),
        summary="Record a background check (before hiring, then yearly)",
    )
    async def record_check(
        self, practitioner_id: int, data: BackgroundCheckIn, request: Request[Any, Any, Any], rt: Runtime
    ) -> BackgroundCheckOut:
        user = user_of(request)
        await ensure_check_recorder(user, practitioner_id)
        return await talent_pool.record_background_check(
            practitioner_id, data, recorded_by_id=user.id, recorded_by=user.username, today=rt.today()
        )

    @post(
        "/practitioners/{practitioner_id:int}/health-certificates",
        opt=action("check.record"),
        summary="Record a health certificate (健康证) with its expiry",
    )
    async def record_health(
        self, practitioner_id: int, data: HealthCertificateIn, request: Request[Any, Any, Any], rt: Runtime
    ) -> HealthCertificateOut:
        user = user_of(request)
        await ensure_check_recorder(user, practitioner_id)
        return await talent_pool.record_health_certificate(
            practitioner_id, data, recorded_by_id=user.id, recorded_by=user.username, today=rt.today()
        )

    @get(
        "/practitioners/{practitioner_id:int}/credit",
        opt=action("credit.read"),
        summary="A person's credit file: records, checks, health certificates and their status "
        "(regulators in scope, the person)",
    )
    async def credit_file(
        self, practitioner_id: int, request: Request[Any, Any, Any], rt: Runtime
    ) -> CreditFile:
        await ensure_practitioner(user_of(request), practitioner_id)
        personal_read(request, [practitioner_id])
        return await talent_pool.credit_file(practitioner_id, today=rt.today())

    @get(
        "/checks/background-overdue",
        opt=action("check.lists"),
        summary="Currently employed people whose background check is overdue (one row per person and "
        "employment); a district admin gets their district, an employer its own staff",
    )
    async def background_overdue(
        self, request: Request[Any, Any, Any], rt: Runtime, district_code: District = None
    ) -> list[CheckListRow]:
        scope = check_list_scope(user_of(request), district_code)
        rows = await talent_pool.background_checks_overdue(today=rt.today(), **scope)
        personal_read(request, (r.practitioner_id for r in rows))
        return rows

    @get(
        "/checks/health-expiring",
        opt=action("check.lists"),
        summary="Currently employed people whose health certificate is missing, expired or expires "
        "within within_days days (default 30)",
    )
    async def health_expiring(
        self,
        request: Request[Any, Any, Any],
        rt: Runtime,
        district_code: District = None,
        within_days: Annotated[int, QueryParameter(ge=0, le=366)] = 30,
    ) -> list[CheckListRow]:
        scope = check_list_scope(user_of(request), district_code)
        rows = await talent_pool.health_certificates_expiring(
            today=rt.today(), within_days=within_days, **scope
        )
        personal_read(request, (r.practitioner_id for r in rows))
        return rows
