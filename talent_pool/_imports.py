"""Spreadsheet imports (导入): a file of one kind read as a stream, checked row by row, the
valid rows written in batches — or, in a dry run, nothing written at all.

The rules (issue 12, "Imports"): every rejected row is reported with its row number, column and
a Chinese reason; a commit writes the valid rows in batches of :data:`BATCH_ROWS`, each batch in
one transaction; importing the same file again changes nothing (natural keys,
``talent_pool/_import_apply.py``); an ID number stored as an Excel number is rejected ("须为文本
格式"); a name is never saved garbled, truncated or emptied; memory stays bounded however long
the file (rows are read as a stream, ``talent_pool/import_read.py``; of each row only a 20-byte
digest of its natural key stays, to find duplicates, ``talent_pool/import_dedupe.py``).

Background jobs (:data:`IMPORT_TASK`): :func:`create_import_job` stores the uploaded file and
enqueues the job in one transaction; :func:`run_import_job` runs it, writing progress after every
batch, then the report and a spreadsheet of every rejected row.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import io
import json
from collections.abc import Awaitable, Callable, Iterator
from itertools import islice
from typing import IO, Any

from openpyxl import Workbook

from talent_pool._import_apply import APPLY, NATURAL_KEYS, Outcome, Row, Scope
from talent_pool._statistics import refresh_statistics
from talent_pool.db import atomic
from talent_pool.errors import NotFound, ValidationFailed
from talent_pool.import_columns import (
    COLUMNS,
    KIND_NAMES,
    KINDS,
    Column,
    Context,
    is_empty,
    map_headers,
    parse_row,
)
from talent_pool.import_dedupe import SeenKeys
from talent_pool.import_read import Source, UnreadableFile, open_source
from talent_pool.import_rejects import RejectedRows, write_rejected
from talent_pool.import_schemas import ImportJobOut, ImportProblem, ImportReport
from talent_pool.outbox import enqueue
from talent_pool.tables import (
    Credential,
    Division,
    Employer,
    Employment,
    ImportJob,
    Practitioner,
    TrainingRecord,
)
from talent_pool.xlsx_text import text_cell

IMPORT_TASK = "talent_pool.run_import"
"""Background job (``worker.jobs``): run an uploaded import."""
BATCH_ROWS = 500
"""Rows checked and written per transaction (and between two progress updates)."""
REPORT_PROBLEMS = 200
"""Problems kept in a job's JSON report; the spreadsheet has all of them."""
MAX_UPLOAD_BYTES = 60 * 1024 * 1024

Progress = Callable[[int], Awaitable[None]]


def check_kind(kind: str) -> str:
    """``kind`` when it is one of :data:`KINDS`, else :class:`ValidationFailed`."""
    if kind not in KINDS:
        raise ValidationFailed(
            f"导入类型 {kind!r} 不存在，应为：{'、'.join(f'{k}（{KIND_NAMES[k]}）' for k in KINDS)}",
            field="kind",
        )
    return kind


async def _context(today: dt.date) -> Context:
    rows = await Division.select(Division.code, Division.name).where(Division.level == "district")
    districts = {r["code"]: r["code"] for r in rows} | {r["name"]: r["code"] for r in rows}
    return Context(today=today, districts=districts)


def _take(
    rows: Iterator[tuple[int, list[Any]]], kind: str, mapping: dict[int, Column], ctx: Context
) -> tuple[int, list[Row], list[tuple[int, str, str]], dict[int, list[Any]]]:
    """Read and parse up to :data:`BATCH_ROWS` rows (runs in a thread): ``(rows read, valid
    rows, problems, {row number: cells} of the batch)`` — the cells are kept for the batch only,
    so that the rows it rejects can be given back."""
    read = 0
    good: list[Row] = []
    problems: list[tuple[int, str, str]] = []
    cells_of: dict[int, list[Any]] = {}
    for number, cells in islice(rows, BATCH_ROWS):
        read += 1
        if all(is_empty(cells[i] if i < len(cells) else None) for i in mapping):
            read -= 1  # only cells outside the columns (a pre-numbered 序号, a remark): not a row
            continue
        cells_of[number] = cells
        values, errors = parse_row(kind, mapping, cells, ctx)
        if errors:
            problems.extend((number, column, reason) for column, reason in errors)
        else:
            good.append(Row(number, values))
    return read, good, problems, cells_of


def _reading(fn: Callable[..., Any], *args: Any) -> Any:
    """``fn(*args)`` reading the file: a file that breaks while it is read (a truncated or
    corrupt sheet, bytes csv cannot split) raises :class:`ValidationFailed`, not the parser's
    own error — the job ends with a reason instead of being retried."""
    try:
        return fn(*args)
    except ValidationFailed:
        raise
    except Exception:
        raise ValidationFailed(
            "文件读取到中途出错，可能已损坏；请用 Excel 重新另存后再试"
            "（正式导入时此前已写入的批次会保留，修好后重新导入不会重复写入）",
            field="file",
        ) from None


HEADER_SEARCH_ROWS = 10
"""Non-empty rows searched for the header (a title row such as 「2025年从业人员名单」 may come first)."""


def _header(kind: str, source: Source) -> tuple[dict[int, Column], list[str], list[Any]]:
    """The header row: the first of the first :data:`HEADER_SEARCH_ROWS` non-empty rows that
    names every required column (rows above it are titles). Returns ``(mapping, ignored
    headers, the row's cells)``; raises :class:`ValidationFailed` naming the missing columns of
    the closest row."""
    best: tuple[int, list[str]] | None = None
    for number, cells in islice(source.rows, HEADER_SEARCH_ROWS):
        mapping, missing, ignored = map_headers(kind, cells)
        if not missing:
            return mapping, ignored, cells
        if best is None or len(missing) < len(best[1]):
            best = (number, missing)
    if best is None:
        raise ValidationFailed("文件中没有数据（第一行应为表头）", field="file")
    number, missing = best
    raise ValidationFailed(
        f"没有找到表头：第 {number} 行缺少必需的列：{'、'.join(missing)}", field="file", missing=missing
    )


IMPORTED_TABLE = {
    kind: table._meta.tablename
    for kind, table in (
        ("employers", Employer),
        ("practitioners", Practitioner),
        ("employments", Employment),
        ("credentials", Credential),
        ("trainings", TrainingRecord),
    )
}
"""The table each kind of import loads (analysed after a committed import)."""


async def import_stream(
    kind: str,
    stream: IO[bytes],
    *,
    today: dt.date,
    dry_run: bool,
    district_code: str | None = None,
    by: str = "import",
    progress: Progress | None = None,
    rejected_rows: RejectedRows | None = None,
) -> ImportReport:
    """Import one file of ``kind`` (see the module docstring) from a seekable binary stream.

    ``today`` is the local business date (ID numbers' birth dates, the minimum working age);
    ``district_code`` limits a district regulator to their district (``None``: the whole city);
    ``by`` is recorded on the employments written; ``progress(rows read)`` is awaited after each
    batch; ``rejected_rows``, when given, receives the header and the cells of the rejected rows
    (:mod:`talent_pool.import_rejects`, for :func:`report_xlsx`). Returns the
    :class:`ImportReport` with every problem. Raises
    :class:`ValidationFailed` when the file cannot be read at all (empty, corrupt, unknown
    encoding, missing required columns) or ``district_code`` is not a current district of the
    city (division reference data) — nothing is written then.
    """
    check_kind(kind)
    ctx = await _context(today)
    if district_code is not None and district_code not in ctx.districts.values():
        raise ValidationFailed(
            f"区县代码 {district_code!r} 不是本市现行区县（应为 6 位行政区划代码，如 370102 历下区）",
            field="district_code",
        )
    try:
        source: Source = await asyncio.to_thread(open_source, stream)
    except UnreadableFile as exc:
        raise ValidationFailed(str(exc), field="file") from None
    try:
        scope = Scope(district_code, by, today)
        return await _run(kind, source, ctx, dry_run, scope, progress, rejected_rows)
    finally:
        source.close()


async def _run(
    kind: str,
    source: Source,
    ctx: Context,
    dry_run: bool,
    scope: Scope,
    progress: Progress | None,
    kept: RejectedRows | None,
) -> ImportReport:
    report = ImportReport(kind=kind, dry_run=dry_run, encoding=source.encoding)  # type: ignore[arg-type]
    mapping, ignored, header = await asyncio.to_thread(_reading, _header, kind, source)
    report.ignored_columns = ignored
    if kept is not None:
        kept.set_header(header)
    keys = NATURAL_KEYS[kind]
    by_field = {c.field: c.header for c in COLUMNS[kind]}
    key_columns = "、".join(by_field[k] for k in keys)  # the columns that make the rows the same
    seen = SeenKeys()  # a digest per row, not the key itself (talent_pool/import_dedupe.py)
    problems: list[tuple[int, str, str]] = []
    rejected: set[int] = set()
    while True:
        read, good, bad, cells_of = await asyncio.to_thread(_reading, _take, source.rows, kind, mapping, ctx)
        if not read:
            break
        report.rows += read
        problems.extend(bad)
        batch_rejected = {p[0] for p in bad}
        fresh: list[Row] = []
        for row in good:
            first = seen.first(tuple(row.values[k] for k in keys), row.number)
            if first is not None:
                problems.append((row.number, key_columns, f"与第 {first} 行重复"))
                batch_rejected.add(row.number)
                continue
            fresh.append(row)
        outcome: Outcome = await APPLY[kind](fresh, scope, dry_run)
        report.created += outcome.created
        report.unchanged += outcome.unchanged
        problems.extend(outcome.problems)
        batch_rejected.update(outcome.rejected_rows)
        rejected.update(batch_rejected)
        if kept is not None:
            for number in sorted(batch_rejected):
                kept.add(number, cells_of[number])
        if progress is not None:
            await progress(report.rows)
    problems.sort(key=lambda p: p[0])
    report.problems = [ImportProblem(row=r, column=c, reason=why) for r, c, why in problems]
    report.rejected = len(rejected)
    if not dry_run and report.created:
        await refresh_statistics(IMPORTED_TABLE[kind])  # a bulk load: the planner's statistics
    return report


# --------------------------------------------------------------------------- background jobs


def report_xlsx(report: ImportReport, kept: RejectedRows | None = None) -> bytes:
    """The report as a spreadsheet (streamed with openpyxl's write-only mode):

    - 未导入的行 (first, so that it imports again): the uploaded header, then each rejected row
      kept in ``kept`` with its own cells as text and the columns 未导入原因 and 原行号
      (:mod:`talent_pool.import_rejects`) — correct the cells and import this file again;
    - 问题明细: 行号, 列, 原因 for every problem of every rejected row;
    - 汇总: the counts.
    """
    book = Workbook(write_only=True)
    kept = kept if kept is not None else RejectedRows()
    reasons: dict[int, list[str]] = {}
    for p in report.problems:
        reasons.setdefault(p.row, []).append(f"{p.column}：{p.reason}")
    write_rejected(book.create_sheet("未导入的行"), kept, reasons)
    detail = book.create_sheet("问题明细")
    detail.append(["行号", "列", "原因"])
    for p in report.problems:
        detail.append([p.row, text_cell(detail, p.column), text_cell(detail, p.reason)])
    totals = book.create_sheet("汇总")
    for label, value in (
        ("导入类型", KIND_NAMES[report.kind]),
        ("试运行（未写入）", "是" if report.dry_run else "否"),
        ("文件格式", report.encoding),
        ("数据行数", report.rows),
        ("新增" if not report.dry_run else "将新增", report.created),
        ("已存在且一致", report.unchanged),
        ("未导入的行", report.rejected),
        ("忽略的列", "、".join(report.ignored_columns)),
        (
            "未列出原值的行",
            f"{kept.left_out}（只列出前 {len(kept.rows)} 行，其余见 问题明细）" if kept.left_out else 0,
        ),
    ):
        # the ignored columns are uploaded text: text_cell keeps a control character from failing the job
        totals.append([text_cell(totals, label), text_cell(totals, value)])
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


async def create_import_job(
    kind: str,
    data: bytes,
    *,
    filename: str,
    dry_run: bool,
    requested_by: int,
    district_code: str | None,
    as_of: dt.date,
    now: dt.datetime,
) -> ImportJobOut:
    """Store an uploaded file (``data``: xlsx or CSV bytes, at most :data:`MAX_UPLOAD_BYTES`)
    and enqueue its import in one transaction; returns the queued job. ``as_of`` is the local
    business date the rows are checked on. Raises :class:`ValidationFailed` for an unknown kind
    or an empty or too large file."""
    check_kind(kind)
    if not data:
        raise ValidationFailed("上传的文件是空的", field="file")
    if len(data) > MAX_UPLOAD_BYTES:
        raise ValidationFailed(f"文件过大（最多 {MAX_UPLOAD_BYTES // 1024 // 1024} MB）", field="file")
    async with atomic():
        row = ImportJob(
            kind=kind,
            requested_by=requested_by,
            district_code=district_code,
            dry_run=dry_run,
            filename=filename[:255],
            source=data,
            status="queued",
            as_of=as_of,
            created_at=now,
        )
        await row.save()
        await enqueue(IMPORT_TASK, int(row.id))
    return await get_import_job(int(row.id))


_STATUS = (
    ImportJob.id,
    ImportJob.kind,
    ImportJob.dry_run,
    ImportJob.filename,
    ImportJob.status,
    ImportJob.total,
    ImportJob.done_count,
    ImportJob.summary,
    ImportJob.error,
    ImportJob.created_at,
    ImportJob.finished_at,
)


def _json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str | bytes) else value


async def get_import_job(job_id: int) -> ImportJobOut:
    """An import job's status, progress and (when done) report; while it is queued, how many
    import jobs are before it (``ahead``: one count on the job table). Raises :class:`NotFound`."""
    row = await ImportJob.select(*_STATUS).where(ImportJob.id == job_id).first()
    if row is None:
        raise NotFound(f"导入任务 {job_id} 不存在", job_id=job_id)
    summary = _json(row["summary"]) or {}
    ahead = None
    if row["status"] == "queued":
        ahead = await ImportJob.count().where(
            (ImportJob.id < job_id) & ImportJob.status.is_in(["queued", "running"])
        )
    return ImportJobOut(
        id=row["id"],
        kind=row["kind"],
        dry_run=row["dry_run"],
        filename=row["filename"],
        status=row["status"],
        total=row["total"],
        done=row["done_count"],
        report=ImportReport.model_validate(summary) if summary else None,
        error=row["error"],
        created_at=row["created_at"],
        finished_at=row["finished_at"],
        result_ready=row["status"] == "done",
        ahead=ahead,
    )


async def import_job_owner(job_id: int) -> tuple[int, str | None]:
    """``(login id that uploaded, district scope)`` of an import job (record check). Raises
    :class:`NotFound`."""
    row = (
        await ImportJob.select(ImportJob.requested_by, ImportJob.district_code)
        .where(ImportJob.id == job_id)
        .first()
    )
    if row is None:
        raise NotFound(f"导入任务 {job_id} 不存在", job_id=job_id)
    return int(row["requested_by"]), row["district_code"]


async def import_job_result(job_id: int) -> bytes:
    """The report spreadsheet of a finished job. Raises :class:`NotFound` (also while the job
    has not finished: there is no report yet; a failed job's answer says it failed and why)."""
    row = await (
        ImportJob.select(ImportJob.status, ImportJob.result_xlsx, ImportJob.error)
        .where(ImportJob.id == job_id)
        .first()
    )
    if row is None:
        raise NotFound(f"导入任务 {job_id} 不存在", job_id=job_id)
    if row["status"] == "failed" and row["result_xlsx"] is None:
        raise NotFound(f"导入任务已失败，没有生成报告：{row['error']}", job_id=job_id, status="failed")
    if row["status"] != "done" or row["result_xlsx"] is None:
        raise NotFound("导入尚未完成，报告还没有生成，请稍后再试", job_id=job_id, status=row["status"])
    return bytes(row["result_xlsx"])


async def run_import_job(job_id: int, *, now: dt.datetime) -> int:
    """The background job :data:`IMPORT_TASK`: run the stored file (:func:`import_stream`),
    updating ``done_count`` after each batch, then store the report and its spreadsheet and drop
    the uploaded bytes. A file that cannot be read ends the job ``failed`` with the reason.
    Idempotent: a finished job is left alone, a redelivered one runs again (writing nothing
    twice: imports are idempotent by natural keys). Returns the rows read."""
    row = await ImportJob.select().where(ImportJob.id == job_id).first()
    if row is None or row["status"] in ("done", "failed") or row["source"] is None:
        return 0
    data = bytes(row["source"])
    estimate = await asyncio.to_thread(_estimate, data)
    await ImportJob.update(
        {ImportJob.status: "running", ImportJob.done_count: 0, ImportJob.total: estimate}
    ).where(ImportJob.id == job_id)

    async def progress(done: int) -> None:
        await ImportJob.update({ImportJob.done_count: done, ImportJob.total: max(done, estimate)}).where(
            ImportJob.id == job_id
        )

    kept = RejectedRows()
    try:
        report = await import_stream(
            row["kind"],
            io.BytesIO(data),
            today=row["as_of"],
            dry_run=row["dry_run"],
            district_code=row["district_code"],
            by=f"import:{row['requested_by']}",
            progress=progress,
            rejected_rows=kept,
        )
    except ValidationFailed as exc:
        await ImportJob.update(
            {
                ImportJob.status: "failed",
                ImportJob.error: exc.message,
                ImportJob.source: None,
                ImportJob.finished_at: now,
            }
        ).where(ImportJob.id == job_id)
        return 0
    sheet = await asyncio.to_thread(report_xlsx, report, kept)
    summary = report.model_copy(update={"problems": report.problems[:REPORT_PROBLEMS]})
    await ImportJob.update(
        {
            ImportJob.status: "done",
            ImportJob.done_count: report.rows,
            ImportJob.total: report.rows,
            ImportJob.summary: summary.model_dump(mode="json"),
            ImportJob.result_xlsx: sheet,
            ImportJob.source: None,
            ImportJob.finished_at: now,
        }
    ).where(ImportJob.id == job_id)
    return report.rows


GAVE_UP = (
    "导入过程中发生意外错误，自动重试 {attempts} 次后仍未完成，任务已停止（任务编号 {job_id}）。"
    "出错的批次没有写入；此前已完成的批次会保留，重新导入同一文件不会重复写入。"
    "请稍后重新导入；如仍失败，请把文件和任务编号交给系统管理员。"
)
"""The reason shown for an import job given up after unexpected failures (the error itself is
logged by the worker, never shown)."""


async def fail_import_job(job_id: int, *, now: dt.datetime, error: BaseException, attempts: int = 3) -> bool:
    """End import job ``job_id`` as ``failed`` with a Chinese reason (:data:`GAVE_UP`), dropping
    the uploaded bytes: the worker gave up its message after ``attempts`` deliveries that raised
    unexpectedly (``error``, logged there, not stored here). ``now``: aware UTC. A job already
    done or failed is left alone. The batch that raised was rolled back by its own transaction;
    earlier batches stay (imports are idempotent by natural keys). Returns whether it changed."""
    del error  # the worker logs it; the regulator reads the reason, never internals
    rows = await (
        ImportJob.update(
            {
                ImportJob.status: "failed",
                ImportJob.error: GAVE_UP.format(attempts=attempts, job_id=job_id),
                ImportJob.source: None,
                ImportJob.finished_at: now,
            }
        )
        .where((ImportJob.id == job_id) & ImportJob.status.not_in(["done", "failed"]))
        .returning(ImportJob.id)
    )
    return bool(rows)


def _estimate(data: bytes) -> int:
    try:
        source = open_source(io.BytesIO(data))
    except UnreadableFile:
        return 0
    try:
        return source.estimated_rows
    finally:
        source.close()
