"""Bulk verification API (批量核验): employers (and regulators) paste or upload certificate
numbers, optionally with the holders' ID numbers, poll the progress and download the answers as
a spreadsheet. Runs in the background (``certification.bulk_verify``).

Identity comparisons are limited per login and local day (``TUOYU_BULK_IDENTITY_PER_CERTIFICATE``
times per certificate, ``TUOYU_BULK_IDENTITY_PER_DAY`` rows in all, counted with the single identity
matches of ``POST /api/verify/{number}/identity``; rows beyond answer 超出核验次数)
and the submission is audited with every holder asked about as a subject, so the holder sees it
at ``GET /api/me/audit`` (``certification._identity_budget``)."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post
from pydantic import BaseModel, Field

import certification
from certification.schemas import BulkVerificationOut
from service.audit import concerning
from service.policy import action, ensure_bulk, user_of
from service.runtime import Runtime

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
UPLOAD_BODY = f"文件本身的类型（.xlsx 为 {XLSX}，.csv 为 text/csv）"


class PastedIn(BaseModel):
    """Pasted lines: ``证书编号`` or ``证书编号<tab/逗号/空格>持证人身份证号``, one per line."""

    text: str = Field(min_length=1, max_length=400_000)


class BulkController(Controller):
    path = "/api/bulk-verifications"
    tags = ["verify"]

    async def _create(
        self, source: str | bytes, request: Request[Any, Any, Any], rt: Runtime
    ) -> Response[Any]:
        user = user_of(request)
        submitted = await certification.create_bulk_verification(
            source,
            requested_by=user.id,
            employer_id=user.employer_id,
            as_of=rt.today(),
            now=rt.now(),
            limits=rt.identity_limits,
        )
        concerning(request, submitted.holders)  # each holder asked about sees who checked them
        out = submitted.job
        return Response(out, status_code=202, headers={"Location": f"/api/bulk-verifications/{out.id}"})

    @post(
        "/",
        opt=action("bulk.verify"),
        status_code=202,
        summary="Verify pasted certificate numbers in the background (202)",
    )
    async def paste(self, data: PastedIn, request: Request[Any, Any, Any], rt: Runtime) -> Response[Any]:
        return await self._create(data.text, request, rt)

    @post(
        "/upload",
        opt=action("bulk.verify", raw_body=UPLOAD_BODY),
        status_code=202,
        summary="Verify an uploaded .xlsx or .csv (UTF-8 or GBK) of numbers [and ID numbers] (202)",
    )
    async def upload(self, request: Request[Any, Any, Any], rt: Runtime) -> Response[Any]:
        return await self._create(await request.body(), request, rt)

    @get("/{job_id:int}", opt=action("bulk.verify"), summary="Status and progress")
    async def status(self, job_id: int, request: Request[Any, Any, Any]) -> BulkVerificationOut:
        await ensure_bulk(user_of(request), job_id)
        return await certification.get_bulk_verification(job_id)

    @get("/{job_id:int}/result.xlsx", opt=action("bulk.verify"), summary="The answers as .xlsx")
    async def result(self, job_id: int, request: Request[Any, Any, Any]) -> Response[bytes]:
        await ensure_bulk(user_of(request), job_id)
        data = await certification.bulk_result(job_id)
        return Response(
            data,
            media_type=XLSX,
            headers={"Content-Disposition": f'attachment; filename="bulk-verification-{job_id}.xlsx"'},
        )
