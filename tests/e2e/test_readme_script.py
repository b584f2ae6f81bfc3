"""The README's API script ("The four users' flows" and "Training in depth", CLI lines included)
run top to bottom with bash against ``tuoyu serve --demo``, at two hours of the local day: it
used to break before 16:00 (the class's session of today was not over, so ``complete`` answered
409 and everything after the certificate failed), picked the online class for "next month's",
and ran the CLI on fixed December dates outside the class.

The hour is chosen with the business time zone (``TUOYU_TIMEZONE``, and ``TZ`` for the script's
``date``): the real clock, read in a zone where it is early morning or late evening now."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import re
import sys
from asyncio.subprocess import PIPE
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


HOURS = {"early-morning": 6, "late-evening": 23}


async def _run_at(hour: int, tmp_path_factory: pytest.TempPathFactory, workdir: Path) -> tuple[int, str, str]:
    """The script against its own demo server at local ``hour``: (exit code, stdout, stderr)."""
    zone = zone_at(hour)
    workdir.mkdir()
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
        (workdir / ".venv").symlink_to(Path(sys.prefix))  # the script calls .venv/bin/tuoyu
        env = {k: v for k, v in os.environ.items() if not k.startswith("TUOYU_")}
        env.update(
            TUOYU_DATABASE_URL=server.database_url,
            TUOYU_DATA_DIR=str(server.data_dir),
            TUOYU_TIMEZONE=zone,
            TZ=zone,
        )
        proc = await asyncio.create_subprocess_exec(
            "bash", "-c", script, cwd=workdir, env=env, stdout=PIPE, stderr=PIPE
        )
        try:
            out, err = await asyncio.wait_for(proc.communicate(), timeout=600)
        finally:
            if proc.returncode is None:
                proc.kill()
                await proc.wait()
    return proc.returncode or 0, out.decode(errors="replace"), err.decode(errors="replace")


async def test_the_readme_api_script_runs_at_any_hour(
    tmp_path_factory: pytest.TempPathFactory, tmp_path: Path
) -> None:
    # both hours at once: most of a run is the script's own waits (the QR code scanned late)
    runs = await asyncio.gather(*(_run_at(h, tmp_path_factory, tmp_path / name) for name, h in HOURS.items()))
    for name, (code, stdout, stderr) in zip(HOURS, runs, strict=True):
        said = f"[{name}] " + (stdout + stderr)[-4000:]
        assert code == 0, said
        refused = set(re.findall(r'"status":[45]\d\d,[^{}]*?"code":"([a-z_]+)"', stdout))
        assert refused == EXPECTED_REFUSALS, said
        assert '"completed":1,"not_completed":0' in stdout, said  # the class completed, whatever the hour
        assert '"outcome":"revoked"' in stdout, said  # … so the certificate was issued, checked and revoked
