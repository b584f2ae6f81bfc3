"""Several ``tuoyu`` commands, one after another, in ONE process: ``python -m tests.cli_batch``
reads a JSON list of argument lists on stdin (``[["import", "employers", "a.csv"], …]``) and
prints one JSON list, per command ``{"code": <exit code>, "stdout": …, "stderr": …}``.

For the CLI tests on the embedded SQLite default: each command still goes through the real
entry point (``service.cli.main``: its option parsing, its Chinese errors, its exit codes, a
runtime built and stopped per command, the same ``TUOYU_*`` environment) on the same data
folder, but the interpreter and the app's modules start once instead of once per command —
the start-up was most of those tests' time. The process itself must end on its own (the
caller's ``timeout``), so a command that leaves something running still fails the test.
An exception that escapes a command is shown in its ``stderr`` with exit code 1, as a process
of its own would. See :func:`run_commands` for the caller's side.
"""

from __future__ import annotations

import json
import subprocess
import sys
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Ran:
    """What one command of a batch gave: the same three fields as ``subprocess.CompletedProcess``."""

    returncode: int
    stdout: str
    stderr: str


def run_commands(
    commands: list[list[str]], *, env: dict[str, str], cwd: Path, timeout: float = 300
) -> list[Ran]:
    """Run ``commands`` (each an argument list after ``tuoyu``) in one subprocess, in order;
    returns what each gave. Raises ``AssertionError`` when the batch process itself fails."""
    proc = subprocess.run(
        [sys.executable, "-m", "tests.cli_batch"],
        input=json.dumps(commands),
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    results = json.loads(proc.stdout.splitlines()[-1])
    return [Ran(r["code"], r["stdout"], r["stderr"]) for r in results]


PROG_NAME = "python -m service.cli"


def _one(argv: list[str]) -> dict[str, Any]:
    from click.testing import CliRunner

    from service.cli import main

    # the name click shows in usage lines, as it detects it in ``python -m service.cli``
    result = CliRunner().invoke(main, argv, prog_name=PROG_NAME)
    stderr = result.stderr
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        assert result.exc_info is not None
        stderr += "".join(traceback.format_exception(*result.exc_info))
    return {"code": result.exit_code, "stdout": result.stdout, "stderr": stderr}


def main() -> None:
    """Read the commands on stdin, run them, print the results as one JSON line."""
    commands = json.loads(sys.stdin.read())
    print(json.dumps([_one(argv) for argv in commands], ensure_ascii=False))


if __name__ == "__main__":
    main()
