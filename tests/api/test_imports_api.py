"""Imports over HTTP: upload → background job with progress → report → rejected rows as xlsx;
a dry run changes nothing; a district admin's rows of another district are rejected; the job
runs on the in-process dispatcher and on a real Celery worker; exports import back unchanged;
the regulator's page."""

from __future__ import annotations

import io
from typing import Any

from openpyxl import load_workbook

from service.accounts.tables import AuditEntry
from tests.factories import admin_headers, make_id, role_headers
from tests.integration.test_imports import CODE_A, CODE_B, EMPLOYERS, csv_bytes, fingerprint, xlsx_bytes
from tests.servers import wait_for

PEOPLE = [
    ["公民身份号码", "姓名", "手机号码"],
    [make_id(1), "王芳", "13800000001"],
    [make_id(2), "寮犱笁", ""],  # 张三, UTF-8 read as GBK: garbled
    [make_id(3)[:17] + ("0" if make_id(3)[17] != "0" else "1"), "李四", ""],
]


async def upload(c: Any, headers: dict[str, str], kind: str, data: bytes, *, dry_run: bool) -> dict[str, Any]:
    r = await c.post(
        f"/api/imports/{kind}?dry_run={str(dry_run).lower()}&filename=people.csv",
        content=data,
        headers={**headers, "Content-Type": "application/octet-stream"},
    )
    assert r.status_code == 202, r.text
    assert r.headers["location"] == f"/api/imports/{r.json()['id']}"
    return dict(r.json())


async def finished(c: Any, headers: dict[str, str], job_id: int) -> dict[str, Any]:
    async def done() -> dict[str, Any] | None:
        body = (await c.get(f"/api/imports/{job_id}", headers=headers)).json()
        return body if body["status"] in ("done", "failed") else None

    return dict(await wait_for(done, timeout=60))


async def _dry_run_then_commit(c: Any) -> None:
    admin = await admin_headers(c)
    data = csv_bytes(PEOPLE, "gbk")
    before = await fingerprint()
    job = await upload(c, admin, "practitioners", data, dry_run=True)
    # the answer is read as the job is handed over: the in-process worker may have begun it already
    assert job["status"] in ("queued", "running") and (job["dry_run"], job["result_ready"]) == (True, False)
    dry = await finished(c, admin, job["id"])
    assert dry["status"] == "done" and dry["done"] == 3
    report = dry["report"]
    assert (report["encoding"], report["rows"], report["created"], report["rejected"]) == ("gb18030", 3, 1, 2)
    assert [(p["row"], p["column"]) for p in report["problems"]] == [(3, "姓名"), (4, "身份证号")]
    assert await fingerprint() == before  # a dry run changes nothing
    sheet = await c.get(f"/api/imports/{job['id']}/result.xlsx", headers=admin)
    assert sheet.status_code == 200
    rows = [
        list(r) for r in load_workbook(io.BytesIO(sheet.content)).worksheets[0].iter_rows(values_only=True)
    ]
    assert rows[0] == ["公民身份号码", "姓名", "手机号码", "未导入原因", "原行号"]
    assert [r[:3] for r in rows[1:]] == [[*PEOPLE[2][:2], None], [*PEOPLE[3][:2], None]]
    assert "乱码" in rows[1][3] and [r[4] for r in rows[1:]] == [3, 4]

    job = await finished(c, admin, (await upload(c, admin, "practitioners", data, dry_run=False))["id"])
    assert (job["report"]["created"], job["report"]["rejected"]) == (1, 2)
    again = await finished(c, admin, (await upload(c, admin, "practitioners", data, dry_run=False))["id"])
    assert (again["report"]["created"], again["report"]["unchanged"]) == (0, 1)


async def test_import_job_in_process(client: Any) -> None:
    await _dry_run_then_commit(client)


async def test_import_job_on_a_real_celery_worker(celery_client: Any) -> None:
    await _dry_run_then_commit(celery_client)


async def test_the_rejected_rows_corrected_in_the_report_import_as_it_is(client: Any) -> None:
    """End to end: a GBK CSV with bad rows → result.xlsx holds the rows under the uploaded header
    → corrected there and uploaded → imported; only the uploader (or the city) downloads it."""
    admin = await admin_headers(client)
    lixia = await role_headers(client, "d-lixia2", "district_admin", district_code="370102")
    job = await finished(
        client,
        lixia,
        (await upload(client, lixia, "practitioners", csv_bytes(PEOPLE, "gbk"), dry_run=False))["id"],
    )
    assert (job["report"]["created"], job["report"]["rejected"]) == (1, 2)
    result = await client.get(f"/api/imports/{job['id']}/result.xlsx", headers=lixia)
    assert result.status_code == 200
    book = load_workbook(io.BytesIO(result.content))
    sheet = book.worksheets[0]
    sheet.cell(2, 2).value = "张三"
    sheet.cell(3, 1).value = make_id(3)
    buf = io.BytesIO()
    book.save(buf)
    again = await finished(
        client, lixia, (await upload(client, lixia, "practitioners", buf.getvalue(), dry_run=False))["id"]
    )
    assert again["status"] == "done", again
    assert (again["report"]["created"], again["report"]["rejected"], again["report"]["ignored_columns"]) == (
        2,
        0,
        [],
    )
    other = await role_headers(client, "d-shizhong2", "district_admin", district_code="370103")
    assert (await client.get(f"/api/imports/{job['id']}/result.xlsx", headers=other)).status_code == 403
    assert (await client.get(f"/api/imports/{job['id']}/result.xlsx", headers=admin)).status_code == 200
    await client.app.state.rt.audit_log.flush()
    reads = await AuditEntry.select(AuditEntry.path).where(AuditEntry.kind == "read_personal")
    assert {"path": f"/api/imports/{job['id']}/result.xlsx"} in reads  # full ID numbers: audited


async def test_district_admin_imports_only_their_district_and_sees_only_their_jobs(client: Any) -> None:
    admin = await admin_headers(client)
    lixia = await role_headers(client, "d-lixia", "district_admin", district_code="370102")
    trainee = await role_headers(client, "t-one", "examiner")
    job = await finished(
        client, lixia, (await upload(client, lixia, "employers", xlsx_bytes(EMPLOYERS), dry_run=False))["id"]
    )
    report = job["report"]
    assert (report["created"], report["rejected"]) == (1, 1)
    assert report["problems"] == [
        {"row": 3, "column": "区县代码", "reason": "不在本区县范围内：区县监管账号只能导入本区县的数据"}
    ]
    other = await upload(client, admin, "employers", xlsx_bytes(EMPLOYERS), dry_run=True)
    assert (await client.get(f"/api/imports/{other['id']}", headers=lixia)).status_code == 403
    assert (await client.get(f"/api/imports/{job['id']}", headers=admin)).status_code == 200
    refused = await client.post("/api/imports/employers", content=b"x", headers=trainee)
    assert refused.status_code == 403
    bad_kind = await client.post("/api/imports/staff", content=b"x", headers=admin)
    assert bad_kind.status_code == 422 and "导入类型" in bad_kind.json()["detail"]
    # an unreadable file fails the job with a Chinese reason, writing nothing
    failed = await finished(
        client, admin, (await upload(client, admin, "employers", b"\x00\x01\x02" * 10, dry_run=False))["id"]
    )
    assert failed["status"] == "failed" and failed["error"]
    # the district's export holds only its employer, in UTF-8 with BOM
    export = await client.get("/api/exports/employers?format=csv", headers=lixia)
    assert export.status_code == 200 and export.content.startswith(b"\xef\xbb\xbf")
    assert export.headers["content-type"] == "text/csv; charset=utf-8"
    assert CODE_A.encode() in export.content and CODE_B.encode() not in export.content
    # exported, then imported as a dry run: nothing to change, nothing rejected
    xlsx = await client.get("/api/exports/employers?format=xlsx", headers=admin)
    back = await finished(
        client, admin, (await upload(client, admin, "employers", xlsx.content, dry_run=True))["id"]
    )
    assert (back["report"]["created"], back["report"]["rejected"], back["report"]["unchanged"]) == (0, 0, 1)


async def test_import_page(client: Any) -> None:
    admin = await admin_headers(client)
    page = await client.get("/dashboard/imports", headers=admin)
    assert page.status_code == 200
    assert 'id="import-form"' in page.text and "/static/imports.js" in page.text and "试运行" in page.text
    assert "公民身份号码" in page.text  # the accepted header aliases are listed
    trainee = await role_headers(client, "t-two", "examiner")
    assert (await client.get("/dashboard/imports", headers=trainee)).status_code == 403
