"""``tuoyu training …``: the base's and the regulator's command-line tools for training in depth —
recurring sessions, uploading an offline device's attendance file, the subsidy roster xlsx and the
trainer pool.

An attendance file is CSV (UTF-8 with or without BOM, or GBK/GB18030 as Excel saves it on Chinese
Windows — the encoding is detected) or JSON (a list of rows). CSV columns: ``row_id``,
``session_id``, one of ``enrollment_id`` / ``practitioner_id`` / ``id_number`` (身份证号, keep the
column as *text* in Excel), ``present`` (1/0, 是/否, 出勤/缺勤, true/false; default present) and
optionally ``scanned_at`` (ISO 8601 with offset). Each row is judged by the training service and
the report says what happened to it.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from service.cli_errors import ChineseGroup, CliError

if TYPE_CHECKING:
    from service.runtime import Runtime

PRESENT = {
    "1": True,
    "0": False,
    "是": True,
    "否": False,
    "出勤": True,
    "缺勤": False,
    "true": True,
    "false": False,
}
HEADERS = {
    "行编号": "row_id",
    "课次": "session_id",
    "身份证号": "id_number",
    "出勤": "present",
    "签到时间": "scanned_at",
}


def decode_text(data: bytes) -> str:
    """File bytes as text: UTF-8 (a BOM is dropped) when it decodes, else the encoding
    charset-normalizer detects (GBK/GB18030 from Excel on Chinese Windows). Raises
    ``click.ClickException`` for bytes that are not text."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None:
        raise CliError("无法识别文件编码，请另存为 UTF-8 或 GBK 编码的 CSV")
    return str(best)


def _cell(name: str, value: str) -> Any:
    value = value.strip()
    if value == "":
        return None
    if name in ("session_id", "enrollment_id", "practitioner_id"):
        return int(value) if value.isdecimal() else value  # full-width digits count; other text is reported
    if name == "present":
        return PRESENT.get(value.lower(), value)
    return value


def read_rows(path: Path) -> list[dict[str, Any]]:
    """The rows of an attendance file (CSV or JSON, see the module docstring)."""
    text = decode_text(path.read_bytes())
    if path.suffix.lower() == ".json":
        try:
            rows = json.loads(text)
        except json.JSONDecodeError as exc:
            raise CliError(
                f"JSON 格式错误：第 {exc.lineno} 行第 {exc.colno} 列附近不符合 JSON 格式"
            ) from None
        if not isinstance(rows, list):
            raise CliError("JSON 文件须为行的列表")
        return rows
    reader = csv.DictReader(io.StringIO(text))
    out = []
    for raw in reader:
        row = {}
        for key, value in raw.items():
            if key is None:
                continue
            name = HEADERS.get(key.strip(), key.strip())
            cell = _cell(name, value or "")
            if cell is not None:
                row[name] = cell
        out.append(row)
    return out


@click.group("training", cls=ChineseGroup)
def training_group() -> None:
    """培训工具：批量排课、上传离线考勤、补贴花名册、师资库。"""


def _run(fn: Any) -> Any:
    from service.cli import _run as run

    return run(fn)


@training_group.command("recurring-sessions")
@click.argument("offering_id", type=int)
@click.option(
    "--weekday", "weekdays", type=click.IntRange(1, 7), multiple=True, required=True, help="1=周一 … 7=周日"
)
@click.option(
    "--from", "first_day", type=click.DateTime(["%Y-%m-%d"]), required=True, help="开始日期，YYYY-MM-DD"
)
@click.option(
    "--to",
    "last_day",
    type=click.DateTime(["%Y-%m-%d"]),
    required=True,
    help="结束日期（含当天），YYYY-MM-DD",
)
@click.option("--start", "starts_at", required=True, help="开始时间（本地），如 14:00")
@click.option("--end", "ends_at", required=True, help="结束时间（本地），如 16:00")
@click.option(
    "--skip",
    "skip_dates",
    type=click.DateTime(["%Y-%m-%d"]),
    multiple=True,
    help="跳过的日期（节假日），可重复",
)
@click.option("--topic", default="", help="课次主题")
def recurring_sessions(
    offering_id: int,
    weekdays: tuple[int, ...],
    first_day: dt.datetime,
    last_day: dt.datetime,
    starts_at: str,
    ends_at: str,
    skip_dates: tuple[dt.datetime, ...],
    topic: str,
) -> None:
    """在两个日期之间按选定的星期几批量创建课次，跳过节假日。"""
    import training
    from training.attendance_schemas import RecurringSessionsIn

    data = RecurringSessionsIn.model_validate(
        {
            "weekdays": list(weekdays),
            "first_day": first_day.date(),
            "last_day": last_day.date(),
            "starts_at": starts_at,
            "ends_at": ends_at,
            "skip_dates": [d.date() for d in skip_dates],
            "topic": topic,
        }
    )

    async def run(rt: Runtime) -> Any:
        return await training.add_recurring_sessions(offering_id, data, times=rt.session_times, now=rt.now())

    result = _guarded(run)
    for s in result.sessions:
        click.echo(f"课次 {s.id}：{s.day} {s.starts_at:%H:%M}–{s.ends_at:%H:%M}")
    if result.skipped:
        click.echo("跳过节假日：" + "、".join(d.isoformat() for d in result.skipped))
    click.echo(f"共创建 {len(result.sessions)} 次课")


@training_group.command("upload-attendance")
@click.argument("training_base_id", type=int)
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--by", required=True, help="上传人（记录在每一行）")
def upload_attendance(training_base_id: int, path: Path, by: str) -> None:
    """上传离线考勤设备导出的考勤文件（CSV 或 JSON）；重复上传不会重复记录。"""
    import training

    rows = read_rows(path)
    if not rows:
        raise CliError("文件中没有数据行")

    async def run(rt: Runtime) -> Any:
        return await training.upload_attendance_batch(
            training_base_id, rows, by=by, now=rt.now(), today=rt.today()
        )

    report = _guarded(run)
    names = {
        "recorded": "已记录",
        "already_recorded": "已有相同记录",
        "duplicate": "重复上传",
        "refused": "拒绝",
    }
    for r in report.rows:
        click.echo(
            f"第 {r.index + 2} 行 {r.row_id or '-'}：{names[r.status]}{('：' + r.reason) if r.reason else ''}"
        )
    click.echo(
        f"已记录 {report.recorded}，已有相同记录 {report.already_recorded}，"
        f"重复上传 {report.duplicate}，拒绝 {report.refused}"
    )


@training_group.command("subsidy-roster")
@click.argument("offering_id", type=int)
@click.option("--out", "out_path", type=click.Path(dir_okay=False, path_type=Path), required=True)
def subsidy_roster(offering_id: int, out_path: Path) -> None:
    """把已结业的补贴班级的补贴花名册写成 xlsx（人社格式）。"""
    import training

    async def run(rt: Runtime) -> Any:
        return await training.subsidy_roster_xlsx(offering_id, today=rt.today())

    export = _guarded(run)
    out_path.write_bytes(export.content)
    click.echo(f"已写入 {out_path}")


@training_group.command("trainers")
@click.option("--district", default=None, help="区县代码，如 370102")
def trainers(district: str | None) -> None:
    """列出师资库，可只看一个区县。"""
    import training

    async def run(rt: Runtime) -> Any:
        import talent_pool

        if district is not None and not await talent_pool.is_current_district(district):
            raise CliError(
                f"区县代码 {district!r} 不是本市现行区县（应为 6 位行政区划代码，如 370102 历下区）"
            )
        return await training.list_trainers(district_code=district, full_ids=True)

    for t in _guarded(run):
        score = f"，评价 {t.average_score}（{t.evaluations} 条）" if t.evaluations else ""
        click.echo(f"{t.id}\t{t.name}\t{t.rank_name}\t{t.district_code}\t课程 {t.course_ids}{score}")


def _guarded(fn: Any) -> Any:
    from service.cli import _fail

    try:
        return _run(fn)
    except click.ClickException:
        raise
    except Exception as exc:
        _fail(exc)
