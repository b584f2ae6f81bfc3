"""The one way a ``tuoyu`` command fails: a Chinese line on stderr and exit code 1.

Click prints its own ``ClickException`` as ``Error: <message>``; :class:`CliError` prints
``错误：<message>`` — the message a user reads, never an English prefix or a Python class name.
"""

from __future__ import annotations

from typing import IO, Any

import click
from click.exceptions import NoArgsIsHelpError


class CliError(click.ClickException):
    """A failed command: ``message`` (Chinese) printed as ``错误：<message>`` on stderr; exit code
    1 (``click.ClickException.exit_code``)."""

    def show(self, file: IO[Any] | None = None) -> None:
        click.echo(f"错误：{self.format_message()}", err=True, file=file)


class CliUsageError(click.UsageError):
    """A command typed wrongly (a missing option, an unknown choice, a file that does not exist),
    told in Chinese as ``错误：<message>`` plus a hint to ``--help``; exit code 2 like click's own."""

    def show(self, file: IO[Any] | None = None) -> None:
        click.echo(f"错误：{self.format_message()}（加 --help 查看用法）", err=True, file=file)


def _param_name(param: click.Parameter | None) -> str:
    if param is None:
        return "参数"
    if isinstance(param, click.Option):
        return f"选项 {max(param.opts, key=len)}"
    return f"参数 {(param.human_readable_name or '').upper()}"


def chinese_usage(exc: click.UsageError) -> CliUsageError:
    """click's English usage error → one Chinese line naming the option or argument at fault.

    Rules: missing → ``缺少<选项/参数>``; a file that does not exist → ``文件不存在``; a choice
    → the accepted values; a number or date of the wrong form → what it should be; an unknown
    option or command → its name."""
    message = exc.format_message()
    if isinstance(exc, click.NoSuchOption):
        text = f"没有选项 {exc.option_name}"
    elif isinstance(exc, click.MissingParameter):
        text = f"缺少{_param_name(exc.param)}"
    elif isinstance(exc, click.BadParameter):
        where = _param_name(exc.param)
        if "does not exist" in message:
            text = f"{where}：文件不存在"
        elif "is a directory" in message:
            text = f"{where}：应为文件，不是文件夹"
        elif isinstance(exc.param, click.Parameter) and isinstance(exc.param.type, click.Choice):
            text = f"{where} 应为以下之一：{'、'.join(map(str, exc.param.type.choices))}"
        elif "valid integer" in message:
            text = f"{where} 应为整数"
        elif "range" in message:
            bounds = (
                getattr(getattr(exc.param, "type", None), "min", None),
                getattr(getattr(exc.param, "type", None), "max", None),
            )
            shown = "–".join("" if b is None else str(b) for b in bounds) if bounds != (None, None) else ""
            text = f"{where} 超出允许范围" + (f"（{shown}）" if shown else "")
        elif "does not match the format" in message:
            text = f"{where} 应为日期（YYYY-MM-DD）"
        else:
            text = f"{where} 的值无效"
    elif message.startswith("No such command"):
        text = "没有这个命令：" + message.removeprefix("No such command").strip(" .'\"")
    else:
        text = "命令用法不正确"
    out = CliUsageError(text, ctx=exc.ctx)
    return out


def _translated(exc: click.UsageError) -> click.UsageError:
    """The error to raise for ``exc``: told in Chinese, unless it already is or it is click's
    "no arguments: show the help" (:class:`click.exceptions.NoArgsIsHelpError`, which prints the
    group's help — ``tuoyu training`` alone lists its commands)."""
    if isinstance(exc, CliUsageError | NoArgsIsHelpError):
        return exc
    return chinese_usage(exc)


class ChineseGroup(click.Group):
    """The ``tuoyu`` command group: click's usage errors told in Chinese (:func:`chinese_usage`)
    — of any subcommand (raised while this group invokes it) and of the group itself (its own
    options and arguments, raised while it parses them: ``tuoyu --bogus``)."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        try:
            return super().parse_args(ctx, args)
        except click.UsageError as exc:
            raise _translated(exc) from None

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except click.UsageError as exc:
            raise _translated(exc) from None
