"""The regulators' queries of refused writes (``service.audit_refusals``) on the embedded SQLite
default (a fresh file, no servers): local-day bounds, counts per login and status, the first and
last time from SQLite's text aggregates, as on PostgreSQL."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def test_refused_writes_are_listed_and_counted_on_a_fresh_sqlite_file(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TUOYU_")}
    env["TUOYU_DATA_DIR"] = str(tmp_path / "data")
    env["PYTHONPATH"] = str(REPO)
    proc = subprocess.run(
        [sys.executable, "-m", "tests.integration.sqlite_refusals_flow"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-5000:]
    line = next(x for x in proc.stdout.splitlines() if x.startswith("RESULT "))
    out = json.loads(line.removeprefix("RESULT "))
    # 30 November local: three refusals (the one of the evening before is 29 November local)
    assert out["page"] == [[429, "2026-11-30T02:03:15+00:00"], [409, "2026-11-30T02:02:15+00:00"], 3]
    assert out["by_account"] == [
        [4, {"404": 2, "409": 1, "429": 1}, "2026-11-29T14:20:15+00:00", "2026-11-30T02:03:15+00:00"]
    ]
    assert out["since"] == 2  # the 429 is not counted toward the day's budget
    assert out["district"] == [True, False]
