"""Passwords on the embedded SQLite default (a fresh file, no servers): concurrent changes with
one current password let exactly one win, and ``tuoyu create-admin`` refuses a weak password with
its rule's message."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

from service.accounts.passwords import SEQUENCE, WHITESPACE
from tests.integration.test_imports_cli import tuoyu
from tests.integration.test_training_cli import REPO, _env


def test_concurrent_password_changes_on_sqlite_let_exactly_one_win(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "tests.integration.sqlite_password_flow"],
        cwd=REPO,
        env=_env(tmp_path / "data"),
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-5000:]
    line = next(x for x in proc.stdout.splitlines() if x.startswith("RESULT "))
    out = json.loads(line.removeprefix("RESULT "))
    assert sorted(out["codes"]) == [204, 422, 422, 422], out
    assert out["refusals"] == ["old_password"] * 3
    winner = out["codes"].index(204)
    # only the winner's new password logs in; the old one no longer does
    assert out["logins"] == [201 if i == winner else 401 for i in range(4)] + [401], out


def test_create_admin_refuses_a_weak_password_naming_the_rule(tmp_path: Path) -> None:
    data = tmp_path / "data"
    weak = (("12345678", SEQUENCE), ("        ", WHITESPACE))
    *runs, ok = tuoyu(
        data,
        *(["create-admin", "--username", "boss", "--password", password] for password, _ in weak),
        ["create-admin", "--username", "boss", "--password", "tuoyu-demo-2025"],
    )
    for (_, rule), run in zip(weak, runs, strict=True):
        assert run.returncode != 0 and run.stderr.strip() == f"错误：{rule}", run.stderr
    assert ok.returncode == 0 and "已创建市级管理员 boss" in ok.stdout, ok.stderr
    with sqlite3.connect(data / "tuoyu.sqlite") as conn:
        assert conn.execute("SELECT count(*) FROM acc_user").fetchone() == (1,)
