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

from service.cli_errors import ChineseGroup, CliError, invalid_input
from service.settings import Settings, get_settings, served_url

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
    ``TUOYU_DEBUG=1``): a domain error's Chinese message alone — no Python class name —, a
    pydantic model's refusal as the options at fault (:func:`~service.cli_errors.invalid_input`)
    and for anything unexpected its text with a hint where the details are."""
    from pydantic import ValidationError

    from talent_pool.errors import TuoyuError

    if os.environ.get("TUOYU_DEBUG"):
        raise exc
    if isinstance(exc, TuoyuError):
        raise CliError(exc.message) from None
    if isinstance(exc, ValidationError):  # a model refused an option's value: name the option
        raise invalid_input(exc, click.get_current_context(silent=True)) from None
    message = str(exc) or "未知错误"
    raise CliError(f"意外错误：{message}（设置环境变量 TUOYU_DEBUG=1 后重试可查看详细信息）") from None


@click.group(cls=ChineseGroup)
def main() -> None:
    """Tuoyu Workforce — 托育从业人员培训、考核、发证与规划指标追踪."""


@main.command()
@click.option("--host", default=None, help="监听地址（默认 TUOYU_HOST 或 127.0.0.1）")
@click.option("--port", default=None, type=int, help="端口（默认 TUOYU_PORT 或 8000）")
@click.option("--demo", is_flag=True, help="数据库为空时先载入演示数据（从业人员与培训班）")
@click.option("--workers", default=None, type=int, help="HTTP 工作进程数（默认 TUOYU_WEB_WORKERS）")
def serve(host: str | None, port: int | None, demo: bool, workers: int | None) -> None:
    """运行 HTTP 服务。

    未设置 TUOYU_PUBLIC_URL 时，服务生成的链接（证书二维码的核验网址、签到二维码）使用实际监听的地址
    （http://HOST:PORT），因此只加 --port 或只设 TUOYU_PORT 链接也可用。"""
    import uvicorn

    settings: Settings = get_settings()
    if not os.environ.get("TUOYU_PUBLIC_URL", "").strip() and (host or port):
        # TUOYU_HOST / TUOYU_PORT alone already give their links (Settings); the options too
        os.environ["TUOYU_PUBLIC_URL"] = served_url(host or settings.host, port or settings.port)
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
@click.option("--beat/--no-beat", default=True, help="同时运行定时任务（Celery beat，定期投递待办后台任务）")
@click.option("--concurrency", default=2, type=int, help="并发任务数")
def worker(beat: bool, concurrency: int) -> None:
    """运行后台任务 worker（Celery，连接 TUOYU_REDIS_URL）。"""
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
    """执行尚未应用的数据库迁移。"""
    from service.migrations import migrate as run

    _run(lambda rt: run())
    click.echo("数据库迁移完成")


@main.command()
def seed() -> None:
    """载入基础数据：济南行政区划、规划指标、证书项目。"""
    from service.bootstrap import seed as run

    counts = _run(lambda rt: run())
    click.echo(f"参考数据已载入: {counts}")


@main.command()
@click.option(
    "--out",
    "out_dir",
    default="demo-out",
    type=click.Path(file_okay=False, path_type=Path),
    help="证书二维码 PNG 与 PDF 的输出文件夹",
)
def demo(out_dir: Path) -> None:
    """用真实基础数据跑一遍完整流程，并打印前后的指标达成情况。"""
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
    """创建市级管理员（监管部门）账号。"""
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
    help="修复能修复的问题：失败的任务、缺失的证书文件、残留的测试数据库",
)
def doctor(repair: bool) -> None:
    """检查丢失或卡住的后台任务、缺少文件的证书和残留的测试数据库；有待处理问题时退出码为 1。"""
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
    """审计日志（数据修改与个人信息查看记录）。"""


@audit.command("verify")
def audit_verify() -> None:
    """重新计算哈希链；被篡改时退出码为 1 并指出第一条不符的记录。"""
    from service.audit import verify_chain

    checked, bad = _run(lambda rt: verify_chain())
    if bad is not None:
        click.echo(f"审计日志被篡改：第 {bad} 条记录与哈希链不符（之前 {checked} 条完好）", err=True)
        sys.exit(1)
    click.echo(f"审计日志完好：{checked} 条记录，哈希链一致")


@main.group()
def keys() -> None:
    """证书签名密钥（Ed25519）：查看、轮换。"""


@keys.command("rotate")
def keys_rotate() -> None:
    """退役当前签名密钥（此后仅用于验证）并生成新密钥（权限 0600）。

    之后请重启所有服务和 worker 进程：它们用新密钥签名，并继续用已退役的密钥验证之前的所有证书。"""
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
    """列出当前签名密钥的 kid 以及仍可用于验证的所有密钥（同 /.well-known/jwks.json）。"""
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
    """把当前到期的后台任务（outbox）投递一次。"""

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
