"""The one way a ``tuoyu`` command fails: a Chinese line on stderr and exit code 1.

Click prints its own ``ClickException`` as ``Error: <message>``; :class:`CliError` prints
``错误：<message>`` — the message a user reads, never an English prefix or a Python class name.
"""

from __future__ import annotations

from typing import IO, Any

import click


class CliError(click.ClickException):
    """A failed command: ``message`` (Chinese) printed as ``错误：<message>`` on stderr; exit code
    1 (``click.ClickException.exit_code``)."""

    def show(self, file: IO[Any] | None = None) -> None:
        click.echo(f"错误：{self.format_message()}", err=True, file=file)
