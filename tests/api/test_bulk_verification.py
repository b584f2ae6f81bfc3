"""Employer bulk verification over HTTP: pasted or uploaded numbers (GBK CSV, xlsx), answered in
the background with progress, the answers as a spreadsheet with an identity match that never
returns a stored ID number."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Any

from openpyxl import load_workbook

from certification import issue_certificates, replace_certificate, revoke_certificate
from certification._bank import json_value
from certification.tables import BulkVerification
from service.runtime import load_keyring
from tests.api.test_bad_input import assert_problem
from tests.factories import ISSUE_DAY, make_employer, make_id, passed_sitting, role_headers, workbook
from tests.servers import serve_in_process, settings_for, wait_for
from worker.clock import FixedClock

NOW = dt.datetime(2026, 12, 1, 4, 0, tzinfo=dt.UTC)  # 12:00 on 1 December in Jinan
UNKNOWN = "S" + "0" * 20 + "1"  # well formed, never issued
FULL_WIDTH = str.maketrans("S0123456789", "Ｓ０１２３４５６７８９")


async def _done(c: Any, headers: dict[str, str], job_id: int) -> dict[str, Any]:
    async def finished() -> dict[str, Any] | None:
        body = (await c.get(f"/api/bulk-verifications/{job_id}", headers=headers)).json()
        return body if body["status"] == "done" else None

    return await wait_for(finished)


def _rows(data: bytes) -> list[list[Any]]:
    sheet = load_workbook(io.BytesIO(data)).worksheets[0]
    return [list(r) for r in sheet.iter_rows(values_only=True)]


async def test_bulk_verification_answers_every_row_without_revealing_id_numbers(
    db: None, pg_engine: Any, tmp_path: Path
) -> None:
    from service.app import create_app

    settings = settings_for(tmp_path)
    sitting_id, _ = await passed_sitting(4, names=["张一", "王二", "李三", "赵四"])
    keyring = load_keyring(settings)
    certs = (
        await issue_certificates(
            sitting_id, issued_on=ISSUE_DAY, public_url=settings.public_url, keyring=keyring
        )
    ).certificates
    valid, revoked, old, other = certs
    await revoke_certificate(revoked.number, reason="考核舞弊", on=dt.date(2026, 11, 30), by="admin")
    new = await replace_certificate(
        old.number,
        reason="遗失",
        today=dt.date(2026, 11, 30),
        public_url=settings.public_url,
        keyring=keyring,
        by="a",
    )
    employer = await make_employer()
    clock = FixedClock(NOW)
    async with serve_in_process(create_app(settings, engine=pg_engine, clock=clock)) as c:
        hr = await role_headers(c, "hr1", "employer_staff", employer_id=employer)
        other_hr = await role_headers(
            c,
            "hr2",
            "employer_staff",
            employer_id=await make_employer(credit_code="91370102MA3C4LDL95", name="另一家"),
        )
        trainee = await role_headers(c, "someone", "trainee", practitioner_id=valid.practitioner_id)
        text = "\n".join(
            [
                "证书编号\t身份证号",
                f"{valid.number}\t{make_id(1).lower()}",  # lower-case x is the same person
                f"{revoked.number},{make_id(1)}",  # someone else's ID number
                f"  {old.number.lower()}  ",  # lower case, spaces: still found
                f"{new.number}，{make_id(3)}",  # full-width comma
                UNKNOWN.translate(FULL_WIDTH),  # full-width, well formed, unknown
                "not-a-number",
                f"{other.number} 110105194912310021",  # an ID number with a wrong check digit
            ]
        )
        created = await c.post("/api/bulk-verifications", headers=hr, json={"text": text})
        assert created.status_code == 202, created.text
        job = created.json()
        assert (job["status"], job["total"], job["result_ready"]) == ("queued", 7, False)
        assert created.headers["location"] == f"/api/bulk-verifications/{job['id']}"
        assert (await c.get(f"/api/bulk-verifications/{job['id']}", headers=other_hr)).status_code == 403
        assert (
            await c.post("/api/bulk-verifications", headers=trainee, json={"text": "x"})
        ).status_code == 403

        done = await _done(c, hr, job["id"])
        assert (done["done"], done["total"]) == (7, 7)
        assert done["summary"] == {"有效": 3, "已吊销": 1, "已换发新证": 1, "查无此证": 2}
        result = await c.get(f"/api/bulk-verifications/{job['id']}/result.xlsx", headers=hr)
        assert result.status_code == 200
        rows = _rows(result.content)
        assert rows[0] == [
            "行号",
            "证书编号",
            "核验结果",
            "持证人",
            "证书名称",
            "等级",
            "发证日期",
            "有效期至",
            "状态变更日期",
            "身份核对",
            "说明",
        ]
        title = "幼儿照护职业技能等级证书"
        assert rows[1:] == [
            [2, valid.number, "有效", "张*", title, "初级", "2026-11-29", "2029-11-29", None, "一致", None],
            [
                3,
                revoked.number,
                "已吊销",
                "王*",
                title,
                "初级",
                "2026-11-29",
                "2029-11-29",
                "2026-11-30",
                "不一致",
                None,
            ],
            [
                4,
                old.number,
                "已换发新证",
                "李*",
                title,
                "初级",
                "2026-11-29",
                "2029-11-29",
                "2026-11-30",
                "未提供",
                "证书已换发，请核验新证书",
            ],
            [5, new.number, "有效", "李*", title, "初级", "2026-11-30", "2029-11-29", None, "一致", None],
            [
                6,
                "S000000000000000000001",
                "查无此证",
                None,
                None,
                None,
                None,
                None,
                None,
                "未提供",
                "系统中没有该编号的证书",
            ],
            [
                7,
                "NOT-A-NUMBER",
                "查无此证",
                None,
                None,
                None,
                None,
                None,
                None,
                "未提供",
                "系统中没有该编号的证书",
            ],
            [
                8,
                other.number,
                "有效",
                "赵*",
                title,
                "初级",
                "2026-11-29",
                "2029-11-29",
                None,
                "身份证号无效",
                None,
            ],
        ]
        stored_ids = [make_id(i) for i in range(1, 5)]
        cells = " ".join(str(v) for r in rows for v in r)
        assert not any(i in cells for i in stored_ids)  # never a stored ID number
        # once answered, the request keeps no typed ID number (data minimisation)
        kept = await BulkVerification.select(BulkVerification.items).where(BulkVerification.id == job["id"])
        items = json_value(kept[0]["items"])
        assert [i["number"] for i in items][:2] == [valid.number, revoked.number]
        assert {i["id_number"] for i in items} == {""}

        # an uploaded GBK CSV (saved by Chinese Excel) and an xlsx whose ID column Excel made numeric
        gbk = f"证书编号,持证人身份证号\r\n{valid.number},{make_id(1)}\r\n".encode("gbk")
        uploaded = await c.post("/api/bulk-verifications/upload", headers=hr, content=gbk)
        assert uploaded.status_code == 202, uploaded.text
        done = await _done(c, hr, uploaded.json()["id"])
        rows = _rows((await c.get(f"/api/bulk-verifications/{done['id']}/result.xlsx", headers=hr)).content)
        assert rows[1][:3] == [2, valid.number, "有效"] and rows[1][9] == "一致"
        numeric = workbook([[valid.number, 370102199001010011]], header=["证书编号", "身份证号"])
        refused = await c.post("/api/bulk-verifications/upload", headers=hr, content=numeric)
        assert refused.status_code == 422
        assert refused.json()["detail"] == "有 1 行无法核验，未提交任何核验"
        assert refused.json()["rows"] == [
            {"row": 2, "errors": ["身份证号被 Excel 存成了数字（末位已丢失），请把该列设为文本后重新填写"]}
        ]
        empty = await c.post("/api/bulk-verifications/upload", headers=hr, content=b"")
        assert empty.status_code == 422 and empty.json()["rows"][0]["errors"] == ["上传的文件是空的"]


async def test_an_id_number_excel_wrote_in_scientific_notation_is_explained_in_csv_and_text(
    client: Any,
) -> None:
    """A CSV (or pasted text) whose ID column Excel saved as ``3.70102E+17``: refused with the
    importer's explanation of Excel's scientific notation, like the numeric cell of an xlsx,
    never answered 身份证号无效; nothing is recorded."""
    from talent_pool.import_columns import SCIENTIFIC_TEXT

    employer = await make_employer()
    hr = await role_headers(client, "hr-sci", "employer_staff", employer_id=employer)
    explained = {"row": 2, "errors": ["身份证号：" + SCIENTIFIC_TEXT]}
    csv = f"证书编号,身份证号\r\n{UNKNOWN},3.70102E+17\r\n{UNKNOWN},{make_id(1)}\r\n".encode()
    uploaded = await client.post("/api/bulk-verifications/upload", headers=hr, content=csv)
    assert uploaded.status_code == 422, uploaded.text
    assert uploaded.json()["rows"] == [explained]
    pasted = await client.post(
        "/api/bulk-verifications", headers=hr, json={"text": f"证书编号\t身份证号\n{UNKNOWN}\t3.70102e+17"}
    )
    assert pasted.status_code == 422 and pasted.json()["rows"] == [explained]
    assert await BulkVerification.count() == 0


async def test_a_control_character_in_an_uploaded_cell_is_refused_at_once_naming_the_row(
    client: Any,
) -> None:
    """A GBK CSV (or pasted text that reaches the use case without the JSON check) whose cell
    holds a control character (BEL, form feed, U+001C): 400 ``control_character`` naming the
    rows, as the same text sent as JSON is — never accepted and then failing to write its answer
    for minutes; nothing is recorded."""
    from certification import create_bulk_verification
    from talent_pool.errors import ControlCharacters

    employer = await make_employer()
    hr = await role_headers(client, "hr-ctl", "employer_staff", employer_id=employer)
    lines = ["证书编号,持证人身份证号", f"{UNKNOWN},", f"{UNKNOWN},", f"{UNKNOWN},", f"{UNKNOWN}\x07,"]
    csv = ("\r\n".join(lines) + "\r\n").encode("gbk")
    uploaded = await client.post("/api/bulk-verifications/upload", headers=hr, content=csv)
    body = assert_problem(uploaded, 400, "control_character")
    assert "第 5 行" in body["detail"]
    assert body["rows"] == [{"row": 5, "errors": ["含有不允许的控制字符 U+0007，请删除后重试"]}]
    for control in ("\x0c", "\x1c", "\x0b"):  # white space to str.split(), still refused
        data = f"证书编号\r\n{UNKNOWN}\r\n{UNKNOWN}{control}1\r\n".encode("gbk")
        refused = await client.post("/api/bulk-verifications/upload", headers=hr, content=data)
        assert assert_problem(refused, 400, "control_character")["rows"][0]["row"] == 3
    try:  # pasted text is refused by the use case itself too, not only by the JSON check at the edge
        await create_bulk_verification(
            f"{UNKNOWN}\n{UNKNOWN}\x07", requested_by=1, employer_id=employer, as_of=NOW.date(), now=NOW
        )
    except ControlCharacters as exc:
        assert exc.detail["rows"] == [{"row": 2, "errors": ["含有不允许的控制字符 U+0007，请删除后重试"]}]
    else:
        raise AssertionError("pasted text with a control character was accepted")
    assert await BulkVerification.count() == 0
