"""Measure ``import`` — ``tuoyu import practitioners`` of a 100,000-row xlsx against reading the
same file with openpyxl in read-only mode, with the peak memory of both (issue 12: goal < 300 MB).

The file (made once per run with openpyxl's write-only mode): a header 身份证号 / 姓名 / 手机号 and
100,000 distinct valid people (ID numbers as text, three-character names). In the database
``tuoyu_bench_import`` (migrated and seeded with ``tuoyu migrate`` / ``tuoyu seed``) each round:

1. the baseline: a child ``python`` that opens the file with ``load_workbook(read_only=True,
   data_only=True)`` and iterates every row's values (nothing else);
2. ``tuoyu import practitioners FILE`` into an empty practitioner table (``TRUNCATE`` before the
   round): every row checked (ID number, name rules, garbled text) and written in batches of 500,
   each batch one transaction;
3. the same command again (a re-import: every row found, nothing written), for information.

Each child's wall time and peak resident set size (``ru_maxrss`` of that child, reaped by a small
launcher, see :func:`child`) are taken; ratio = import ÷ baseline (information: the goal of the
issue is the memory, < 300 MiB). Both children pay their interpreter's start-up; ``tuoyu`` also imports the
application and opens a database pool.
"""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import time
from pathlib import Path

import asyncpg

from bench import pg
from bench.context import RunContext
from bench.results import Measure, median
from bench.servers import BIN, REPO, run_tuoyu, tuoyu_env

DATABASE = "tuoyu_bench_import"
ROWS = 100_000
MEMORY_GOAL_MIB = 300.0
READ_ONLY = """
import sys
from openpyxl import load_workbook
book = load_workbook(sys.argv[1], read_only=True, data_only=True)
n = sum(1 for _ in book.worksheets[0].iter_rows(values_only=True))
book.close()
print(n)
"""
FAMILY = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰"


def make_file(path: Path, rows: int = ROWS) -> None:
    """A practitioners xlsx of ``rows`` distinct valid people (see the module docstring)."""
    from openpyxl import Workbook

    from talent_pool.identity import id_check_character

    book = Workbook(write_only=True)
    sheet = book.create_sheet("从业人员")
    sheet.append(["身份证号", "姓名", "手机号"])
    for seq in range(rows):
        birth = dt.date(1970, 1, 1) + dt.timedelta(days=seq // 500)
        first17 = f"370102{birth:%Y%m%d}{seq % 500:03d}"
        name = FAMILY[seq % 20] + GIVEN[seq // 20 % len(GIVEN)] + GIVEN[seq // 520 % len(GIVEN)]
        sheet.append([first17 + id_check_character(first17), name, f"138{seq:08d}"])
    book.save(path)


_LAUNCHER = """
import os, subprocess, sys
proc = subprocess.Popen(sys.argv[1:])
_, status, usage = os.wait4(proc.pid, 0)
print(f"\\nbench-peak-rss-kib={usage.ru_maxrss}", flush=True)
sys.exit(os.waitstatus_to_exitcode(status))
"""
_MARK = "bench-peak-rss-kib"


def child(cmd: list[str], env: dict[str, str] | None = None) -> tuple[float, float, str]:
    """Run ``cmd`` to completion: ``(wall seconds, peak RSS MiB, output)``; raises on failure.

    The peak is ``ru_maxrss`` of ``cmd`` as a small launcher process reaps it. Not this process's
    own ``wait4``: on Linux a child's ``ru_maxrss`` starts from the RSS of the process it was forked
    from, and this one holds every earlier measure's data (a whole ``make bench`` reported 426 MiB
    for the 100k import and for openpyxl's bare read alike, 2026-11-30); the launcher is a fresh
    interpreter of a few MiB."""
    started = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-S", "-c", _LAUNCHER, *cmd],
        env=env,
        cwd=REPO,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    out, _ = proc.communicate()
    seconds = time.perf_counter() - started
    text = out.decode(errors="replace")
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd[:3])} failed ({proc.returncode}):\n{text[-2000:]}")
    body, _, peak = text.rpartition(f"\n{_MARK}=")
    return seconds, int(peak) / 1024, body  # Linux: ru_maxrss in KiB


async def run(ctx: RunContext) -> list[Measure]:
    """The ``import`` measure (see the module docstring)."""
    work = ctx.folder("import")
    commit = Measure("import 100k xlsx (commit)", "openpyxl read-only read of the same file")
    again = Measure("re-import 100k xlsx (nothing changes)", "openpyxl read-only read of the same file")
    memory = Measure("import peak RSS ÷ goal (300 MiB)", "300 MiB", goal_op="<=", goal=1.0)
    try:
        await pg.recreate(DATABASE)
        env = tuoyu_env(pg.url(DATABASE), work / "data")
        run_tuoyu(["migrate"], env)
        run_tuoyu(["seed"], env)
        path = work / "practitioners-100k.xlsx"
        ctx.log(f"import: writing {ROWS:,} rows to {path.name}")
        make_file(path)
        size_mib = path.stat().st_size / 1024 / 1024
        tuoyu = [str(BIN / "tuoyu"), "import", "practitioners", str(path)]
        base_s, base_m, imp_s, imp_m, again_s, again_m = ([] for _ in range(6))
        conn = await asyncpg.connect(pg.url(DATABASE))
        try:
            for r in range(ctx.rounds):
                await conn.execute("TRUNCATE tp_practitioner CASCADE")
                seconds, peak, out = child([sys.executable, "-c", READ_ONLY, str(path)])
                if int(out.strip()) != ROWS + 1:
                    raise RuntimeError(f"openpyxl read {out.strip()} rows")
                base_s.append(seconds)
                base_m.append(peak)
                seconds, peak, out = child(tuoyu, env)
                if (
                    f"新增 {ROWS}，" not in out
                    or await conn.fetchval("SELECT count(*) FROM tp_practitioner") != ROWS
                ):
                    raise RuntimeError(f"import did not write {ROWS} rows:\n{out[-500:]}")
                imp_s.append(seconds)
                imp_m.append(peak)
                seconds, peak, out = child(tuoyu, env)
                if f"已存在且一致 {ROWS}，" not in out:
                    raise RuntimeError(f"re-import changed something:\n{out[-500:]}")
                again_s.append(seconds)
                again_m.append(peak)
                commit.ratios.append(imp_s[-1] / base_s[-1])
                again.ratios.append(again_s[-1] / base_s[-1])
                memory.ratios.append(imp_m[-1] / MEMORY_GOAL_MIB)
                ctx.log(
                    f"import round {r + 1}: read {base_s[-1]:.1f} s / {base_m[-1]:.0f} MiB, "
                    f"import {imp_s[-1]:.1f} s / {imp_m[-1]:.0f} MiB, "
                    f"re-import {again_s[-1]:.1f} s / {again_m[-1]:.0f} MiB"
                )
        finally:
            await conn.close()
        commit.detail = (
            f"{median(imp_s):.1f} s vs {median(base_s):.1f} s; peak RSS {median(imp_m):.0f} MiB vs "
            f"{median(base_m):.0f} MiB; file {size_mib:.1f} MiB"
        )
        again.detail = f"{median(again_s):.1f} s, peak RSS {median(again_m):.0f} MiB"
        memory.detail = f"peak RSS {max(imp_m + again_m):.0f} MiB (max over rounds)"
    except Exception as exc:  # the report says which measure failed and why
        for m in (commit, again, memory):
            m.error = str(exc).splitlines()[0][:200]
    finally:
        await pg.drop(DATABASE)
    return [commit, again, memory]
