"""Run the benchmarks: ``python -m bench`` (or ``make bench``); ``--help`` lists the subsets.

Each measure is a ratio against a baseline measured side by side in the same run, over real
HTTP against ``tuoyu serve`` on PostgreSQL. The report (a markdown table) is printed and written
to ``last-run.md`` in the run's temporary folder (or ``--out``). Exit status 1 when a measure
failed (an error response, a wrong count, a server that did not start); a missed goal is
reported, not an error, unless ``--strict``. See bench/README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import atexit
import datetime as dt
import importlib
import os
import platform
import signal
import sys
import tempfile
import traceback
from pathlib import Path
from typing import NoReturn

from bench import pg, servers
from bench.context import RunContext
from bench.results import Measure, markdown_table

MEASURES = {
    "http": "bench.measure_http",
    "targets": "bench.measure_targets",
    "issuance": "bench.measure_issuance",
    "enroll": "bench.measure_enroll",
    "checkin": "bench.measure_checkin",
    "import": "bench.measure_import",
}


def _csv(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description="Tuoyu Workforce benchmarks: ratios against side-by-side baselines, over real "
        "HTTP against `tuoyu serve` on PostgreSQL. Default: everything.",
        epilog="Quick run: python -m bench --only http,targets --scales 1 --rounds 5 --seconds 2",
    )
    parser.add_argument(
        "--only",
        default=",".join(MEASURES),
        help=f"comma-separated subset of: {', '.join(MEASURES)} (default: all)",
    )
    parser.add_argument(
        "--scales",
        default="1,10,100",
        help="N of the N× Jinan datasets for `targets` (1× = 400 employers, 5,000 practitioners, "
        "10,000 credentials, 20,000 training records; default 1,10,100)",
    )
    parser.add_argument("--rounds", type=int, default=5, help="rounds per measure (default 5)")
    parser.add_argument("--seconds", type=float, default=3.0, help="seconds per wrk run (default 3)")
    parser.add_argument(
        "--regenerate", action="store_true", help="rebuild the cached tuoyu_bench_<N>x datasets"
    )
    parser.add_argument("--out", type=Path, default=None, help="report file (default: <tmp>/last-run.md)")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a goal is missed too")
    args = parser.parse_args(argv)
    args.only = _csv(args.only)
    unknown = [m for m in args.only if m not in MEASURES]
    if unknown:
        parser.error(f"unknown measure(s) {', '.join(unknown)}; choose from {', '.join(MEASURES)}")
    try:
        args.scales = tuple(int(s) for s in _csv(args.scales))
    except ValueError:
        parser.error("--scales takes integers, e.g. 1,10,100")
    if not args.scales or any(s < 1 for s in args.scales):
        parser.error("--scales must be positive integers")
    if args.rounds < 1 or args.seconds < 1:
        parser.error("--rounds and --seconds must be at least 1")
    return args


async def machine() -> str:
    """One line describing where the numbers come from."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return (
        f"{cores} cores (nproc), {platform.machine()}, Python {platform.python_version()}, "
        f"PostgreSQL {await pg.server_version()}, {platform.system()} {platform.release()}"
    )


async def run_all(args: argparse.Namespace, ctx: RunContext) -> tuple[list[Measure], bool]:
    """Every selected measure in turn; a failing measure becomes a FAILED row, the rest run."""
    measures: list[Measure] = []
    failed = False
    for name in args.only:
        module = importlib.import_module(MEASURES[name])
        ctx.log(f"== {name} ==")
        try:
            measures.extend(await module.run(ctx))
        except Exception as exc:
            failed = True
            traceback.print_exc()
            message = " ".join(str(exc).split())[:300] or type(exc).__name__
            measures.append(Measure(name, "—", error=f"{type(exc).__name__}: {message}"))
    return measures, failed or any(m.error for m in measures)


def report(args: argparse.Namespace, ctx: RunContext, measures: list[Measure], where: str) -> str:
    today = dt.date.today().isoformat()
    lines = [
        f"# Benchmark run {today}",
        "",
        f"Machine: {where}.",
        f"Options: --only {','.join(args.only)} --scales {','.join(map(str, args.scales))} "
        f"--rounds {args.rounds} --seconds {args.seconds:g}",
        "",
        markdown_table(measures),
    ]
    if ctx.notes:
        lines += ["", "Notes:", "", *(f"- {n}" for n in ctx.notes)]
    return "\n".join(lines) + "\n"


def _terminate(signum: int, _frame: object) -> NoReturn:
    raise SystemExit(128 + signum)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    tmp = Path(tempfile.mkdtemp(prefix="tuoyu-bench-"))
    ctx = RunContext(
        tmp=tmp, rounds=args.rounds, seconds=args.seconds, scales=args.scales, regenerate=args.regenerate
    )
    # whatever happens, stop the servers and drop the temporary databases
    atexit.register(pg.drop_leftovers)
    atexit.register(servers.stop_all)
    signal.signal(signal.SIGTERM, _terminate)

    async def go() -> tuple[list[Measure], bool, str]:
        where = await machine()
        ctx.log(f"bench: {where}; temporary folder {tmp}")
        measures, failed = await run_all(args, ctx)
        return measures, failed, where

    measures, failed, where = asyncio.run(go())
    text = report(args, ctx, measures, where)
    out = args.out or tmp / "last-run.md"
    out.write_text(text)
    print(text)
    print(f"report written to {out}")
    missed = [m.name for m in measures if m.met is False]
    if missed:
        print(f"goals missed: {', '.join(missed)}")
    return 1 if failed or (args.strict and missed) else 0


if __name__ == "__main__":
    sys.exit(main())
