"""The README's API script ("The four users' flows" and "Training in depth", CLI lines included)
run top to bottom with bash against ``tuoyu serve --demo``, at two hours of the local day: it
used to break before 16:00 (the class's session of today was not over, so ``complete`` answered
409 and everything after the certificate failed), picked the online class for "next month's",
and ran the CLI on fixed December dates outside the class.

The hour is chosen with the business time zone (``TUOYU_TIMEZONE``, and ``TZ`` for the script's
``date``): the real clock, read in a zone where it is early morning or late evening now."""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.e2e.conftest import serve_demo
from tests.servers import REPO

EXPECTED_REFUSALS = {"checkin_refused", "progress_refused", "training_invalid"}
"""The refusals the script shows on purpose: the QR code scanned after 31 s, the heartbeat past
the video's end, the evaluation before the class completed."""


def readme_script() -> str:
    """The bash blocks of the two sections, in order."""
    text = (REPO / "README.md").read_text()

    def section(title: str, following: str) -> str:
        start = text.index(title)
        return text[start : text.index(following, start)]

    parts = section("## The four users' flows (HTTP API)", "## Certification in depth")
    parts += section("## Training in depth", "## Talent pool in depth")
    return "\n".join(re.findall(r"```bash\n(.*?)```", parts, re.S))


def zone_at(hour: int) -> str:
    """An ``Etc/GMT±N`` zone in which the local hour is ``hour`` now (POSIX signs: ``Etc/GMT+7``
    is UTC−7)."""
    offset = (hour - dt.datetime.now(dt.UTC).hour + 12) % 24 - 12
    return f"Etc/GMT{-offset:+d}"


@pytest.mark.parametrize("hour", [6, 23], ids=["early-morning", "late-evening"])
async def test_the_readme_api_script_runs_at_any_hour(
    tmp_path_factory: pytest.TempPathFactory, tmp_path: Path, hour: int
) -> None:
    zone = zone_at(hour)
    async with serve_demo(tmp_path_factory, f"readme{hour}", timezone=zone) as server:
        log = server.data_dir / "serve.log"
        script = readme_script()
        assert "read -r -p '验证码: ' CODE </dev/tty" in script and "API=http://127.0.0.1:8000" in script
        script = script.replace("API=http://127.0.0.1:8000", f"API={server.url}")
        script = script.replace(  # the code the demo's console SMS printed, instead of typing it
            "read -r -p '验证码: ' CODE </dev/tty",
            f"sleep 1; CODE=$(grep -o '实名验证码为 [0-9]*' {log} | tail -1 | grep -o '[0-9]*$')",
        )
        script = "set -euo pipefail\n" + script.replace("Asia/Shanghai", zone)
        (tmp_path / ".venv").symlink_to(Path(sys.prefix))  # the script calls .venv/bin/tuoyu
        env = {k: v for k, v in os.environ.items() if not k.startswith("TUOYU_")}
        env.update(
            TUOYU_DATABASE_URL=server.database_url,
            TUOYU_DATA_DIR=str(server.data_dir),
            TUOYU_TIMEZONE=zone,
            TZ=zone,
        )
        run = subprocess.run(
            ["bash", "-c", script], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600
        )
    said = run.stdout + run.stderr
    assert run.returncode == 0, said[-4000:]
    refused = set(re.findall(r'"status":[45]\d\d,[^{}]*?"code":"([a-z_]+)"', run.stdout))
    assert refused == EXPECTED_REFUSALS, said[-4000:]
    assert '"completed":1,"not_completed":0' in run.stdout  # the class completed, whatever the hour
    assert '"outcome":"revoked"' in run.stdout  # … so the certificate was issued, checked and revoked
    assert re.search(r"共创建 [1-9]\d* 次课", run.stdout) and "已写入 补贴花名册.xlsx" in run.stdout
    assert "错误" not in run.stderr and "Traceback" not in said
