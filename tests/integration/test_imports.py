"""Imports and exports of the talent pool with real files made here (issue 12, "Imports"):
UTF-8 with BOM, GBK without BOM, xlsx with an ID typed as a number, garbled names, the same file
twice, a district regulator's rows of another district, dry runs that leave the database as it
was, and exports that import back with zero changes and zero rejections."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook

from talent_pool import export_bytes, export_to, import_stream
from talent_pool._import_apply import NOT_IN_DISTRICT
from talent_pool.import_read import PREFIX_BYTES
from talent_pool.import_schemas import ImportReport
from talent_pool.tables import Credential, Employer, Employment, Practitioner, TrainingRecord
from tests.factories import make_id

TODAY = dt.date(2026, 11, 29)
LIXIA, SHIZHONG = "370102", "370103"
CODE_A = "91350100M000100Y43"  # valid GB 32100 codes (tests/factories.py, service demo)
CODE_B = "91370102MA3C4LDL95"


def csv_bytes(rows: list[list[str]], encoding: str, *, bom: bool = False) -> bytes:
    text = "\r\n".join(",".join(cells) for cells in rows) + "\r\n"
    return (b"\xef\xbb\xbf" if bom else b"") + text.encode(encoding)


def xlsx_bytes(rows: list[list[Any]]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


async def fingerprint() -> str:
    """A hash of every row of the talent-pool tables an import can write."""
    digest = hashlib.sha256()
    for table in (Employer, Practitioner, Employment, Credential, TrainingRecord):
        rows = await table.select().order_by(table.id)
        digest.update(json.dumps(rows, default=str, sort_keys=True).encode())
    return digest.hexdigest()


async def run(kind: str, data: bytes, *, dry_run: bool = False, district: str | None = None) -> ImportReport:
    return await import_stream(
        kind, io.BytesIO(data), today=TODAY, dry_run=dry_run, district_code=district, by="test"
    )


def problems(report: ImportReport) -> list[tuple[int, str, str]]:
    return [(p.row, p.column, p.reason) for p in report.problems]


EMPLOYERS = [
    ["统一社会信用代码", "机构名称", "机构类型", "所在区县", "街道", "地址"],
    [CODE_A, "阳光托育园", "托育机构", "历下区", "泉城路街道", "泉城路1号"],
    [CODE_B.lower(), "  小树苗　托育  ", "社区托育点", "370103", "", ""],  # lower case, full-width space
]


async def test_employers_utf8_bom_csv_then_the_same_file_twice(db: None) -> None:
    data = csv_bytes(EMPLOYERS, "utf-8", bom=True)
    dry = await run("employers", data, dry_run=True)
    assert (dry.encoding, dry.rows, dry.created, dry.unchanged, dry.rejected) == ("utf-8-sig", 2, 2, 0, 0)
    assert await Employer.count() == 0
    first = await run("employers", data)
    assert (first.created, first.unchanged, first.rejected) == (2, 0, 0)
    stored = await Employer.select(
        Employer.credit_code, Employer.name, Employer.kind, Employer.district_code
    ).order_by(Employer.credit_code)
    assert stored == [
        {"credit_code": CODE_A, "name": "阳光托育园", "kind": "institution", "district_code": LIXIA},
        {"credit_code": CODE_B, "name": "小树苗 托育", "kind": "community_point", "district_code": SHIZHONG},
    ]
    before = await fingerprint()
    second = await run("employers", data)
    assert (second.created, second.unchanged, second.rejected) == (0, 2, 0)
    assert await fingerprint() == before


async def test_gbk_csv_without_bom_aliases_and_every_rejected_row(db: None) -> None:
    rows = [
        ["证件号码", "名字", "联系电话", "备注"],  # aliases; 备注 is not a column
        [make_id(1), "王芳", "13800000001", "x"],
        [make_id(2).replace("X", "x"), "欧阳　娜娜", "", ""],  # full-width space inside the name
        [make_id(3)[:17] + "0" if make_id(3)[17] != "0" else make_id(3)[:17] + "1", "李四", "", ""],
        ["３７０１０２１９９００１０１００４" + make_id(4)[17], "张三", "", ""],  # full-width digits
        [make_id(5), "", "", ""],
        [make_id(1), "王芳", "", ""],  # the same person twice in one file
        [make_id(6, birth="20150101"), "小孩", "", ""],
    ]
    data = csv_bytes(rows, "gbk")
    assert not data.startswith(b"\xef\xbb\xbf")
    before = await fingerprint()
    dry = await run("practitioners", data, dry_run=True)
    assert await fingerprint() == before
    assert dry.encoding == "gb18030"
    assert dry.ignored_columns == ["备注"]
    assert (dry.rows, dry.created, dry.rejected) == (7, 3, 4)
    assert problems(dry) == [
        (4, "身份证号", "校验码错误"),
        (6, "姓名", "不能为空"),
        (7, "身份证号", "与第 2 行重复"),
        (8, "身份证号", "持有人未满 16 周岁，不能登记为从业人员（《劳动法》第十五条）"),
    ]
    report = await run("practitioners", data)
    assert (report.created, report.rejected) == (3, 4)
    names = {p["id_number"]: p["name"] for p in await Practitioner.select()}
    assert names == {make_id(1): "王芳", make_id(2): "欧阳娜娜", make_id(4): "张三"}
    people = await Practitioner.select().order_by(Practitioner.id_number)
    assert [(p["gender"], p["birth_date"], p["phone"]) for p in people] == [
        ("M", dt.date(1990, 1, 1), "13800000001"),
        ("F", dt.date(1990, 1, 1), ""),
        ("F", dt.date(1990, 1, 1), ""),
    ]
    assert all(p["created_at"] is not None for p in people)


async def test_a_duplicate_names_the_columns_that_make_it_one(db: None) -> None:
    """Two credential rows of different people with one certificate number (``X-1`` and ``x-1``,
    the same once upper-cased): the second is refused naming 证书编号 — the column that makes
    them the same record — not 身份证号 (a trial)."""
    rows = [
        ["身份证号", "姓名", "证书编号", "证书类型", "证书名称", "发证日期"],
        [make_id(1), "王芳", "X-1", "其他", "育婴员", "2024-05-01"],
        [make_id(2), "李娜", "x-1", "其他", "育婴员", "2024-05-01"],
    ]
    dry = await run("credentials", csv_bytes(rows, "utf-8"), dry_run=True)
    assert (3, "证书编号", "与第 2 行重复") in problems(dry), problems(dry)


async def test_a_title_row_above_the_header_and_pre_numbered_empty_rows(db: None) -> None:
    rows = [
        ["2026年从业人员名单（某托育园报送）", None, None],
        [None, None, None],
        ["序号", "身份证号", "姓名"],
        [1, make_id(21), "王芳"],
        [2, None, None],  # numbered in the template, never filled in
        [3, None, None],
    ]
    report = await run("practitioners", xlsx_bytes(rows), dry_run=True)
    assert (report.rows, report.created, report.rejected, report.ignored_columns) == (1, 1, 0, ["序号"])


async def test_xlsx_id_typed_as_number_is_rejected_never_rounded(db: None) -> None:
    number = int(make_id(7)) if make_id(7)[17] != "X" else int(make_id(8))
    data = xlsx_bytes(
        [
            ["身份证号", "姓名"],
            [number, "赵六"],
            [float(make_id(9)[:17] + "0"), "钱七"],
            [make_id(10), "孙八"],
        ]
    )
    report = await run("practitioners", data)
    assert report.encoding == "xlsx"
    assert [(p.row, p.column) for p in report.problems] == [(2, "身份证号"), (3, "身份证号")]
    assert all(p.reason.startswith("须为文本格式") for p in report.problems)
    assert [p["id_number"] for p in await Practitioner.select()] == [make_id(10)]
    # a CSV cell that Excel wrote in scientific notation: told as such (a CSV has no cell types)
    sci = await run(
        "practitioners", csv_bytes([["身份证号", "姓名"], ["3.70102E+17", "周九"]], "utf-8"), dry_run=True
    )
    assert problems(sci)[0][2].startswith("号码是科学计数法")


async def test_garbled_names_are_never_saved(db: None) -> None:
    utf8_as_gbk = "张三".encode().decode("gbk")  # 寮犱笁
    as_latin1 = "王芳".encode().decode("cp1252")  # çŽ‹èŠ³
    gbk_as_latin1 = "李四".encode("gbk").decode("latin-1")  # Àî ËÄ
    rows = [
        ["身份证号", "姓名"],
        [make_id(11), utf8_as_gbk],
        [make_id(12), as_latin1],
        [make_id(13), gbk_as_latin1],
        [make_id(14), "赵" + "\ufffd"],
        [make_id(15), "买买提·艾力"],
        [make_id(16), "长" * 65],
    ]
    report = await run("practitioners", csv_bytes(rows, "utf-8"))
    assert [p.row for p in report.problems] == [2, 3, 4, 5, 7]
    assert "乱码" in report.problems[0].reason and "乱码" in report.problems[1].reason
    assert "过长" in report.problems[4].reason
    assert [p["name"] for p in await Practitioner.select()] == ["买买提·艾力"]
    # a UTF-8 file with GBK bytes past the prefix that decides the encoding: the bad row is
    # rejected, the rest is read as UTF-8
    many = [[make_id(n, birth="19800101"), "钱多"] for n in range(1, 1000)] * 10  # 9,990 rows, > 256 KiB
    good = csv_bytes([["身份证号", "姓名"], *many], "utf-8")
    assert len(good) > PREFIX_BYTES
    mixed = good + f"{make_id(18)},孙少\r\n".encode("gbk")
    report = await run("practitioners", mixed, dry_run=True)
    assert report.encoding == "utf-8" and report.created == 999
    assert problems(report)[-1][:2] == (len(many) + 2, "姓名") and "无法识别" in problems(report)[-1][2]


async def _world() -> None:
    await run("employers", csv_bytes(EMPLOYERS, "utf-8", bom=True))
    people = [["身份证号", "姓名"], [make_id(1), "王芳"], [make_id(2), "李娜"], [make_id(3), "张伟"]]
    await run("practitioners", csv_bytes(people, "utf-8"))


async def test_district_admin_rows_of_another_district_are_rejected(db: None) -> None:
    """A district regulator's file reaches only people who work in the district now: a person
    not in the pool, under another name or working elsewhere gets one and the same answer
    (NOT_IN_DISTRICT) — a trial pulled a person of another district in by importing an employment
    (even an ended one) and then reset their login's password; new hires go through claims."""
    await _world()
    hired = [["身份证号", "姓名", "统一社会信用代码", "岗位", "入职日期", "离职日期"]]
    hired.append([make_id(1), "王芳", CODE_A, "保育员", "2025-03-01", ""])
    assert (await run("employments", xlsx_bytes(hired))).created == 1  # the city's import
    employments = [
        ["身份证号", "姓名", "统一社会信用代码", "岗位", "入职日期", "离职日期"],
        [make_id(1), "王芳", CODE_A, "保育员", "2025-03-01", ""],  # recorded already
        [make_id(1), "王芳", CODE_B, "教师", "2025/3/1", ""],  # 市中区: outside 历下区
        [make_id(1), "王芳", CODE_A, "", "2026-04-01", "2026-01-01"],
        [make_id(2), "李娜", CODE_A, "教师", "2025/3/1", "2025/4/1"],  # works elsewhere (ended too)
        [make_id(3), "张冠", CODE_A, "", "2025年3月1日", ""],  # wrong name
        [make_id(9), "赵六", CODE_A, "", "2025-04-01", ""],  # not in the pool
    ]
    report = await run("employments", xlsx_bytes(employments), district=LIXIA)
    assert (report.created, report.unchanged, report.rejected) == (0, 1, 5)
    assert problems(report) == [
        (3, "统一社会信用代码", "该机构不在本区县范围内：区县监管账号只能导入本区县的数据"),
        (4, "离职日期", "离职日期早于入职日期"),
        (5, "身份证号", NOT_IN_DISTRICT),
        (6, "身份证号", NOT_IN_DISTRICT),
        (7, "身份证号", NOT_IN_DISTRICT),
    ]
    assert await Employment.count().where(Employment.practitioner.id_number == make_id(2)) == 0
    employers = [EMPLOYERS[0], [CODE_A, "阳光托育园", "托育机构", "历下区", "泉城路街道", "泉城路1号"],
                 ["91370100MA3C4LDL9X", "别区", "托育机构", "市中区", "", ""]]  # fmt: skip
    report = await run("employers", csv_bytes(employers, "utf-8"), district=LIXIA, dry_run=True)
    assert (report.unchanged, report.rejected) == (1, 1)
    assert problems(report)[0][:2] == (3, "统一社会信用代码")  # a bad code is reported first …
    other = [EMPLOYERS[0], [CODE_B, "小树苗 托育", "社区托育点", "市中区", "", ""]]
    report = await run("employers", csv_bytes(other, "utf-8"), district=LIXIA, dry_run=True)
    assert problems(report) == [(2, "区县代码", "不在本区县范围内：区县监管账号只能导入本区县的数据")]
    trainings = [
        ["身份证号", "姓名", "培训名称", "培训类别", "学时", "完成日期"],
        [make_id(1), "王芳", "婴幼儿照护岗前培训", "岗前培训", "40", "2026-05-01"],
        [make_id(2), "李娜", "婴幼儿照护岗前培训", "岗前培训", "40", "2026-05-01"],  # not employed in 历下区
    ]
    report = await run("trainings", csv_bytes(trainings, "utf-8"), district=LIXIA)
    assert (report.created, report.rejected) == (1, 1)
    assert problems(report) == [(3, "身份证号", NOT_IN_DISTRICT)]
    # 李娜 works in no 历下区 employer: whatever a row says about her, the answer is the same
    # (a district's file cannot probe another district's names or phones)
    answers = set()
    for name, phone in (("李娜", ""), ("别名", ""), ("李娜", "13900001111")):
        people = [["身份证号", "姓名", "手机号"], [make_id(2), name, phone]]
        report = await run("practitioners", csv_bytes(people, "utf-8"), district=LIXIA, dry_run=True)
        assert (report.unchanged, report.rejected) == (0, 1)
        answers.add(tuple(problems(report)))
    assert answers == {
        ((2, "身份证号", "该身份证号已在本市登记，且该人员不在本区县任职：本区县不能核对或更新其信息"),)
    }


async def test_export_then_import_dry_run_changes_nothing_and_rejects_nothing(
    db: None, tmp_path: Path
) -> None:
    await _world()
    await run("employments", csv_bytes([["身份证号", "姓名", "信用代码", "入职日期"],
                                        [make_id(1), "王芳", CODE_A, "2025-03-01"],
                                        [make_id(2), "李娜", CODE_B, "2024-01-01"]], "utf-8"))  # fmt: skip
    credentials = [
        ["身份证号", "姓名", "证书编号", "证书类型", "证书名称", "等级", "发证日期", "有效期至"],
        [make_id(1), "王芳", "ｓ２０２５００１", "职业技能等级证书", "保育师", "四级", "2025-06-01", ""],
        [make_id(2), "李娜", "S2025002", "1+X证书", "幼儿照护", "初级", "2025-06-01", "2028-06-01"],
    ]
    report = await run("credentials", xlsx_bytes(credentials))
    assert (report.created, report.rejected) == (2, 0), report.problems
    assert {c["number"] for c in await Credential.select()} == {"S2025001", "S2025002"}
    trainings = [
        ["身份证号", "姓名", "课程名称", "培训类别", "学时", "结业日期", "培训机构"],
        [make_id(1), "王芳", "婴幼儿照护岗前培训", "岗前培训", 40, dt.date(2026, 5, 1), "济南实训基地"],
        [make_id(2), "李娜", "回炉培训", "在岗培训", "12.5", "2026-06-01", ""],
    ]
    report = await run("trainings", xlsx_bytes(trainings))
    assert (report.created, report.rejected) == (2, 0), report.problems
    # text a spreadsheet would run as a formula (OWASP "CSV Injection") also goes round trip
    evil = '=HYPERLINK("http://evil","点我")'
    await Employer.update({Employer.name: evil, Employer.address: "@SUM(A1)"}).where(
        Employer.credit_code == CODE_A
    )
    before = await fingerprint()
    for kind in ("employers", "practitioners", "employments", "credentials", "trainings"):
        for fmt in ("xlsx", "csv"):
            path = tmp_path / f"{kind}.{fmt}"
            with path.open("wb") as out:
                count = await export_to(kind, fmt, out)  # type: ignore[arg-type]
            assert count >= 2, kind
            with path.open("rb") as src:
                again = await import_stream(kind, src, today=TODAY, dry_run=True)
            assert (again.rows, again.created, again.rejected, again.problems) == (count, 0, 0, []), (
                kind,
                fmt,
            )
            assert again.unchanged == count
    csv_data = await export_bytes("practitioners", "csv")
    assert csv_data.startswith(b"\xef\xbb\xbf") and "王芳".encode() in csv_data
    assert await fingerprint() == before
    # … and is quoted as text in the CSV export
    employers_csv = (await export_bytes("employers", "csv")).decode("utf-8-sig")
    row = next(r for r in csv.reader(io.StringIO(employers_csv)) if r[0] == CODE_A)
    assert row[1] == "'" + evil and row[5] == "'@SUM(A1)"
    # text that looks like a formula stays text in the xlsx export
    await Employer.update({Employer.address: "=HYPERLINK(1)"}).where(Employer.credit_code == CODE_B)
    book = load_workbook(io.BytesIO(await export_bytes("employers", "xlsx")))
    cells = [c for row in book.worksheets[0].iter_rows() for c in row if c.value == "=HYPERLINK(1)"]
    assert [c.data_type for c in cells] == ["s"]
    # a district regulator's export holds only their district
    lixia = await export_bytes("employers", "csv", district_code=LIXIA)
    assert CODE_A.encode() in lixia and CODE_B.encode() not in lixia


async def test_a_file_without_the_required_columns_writes_nothing(db: None) -> None:
    import pytest

    from talent_pool.errors import ValidationFailed

    with pytest.raises(ValidationFailed) as caught:
        await run("practitioners", csv_bytes([["姓名", "电话"], ["王芳", "1"]], "utf-8"))
    assert "没有找到表头：第 1 行缺少必需的列：身份证号" in caught.value.message
    with pytest.raises(ValidationFailed):
        await run("practitioners", b"")
    # an xlsx whose sheet breaks off half-way: a reason, nothing written
    import zipfile

    whole = xlsx_bytes([["身份证号", "姓名"]] + [[make_id(n), "王芳"] for n in range(1, 200)])
    broken = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(whole)) as src, zipfile.ZipFile(broken, "w") as dst:
        for item in src.infolist():
            data = src.read(item)
            dst.writestr(item, data[: len(data) // 2] if item.filename.endswith("sheet1.xml") else data)
    with pytest.raises(ValidationFailed) as caught:
        await run("practitioners", broken.getvalue())
    assert "可能已损坏" in caught.value.message
    assert await Practitioner.count() == 0
    with pytest.raises(ValidationFailed) as caught:
        await run("staff", csv_bytes([["身份证号"]], "utf-8"))
    assert "导入类型" in caught.value.message


async def test_an_import_failing_unexpectedly_three_times_ends_failed_with_a_reason(db: None) -> None:
    """An import job whose every delivery raises for an unexpected reason (here the database
    itself refuses new practitioners: a trigger injected for this test, not a bad file) is
    retried, and after its last attempt it is ``failed`` with a Chinese reason the regulator
    reads — not 处理中 forever — its upload is dropped, its outbox message is failed, and nothing
    of the file was written."""
    from talent_pool import IMPORT_TASK, create_import_job, get_import_job, import_job_result
    from talent_pool.errors import NotFound
    from talent_pool.tables import ImportJob, OutboxMessage
    from worker.clock import FixedClock
    from worker.jobs import JOBS
    from worker.outbox import claim_due, run_message

    rows = [["身份证号", "姓名"], [make_id(1), "王芳"], [make_id(2), "李娜"]]
    now = dt.datetime(2026, 11, 29, 2, 0, tzinfo=dt.UTC)
    job = await create_import_job(
        "practitioners",
        csv_bytes(rows, "utf-8"),
        filename="名单.csv",
        dry_run=False,
        requested_by=1,
        district_code=None,
        as_of=TODAY,
        now=now,
    )
    before = await fingerprint()
    await Practitioner.raw(
        "CREATE FUNCTION refuse_practitioner() RETURNS trigger LANGUAGE plpgsql AS "
        "$$ BEGIN RAISE EXCEPTION 'injected fault'; END $$"
    )
    await Practitioner.raw(
        "CREATE TRIGGER refuse_practitioner BEFORE INSERT ON tp_practitioner "
        "FOR EACH ROW EXECUTE FUNCTION refuse_practitioner()"
    )
    outcomes, statuses = [], []
    try:
        for attempt in range(1, 4):
            clock = FixedClock(now + dt.timedelta(hours=attempt))  # past every back-off
            (message,) = await claim_due(clock.now())
            outcomes.append(await run_message(message.id, clock))
            statuses.append((await get_import_job(job.id)).status)
    finally:
        await Practitioner.raw("DROP TRIGGER refuse_practitioner ON tp_practitioner")
        await Practitioner.raw("DROP FUNCTION refuse_practitioner()")
    assert outcomes == ["retry", "retry", "failed"]
    assert statuses == ["running", "running", "failed"]
    final = await get_import_job(job.id)
    assert final.error is not None and final.error.startswith(
        "导入过程中发生意外错误，自动重试 3 次后仍未完成"
    )
    assert f"任务编号 {job.id}" in final.error and "injected" not in final.error
    assert final.finished_at is not None and not final.result_ready and final.report is None
    assert (await ImportJob.select(ImportJob.source).where(ImportJob.id == job.id).first())["source"] is None
    assert (await OutboxMessage.select(OutboxMessage.failed_at).first())["failed_at"] is not None
    assert await fingerprint() == before  # nothing half-written
    # given up for good: nothing is delivered again, and a late redelivery changes nothing
    assert await claim_due(now + dt.timedelta(days=1), jobs=JOBS) == []
    assert await JOBS[IMPORT_TASK].fn(job.id, now=now) == 0
    assert (await get_import_job(job.id)).status == "failed"
    with pytest.raises(NotFound) as no_report:  # the report link says it failed, not "wait"
        await import_job_result(job.id)
    assert str(no_report.value).startswith("导入任务已失败，没有生成报告：导入过程中发生意外错误")


async def test_a_queued_job_says_how_many_imports_are_before_it(db: None) -> None:
    """Imports run one at a time (embedded mode): a queued job tells how many import jobs
    before it are still queued or running; a job that started no longer does."""
    from talent_pool import create_import_job, get_import_job
    from talent_pool.tables import ImportJob

    now = dt.datetime(2026, 11, 29, 2, 0, tzinfo=dt.UTC)
    data = csv_bytes([["身份证号", "姓名"], [make_id(1), "王芳"]], "utf-8")
    jobs = [
        await create_import_job(
            "practitioners", data, filename=f"{n}.csv", dry_run=True, requested_by=1,
            district_code=None, as_of=TODAY, now=now,
        )
        for n in range(3)
    ]  # fmt: skip
    assert [j.ahead for j in jobs] == [0, 1, 2]
    await ImportJob.update({ImportJob.status: "running"}).where(ImportJob.id == jobs[0].id)
    await ImportJob.update({ImportJob.status: "done"}).where(ImportJob.id == jobs[1].id)
    first, _, third = [await get_import_job(j.id) for j in jobs]
    assert (first.status, first.ahead) == ("running", None)
    assert third.ahead == 1  # the running one; the finished one is no longer before it


async def test_an_import_keeps_no_python_object_per_row(db: None) -> None:
    """Memory stays bounded however long the file: of each row read, the import keeps only a
    digest of its natural key (talent_pool/import_dedupe.py) — not the key's tuple and strings in
    a dict, which took about 180 bytes a row (200 MB for 1.2 million rows). Python's own
    allocations (tracemalloc: counted, not timed) grow by less than 100 bytes a row (the digests
    take 33–67; the dict took 180) between the first batch and the last over 40,000 valid rows."""
    import tracemalloc

    from talent_pool.identity import id_check_character

    rows = 40_000
    lines = ["身份证号,姓名"]
    for seq in range(rows):
        first17 = f"370102{dt.date(1970, 1, 1) + dt.timedelta(days=seq // 500):%Y%m%d}{seq % 500:03d}"
        lines.append(f"{first17}{id_check_character(first17)},王芳")
    data = ("\r\n".join(lines) + "\r\n").encode()
    grown: list[int] = []

    async def progress(done: int) -> None:
        if done == 500:
            tracemalloc.start()
        elif done == rows:
            grown.append(tracemalloc.get_traced_memory()[0])
            tracemalloc.stop()

    try:
        report = await import_stream(
            "practitioners", io.BytesIO(data), today=TODAY, dry_run=True, by="test", progress=progress
        )
    finally:
        tracemalloc.stop()
    assert (report.rows, report.created, report.rejected) == (rows, rows, 0)
    assert grown and grown[0] < 100 * rows, f"{grown[0] / rows:.0f} bytes a row"
