"""Server subprocesses of the benchmarks: ``tuoyu serve``, the hello-world baseline, ``tuoyu`` CLI
commands — started with a known environment, waited for, measured (peak RSS) and always stopped.

Every process started here is registered until it is stopped; :func:`stop_all` (``atexit`` in
``bench.__main__``) stops whatever a failing run left behind. Processes get their own session,
so a Ctrl-C in the terminal reaches the bench, which then stops them in order.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.prefix) / "bin"  # the venv the bench runs in (make bench: .venv/bin/python)
HOST = "127.0.0.1"
UNLIMITED = "1000000000"  # requests per minute: the rate limits never answer 429 during a bench

_running: dict[int, subprocess.Popen[bytes]] = {}


def free_port() -> int:
    """A TCP port that was free a moment ago on 127.0.0.1."""
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def tuoyu_env(database_url: str, data_dir: Path, **extra: str) -> dict[str, str]:
    """The environment of a ``tuoyu`` process: this process's environment without any
    ``TUOYU_*`` variable (no Redis: background work runs in the server process), plus the
    database, the data folder (signing key, token secret) and unlimited rate limits."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TUOYU_")}
    env.update(
        TUOYU_DATABASE_URL=database_url,
        TUOYU_DATA_DIR=str(data_dir),
        TUOYU_VERIFY_RATE_PER_MINUTE=UNLIMITED,
        TUOYU_LOGIN_RATE_PER_MINUTE=UNLIMITED,
    )
    env.update(extra)
    return env


def run_tuoyu(args: list[str], env: dict[str, str], *, timeout: float = 1800) -> str:
    """Run ``tuoyu <args>`` to completion; returns its output, raises ``RuntimeError`` with the
    output's tail when it fails."""
    proc = subprocess.run(
        [str(BIN / "tuoyu"), *args],
        env=env,
        cwd=REPO,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        timeout=timeout,
        check=False,
    )
    out = (proc.stdout + proc.stderr).decode(errors="replace")
    if proc.returncode != 0:
        raise RuntimeError(f"tuoyu {' '.join(args)} failed ({proc.returncode}):\n{out[-3000:]}")
    return out


class Server:
    """One HTTP server subprocess on ``127.0.0.1:port``; output goes to ``log_path``."""

    def __init__(self, name: str, cmd: list[str], env: dict[str, str], port: int, log_path: Path) -> None:
        self.name = name
        self.port = port
        self.base_url = f"http://{HOST}:{port}"
        self.log_path = log_path
        self._log = log_path.open("wb")
        self.proc = subprocess.Popen(
            cmd, env=env, cwd=REPO, stdin=subprocess.DEVNULL, stdout=self._log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
        _running[self.proc.pid] = self.proc

    @property
    def pid(self) -> int:
        return self.proc.pid

    def log_tail(self, chars: int = 3000) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-chars:]
        except OSError:
            return ""

    def wait_ready(self, path: str = "/health", timeout: float = 60) -> None:
        """Wait until ``GET path`` answers 200; ``RuntimeError`` with the log when the process
        exits or does not answer within ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited ({self.proc.returncode}):\n{self.log_tail()}")
            try:
                if httpx.get(self.base_url + path, timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"{self.name} did not answer {path} within {timeout:.0f} s:\n{self.log_tail()}")

    def peak_rss_mib(self) -> float:
        """Peak resident set size so far (``VmHWM`` of ``/proc/<pid>/status``), MiB."""
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
        raise RuntimeError(f"no VmHWM for {self.name} (pid {self.pid})")

    def stop(self) -> None:
        """SIGINT (uvicorn's graceful shutdown), SIGKILL after 15 s."""
        _stop(self.proc)
        _running.pop(self.proc.pid, None)
        self._log.close()


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        proc.send_signal(signal.SIGINT)
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            proc.kill()
        proc.wait(timeout=15)


def stop_all() -> None:
    """Stop every server this process started and has not stopped yet (``atexit``)."""
    for pid, proc in list(_running.items()):
        _stop(proc)
        _running.pop(pid, None)


@contextlib.contextmanager
def tuoyu_server(env: dict[str, str], log_dir: Path, name: str = "tuoyu serve") -> Iterator[Server]:
    """``tuoyu serve --port <free port>`` with ``env``, ready (``/health``) on entry, stopped on exit."""
    port = free_port()
    log_path = log_dir / f"{name.replace(' ', '-')}-{port}.log"
    server = Server(name, [str(BIN / "tuoyu"), "serve", "--port", str(port)], env, port, log_path)
    try:
        server.wait_ready()
        yield server
    finally:
        server.stop()


@contextlib.contextmanager
def _uvicorn_app(app: str, name: str, log_dir: Path, ready_path: str, **extra_env: str) -> Iterator[Server]:
    """``app`` (``module:attribute``) under uvicorn with the options ``tuoyu serve`` uses —
    uvloop, httptools, no access log, one process — without the ``TUOYU_*`` environment, plus
    ``extra_env``; ready when ``ready_path`` answers 200, stopped on exit."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("TUOYU_")}
    env.update(extra_env)
    cmd = [
        sys.executable, "-m", "uvicorn", app, "--host", HOST, "--port", str(port),
        "--loop", "uvloop", "--http", "httptools", "--no-access-log", "--log-level", "info",
    ]  # fmt: skip
    server = Server(name, cmd, env, port, log_dir / f"{app.split(':')[0].rsplit('.', 1)[-1]}-{port}.log")
    try:
        server.wait_ready(ready_path)
        yield server
    finally:
        server.stop()


def hello_server(log_dir: Path) -> contextlib.AbstractContextManager[Server]:
    """The hello-world baseline (``bench.hello:app``) under the options of ``tuoyu serve``."""
    return _uvicorn_app("bench.hello:app", "hello (uvicorn)", log_dir, "/")


def floor_server(
    database_url: str, jwks_path: Path, holder_key_path: Path, log_dir: Path
) -> contextlib.AbstractContextManager[Server]:
    """The verification floor (``bench.floor_verify:app``) on ``database_url`` with the keys of
    ``jwks_path`` and the service's holder-hash key file, under the options of ``tuoyu serve``."""
    return _uvicorn_app(
        "bench.floor_verify:app",
        "verify floor (uvicorn)",
        log_dir,
        "/v/S000000000000000000000",
        BENCH_FLOOR_DSN=database_url,
        BENCH_FLOOR_JWKS=str(jwks_path),
        BENCH_FLOOR_HOLDER_KEY=str(holder_key_path),
    )
