"""``tuoyu targets …``: the plan's talent indicators on the command line — a table for any date
and scopes (``show``), a drill-down list (``list``), and the nightly snapshot taken now
(``snapshot``, idempotent: the same night is written once)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

import click

from service.cli_errors import ChineseGroup

if TYPE_CHECKING:
    from service.runtime import Runtime
    from talent_pool.schemas import TargetsReport

STATUS = {"on_track": "进度正常", "at_risk": "存在风险", "met": "已达标", "not_met": "未达标", None: "—"}


def _run(fn: Any) -> Any:
    from service.cli import _run as run

    return run(fn)


def _fail(exc: BaseException) -> None:
    from service.cli import _fail as fail

    fail(exc)


def format_reports(reports: list[TargetsReport]) -> str:
    """One line per scope and indicator: value, numerator/denominator, target, projection, status."""
    lines = []
    for r in reports:
        lines.append(f"{r.scope_name}（{r.scope}）{r.as_of} 从业人员 {r.employed_practitioners}")
        for i in r.indicators:
            frac = f"{i.numerator}/{i.denominator}" if i.denominator is not None else f"{i.numerator}"
            frac = "—" if i.numerator is None else frac
            target = f"{i.op}{i.target}" if i.target is not None else "—"
            lines.append(
                f"  {i.name}：{i.value if i.value is not None else '无数据'}（{frac}）目标 {target} "
                f"全年预计 {i.projected if i.projected is not None else '—'} {STATUS.get(i.status, i.status)}"
            )
        if r.reconciliation is not None:
            rec = r.reconciliation
            lines.append(
                f"  区县合计 {rec.districts_employed} − 多区县重复 {rec.counted_again} = "
                f"全市 {rec.city_employed}；"
                f"培训人次 {rec.districts_person_trainings} − {rec.trainings_counted_again} + 无在职记录 "
                f"{rec.trainings_without_post} = {rec.city_person_trainings}"
            )
    return "\n".join(lines)


@click.group("targets", cls=ChineseGroup)
def targets_group() -> None:
    """规划指标：查看、明细名单、每晚快照。"""


def _split(value: str) -> list[str] | None:
    items = [v.strip() for v in value.split(",") if v.strip()]
    return items or None


@targets_group.command("show")
@click.option("--year", type=int, default=None, help="年份（默认：今年）")
@click.option(
    "--as-of", "as_of", type=click.DateTime(["%Y-%m-%d"]), default=None, help="日期（本地，YYYY-MM-DD）"
)
@click.option(
    "--scope",
    default="",
    help="city、区县代码、zone:<代码>、street:<代码>、employer:<编号>，逗号分隔",
)
@click.option("--levels", default="", help="层级：city,district,zone,street,employer")
def show(year: int | None, as_of: dt.datetime | None, scope: str, levels: str) -> None:
    """各项指标的预测与达成状态（默认：全市及各区县）。"""
    from service import usecases

    async def run(rt: Runtime) -> list[TargetsReport]:
        return await usecases.targets_table(
            rt, year=year, as_of=as_of.date() if as_of else None, scopes=_split(scope), levels=_split(levels)
        )

    try:
        reports = _run(run)
    except Exception as exc:
        _fail(exc)
    click.echo(format_reports(reports))


@targets_group.command("list")
@click.argument("list_name")
@click.option("--scope", default="city")
@click.option("--year", type=int, default=None)
@click.option("--limit", type=int, default=100)
def drill_down(list_name: str, scope: str, year: int | None, limit: int) -> None:
    """明细名单（未持证、未培训、即将到期……），身份证号脱敏。"""
    import talent_pool
    from service import usecases

    async def run(rt: Runtime) -> Any:
        return await usecases.drill_down(
            rt, list_name, year=year, as_of=None, scope=scope, limit=limit, offset=0
        )

    try:
        page = _run(run)
    except Exception as exc:
        _fail(exc)
    click.echo(f"{page.indicator} {page.scope} {page.as_of}：{page.total} 行，{page.people_total} 人")
    for p in page.people:
        due = f" {p.due_on} {p.detail}" if p.due_on else ""
        click.echo(
            f"{p.name} {talent_pool.mask_id_number(p.id_number)} {p.employer_name}（{p.district_code}）{due}"
        )


@targets_group.command("snapshot")
def snapshot() -> None:
    """生成当前到期的每晚快照（已结束的那一天，本地时间 02:00 起），已生成则跳过。"""
    from worker.targets import nightly_snapshot

    async def run(rt: Runtime) -> int:
        return await nightly_snapshot(now=rt.now(), zone=rt.clock.zone)

    try:
        written = _run(run)
    except Exception as exc:
        _fail(exc)
    click.echo(f"已写入 {written} 个范围的快照" if written else "当日快照已存在，未重复写入")
