"""``tuoyu import KIND FILE [--dry-run]`` and ``tuoyu export KIND FILE``: the talent pool's
spreadsheets from the command line (the same rules as the API and the page; see
``talent_pool/_imports.py``).

KIND: employers (托育机构), practitioners (从业人员), employments (任职记录), credentials (资质证书),
trainings (培训记录). FILE: ``.xlsx`` or ``.csv`` (UTF-8 with or without BOM, or GBK/GB18030 —
detected). The import prints a summary and every rejected row (row number, column, Chinese
reason) and exits with 1 when any row was rejected, 0 otherwise; ``--report`` also writes the
rejected rows as ``.xlsx``. The export writes ``.xlsx`` or ``.csv`` (UTF-8 with BOM) by the
file's extension.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from service.cli_errors import CliError, writable_file
from service.cli_help import ChineseCommand

if TYPE_CHECKING:
    from service.runtime import Runtime

KIND = click.Choice(["employers", "practitioners", "employments", "credentials", "trainings"])


def _run(fn: Any) -> Any:
    from service.cli import _fail
    from service.cli import _run as run

    try:
        return run(fn)
    except click.ClickException:
        raise
    except Exception as exc:
        _fail(exc)


@click.command("import", cls=ChineseCommand)
@click.argument("kind", type=KIND)
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="只检查每一行并报告，不写入")
@click.option("--district", default=None, help="以该区县（6位代码）监管部门的身份导入")
@click.option(
    "--report", "report_path", default=None, type=click.Path(dir_okay=False, path_type=Path),
    help="同时把被拒绝的行写入 .xlsx 文件",
)  # fmt: skip
def import_command(
    kind: str, path: Path, dry_run: bool, district: str | None, report_path: Path | None
) -> None:
    """导入 KIND 类型的表格（.xlsx 或 .csv）。

    KIND：employers（托育机构）、practitioners（从业人员）、employments（任职记录）、
    credentials（资质证书）、trainings（培训记录）。有被拒绝的行时退出码为 1。"""
    import talent_pool
    from talent_pool._imports import report_xlsx
    from talent_pool.import_rejects import RejectedRows

    if report_path is not None:
        writable_file(report_path)  # before any row is imported
    kept = RejectedRows()

    async def run(rt: Runtime) -> Any:
        from service.bootstrap import prepare

        await prepare(rt.engine)  # the embedded default migrates and seeds first
        with path.open("rb") as stream:
            return await talent_pool.import_stream(
                kind,
                stream,
                today=rt.today(),
                dry_run=dry_run,
                district_code=district,
                by="cli",
                rejected_rows=kept,
            )

    report = _run(run)
    verb = "将新增" if dry_run else "新增"
    title = "试运行（未写入任何数据）" if dry_run else "导入完成"
    click.echo(
        f"{title}：{report.rows} 行，{verb} {report.created}，"
        f"已存在且一致 {report.unchanged}，未导入 {report.rejected}（文件格式 {report.encoding}）"
    )
    if report.ignored_columns:
        click.echo(f"忽略的列：{'、'.join(report.ignored_columns)}")
    for p in report.problems:
        click.echo(f"第 {p.row} 行 [{p.column}]：{p.reason}")
    if report_path is not None:
        report_path.write_bytes(report_xlsx(report, kept))
        click.echo(f"未导入的行已写入 {report_path}")
    if report.rejected:
        sys.exit(1)


@click.command("export", cls=ChineseCommand)
@click.argument("kind", type=KIND)
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--district", default=None, help="只导出该区县（6位代码）")
def export_command(kind: str, path: Path, district: str | None) -> None:
    """把 KIND 导出到 PATH（按扩展名写 .xlsx，或带 BOM 的 UTF-8 .csv），列与导入相同。"""
    import talent_pool

    fmt = path.suffix.lower().lstrip(".")
    if fmt not in ("xlsx", "csv"):
        raise CliError("文件扩展名应为 .xlsx 或 .csv")
    writable_file(path)

    async def run(rt: Runtime) -> int:
        from service.bootstrap import prepare

        await prepare(rt.engine)
        if district is not None and not await talent_pool.is_current_district(district):
            raise CliError(
                f"区县代码 {district!r} 不是本市现行区县（应为 6 位行政区划代码，如 370102 历下区）"
            )
        with path.open("wb") as out:
            return await talent_pool.export_to(kind, fmt, out, district_code=district)  # type: ignore[arg-type]

    count = _run(run)
    click.echo(f"已导出 {count} 条到 {path}")
