"""Fault tests: real servers that the tests themselves start, stop and kill.

Nothing here touches the shared PostgreSQL (5432) or Redis (6379). Each test run starts its own
PostgreSQL cluster (``initdb`` in a temporary folder — as the ``postgres`` user when the run is
root — on a free port, trust auth) and gives every test a fresh database copied from a migrated,
seeded template; every test that needs Redis gets its own ``redis-server`` (no persistence) on a
free port. ``tuoyu serve`` and ``tuoyu worker`` run as subprocesses of this checkout
(``PYTHONPATH``), each in its own process group with its output in a log file. Everything a test
started is stopped when it ends, whatever happened.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import datetime as dt
import glob
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest

REPO = Path(__file__).resolve().parents[2]
PASSWORD = "fault-test-password"
T = TypeVar("T")

# --------------------------------------------------------------------------- waiting


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until(predicate: Callable[[], T], timeout: float, what: str, interval: float = 0.1) -> T:
    """Call ``predicate()`` until it returns something truthy (returned); ``AssertionError``
    naming ``what`` after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not within {timeout:.0f} s")
        time.sleep(interval)


async def eventually(
    predicate: Callable[[], Awaitable[T]], timeout: float, what: str, interval: float = 0.2
) -> T:
    """Await ``predicate()`` until it returns something truthy (returned); ``AssertionError``
    naming ``what`` after ``timeout`` seconds. The event loop keeps running in between."""
    deadline = time.monotonic() + timeout
    while True:
        value = await predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not within {timeout:.0f} s (last value {value!r})")
        await asyncio.sleep(interval)


# --------------------------------------------------------------------------- processes


def _as_postgres(argv: list[str]) -> list[str]:
    """PostgreSQL refuses to run as root: run its commands as ``postgres`` when we are root."""
    return ["runuser", "-u", "postgres", "--", *argv] if os.geteuid() == 0 else argv


class Proc:
    """A subprocess in its own process group, its stdout and stderr in ``log_path``."""

    def __init__(self, name: str, argv: Sequence[str], *, env: dict[str, str], cwd: Path, log_path: Path):
        self.name = name
        self.log_path = log_path
        with open(log_path, "ab") as log:
            self.popen = subprocess.Popen(
                list(argv), cwd=cwd, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )

    @property
    def pid(self) -> int:
        return self.popen.pid

    def alive(self) -> bool:
        return self.popen.poll() is None

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def tail(self, chars: int = 4000) -> str:
        return f"--- {self.name} ({self.log_path}) ---\n" + self.log()[-chars:]

    def signal(self, sig: int) -> None:
        """Send ``sig`` to the whole process group (uvicorn workers, Celery pool children)."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.pid, sig)

    def kill(self) -> None:
        """SIGKILL to the whole group: no clean-up of any kind runs."""
        self.signal(signal.SIGKILL)
        self.popen.wait(timeout=10)

    def stop(self, timeout: float = 20) -> None:
        """SIGTERM to the group, then SIGKILL if it is still there after ``timeout`` seconds."""
        if self.alive():
            self.signal(signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.popen.wait(timeout=timeout)
        self.signal(signal.SIGKILL)  # whatever is left of the group (e.g. orphaned pool children)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.popen.wait(timeout=10)


class RedisServer:
    """A ``redis-server`` of our own: no RDB, no AOF, so a restart starts empty."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.port = free_port()
        self.proc: Proc | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def client(self) -> Any:
        import redis

        return redis.Redis(port=self.port, socket_timeout=2, socket_connect_timeout=2)

    def ping(self) -> bool:
        try:
            with self.client() as client:
                return bool(client.ping())
        except Exception:
            return False

    def start(self) -> None:
        """Start (or start again, on the same port) and wait until it answers PING."""
        argv = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1"]
        argv += ["--save", "", "--appendonly", "no", "--dir", str(self.folder)]
        log_path = self.folder / "redis.log"
        self.proc = Proc("redis", argv, env=dict(os.environ), cwd=self.folder, log_path=log_path)
        wait_until(lambda: self.ping() or not self.proc_alive(), 15, "redis-server answers PING")
        if not self.ping():
            raise RuntimeError("redis-server did not start:\n" + self.proc.tail())

    def proc_alive(self) -> bool:
        return self.proc is not None and self.proc.alive()

    def stop(self) -> None:
        """Shut it down (SIGTERM; nothing is saved)."""
        if self.proc is not None:
            self.proc.stop()

    def kill(self) -> None:
        """SIGKILL: whatever was queued in it is gone."""
        if self.proc is not None:
            self.proc.kill()


class PostgresCluster:
    """A PostgreSQL cluster of our own in ``folder`` (data, socket and log), on a free port."""

    def __init__(self, folder: Path, bin_dir: Path) -> None:
        self.folder = folder
        self.bin_dir = bin_dir
        self.data = folder / "data"
        self.port = free_port()

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def _run(self, *argv: str, timeout: float = 60) -> None:
        proc = subprocess.run(
            _as_postgres([str(self.bin_dir / argv[0]), *argv[1:]]),
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if proc.returncode != 0:
            raise RuntimeError(f"{argv[0]} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")

    def init(self) -> None:
        self._run("initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres", "-E", "UTF8", "--no-sync")

    def start(self) -> None:
        """Start (or start again on the same port) and wait until it accepts connections."""
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off"
        log_path = str(self.folder / "server.log")
        self._run("pg_ctl", "-D", str(self.data), "-o", options, "-l", log_path, "-w", "start")

    def stop(self, mode: str = "fast") -> None:
        """Stop: ``fast`` ends every session at once (clients see their connections die)."""
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop")

    def running(self) -> bool:
        return (self.data / "postmaster.pid").exists()

    def sql(self, statement: str) -> None:
        """Run one SQL statement in the ``postgres`` database (``psql``)."""
        argv = [str(self.bin_dir / "psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1", self.url(), "-c", statement]
        proc = subprocess.run(argv, capture_output=True, text=True, timeout=60)
        if proc.returncode != 0:
            raise RuntimeError(f"psql failed: {statement}\n{proc.stdout}\n{proc.stderr}")


def _postgres_bin() -> Path:
    found = shutil.which("pg_config")
    if found:
        out = subprocess.run([found, "--bindir"], capture_output=True, text=True).stdout.strip()
        if out and (Path(out) / "initdb").exists():
            return Path(out)
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]))
    if not candidates:
        pytest.exit("Fault tests need the PostgreSQL server binaries (initdb, pg_ctl)", 3)
    return Path(candidates[-1]).parent


# --------------------------------------------------------------------------- tuoyu processes


def tuoyu_env(data_dir: Path, **settings: str | int | float) -> dict[str, str]:
    """The environment of a ``tuoyu`` subprocess: this checkout's code, no ``TUOYU_*`` from the
    test run, the data folder, a 1 s outbox sweep, plus ``settings`` (``redis_url=…`` →
    ``TUOYU_REDIS_URL``)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TUOYU_")}
    env.update(PYTHONPATH=str(REPO), PYTHONUNBUFFERED="1")
    env["TUOYU_DATA_DIR"] = str(data_dir)
    env["TUOYU_OUTBOX_SWEEP_SECONDS"] = "1"
    env["TUOYU_JOB_LEASE_SECONDS"] = str(JOB_LEASE_SECONDS)
    env.update({f"TUOYU_{key.upper()}": str(value) for key, value in settings.items()})
    return env


@dataclass
class Served:
    """A running ``tuoyu serve``."""

    proc: Proc
    port: int

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def client(self, timeout: float = 30) -> httpx.AsyncClient:
        return httpx.AsyncClient(base_url=self.url, timeout=timeout)


class Rig:
    """What one fault test starts: Redis servers, ``tuoyu serve`` and ``tuoyu worker`` processes
    (all stopped at the end of the test), in the test's own temporary folder."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.procs: list[Proc] = []
        self.redises: list[RedisServer] = []
        self._names: collections.Counter[str] = collections.Counter()

    def path(self, name: str) -> Path:
        path = self.folder / name
        path.mkdir(parents=True, exist_ok=True)
        return path

    def _log(self, name: str) -> tuple[str, Path]:
        self._names[name] += 1
        label = f"{name}-{self._names[name]}"
        return label, self.path("logs") / f"{label}.log"

    def redis(self) -> RedisServer:
        server = RedisServer(self.path(f"redis-{len(self.redises) + 1}"))
        self.redises.append(server)
        server.start()
        return server

    def start(self, name: str, args: Sequence[str], env: dict[str, str], cwd: Path = REPO) -> Proc:
        label, log_path = self._log(name)
        proc = Proc(label, [sys.executable, "-m", "service.cli", *args], env=env, cwd=cwd, log_path=log_path)
        self.procs.append(proc)
        return proc

    def serve(
        self, env: dict[str, str], *, args: Sequence[str] = (), port: int | None = None, timeout: float = 60
    ) -> Served:
        """``tuoyu serve`` on a free (or the given) port; returns once ``/health`` answers 200."""
        port = port or free_port()
        proc = self.start("serve", ["serve", "--port", str(port), *args], env)
        served = Served(proc, port)
        wait_until(lambda: _healthy(served) or not proc.alive(), timeout, f"{proc.name} answers /health")
        if not _healthy(served):
            raise RuntimeError(f"tuoyu serve exited ({proc.popen.returncode}):\n{proc.tail()}")
        return served

    def worker(self, env: dict[str, str], *, timeout: float = 60) -> Proc:
        """``tuoyu worker`` (Celery worker with beat); returns once Celery says ``ready``. Its
        working folder is its own (beat keeps its schedule file there)."""
        proc = self.start("worker", ["worker"], env, cwd=self.path(f"cwd-{len(self.procs) + 1}"))
        wait_until(lambda: " ready." in proc.log() or not proc.alive(), timeout, f"{proc.name} ready")
        if not proc.alive():
            raise RuntimeError(f"tuoyu worker exited ({proc.popen.returncode}):\n{proc.tail()}")
        return proc

    def close(self) -> None:
        """Stop every process and server started (again: a no-op). The end of each process's log
        is printed: pytest shows it when the test failed."""
        for proc in self.procs:
            print(proc.tail(2000))
        for proc in reversed(self.procs):
            proc.stop()
        for server in self.redises:
            server.stop()
        self.procs, self.redises = [], []


def _healthy(served: Served) -> bool:
    try:
        return httpx.get(served.url + "/health", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresCluster]:
    """This run's own PostgreSQL cluster, with a migrated and seeded template database
    ``tuoyu_template``; removed at the end of the run."""
    folder = Path(tempfile.mkdtemp(prefix="tuoyu-faults-pg-"))
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres")
    cluster = PostgresCluster(folder, _postgres_bin())
    try:
        cluster.init()
        cluster.start()
        cluster.sql("CREATE DATABASE tuoyu_template")
        env = tuoyu_env(folder / "cli", database_url=cluster.url("tuoyu_template"))
        for command in ("migrate", "seed"):
            argv = [sys.executable, "-m", "service.cli", command]
            done = subprocess.run(argv, cwd=REPO, env=env, capture_output=True, text=True, timeout=120)
            assert done.returncode == 0, done.stdout + done.stderr
        yield cluster
    finally:
        if cluster.running():
            with contextlib.suppress(Exception):
                cluster.stop("immediate")
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def database_url(postgres: PostgresCluster, rig: Rig) -> Iterator[str]:
    """A fresh, migrated and seeded database of the run's own cluster for one test (dropped
    after the test's processes are stopped)."""
    if not postgres.running():  # a test that stopped it failed half-way
        postgres.start()
    name = f"fault_{uuid.uuid4().hex[:10]}"
    postgres.sql(f'CREATE DATABASE "{name}" TEMPLATE tuoyu_template')
    yield postgres.url(name)
    rig.close()
    if not postgres.running():
        postgres.start()
    postgres.sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def rig(tmp_path: Path) -> Iterator[Rig]:
    """Starts servers and ``tuoyu`` processes for one test; stops them all at the end."""
    rig = Rig(tmp_path)
    try:
        yield rig
    finally:
        rig.close()


# --------------------------------------------------------------------------- test data


@contextlib.asynccontextmanager
async def bound_to(url: str) -> AsyncIterator[Any]:
    """Every table of *this* process bound to the database at ``url`` (then to the previous
    engine again), to write test data through the packages' own services."""
    from talent_pool.db import PoolConfig, close_pool, current_engine, engine_for_url, start_pool, use_engine

    previous = current_engine()
    engine = engine_for_url(url, PoolConfig(1, 2, 30))
    use_engine(engine)
    await start_pool(engine)
    try:
        yield engine
    finally:
        await close_pool(engine)
        use_engine(previous)


def make_id(seq: int) -> str:
    """A valid resident ID number; different ``seq`` (0–999) give different people."""
    from talent_pool.identity import id_check_character

    first17 = f"370102{'19900101'}{seq:03d}"
    return first17 + id_check_character(first17)


def person_name(seq: int) -> str:
    return "学员" + chr(0x4E00 + seq)


def today() -> dt.date:
    from worker.clock import Clock

    return Clock("Asia/Shanghai").today()


async def training_base_with_staff(url: str, username: str = "base") -> int:
    """An accredited training base and a ``base_staff`` login ``username`` / :data:`PASSWORD`
    for it; returns the base id."""
    import training
    from service.accounts import AccountIn, create_account
    from training.schemas import TrainingBaseIn

    async with bound_to(url):
        base = await training.create_training_base(
            TrainingBaseIn(name=f"故障测试实训基地{username}", district_code="370102", accredited=True)
        )
        await create_account(
            AccountIn(username=username, password=PASSWORD, role="base_staff", training_base_id=base.id)
        )
    return base.id


async def passed_sitting(url: str, base_id: int, seqs: Sequence[int]) -> int:
    """A 1+X 幼儿照护（初级）exam sitting at ``base_id`` today, where the people ``seqs``
    (registered now) all passed; returns the sitting id (certificates not yet issued)."""
    import certification
    import talent_pool
    from certification.schemas import ResultIn, SittingIn
    from talent_pool.schemas import PractitionerIn

    day = today()
    now = dt.datetime.now(dt.UTC)
    async with bound_to(url):
        people = [
            (
                await talent_pool.register_practitioner(
                    PractitionerIn(id_number=make_id(seq), name=person_name(seq)), today=day
                )
            ).id
            for seq in seqs
        ]
        sitting = await certification.create_sitting(
            SittingIn(programme_code="1X-YEZH-1", training_base_id=base_id, exam_date=day), today=day
        )
        for pid in people:
            await certification.register_candidate(sitting.id, pid)
        await certification.record_results(
            sitting.id,
            [ResultIn(practitioner_id=pid, theory=Decimal(80), practical=Decimal(75)) for pid in people],
            entered_by="examiner",
            now=now,
            today=day,
        )
    return sitting.id


async def login(client: httpx.AsyncClient, username: str, password: str = PASSWORD) -> dict[str, str]:
    """Log in over HTTP (asserting 201); returns bearer-token headers."""
    response = await client.post("/api/auth/login", json={"username": username, "password": password})
    assert response.status_code == 201, response.text
    client.cookies.clear()
    return {"Authorization": f"Bearer {response.json()['token']}"}


async def issue(client: httpx.AsyncClient, headers: dict[str, str], sitting_id: int) -> list[dict[str, Any]]:
    """Issue the sitting's certificates over HTTP (asserting 201); returns them."""
    response = await client.post(f"/api/sittings/{sitting_id}/issue", headers=headers)
    assert response.status_code == 201, response.text
    return list(response.json())


async def documents_of(url: str, certificate_ids: Sequence[int]) -> int:
    """How many of ``certificate_ids`` have their QR and PDF stored (``ce_certificate_document``)."""
    from certification.tables import CertificateDocument

    async with bound_to(url):
        rows = await CertificateDocument.select(
            CertificateDocument.certificate, CertificateDocument.qr_png, CertificateDocument.pdf
        ).where(CertificateDocument.certificate.is_in(list(certificate_ids)))
    return sum(1 for r in rows if r["qr_png"] and bytes(r["pdf"]).startswith(b"%PDF"))


RENDERED = re.compile(r"rendered certificate (\d+) \(")


def rendered_counts(*logs: str) -> collections.Counter[int]:
    """How often each certificate id was rendered, from the render job's INFO lines
    (``rendered certificate <id> (<number>)``, logger ``tuoyu.certification``)."""
    counts: collections.Counter[int] = collections.Counter()
    for text in logs:
        counts.update(int(m.group(1)) for m in RENDERED.finditer(text))
    return counts


# Every job's lease in the servers these tests start (TUOYU_JOB_LEASE_SECONDS): short, so a lost
# delivery is redelivered within seconds instead of the render job's production lease.
JOB_LEASE_SECONDS = 20


def render_lease() -> dt.timedelta:
    """The lease of a render job in the servers these tests start: how long a delivered message
    may be lost before the outbox sweep delivers it again."""
    return dt.timedelta(seconds=JOB_LEASE_SECONDS)


# --------------------------------------------------------------------------- load


@dataclass(frozen=True)
class Outcome:
    """One request of a :class:`Traffic` loop: when it was sent and answered (monotonic
    seconds), what it was, its status (``-1``: no HTTP answer at all) and ``Retry-After``."""

    sent: float
    answered: float
    kind: str
    status: int
    retry_after: str | None
    body: str


class Traffic:
    """Requests sent in loops until :meth:`stop`, every answer recorded in ``outcomes``."""

    def __init__(self) -> None:
        self.outcomes: list[Outcome] = []
        self._stopping = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []

    def loop(self, kind: str, send: Callable[[], Awaitable[httpx.Response]], pause: float = 0.05) -> None:
        """Send ``send()`` again and again (``pause`` seconds apart) until stopped."""

        async def run() -> None:
            while not self._stopping.is_set():
                sent = time.monotonic()
                try:
                    response = await send()
                    status, retry_after, body = (
                        response.status_code,
                        response.headers.get("retry-after"),
                        response.text[:300],
                    )
                except httpx.HTTPError as exc:
                    status, retry_after, body = -1, None, repr(exc)
                self.outcomes.append(Outcome(sent, time.monotonic(), kind, status, retry_after, body))
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(pause):
                        await self._stopping.wait()

        self._tasks.append(asyncio.create_task(run()))

    async def stop(self) -> None:
        self._stopping.set()
        await asyncio.gather(*self._tasks)

    def sent_between(self, start: float, end: float) -> list[Outcome]:
        """Requests sent at or after ``start`` and answered by ``end``."""
        return [o for o in self.outcomes if o.sent >= start and o.answered <= end]

    def statuses(self, outcomes: Sequence[Outcome] | None = None) -> dict[str, collections.Counter[int]]:
        """Status counts per kind."""
        counts: dict[str, collections.Counter[int]] = {}
        for o in self.outcomes if outcomes is None else outcomes:
            counts.setdefault(o.kind, collections.Counter())[o.status] += 1
        return counts
