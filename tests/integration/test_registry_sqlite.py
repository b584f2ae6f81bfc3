"""The registry, credit and checks and the talent search on the embedded SQLite default (a fresh
file, no servers): the migrations apply and the rules behave as on PostgreSQL."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def test_registry_credit_and_search_on_a_fresh_sqlite_file(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TUOYU_")}
    env["TUOYU_DATA_DIR"] = str(tmp_path / "data")
    env["PYTHONPATH"] = str(REPO)
    proc = subprocess.run(
        [sys.executable, "-m", "tests.integration.sqlite_registry_flow"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-5000:]
    line = next(x for x in proc.stdout.splitlines() if x.startswith("RESULT "))
    out = json.loads(line.removeprefix("RESULT "))
    assert out["employer"] == [True, "社区托育点", True, 12]
    assert out["claim"] == {"lifetime_excluded": True}
    assert out["overdue"] == [True]
    assert out["flags"] == [False, True]
    assert out["excluded_after_withdrawal"] is False
    assert out["search"] == [1, ["钱*"]]
    assert out["contact"] == ["accepted"]
    assert out["after_withdrawal"] == 0

    # the command line reads the same file: the lists as a regulator would run them
    checks = subprocess.run(
        [sys.executable, "-m", "service.cli", "checks", "overdue", "--district", "370102"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert checks.returncode == 0, checks.stderr[-3000:]
    rows = [line.split("\t") for line in checks.stdout.splitlines()]
    # the CLI runs on the real local date: 赵六 (never checked, employed since 2026-01-05) is
    # overdue on any date after that; 钱七's check lapses in 2027
    assert "赵六" in [r[1] for r in rows] and {r[-1] for r in rows} == {"overdue"}
    assert f"背景审查逾期：{len(rows)} 条" in checks.stderr
    health = subprocess.run(
        [sys.executable, "-m", "service.cli", "checks", "health-expiring", "--within-days", "400"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert health.returncode == 2 and "超出允许范围（0–366）" in health.stderr  # refused by the option
    unknown = subprocess.run(
        [sys.executable, "-m", "service.cli", "checks", "overdue", "--district", "abc"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert (unknown.returncode, unknown.stdout) == (1, "")  # an error, not an empty list
    assert unknown.stderr.startswith("错误：区县代码 abc 不是本市现行区县"), unknown.stderr
