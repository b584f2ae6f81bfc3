"""Imports and exports of the talent pool over HTTP (导入/导出, issue 12).

A regulator uploads a spreadsheet of one kind (the raw ``.xlsx``/``.csv`` bytes as the body):
202 with the queued job; ``GET`` the job for its progress and, when done, its report; the
rejected rows with their own cells and reasons as ``.xlsx`` (seen only by the login that
uploaded them, or a city admin; audited as a read of personal data). A city admin imports
anywhere; a district admin only rows of their district (rows outside are rejected with a
reason, not the file). Exports
give the same columns back (``.xlsx`` or ``.csv`` in UTF-8 with BOM), a district admin's only
their district. The rules live in ``talent_pool/_imports.py``.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from litestar import Controller, Request, Response, get, post
from litestar.params import Parameter

import talent_pool
from service.audit import personal_read
from service.policy import action, ensure_import, import_scope, user_of
from service.runtime import Runtime
from talent_pool.import_schemas import ImportJobOut

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
UPLOAD_BODY = f"文件本身的类型（.xlsx 为 {XLSX}，.csv 为 text/csv）"
CSV = "text/csv"
"""litestar adds ``; charset=utf-8`` to a ``text/`` media type itself (``Response.encoding``)."""


class ImportsController(Controller):
    path = "/api"
    tags = ["talent"]

    @post(
        "/imports/{kind:str}",
        opt=action("import.run", raw_body=UPLOAD_BODY),
        status_code=202,  # accepted: the job runs in the background (the documented status)
        request_max_body_size=talent_pool.MAX_UPLOAD_BYTES,
        summary="Import an uploaded .xlsx or .csv (UTF-8, BOM, GBK) of one kind in the background (202)",
    )
    async def upload(
        self,
        kind: str,
        request: Request[Any, Any, Any],
        rt: Runtime,
        dry_run: Annotated[bool, Parameter(query="dry_run")] = True,
        filename: Annotated[str, Parameter(query="filename", max_length=255)] = "",
    ) -> Response[ImportJobOut]:
        user = user_of(request)
        out = await talent_pool.create_import_job(
            kind,
            await request.body(),
            filename=filename,
            dry_run=dry_run,
            requested_by=user.id,
            district_code=import_scope(user),
            as_of=rt.today(),
            now=rt.now(),
        )
        return Response(out, status_code=202, headers={"Location": f"/api/imports/{out.id}"})

    @get("/imports/{job_id:int}", opt=action("import.run"), summary="An import's progress and report")
    async def status(self, job_id: int, request: Request[Any, Any, Any]) -> ImportJobOut:
        await ensure_import(user_of(request), job_id)
        return await talent_pool.get_import_job(job_id)

    @get(
        "/imports/{job_id:int}/result.xlsx",
        opt=action("import.run"),
        summary="Every rejected row of a finished import with its own cells and reasons, as .xlsx",
    )
    async def result(self, job_id: int, request: Request[Any, Any, Any]) -> Response[bytes]:
        await ensure_import(user_of(request), job_id)
        data = await talent_pool.import_job_result(job_id)
        if (await talent_pool.get_import_job(job_id)).kind != "employers":
            personal_read(request)  # the rejected rows' own cells: full ID numbers, audited
        return Response(
            data,
            media_type=XLSX,
            headers={"Content-Disposition": f'attachment; filename="import-{job_id}.xlsx"'},
        )

    @get(
        "/exports/{kind:str}",
        opt=action("export.read"),
        summary="Export one kind in the import's columns (.xlsx, or .csv in UTF-8 with BOM)",
    )
    async def export(
        self,
        kind: str,
        request: Request[Any, Any, Any],
        fmt: Annotated[Literal["xlsx", "csv"], Parameter(query="format")] = "xlsx",
    ) -> Response[bytes]:
        user = user_of(request)
        data = await talent_pool.export_bytes(
            talent_pool.check_kind(kind), fmt, district_code=import_scope(user)
        )
        if kind != "employers":
            personal_read(request)  # full ID numbers of everyone exported: audited
        return Response(
            data,
            media_type=XLSX if fmt == "xlsx" else CSV,
            headers={"Content-Disposition": f'attachment; filename="{kind}.{fmt}"'},
        )
