"""Dispatchers: the one port for background work, chosen once by the composition root.

A dispatcher runs as a background task on the event loop of the process that starts it (the
web app's lifespan, the CLI). It wakes when a transaction that enqueued work commits
(``talent_pool.outbox.add_waker``) and every ``sweep_seconds`` (work whose lease ran out, work
scheduled for later, work left by a process that died), claims what is due
(:func:`worker.outbox.claim_due`) and delivers it:

- :class:`InProcessDispatcher` (no ``TUOYU_REDIS_URL``, the embedded default) runs each job
  right there, one at a time, outside any request; jobs push CPU-bound work (QR, PDF) to
  threads so the event loop keeps answering requests;
- :class:`CeleryDispatcher` publishes ``tuoyu.run_job(message_id)`` to the Celery queue.

See docs/architecture.md, "Background work".
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from kombu.exceptions import OperationalError

from talent_pool.db import DatabaseUnavailable, unbounded_statements
from talent_pool.errors import TuoyuError
from talent_pool.outbox import add_waker
from talent_pool.tables import OutboxMessage
from worker.clock import Clock
from worker.jobs import JOBS, REPAIRS, Job, Repair
from worker.outbox import Claimed, claim_due, release, run_message

log = logging.getLogger("tuoyu.dispatch")

RUN_JOB_TASK = "tuoyu.run_job"
SWEEP_TASK = "tuoyu.sweep_outbox"
REPAIR_TASK = "tuoyu.repair"


class BrokerUnavailable(Exception):
    """The message broker (Redis) cannot be reached: nothing was published."""


PING_SECONDS = 2.0
"""How long :meth:`CeleryDispatcher.ensure_workers` waits for workers to answer (seconds)."""

START_WORKER = (
    "后台任务（证书二维码与 PDF、通知等）由 worker 进程执行：请在另一个终端用同样的环境变量"
    "（TUOYU_DATABASE_URL、TUOYU_REDIS_URL）运行 tuoyu worker，然后重试"
)


class WorkersNotRunning(TuoyuError):
    """Background work goes to Celery (``TUOYU_REDIS_URL`` set) but no worker consumes the queue,
    or the work did not finish in time: the Chinese message says to run ``tuoyu worker``."""

    code = "workers_not_running"


class Dispatcher:
    """Claims due outbox messages and delivers them (see the module docstring).

    ``start()`` / ``stop()`` bind it to the running event loop; ``wake()`` may be called from
    any thread. ``relay()`` does one round by hand (CLI, tests) and returns how many messages it
    delivered; ``drain()`` relays until nothing is due (demo, tests).
    """

    def __init__(
        self,
        clock: Clock,
        *,
        sweep_seconds: float = 15.0,
        jobs: Mapping[str, Job] = JOBS,
        repairs: Sequence[Repair] = REPAIRS,
    ) -> None:
        self.clock = clock
        self.sweep_seconds = sweep_seconds
        self.jobs = jobs
        self.repairs = list(repairs)
        self._repair_due: dict[str, float] = {}
        self._repairs_held = False
        self._loop: asyncio.AbstractEventLoop | None = None
        self._event: asyncio.Event | None = None
        self._task: asyncio.Task[None] | None = None
        self._remove_waker: Callable[[], None] | None = None
        self._stopping = False

    async def deliver(self, message: Claimed) -> None:
        """Hand one claimed message to whatever runs it."""
        raise NotImplementedError

    async def relay(self, limit: int = 100) -> int:
        """Claim up to ``limit`` due messages and deliver them; returns how many. When the broker
        cannot be reached (:class:`BrokerUnavailable`), the leases of the messages not handed
        over are given back, so the next round delivers them (not only the end of the lease),
        and the error is raised."""
        claimed = await claim_due(self.clock.now(), limit=limit, jobs=self.jobs)
        for index, message in enumerate(claimed):
            if self._stopping:  # stopping: the rest are given back for the next round
                await release([m.id for m in claimed[index:]])
                return index
            try:
                await self.deliver(message)
            except BrokerUnavailable:
                await release([m.id for m in claimed[index:]])
                raise
        return len(claimed)

    async def repair(self, *, force: bool = False) -> dict[str, int]:
        """Run the periodic repairs that are due (all of them with ``force``); returns how many
        items each repaired."""
        done: dict[str, int] = {}
        if self._repairs_held:
            return done
        loop_time = asyncio.get_running_loop().time()
        for repair in self.repairs:
            if not force and self._repair_due.get(repair.name, 0.0) > loop_time:
                continue
            self._repair_due[repair.name] = loop_time + repair.every.total_seconds()
            zone = {"zone": self.clock.zone} if repair.zoned else {}
            done[repair.name] = count = await repair.fn(now=self.clock.now(), **zone)
            if count:
                log.warning("repair %r: %s item(s) enqueued or written", repair.name, count)
        return done

    def hold_repairs(self) -> None:
        """Run no periodic repair (not even a forced one) until :meth:`resume_repairs`. Call it
        before :meth:`start` when the process is about to load data into a new database (the
        demo): a nightly snapshot taken of the still empty database would stand for that day,
        since snapshots are written once."""
        self._repairs_held = True

    async def resume_repairs(self) -> dict[str, int]:
        """End :meth:`hold_repairs` and run every repair now (``repair(force=True)``); returns
        what each repaired."""
        self._repairs_held = False
        return await self.repair(force=True)

    async def ensure_workers(self) -> None:
        """Raise :class:`WorkersNotRunning` when nothing would run the work this dispatcher
        delivers. In process: the work runs here, never raises."""

    async def drain(self, *, timeout: float = 120.0) -> None:
        """Relay until no message is pending (done or failed), or ``timeout`` seconds pass
        (:class:`WorkersNotRunning`, saying how many are pending and whether a worker answers).
        With a Celery dispatcher this waits for the workers."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            await self.relay()
            pending = await OutboxMessage.count().where(
                OutboxMessage.done_at.is_null()
                & OutboxMessage.failed_at.is_null()
                & (OutboxMessage.due_at.is_null() | (OutboxMessage.due_at <= self.clock.now()))
            )
            if pending == 0:
                return
            if loop.time() > deadline:
                await self.ensure_workers()  # nobody there: say so rather than "too slow"
                raise WorkersNotRunning(
                    f"{pending} 个后台任务在 {timeout:.0f} 秒内没有完成：请查看 tuoyu worker 的输出"
                    "（是否连着同一个数据库和 Redis），或运行 tuoyu doctor",
                    pending=pending,
                )
            await asyncio.sleep(0.2)

    def wake(self) -> None:
        """Ask for a round soon (thread-safe; a no-op before ``start``)."""
        loop, event = self._loop, self._event
        if loop is None or event is None or loop.is_closed():
            return
        with contextlib.suppress(RuntimeError):  # loop closing
            loop.call_soon_threadsafe(event.set)

    async def start(self) -> None:
        """Run the dispatch loop on the current event loop and listen for committed work."""
        self._loop = asyncio.get_running_loop()
        self._event = asyncio.Event()
        self._event.set()  # a first round at start-up picks up what a previous process left
        with unbounded_statements():  # the loop's task (its jobs and repairs): no command timeout
            self._task = asyncio.create_task(self._run(), name=f"tuoyu-{type(self).__name__}")
        self._remove_waker = add_waker(self.wake)

    async def stop(self, *, grace: float = 10.0) -> None:
        """Stop listening and end the loop. The job being delivered may finish for up to
        ``grace`` seconds (cancelling it half-way through a database transaction could strand its
        pooled connection); after that it is cancelled — its lease runs out and it is delivered
        again later."""
        if self._remove_waker is not None:
            self._remove_waker()
            self._remove_waker = None
        if self._task is not None:
            self._stopping = True
            if self._event is not None:
                self._event.set()
            done, _ = await asyncio.wait([self._task], timeout=grace)
            if not done:
                self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        self._loop = self._event = None
        self._stopping = False

    async def _run(self) -> None:
        assert self._event is not None
        while not self._stopping:
            # asyncio.timeout, not wait_for: on Python 3.11 wait_for can swallow a cancellation
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self.sweep_seconds):
                    await self._event.wait()
            self._event.clear()
            if self._stopping:
                return
            try:
                await self.repair()
                while await self.relay() > 0 and not self._stopping:
                    pass
            except (DatabaseUnavailable, OSError) as exc:
                log.warning("background work waits: database unavailable (%s)", exc)
            except BrokerUnavailable as exc:
                log.warning("background work waits: message broker unavailable (%s)", exc)
            except Exception:
                log.exception("dispatch round failed; retrying in %s s", self.sweep_seconds)


class InProcessDispatcher(Dispatcher):
    """Runs each job in this process, on the dispatcher's own task (never inside a request)."""

    async def deliver(self, message: Claimed) -> None:
        await run_message(message.id, self.clock, jobs=self.jobs)


class CeleryDispatcher(Dispatcher):
    """Publishes each claimed message as ``tuoyu.run_job(message_id)`` to ``queue``."""

    def __init__(self, clock: Clock, celery_app: Any, queue: str, **kwargs: Any) -> None:
        super().__init__(clock, **kwargs)
        self.celery_app = celery_app
        self.queue = queue

    async def ensure_workers(self) -> None:
        """Ask the workers which queues they consume (a Celery broadcast answered within
        :data:`PING_SECONDS`); :class:`WorkersNotRunning` when none consumes ``queue`` or the
        broker cannot be reached. A worker busy on its only thread (``--pool=solo``) may not
        answer: call this before delivering work, not while it runs."""

        def queues() -> dict[str, Any] | None:
            inspect = self.celery_app.control.inspect(timeout=PING_SECONDS)
            return inspect.active_queues()  # type: ignore[no-any-return]

        try:
            answers = await asyncio.to_thread(queues)
        except OperationalError as exc:
            raise WorkersNotRunning(f"无法连接消息队列（TUOYU_REDIS_URL）：{exc}") from exc
        consuming = [w for w, qs in (answers or {}).items() if any(q.get("name") == self.queue for q in qs)]
        if not consuming:
            raise WorkersNotRunning(f"没有正在运行的后台任务 worker（队列 {self.queue}）。{START_WORKER}")

    async def deliver(self, message: Claimed) -> None:
        try:
            # publishing talks to Redis synchronously: keep it off the event loop
            await asyncio.to_thread(
                self.celery_app.send_task, RUN_JOB_TASK, args=[message.id], queue=self.queue
            )
        except OperationalError as exc:  # kombu: the broker cannot be reached
            raise BrokerUnavailable(str(exc)) from exc
