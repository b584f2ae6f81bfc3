"""``tuoyu serve --demo`` interrupted while it seeds the embedded SQLite database (Ctrl-C, or
killed outright) and started again: the second start completes the demo and serves it."""

from __future__ import annotations

import signal
import sqlite3
from pathlib import Path

import httpx
import pytest

from tests.faults.conftest import Proc, Rig, free_port, tuoyu_env, wait_until

DEMO_PASSWORD = "tuoyu-demo-2025"  # service/demo.py
DEMO_LOGINS = ("admin", "base1", "employer1", "trainee1")


def _rows(database: Path, table: str) -> int:
    try:
        with sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=0.05) as conn:
            return int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])
    except sqlite3.Error:  # not created yet, or a writer holds the lock right now
        return 0


def _interrupt_when(proc: Proc, database: Path, table: str, sig: int) -> None:
    """Send ``sig`` to ``proc`` as soon as ``table`` has a row; wait until the process is gone."""
    wait_until(lambda: _rows(database, table) > 0 or not proc.alive(), 120, f"rows in {table}", 0.02)
    assert proc.alive(), "the demo finished seeding before it could be interrupted:\n" + proc.tail()
    proc.signal(sig)
    wait_until(lambda: not proc.alive(), 30, f"{proc.name} gone after signal {sig}")


@pytest.mark.parametrize(
    ("sig", "table"),
    [
        (signal.SIGINT, "tr_enrollment"),
        (signal.SIGKILL, "tr_enrollment"),
        (signal.SIGKILL, "ce_certificate_document"),
    ],
    ids=["sigint-while-the-cohort-enrolls", "sigkill-while-the-cohort-enrolls", "sigkill-while-rendering"],
)
def test_the_demo_interrupted_while_seeding_then_started_again(rig: Rig, sig: int, table: str) -> None:
    """A first ``tuoyu serve --demo`` is interrupted (SIGINT like Ctrl-C, or SIGKILL) once its
    demo cohort has begun to enroll — or once the cohort's certificates have begun to render —
    long after the workforce was committed and before it serves. The process ends (Ctrl-C
    does not leave it hanging) and a second ``tuoyu serve --demo`` on the same folder starts
    serving: the four demo logins work with the demo password and the public catalog lists
    an offering."""
    data = rig.path("data")
    env = tuoyu_env(data)
    port = free_port()
    first = rig.start("serve", ["serve", "--demo", "--port", str(port)], env)
    _interrupt_when(first, data / "tuoyu.sqlite", table, sig)
    assert "Started server process" not in first.log()  # interrupted while seeding, not serving

    second = rig.serve(env, args=["--demo"], port=port, timeout=180)
    for username in DEMO_LOGINS:
        answer = httpx.post(
            second.url + "/api/auth/login", json={"username": username, "password": DEMO_PASSWORD}, timeout=30
        )
        assert answer.status_code == 201, (username, answer.text)
    catalog = httpx.get(second.url + "/api/catalog/offerings", timeout=30)
    assert catalog.status_code == 200 and len(catalog.json()) >= 1, catalog.text
