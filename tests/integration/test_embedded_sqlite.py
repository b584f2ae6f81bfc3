"""The embedded default: ``tuoyu demo`` on SQLite in a temporary folder, no servers."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def _env(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TUOYU_")}
    env["TUOYU_DATA_DIR"] = str(data_dir)
    env["PYTHONPATH"] = str(REPO)
    return env


def test_demo_runs_on_sqlite(tmp_path: Path) -> None:
    out = tmp_path / "out"
    proc = subprocess.run(
        [sys.executable, "-m", "service.cli", "demo", "--out", str(out)],
        cwd=tmp_path,
        env=_env(tmp_path / "data"),
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert (tmp_path / "data" / "tuoyu.sqlite").exists()
    pngs, pdfs = sorted(out.glob("*.png")), sorted(out.glob("*.pdf"))
    assert pngs and len(pngs) == len(pdfs)
    assert pdfs[0].read_bytes().startswith(b"%PDF")
    text = proc.stdout
    assert "：valid" in text and "后核验：revoked" in text and "：forged" in text
    assert "培训前" in text and "培训后" in text
    # a second run on the same folder reuses the workforce and runs another cohort
    again = subprocess.run(
        [sys.executable, "-m", "service.cli", "demo", "--out", str(out)],
        cwd=tmp_path,
        env=_env(tmp_path / "data"),
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert again.returncode == 0, again.stdout[-3000:] + again.stderr[-3000:]
    assert "不再生成" in again.stdout


def test_an_sqlite_connection_left_open_does_not_keep_the_process_alive(tmp_path: Path) -> None:
    """A connection never closed — what a task cancelled by Ctrl-C in the middle of its work
    leaves behind — must not keep the process from exiting (aiosqlite runs every connection on
    a thread of its own; ``tuoyu serve --demo`` interrupted while seeding used to hang)."""
    script = (
        "import asyncio\n"
        "from talent_pool.db import engine_for_url\n"
        f"engine = engine_for_url('sqlite:///{tmp_path / 'left-open.sqlite'}')\n"
        "left_open = asyncio.run(engine.get_connection())  # still referenced, never closed\n"
        "print('finished')\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", script],
        cwd=tmp_path,
        env=_env(tmp_path / "data"),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert (proc.returncode, proc.stdout) == (0, "finished\n"), proc.stderr[-3000:]
