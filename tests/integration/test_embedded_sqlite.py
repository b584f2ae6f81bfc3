"""The embedded default: ``tuoyu demo`` on SQLite in a temporary folder, no servers."""

from __future__ import annotations

import json
import os
import sqlite3
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
    # the day's targets snapshot (the trend's point for this month) was taken of the demo's data,
    # not of the empty database the nightly snapshot used to find when the dispatcher started
    with sqlite3.connect(tmp_path / "data" / "tuoyu.sqlite") as conn:
        snapshots = conn.execute("SELECT data FROM tp_target_snapshot WHERE scope = 'city'").fetchall()
    assert len(snapshots) == 1
    city = json.loads(snapshots[0][0])
    assert city["employed_practitioners"] > 1000, city["employed_practitioners"]
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


EXAM_FLOW = r"""
import asyncio, datetime as dt, json, random
from decimal import Decimal

async def main():
    from service.bootstrap import prepare
    from talent_pool.db import engine_for_url, start_pool, use_engine
    from worker.settings import WorkerSettings
    engine = engine_for_url(WorkerSettings().db_url)
    use_engine(engine)
    await start_pool(engine)
    await prepare(engine)
    import certification as ce
    from certification.exam_schemas import AnswerIn, BlueprintRowIn
    from certification.schemas import SittingIn
    from certification.signing import Keyring
    from tests.factories import STANDARD_BLUEPRINT, register_people, standard_bank
    now, today = dt.datetime(2026, 11, 30, 1, tzinfo=dt.UTC), dt.date(2026, 11, 30)
    await ce.import_questions("1X-YEZH-1", standard_bank(), now=now)
    await ce.set_blueprint("1X-YEZH-1", [BlueprintRowIn.model_validate(r) for r in STANDARD_BLUEPRINT])
    (pid,) = await register_people(1, names=["陈𠮷华"])
    sitting = await ce.create_sitting(SittingIn(programme_code="1X-YEZH-1", exam_date=today), today=today)
    await ce.register_candidate(sitting.id, pid)
    attempt, _ = await ce.start_attempt(sitting.id, pid, now=now, today=today, rng=random.Random(1))
    await ce.save_answers(attempt.id, [AnswerIn(position=1, choice="A")], now=now + dt.timedelta(minutes=91))
    try:
        late = now + dt.timedelta(minutes=91, seconds=1)
        await ce.save_answers(attempt.id, [AnswerIn(position=2, choice="A")], now=late)
    except ce.Conflict as exc:
        print("late:", exc.message[:6])
    closed = await ce.get_attempt(attempt.id, now=now + dt.timedelta(hours=3))
    print("closed:", closed.status, closed.closed_at == attempt.deadline, closed.answered)
    for examiner, score in ((1, "80"), (2, "65"), (3, "76")):
        state = await ce.record_marking(
            sitting.id, pid, examiner_id=examiner, items={"skill": score}, now=now, today=today
        )
    print("practical:", state.status, state.score)
    later = now + dt.timedelta(hours=4)
    second, _ = await ce.start_attempt(sitting.id, pid, now=later, today=today, rng=random.Random(2))
    print("attempt:", second.number, second.answered)

asyncio.run(main())
"""


def test_exam_flow_runs_on_sqlite(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-c", EXAM_FLOW],
        cwd=REPO,
        env=_env(tmp_path / "data"),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert proc.stdout.splitlines() == [
        "late: 考试时间已到",
        "closed: expired True 1",
        "practical: final 78.0",
        "attempt: 2 0",
    ]


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


BULK_LIMIT_FLOW = r"""
import asyncio, datetime as dt

async def main():
    from service.bootstrap import prepare
    from talent_pool.db import engine_for_url, start_pool, use_engine
    from worker.settings import WorkerSettings
    engine = engine_for_url(WorkerSettings().db_url)
    use_engine(engine)
    await start_pool(engine)
    await prepare(engine)
    import certification as ce
    from certification._bank import json_value
    from certification.tables import BulkVerification
    from tests.factories import credential, make_id, register_people
    now, today = dt.datetime(2026, 11, 30, 1, tzinfo=dt.UTC), dt.date(2026, 11, 30)
    (pid,) = await register_people(1)
    await credential(pid, number="EXT-0001", issued_on=dt.date(2025, 6, 1), source_ref="x", source="import")
    limits = ce.IdentityLimits(per_certificate=2, per_day=10)
    for ids in ([make_id(2), make_id(3), make_id(1)], [make_id(1)]):
        text = "\n".join(f"EXT-0001\t{i}" for i in ids)
        done = await ce.create_bulk_verification(
            text, requested_by=5, employer_id=None, as_of=today, now=now, limits=limits
        )
        await ce.run_bulk_verification(done.job.id, now=now)
        print("holders:", done.holders)
    rows = await BulkVerification.select(BulkVerification.items).order_by(BulkVerification.id)
    print("plans:", [[i["identity"] for i in json_value(r["items"])] for r in rows])

asyncio.run(main())
"""


def test_bulk_identity_limits_count_on_sqlite(tmp_path: Path) -> None:
    """The identity comparisons of bulk verification are counted on the embedded default too
    (the new table created by its migration, the counts upserted)."""
    proc = subprocess.run(
        [sys.executable, "-c", BULK_LIMIT_FLOW],
        cwd=REPO,
        env=_env(tmp_path / "data"),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert proc.stdout.splitlines() == [
        "holders: [1]",
        "holders: [1]",
        "plans: [['compare', 'compare', 'over_certificate'], ['over_certificate']]",
    ]
