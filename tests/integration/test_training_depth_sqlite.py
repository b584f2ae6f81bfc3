"""Training in depth on the embedded SQLite default (a fresh file, no servers): the migrations
apply, and recurring sessions, QR check-in, an offline batch uploaded twice, a correction, bulk
enrollment, trainer double booking, heartbeats, notices sent once, completion and the subsidy xlsx
behave as on PostgreSQL."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def test_training_in_depth_on_a_fresh_sqlite_file(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TUOYU_")}
    env["TUOYU_DATA_DIR"] = str(tmp_path / "data")
    env["PYTHONPATH"] = str(REPO)
    proc = subprocess.run(
        [sys.executable, "-m", "tests.integration.sqlite_depth_flow"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-5000:]
    import json

    line = next(x for x in proc.stdout.splitlines() if x.startswith("RESULT "))
    out = json.loads(line.removeprefix("RESULT "))
    assert out["days"] == ["2024-09-06", "2024-09-13", "2024-09-20", "2024-09-27"]
    assert out["weekdays"] == [5]
    assert out["scans"] == ["checked_in", "already_checked_in", True]
    assert out["expired"] == "二维码已过期，请扫描屏幕上最新的二维码"
    assert out["batch"] == [["recorded", "recorded", "refused"], ["duplicate", "duplicate", "refused"], True]
    assert out["history"] == ["correct", "补签"]
    assert out["short"] == {"requested": 3, "seats_left": 2}
    assert out["filled"] == [2, 1, 0]
    assert out["double_booked"] == "trainer_unavailable"
    assert out["progress"] == [0, 15, 15]
    assert out["two_lessons"] == [0, 15]  # 30 s of real time, not 45 (one clock per enrollment)
    assert out["notices"] == [3, 0, 3]
    assert out["completed"] == [1, 2, 1] and out["xlsx"] is True
