"""The ``tuoyu`` command: serve, worker, migrate, seed, demo, create-admin, relay."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import click

from service.settings import get_settings


@click.group()
def main() -> None:
    """Tuoyu Workforce — 托育从业人员培训、考核、发证与规划指标追踪."""


@main.command()
@click.option("--host", default=None, help="bind address (default TUOYU_HOST or 127.0.0.1)")
@click.option("--port", default=None, type=int, help="port (default TUOYU_PORT or 8000)")
@click.option(
    "--demo", is_flag=True, help="load the demo workforce and cohort first if the database is empty"
)
@click.option("--workers", default=1, type=int, help="HTTP worker processes (PostgreSQL only)")
def serve(host: str | None, port: int | None, demo: bool, workers: int) -> None:
    """Run the HTTP service (uvicorn)."""
    import uvicorn

    settings = get_settings()
    if demo:
        from service import demo as demo_mod

        asyncio.run(demo_mod.ensure_demo_data(Path(settings.data_dir) / "demo-out"))
    uvicorn.run(
        "service.app:create_app",
        factory=True,
        host=host or settings.host,
        port=port or settings.port,
        workers=workers,
        # X-Forwarded-For is believed only from the proxies named in TUOYU_TRUSTED_PROXIES
        proxy_headers=bool(settings.trusted_proxies),
        forwarded_allow_ips=settings.trusted_proxies or None,
    )


@main.command()
@click.option("--beat/--no-beat", default=True, help="also run the periodic outbox relay (Celery beat)")
@click.option("--concurrency", default=2, type=int)
def worker(beat: bool, concurrency: int) -> None:
    """Run a Celery worker on TUOYU_REDIS_URL."""
    settings = get_settings()
    if not settings.redis_url:
        raise click.ClickException("TUOYU_REDIS_URL 未设置：没有消息队列时任务在服务进程内执行，无需 worker")
    from worker.celery_app import celery_app

    argv = ["worker", "--loglevel=INFO", f"--concurrency={concurrency}"]
    if beat:
        argv.append("--beat")
    celery_app.worker_main(argv)


@main.command()
def migrate() -> None:
    """Apply pending database migrations."""
    from service.migrations import migrate as run

    asyncio.run(run())
    click.echo("数据库迁移完成")


@main.command()
def seed() -> None:
    """Load reference data: Jinan divisions, plan indicators, certificate programmes."""
    from service.bootstrap import seed as run

    counts = asyncio.run(run())
    click.echo(f"参考数据已载入: {counts}")


@main.command()
@click.option(
    "--out",
    "out_dir",
    default="demo-out",
    type=click.Path(file_okay=False, path_type=Path),
    help="folder for the certificates' QR PNGs and PDFs",
)
def demo(out_dir: Path) -> None:
    """Run the whole loop on real reference data and print the targets before and after."""
    from service import demo as demo_mod

    sys.exit(asyncio.run(demo_mod.run_demo(out_dir)))


@main.command("create-admin")
@click.option("--username", required=True)
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
def create_admin(username: str, password: str) -> None:
    """Create a city-admin (regulator) login."""
    from service.accounts import AccountIn, create_account
    from service.bootstrap import prepare

    async def run() -> None:
        await prepare(get_settings())
        await create_account(AccountIn(username=username, password=password, role="city_admin"))

    asyncio.run(run())
    click.echo(f"已创建市级管理员 {username}")


@main.command()
def relay() -> None:
    """Dispatch outbox messages that were not sent yet."""
    from worker.outbox import relay as run

    click.echo(f"已发送 {asyncio.run(run())} 条")


if __name__ == "__main__":
    main()
