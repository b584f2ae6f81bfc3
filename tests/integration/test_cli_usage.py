"""``tuoyu`` typed wrongly, as a subprocess: click's usage errors are one Chinese line with a hint
to ``--help`` (exit code 2) on the top-level command as on its subcommands; a group typed alone
shows its help. The commands run one after another in one process (``tests/cli_batch.py``)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.integration.test_imports_cli import tuoyu
from tests.integration.test_training_cli import REPO, _env


def test_usage_errors_are_one_chinese_line_at_every_level(tmp_path: Path) -> None:
    data = tmp_path / "data"
    cases = {
        ("--bogus",): "错误：没有选项 --bogus（加 --help 查看用法）",  # the top-level group's own option
        ("-x", "targets"): "错误：没有选项 -x（加 --help 查看用法）",
        ("nosuchcommand",): "错误：没有这个命令：nosuchcommand（加 --help 查看用法）",
        ("training", "--bogus"): "错误：没有选项 --bogus（加 --help 查看用法）",
        ("training", "nosuch"): "错误：没有这个命令：nosuch（加 --help 查看用法）",
        # an option typed without its value is named
        ("create-admin", "--username"): "错误：选项 --username 缺少值（加 --help 查看用法）",
        ("training", "trainers", "--district"): "错误：选项 --district 缺少值（加 --help 查看用法）",
        ("migrate", "extra"): "错误：多余的参数：extra（加 --help 查看用法）",
    }
    # a group typed alone is a request for its help, not a mistake to translate
    # … in Chinese: 用法, the sections, each command's description
    helps = {
        (): ("用法：python -m service.cli [OPTIONS] COMMAND", "training      培训工具：批量排课"),
        ("training",): (
            "用法：python -m service.cli training [OPTIONS] COMMAND",
            "recurring-sessions  在两个日期之间按选定的星期几批量创建课次",
        ),
        ("audit",): ("用法：python -m service.cli audit [OPTIONS] COMMAND", "verify  重新计算哈希链"),
        ("checks",): (
            "用法：python -m service.cli checks [OPTIONS] COMMAND",
            "overdue          背景审查已逾期",
        ),
    }
    runs = tuoyu(data, *(list(args) for args in (*cases, *helps)))
    for (args, says), run in zip(cases.items(), runs[: len(cases)], strict=True):
        assert (run.returncode, run.stderr, run.stdout) == (2, says + "\n", ""), args
    for (args, (usage, lists)), run in zip(helps.items(), runs[len(cases) :], strict=True):
        assert run.returncode == 2 and run.stderr.startswith(usage), (args, run.stderr)
        assert lists in run.stderr and "错误" not in run.stderr, (args, run.stderr)
        assert "\n选项：\n  --help  显示此帮助并退出\n\n命令：\n" in run.stderr, (args, run.stderr)
        assert "Usage" not in run.stderr and "Show this message" not in run.stderr, (args, run.stderr)


def test_a_command_help_is_chinese(tmp_path: Path) -> None:
    (run,) = tuoyu(tmp_path / "data", ["training", "recurring-sessions", "--help"])
    assert run.returncode == 0 and run.stdout.startswith(
        "用法：python -m service.cli training recurring-sessions"
    )
    assert "--start TEXT             开始时间（本地），如 14:00  [必填]" in run.stdout, run.stdout
    assert "required" not in run.stdout and "Options" not in run.stdout, run.stdout


def test_a_value_the_command_model_refuses_is_one_chinese_line_naming_the_option(tmp_path: Path) -> None:
    data = tmp_path / "data"
    sessions = ("training", "recurring-sessions", "2", "--weekday", "5", "--from", "2026-12-04")
    sessions += ("--to", "2026-12-25", "--end", "16:00")
    starts = ("25:00", "abc")
    wrong_end = [*sessions[:-2], "--start", "8点", "--end", "24:30"]
    admin_args = ["create-admin", "--username", "a b", "--password", "Vq7!rT9#kLm2$wXz-long"]
    *runs, both, admin = tuoyu(
        data, *([*sessions, "--start", start] for start in starts), wrong_end, admin_args
    )
    for start, run in zip(starts, runs, strict=True):
        assert (run.returncode, run.stderr, run.stdout) == (
            1,
            "错误：输入不符合要求：选项 --start 应为时间（HH:MM）\n",
            "",
        ), start
    assert (
        both.stderr == "错误：输入不符合要求：选项 --start 应为时间（HH:MM）；选项 --end 应为时间（HH:MM）\n"
    )
    # a model inside the command's run (the account) names the options too
    assert (admin.returncode, admin.stderr) == (1, "错误：输入不符合要求：选项 --username 格式不正确\n")
    assert "Traceback" not in admin.stderr + both.stderr


def test_serve_demo_on_redis_without_a_worker_says_to_run_one(tmp_path: Path, redis_url: str) -> None:
    """On Redis the demo's certificates are rendered by ``tuoyu worker``: with none running,
    ``tuoyu serve --demo`` says so at once, in Chinese — not after minutes, not in English."""
    env = _env(tmp_path / "data")
    env.update(TUOYU_REDIS_URL=redis_url, TUOYU_TASK_QUEUE="tuoyu-cli-nobody-consumes")
    run = subprocess.run(
        [sys.executable, "-m", "service.cli", "serve", "--demo", "--port", "1"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    last = run.stderr.strip().splitlines()[-1]
    assert run.returncode == 1, run.stdout + run.stderr
    assert last.startswith("错误：没有正在运行的后台任务 worker（队列 tuoyu-cli-nobody-consumes）"), (
        run.stderr
    )
    assert "运行 tuoyu worker" in last and "意外错误" not in last and "pending" not in last
    assert "生成从业人员队伍" not in run.stdout + run.stderr  # refused before the workforce was made
