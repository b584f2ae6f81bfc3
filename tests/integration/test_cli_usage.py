"""``tuoyu`` typed wrongly, as a subprocess: click's usage errors are one Chinese line with a hint
to ``--help`` (exit code 2) on the top-level command as on its subcommands; a group typed alone
shows its help. The commands run one after another in one process (``tests/cli_batch.py``)."""

from __future__ import annotations

from pathlib import Path

from tests.integration.test_imports_cli import tuoyu


def test_usage_errors_are_one_chinese_line_at_every_level(tmp_path: Path) -> None:
    data = tmp_path / "data"
    cases = {
        ("--bogus",): "错误：没有选项 --bogus（加 --help 查看用法）",  # the top-level group's own option
        ("-x", "targets"): "错误：没有选项 -x（加 --help 查看用法）",
        ("nosuchcommand",): "错误：没有这个命令：nosuchcommand（加 --help 查看用法）",
        ("training", "--bogus"): "错误：没有选项 --bogus（加 --help 查看用法）",
        ("training", "nosuch"): "错误：没有这个命令：nosuch（加 --help 查看用法）",
    }
    # a group typed alone is a request for its help, not a mistake to translate
    helps = {
        (): ("Usage: python -m service.cli [OPTIONS] COMMAND", "training"),
        ("training",): ("Usage: python -m service.cli training [OPTIONS] COMMAND", "recurring-sessions"),
    }
    runs = tuoyu(data, *(list(args) for args in (*cases, *helps)))
    for (args, says), run in zip(cases.items(), runs[: len(cases)], strict=True):
        assert (run.returncode, run.stderr, run.stdout) == (2, says + "\n", ""), args
    for (args, (usage, lists)), run in zip(helps.items(), runs[len(cases) :], strict=True):
        assert run.returncode == 2 and run.stderr.startswith(usage), (args, run.stderr)
        assert lists in run.stderr and "错误" not in run.stderr, (args, run.stderr)
