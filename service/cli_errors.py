"""The one way a ``tuoyu`` command fails: a Chinese line on stderr and exit code 1.

Click prints its own ``ClickException`` as ``Error: <message>``; :class:`CliError` prints
``错误：<message>`` — the message a user reads, never an English prefix or a Python class name.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import IO, Any

import click
from click.exceptions import NoArgsIsHelpError
from pydantic import ValidationError

from service.cli_help import ChineseCommand, ChineseHelp
from talent_pool.validation_text import chinese_message


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


def writable_file(path: Path) -> None:
    """Refuse, before any work, a file a command could not write: its folder missing
    (``目录不存在：<folder>``), not a folder, or it or the file not writable
    (``没有写入权限：…``); :class:`CliError` each, in Chinese."""
    folder = path.parent
    if not folder.exists():
        raise CliError(f"目录不存在：{folder}")
    if not folder.is_dir():
        raise CliError(f"不是目录：{folder}")
    if not os.access(folder, os.W_OK | os.X_OK) or (path.exists() and not os.access(path, os.W_OK)):
        raise CliError(f"没有写入权限：{path if path.exists() else folder}")


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
    elif isinstance(exc, click.BadOptionUsage) and "requires an argument" in message:
        text = f"选项 {exc.option_name} 缺少值"
    elif isinstance(exc, click.BadOptionUsage):
        text = f"选项 {exc.option_name} 用法不正确"
    elif "unexpected extra argument" in message:
        text = "多余的参数：" + message.split("(", 1)[-1].rstrip(")")
    elif message.startswith("No such command"):
        text = "没有这个命令：" + message.removeprefix("No such command").strip(" .'\"")
    else:
        text = "命令用法不正确"
    out = CliUsageError(text, ctx=exc.ctx)
    return out


def _option_for(ctx: click.Context | None, field: str) -> str:
    """How the user typed the value a model calls ``field``: ``选项 --start`` for the option
    whose click name is ``starts_at`` in ``ctx``'s command, else the field name itself."""
    for param in ctx.command.params if ctx is not None else ():
        if param.name == field:
            return _param_name(param)
    return field


def invalid_input(exc: ValidationError, ctx: click.Context | None = None) -> CliError:
    """A pydantic model refused what a command was given (``--start 25:00``) → one Chinese line
    per failing field, ``<选项> <reason>`` (:func:`~talent_pool.validation_text.chinese_message`),
    the option named as typed when ``ctx`` is the command's context; never pydantic's English
    report or a traceback."""
    lines = []
    for error in exc.errors():
        loc = [str(p) for p in error.get("loc", ())]
        where = _option_for(ctx, loc[0]) if loc else ""
        reason = chinese_message(str(error.get("msg", "")))
        lines.append(f"{where} {reason}".strip())
    return CliError("输入不符合要求：" + "；".join(lines))


def _translated(exc: click.UsageError) -> click.UsageError:
    """The error to raise for ``exc``: told in Chinese, unless it already is or it is click's
    "no arguments: show the help" (:class:`click.exceptions.NoArgsIsHelpError`, which prints the
    group's help — ``tuoyu training`` alone lists its commands)."""
    if isinstance(exc, CliUsageError | NoArgsIsHelpError):
        return exc
    return chinese_usage(exc)


class ChineseGroup(ChineseHelp, click.Group):
    """A ``tuoyu`` command group (``tuoyu`` itself, ``tuoyu training`` …): help in Chinese
    (:mod:`service.cli_help`; its commands are :class:`~service.cli_help.ChineseCommand`, its
    subgroups ChineseGroups), click's usage errors told in Chinese (:func:`chinese_usage`) — of
    any subcommand (raised while this group invokes it) and of the group itself (its own options
    and arguments, raised while it parses them: ``tuoyu --bogus``) — and a command's pydantic
    model refusing an option's value told as one Chinese line naming the option
    (:func:`invalid_input`)."""

    command_class = ChineseCommand
    group_class = type

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
        except ValidationError as exc:  # a command's own model refused an option's value
            raise invalid_input(exc, _subcommand_context(self, ctx)) from None


def _subcommand_context(group: click.Group, ctx: click.Context) -> click.Context | None:
    """A context for the subcommand ``group`` was invoking (its parameters name the options),
    or ``None``."""
    name = ctx.invoked_subcommand
    command = group.get_command(ctx, name) if name else None
    return click.Context(command, parent=ctx, info_name=name) if command is not None else None
