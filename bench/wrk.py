"""Running the ``wrk`` load generator and reading its report.

``wrk -t1 -c32 -d<s>s`` (one client thread, 32 connections: the client takes one of the two
cores, the server the other). A run that saw a response with a status ≥ 400 (wrk's "Non-2xx or
3xx responses") or any socket error (connect, read, write, timeout) is a failure, never a number.
wrk does not count 3xx answers: every endpoint is fetched once before its load and must answer 200.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

THREADS = 1
CONNECTIONS = 32


class WrkFailed(RuntimeError):
    """A wrk run had error responses or socket errors, or did not run."""


@dataclass(frozen=True)
class WrkResult:
    requests_per_second: float
    requests: int
    non_2xx_3xx: int
    socket_errors: int


_RPS = re.compile(r"^Requests/sec:\s+([\d.]+)", re.M)
_REQUESTS = re.compile(r"^\s*(\d+) requests in", re.M)
_NON2XX = re.compile(r"^\s*Non-2xx or 3xx responses:\s+(\d+)", re.M)
_SOCKET = re.compile(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)")


def parse(output: str) -> WrkResult:
    """The numbers of a wrk report (raises :class:`WrkFailed` when it has none)."""
    rps, requests = _RPS.search(output), _REQUESTS.search(output)
    if rps is None or requests is None:
        raise WrkFailed(f"unreadable wrk output:\n{output}")
    non2xx = _NON2XX.search(output)
    sockets = _SOCKET.search(output)
    return WrkResult(
        requests_per_second=float(rps.group(1)),
        requests=int(requests.group(1)),
        non_2xx_3xx=int(non2xx.group(1)) if non2xx else 0,
        socket_errors=sum(int(g) for g in sockets.groups()) if sockets else 0,
    )


def run(url: str, seconds: float, *, script: Path | None = None, label: str = "") -> WrkResult:
    """Load ``url`` for ``seconds``; raises :class:`WrkFailed` on any error response or socket error."""
    wrk = shutil.which("wrk")
    if wrk is None:
        raise WrkFailed("wrk is not installed (run: bash scripts/bench-tools.sh)")
    cmd = [wrk, f"-t{THREADS}", f"-c{CONNECTIONS}", f"-d{max(1, round(seconds))}s", "--timeout", "10s"]
    if script is not None:
        cmd += ["-s", str(script)]
    proc = subprocess.run([*cmd, url], capture_output=True, text=True, timeout=seconds + 60, check=False)
    if proc.returncode != 0:
        raise WrkFailed(f"wrk {label or url} exited {proc.returncode}: {proc.stderr or proc.stdout}")
    result = parse(proc.stdout)
    if result.non_2xx_3xx or result.socket_errors:
        raise WrkFailed(
            f"wrk {label or url}: {result.non_2xx_3xx} error responses, {result.socket_errors} socket "
            f"errors in {result.requests} requests:\n{proc.stdout}"
        )
    return result


def _lua_string(text: str) -> str:
    if any(c in text for c in '"\\\n\r') or not text.isascii():
        raise ValueError(f"unexpected character in a request path: {text!r}")
    return f'"{text}"'


def cycling_script(paths: Sequence[str], headers: dict[str, str], target: Path) -> Path:
    """Write a wrk Lua script that requests ``paths`` in turn (each connection's requests cycle
    through all of them) with ``headers``; returns ``target``."""
    if not paths:
        raise ValueError("no paths to cycle through")
    lines = ["local paths = {", *(f"  {_lua_string(p)}," for p in paths), "}", "local i = 0"]
    lines += [f"wrk.headers[{_lua_string(k)}] = {_lua_string(v)}" for k, v in headers.items()]
    lines += [
        "request = function()",
        "  i = i % #paths + 1",
        '  return wrk.format("GET", paths[i])',
        "end",
    ]
    target.write_text("\n".join(lines) + "\n")
    return target
