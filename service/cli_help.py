"""``tuoyu … --help`` in Chinese: ``用法：`` for click's ``Usage:``, ``选项`` / ``命令`` for its
section titles and ``显示此帮助并退出`` for ``--help`` itself. The descriptions are the
commands' own docstrings (their first paragraph, in Chinese, is the one-line summary a group
lists). :class:`ChineseCommand` is the class of every ``tuoyu`` command; groups are
:class:`service.cli_errors.ChineseGroup`, which also uses :class:`ChineseContext`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import click

SECTIONS = {"Options": "选项", "Commands": "命令", "Arguments": "参数"}
"""click's English help section titles → Chinese."""

HELP_OPTION = "显示此帮助并退出"

_EXTRA = re.compile(r"\[([^\[\]]*)\]$")
"""The bracket click appends to an option's help: ``[default: 2; 1<=x<=7; required]``."""


def _chinese_extra(text: str) -> str:
    def words(m: re.Match[str]) -> str:
        return "[" + m[1].replace("default: ", "默认：").replace("required", "必填") + "]"

    return _EXTRA.sub(words, text)


class ChineseFormatter(click.HelpFormatter):
    """click's help formatter with a Chinese usage prefix, section titles (with a full-width
    colon) and option notes (``[必填]``, ``[默认：2]``)."""

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        super().write_usage(prog, args, "用法：" if prefix is None else prefix)

    def write_heading(self, heading: str) -> None:
        self.write(f"{'':>{self.current_indent}}{SECTIONS.get(heading, heading)}：\n")

    def write_dl(self, rows: Iterable[tuple[str, str]], col_max: int = 30, col_spacing: int = 2) -> None:
        super().write_dl([(term, _chinese_extra(text)) for term, text in rows], col_max, col_spacing)


class ChineseContext(click.Context):
    """A context whose help is written by :class:`ChineseFormatter`."""

    formatter_class = ChineseFormatter


class ChineseHelp:
    """Mixin for click commands and groups: help in Chinese (:class:`ChineseContext`) and the
    ``--help`` option described in Chinese."""

    context_class: type[click.Context] = ChineseContext

    def get_help_option(self, ctx: click.Context) -> click.Option | None:
        option = super().get_help_option(ctx)  # type: ignore[misc]
        if option is not None:
            option.help = HELP_OPTION
        return option  # type: ignore[no-any-return]


class ChineseCommand(ChineseHelp, click.Command):
    """A ``tuoyu`` command (help in Chinese, see the module docstring)."""
