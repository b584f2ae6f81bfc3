"""The targets in depth on the embedded SQLite default: every scope family, drill-down lists,
base history and snapshots run there too (the statements are written for both engines)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.cli_batch import run_commands
from tests.integration.test_embedded_sqlite import REPO, _env

FLOW = r"""
import asyncio, datetime as dt

async def main():
    from service.bootstrap import prepare
    from talent_pool.db import engine_for_url, start_pool, use_engine
    from worker.settings import WorkerSettings
    engine = engine_for_url(WorkerSettings().db_url)
    use_engine(engine)
    await start_pool(engine)
    await prepare(engine)
    import talent_pool
    from talent_pool.identity import uscc_check_character
    from tests.factories import credential, employ, make_employer, register_people
    from tests.factories import training_base, training_record
    from worker.targets import targets_report
    today = dt.date(2026, 11, 29)
    code = "91370102MA3C0X1P6"
    jf = await make_employer(credit_code=code + uscc_check_character(code), street_code="370176001")
    a, b = await register_people(2)
    await employ(jf, [a, b])
    await credential(a, number="N1", issued_on=dt.date(2026, 1, 5), expires_on=dt.date(2026, 12, 31),
                     source_ref="c1")
    await training_record(a, hours="8", completed_on=dt.date(2026, 3, 1), source_ref="t1")
    await training_base(accredited_on=dt.date(2026, 3, 1))
    reports = await targets_report(
        today, levels=["city", "district", "zone", "street"], scopes=[f"employer:{jf}"])
    by = {r.scope: r for r in reports}
    for scope in ("city", "370102", "zone:370176", "street:370176001", f"employer:{jf}"):
        r = by[scope]
        per = r.indicator("trainings_per_practitioner")
        print(scope, r.employed_practitioners, r.indicator("certification_rate").numerator,
              per.numerator, per.status)
    print("targets", [str(i.target) for i in by["city"].indicators])  # as PostgreSQL stores them
    print("bases", by["city"].indicator("training_bases").value,
          (await targets_report(today, year=2025, scopes=["city"]))[0].indicator("training_bases").value)
    page = await talent_pool.drill_down_list("expiring", 2026, today=today, scope="zone:370176")
    print("expiring", [(p.practitioner_id == a, p.due_on, p.detail) for p in page.people])
    first = await talent_pool.write_snapshots(today, reports)
    print("snapshots", first, await talent_pool.write_snapshots(today, reports))
    print("trend", [(p.month, p.employed_practitioners) for p in await talent_pool.trend("city", 2026)])

asyncio.run(main())
"""


def test_targets_run_on_sqlite(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-c", FLOW],
        cwd=REPO,
        env=_env(tmp_path / "data"),
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert proc.stdout.splitlines() == [
        "city 2 1 1 at_risk",
        "370102 2 1 1 at_risk",
        "zone:370176 2 1 1 at_risk",
        "street:370176001 2 1 1 at_risk",
        "employer:1 2 1 1 at_risk",
        "targets ['90.00', '1.00', '10000.00', '10.00']",
        "bases 1 0",
        "expiring [(True, datetime.date(2026, 12, 31), 'N1')]",
        "snapshots 181 0",
        "trend [('2026-11', 2)]",
    ]


def test_targets_cli(tmp_path: Path) -> None:
    """``tuoyu migrate``, ``seed`` and ``targets …`` on one data folder, in one process
    (``tests/cli_batch.py``), in order."""
    migrated, seeded, shown, bad, first, again, listed = run_commands(
        [
            ["migrate"],
            ["seed"],
            ["targets", "show", "--levels", "zone", "--as-of", "2026-03-01"],
            ["targets", "show", "--scope", "zone:nowhere"],
            ["targets", "snapshot"],
            ["targets", "snapshot"],
            ["targets", "list", "uncertified", "--scope", "370102"],
        ],
        env=_env(tmp_path / "data"),
        cwd=REPO,
        timeout=180,
    )
    assert migrated.returncode == 0 and seeded.returncode == 0, migrated.stderr + seeded.stderr
    assert shown.returncode == 0, shown.stderr[-2000:]
    assert shown.stdout.splitlines()[0] == "济南高新技术产业开发区（zone:370176）2026-03-01 从业人员 0"
    assert "从业人员持证率：无数据（0/0）目标 >=90" in shown.stdout
    assert "实训基地：无数据（—）目标 — 全年预计 — —" in shown.stdout  # a zone has no base count
    assert bad.returncode != 0 and "范围 zone:nowhere 不存在" in bad.stderr
    assert first.returncode == 0 and first.stdout.strip() == "已写入 180 个范围的快照", first.stderr[-2000:]
    assert again.stdout.strip() == "当日快照已存在，未重复写入"
    assert listed.returncode == 0 and listed.stdout.startswith("uncertified 370102 ")
