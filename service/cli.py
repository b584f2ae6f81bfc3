"""The ``tuoyu`` command: serve, worker, migrate, seed, demo, create-admin, doctor, keys, relay, and
the ``training`` tools (``service/cli_training.py``) and the ``checks`` lists (``service/cli_checks.py``)."""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys
import threading
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import click

from service.cli_errors import ChineseGroup, CliError
from service.settings import Settings, get_settings

if TYPE_CHECKING:
    from service.runtime import Runtime

T = TypeVar("T")


@contextlib.asynccontextmanager
async def _runtime(
    *, dispatch: bool = False, migrate_first: bool = False, hold_repairs: bool = False
) -> AsyncIterator[Runtime]:
    """The process runtime for a CLI command: pool open, dispatcher running when asked. The
    dispatcher reads the outbox, so the schema must exist first: the embedded default migrates
    (``bootstrap.prepare``); ``migrate_first`` (the demo, which migrates any engine) does it on
    PostgreSQL too, before the dispatcher starts rather than after its first failed round.
    ``hold_repairs`` (the demo): the dispatcher runs no periodic repair — the nightly targets
    snapshot among them — until the command calls ``rt.dispatcher.resume_repairs()`` once its
    data is loaded."""
    from service.bootstrap import prepare, seed
    from service.migrations import migrate
    from service.runtime import build_runtime

    rt = build_runtime(get_settings())
    await rt.start(dispatch=False)
    if migrate_first:
        await migrate()
        await seed()
    if dispatch:
        await prepare(rt.engine)
        if hold_repairs:
            rt.dispatcher.hold_repairs()
        await rt.dispatcher.start()
    interrupted = False
    try:
        yield rt
    except (asyncio.CancelledError, KeyboardInterrupt):
        interrupted = True  # Ctrl-C: wind down in seconds, not three 10-second graces in a row
        _exit_soon(INTERRUPT_WIND_DOWN_SECONDS)
        raise
    finally:
        await rt.stop(grace=2.0 if interrupted else 10.0)


INTERRUPT_WIND_DOWN_SECONDS = 10.0
"""After Ctrl-C a command winds down (open transactions roll back, logs flush) for at most this
long; a write stuck behind the embedded SQLite file's 30-second busy timeout does not keep the
process alive past it. Nothing half-written survives: every change is one transaction."""


def _exit_soon(seconds: float) -> None:
    """End the process ``seconds`` from now unless it has ended by then (a daemon timer)."""

    def stop() -> None:
        sys.stderr.write("已中断：后台收尾超时，进程退出\n")
        sys.stderr.flush()
        os._exit(130)

    timer = threading.Timer(seconds, stop)
    timer.daemon = True
    timer.start()


def _run(
    fn: Callable[[Runtime], Awaitable[T]],
    *,
    dispatch: bool = False,
    migrate_first: bool = False,
    hold_repairs: bool = False,
) -> T:
    async def main() -> T:
        async with _runtime(dispatch=dispatch, migrate_first=migrate_first, hold_repairs=hold_repairs) as rt:
            return await fn(rt)

    return asyncio.run(main())


def _fail(exc: BaseException) -> None:
    """One clear line for a failure, ``错误：<message>`` (the traceback only with
    ``TUOYU_DEBUG=1``): a domain error's Chinese message alone — no Python class name — and for
    anything unexpected its text with a hint where the details are."""
    from talent_pool.errors import TuoyuError

    if os.environ.get("TUOYU_DEBUG"):
        raise exc
    if isinstance(exc, TuoyuError):
        raise CliError(exc.message) from None
    message = str(exc) or "未知错误"
    raise CliError(f"意外错误：{message}（设置环境变量 TUOYU_DEBUG=1 后重试可查看详细信息）") from None


@click.group(cls=ChineseGroup)
def main() -> None:
    """Tuoyu Workforce — 托育从业人员培训、考核、发证与规划指标追踪."""


@main.command()
@click.option("--host", default=None, help="bind address (default TUOYU_HOST or 127.0.0.1)")
@click.option("--port", default=None, type=int, help="port (default TUOYU_PORT or 8000)")
@click.option(
    "--demo", is_flag=True, help="load the demo workforce and cohort first if the database is empty"
)
@click.option("--workers", default=None, type=int, help="HTTP worker processes (default TUOYU_WEB_WORKERS)")
def serve(host: str | None, port: int | None, demo: bool, workers: int | None) -> None:
    """Run the HTTP service (uvicorn with uvloop and httptools). Without ``TUOYU_PUBLIC_URL`` the
    links the service prints (verify URLs in QR codes, check-in QR links) name the address it is
    served on (``http://HOST:PORT``), so ``--port`` alone gives working links."""
    import uvicorn

    settings: Settings = get_settings()
    if "TUOYU_PUBLIC_URL" not in os.environ and (host or port):
        shown = host or settings.host
        shown = "127.0.0.1" if shown in ("0.0.0.0", "::") else shown
        os.environ["TUOYU_PUBLIC_URL"] = f"http://{shown}:{port or settings.port}"
        get_settings.cache_clear()
        settings = get_settings()
    if demo:
        from service import demo as demo_mod

        try:
            _run(
                lambda rt: demo_mod.ensure_demo_data(rt, Path(settings.data_dir) / "demo-out"),
                dispatch=True,
                migrate_first=True,
                hold_repairs=True,
            )
        except Exception as exc:
            _fail(exc)
    uvicorn.run(
        "service.app:create_served_app",
        factory=True,
        host=host or settings.host,
        port=port or settings.port,
        workers=workers or settings.web_workers,
        # X-Forwarded-For is believed only from the proxies named in TUOYU_TRUSTED_PROXIES
        proxy_headers=bool(settings.trusted_proxies),
        forwarded_allow_ips=settings.trusted_proxies or None,
        log_level="info",
        access_log=settings.access_log,
    )


@main.command()
@click.option("--beat/--no-beat", default=True, help="also run the periodic outbox sweep (Celery beat)")
@click.option("--concurrency", default=2, type=int)
def worker(beat: bool, concurrency: int) -> None:
    """Run a Celery worker on TUOYU_REDIS_URL."""
    settings = get_settings()
    if not settings.redis_url:
        raise CliError("TUOYU_REDIS_URL 未设置：没有消息队列时后台任务在服务进程内执行，无需 worker")
    from worker.celery_app import celery_app

    argv = ["worker", "--loglevel=INFO", f"--concurrency={concurrency}", "-Q", settings.task_queue]
    if beat:
        argv.append("--beat")
    celery_app.worker_main(argv)


@main.command()
def migrate() -> None:
    """Apply pending database migrations."""
    from service.migrations import migrate as run

    _run(lambda rt: run())
    click.echo("数据库迁移完成")


@main.command()
def seed() -> None:
    """Load reference data: Jinan divisions, plan indicators, certificate programmes."""
    from service.bootstrap import seed as run

    counts = _run(lambda rt: run())
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

    try:
        code = _run(
            lambda rt: demo_mod.run_demo(rt, out_dir), dispatch=True, migrate_first=True, hold_repairs=True
        )
    except Exception as exc:
        _fail(exc)
    sys.exit(code)


@main.command("create-admin")
@click.option("--username", required=True)
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
def create_admin(username: str, password: str) -> None:
    """Create a city-admin (regulator) login."""
    from service.accounts import AccountIn, create_account
    from service.accounts.passwords import check_new_password
    from service.bootstrap import prepare

    async def run(rt: Runtime) -> None:
        await prepare(rt.engine)
        await create_account(AccountIn(username=username, password=password, role="city_admin"))

    try:
        check_new_password(password, username=username.lower())  # its rule's message, before any work
        _run(run)
    except Exception as exc:
        _fail(exc)
    click.echo(f"已创建市级管理员 {username}")


@main.command()
@click.option(
    "--repair",
    is_flag=True,
    help="fix what can be fixed: failed jobs, missing documents, stale test databases",
)
def doctor(repair: bool) -> None:
    """Report lost or stuck background work, certificates without documents and stale test
    databases; exit code 1 while something needs attention."""
    from service.doctor import examine, format_report

    try:
        report = _run(lambda rt: examine(rt, repair=repair))
    except Exception as exc:
        _fail(exc)
    click.echo(format_report(report))
    if not report.healthy:
        click.echo("需要处理：运行 tuoyu doctor --repair" if not repair else "仍有问题未能修复", err=True)
        sys.exit(1)


@main.group()
def audit() -> None:
    """The audit log of writes and personal-data reads."""


@audit.command("verify")
def audit_verify() -> None:
    """Recompute the hash chain; exit code 1 and the first bad entry when it was tampered with."""
    from service.audit import verify_chain

    checked, bad = _run(lambda rt: verify_chain())
    if bad is not None:
        click.echo(f"审计日志被篡改：第 {bad} 条记录与哈希链不符（之前 {checked} 条完好）", err=True)
        sys.exit(1)
    click.echo(f"审计日志完好：{checked} 条记录，哈希链一致")


@main.group()
def keys() -> None:
    """Certificate signing keys (Ed25519): list, rotate."""


@keys.command("rotate")
def keys_rotate() -> None:
    """Retire the signing key (verify-only from now on) and create a new one (0600).

    Restart every service and worker process afterwards: they sign with the new key and keep
    verifying every earlier certificate with the retired keys."""
    from certification.signing import rotate_key

    settings = get_settings()
    path = settings.key_path()
    if not path.exists():
        raise CliError(f"没有可轮换的签名密钥：{path} 不存在（首次启动服务时会自动生成）")
    try:
        old, new = rotate_key(path, settings.retired_keys_folder())
    except Exception as exc:
        _fail(exc)
    click.echo(f"已退役密钥 {old}（仅用于验证，公钥在 {settings.retired_keys_folder()}）")
    click.echo(f"新签名密钥 {new}（{path}，权限 0600）")
    click.echo("请重启所有服务和 worker 进程以使用新密钥")


@keys.command("list")
def keys_list() -> None:
    """The signing key's kid and every key that still verifies (as in /.well-known/jwks.json)."""
    from service.runtime import load_keyring

    try:
        ring = load_keyring(get_settings())
    except Exception as exc:
        _fail(exc)
    for jwk in ring.jwks()["keys"]:
        role = "签名" if jwk["kid"] == ring.kid else "仅验证"
        click.echo(f"{jwk['kid']}  {role}")


@main.command()
def relay() -> None:
    """Deliver the background work that is due now (outbox), once."""

    async def run(rt: Runtime) -> int:
        return await rt.dispatcher.relay()

    click.echo(f"已投递 {_run(run)} 条")


from service.cli_targets import targets_group  # noqa: E402  (after main: it uses its helpers)
from service.cli_training import training_group  # noqa: E402  (after main: it uses its helpers)

main.add_command(training_group)
main.add_command(targets_group)

from service.cli_checks import checks_group  # noqa: E402

main.add_command(checks_group)

from service.cli_imports import export_command, import_command  # noqa: E402

main.add_command(import_command)
main.add_command(export_command)

if __name__ == "__main__":
    main()
