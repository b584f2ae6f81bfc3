"""``tuoyu checks …``: a regulator's lists of the credit and checks part of the registry (信用与审查)
on the command line — background checks overdue and health certificates expiring, as of the local
date of the business zone. Rows are tab-separated: person id, name, employer id and name, district,
due date, status."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click

from service.cli_errors import ChineseGroup

if TYPE_CHECKING:
    from service.runtime import Runtime


@click.group("checks", cls=ChineseGroup)
def checks_group() -> None:
    """信用与审查：背景审查逾期、健康证到期。"""


def _guarded(fn: Any) -> Any:
    from service.cli import _fail, _run

    try:
        return _run(fn)
    except click.ClickException:
        raise
    except Exception as exc:
        _fail(exc)


def _print(rows: list[Any], title: str) -> None:
    for r in rows:
        due = r.due_on.isoformat() if r.due_on else "-"
        click.echo(
            f"{r.practitioner_id}\t{r.name}\t{r.employer_id}\t{r.employer_name}\t{r.district_code}\t{due}\t{r.status}"
        )
    click.echo(f"{title}：{len(rows)} 条", err=True)


@checks_group.command("overdue")
@click.option("--district", default=None, help="区县代码，如 370102（默认：全市）")
def overdue(district: str | None) -> None:
    """背景审查已逾期的在职人员（每条任职记录一行）。"""
    import talent_pool

    async def run(rt: Runtime) -> Any:
        return await talent_pool.background_checks_overdue(today=rt.today(), district_code=district)

    _print(_guarded(run), "背景审查逾期")


@checks_group.command("health-expiring")
@click.option("--district", default=None, help="区县代码，如 370102（默认：全市）")
@click.option("--within-days", default=30, type=click.IntRange(0, 366), show_default=True)
def health_expiring(district: str | None, within_days: int) -> None:
    """健康证缺失、已过期或即将到期的在职人员。"""
    import talent_pool

    async def run(rt: Runtime) -> Any:
        return await talent_pool.health_certificates_expiring(
            today=rt.today(), within_days=within_days, district_code=district
        )

    _print(_guarded(run), "健康证缺失、过期或即将到期")
