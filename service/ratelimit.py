"""Per-client rate limits (public verification, login and sign-up) and per-login ones (an
employer's claims) with the ``limits`` library.

A fixed one-minute window per client address (or per login) and limit, counted atomically: in Redis when
``TUOYU_REDIS_URL`` is set (so several web processes share one count — ``INCR`` with expiry, no
read-then-write race), in this process otherwise. A request over the limit gets 429 with
``Retry-After`` (seconds until the window ends). Routes opt out with ``opt={"no_rate_limit": True}``.

Redis connections and bursts: each process talks to Redis through a bounded pool of
:data:`REDIS_POOL_SIZE` connections, and at most that many hits are in flight to Redis at once;
a hit beyond them *waits its turn* (up to :data:`REDIS_POOL_WAIT_SECONDS`) — a burst of
hundreds of requests queues for a few milliseconds each and every hit is counted in Redis, so
N concurrent hits against a limit of L let exactly L through, whatever the number of processes.
(Before 2026-11-30 the client's own pool ran dry under a burst, ``MaxConnectionsError`` was taken
for an outage and the process counted in memory: 400 concurrent scans let 150 of 50 through.)

What happens when Redis cannot be used, as a mature service does it — never fail the request
because of the counter store (verification and login never depend on Redis being up), never
let a bad moment of one request change how everyone else is counted:

- **Redis unreachable** (refused, timed out, an error from Redis): an outage. The hit — and every
  hit after it until Redis answers again — is counted in this process (per-process windows:
  the limit then holds per process, not across them), logged once when the outage begins and
  once when Redis is back. During the outage no hit waits for Redis (a circuit breaker): Redis is
  tried in the background, :data:`REDIS_RETRY_SECONDS` after the failure and then at doubling
  intervals up to :data:`REDIS_RETRY_MAX_SECONDS`, and counting returns to Redis with the first
  try it answers. A Redis that stops answering without refusing costs the hits in flight at that
  moment the reply wait, no more.
- **Waiting for a connection ran out** (the process is so overloaded that
  :data:`REDIS_POOL_WAIT_SECONDS` passed before a connection came free): not an outage — Redis
  is fine, this process is busy. Only *that* hit is counted in this process (a client's
  in-process count is a lower bound of its shared one, so this errs towards refusing too little
  by at most one limit per process and window, never towards refusing everyone); the process does
  not switch to in-process counting, and the event is logged at most once a minute with how many
  hits it concerned.

Per-login limits (:class:`AccountLimits`) count the logged-in account, not its address: employers
behind one NAT (a chain's head office, a district's shared line) do not block each other. A route
names its limit in its ``opt`` (``action("employment.claim", account_rate_limit="claim")``); the
app's one ``before_request`` hook calls :func:`limit_account` after the policy's check, so a caller
without a login or with the wrong role is refused (401/403) before being counted, and a caller over
the limit is refused before the handler runs: nothing is written. The 429 goes through the
route's middleware like any refusal, so the audit records it (``service.audit``, ``write_refused``)
on routes that audit refusals.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import math
import time
from collections.abc import Callable, Mapping
from typing import Any

from limits import RateLimitItemPerMinute
from limits.aio.storage import RedisStorage, Storage
from limits.aio.strategies import FixedWindowRateLimiter
from litestar import Request
from litestar.enums import ScopeType
from litestar.exceptions import TooManyRequestsException
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Receive, Scope, Send

log = logging.getLogger("tuoyu.ratelimit")

OPT_OUT = "no_rate_limit"
ACCOUNT_LIMIT = "account_rate_limit"
"""The route ``opt`` key naming the per-login limit the route counts against (a key of the app's
:class:`AccountLimits`)."""


WINDOW_SECONDS = 60

REDIS_POOL_SIZE = 32
"""Redis connections per process (and hits in flight to Redis at once): a hit takes one
connection for about a tenth of a millisecond on a local network, so 32 serve tens of thousands
of hits a second; 32 × the web processes stays far below Redis' ``maxclients`` (10 000)."""

REDIS_REPLY_SECONDS = 2.0
"""How long a hit waits for Redis' reply on an open connection before Redis counts as unreachable
(a new connection gets 0.5 s). It is measured on this process's event loop: at 0.5 s a burst of
200 in-process scans on the loaded two-core CI machine timed out while Redis was fine, and the 32
hits in flight were counted in the process (82 answers for a limit of 50, 2026-11-30)."""

REDIS_POOL_WAIT_SECONDS = 5.0
"""How long a hit waits for its turn at a pooled Redis connection before it is counted in this
process instead (see the module docstring). The wait is for this process's event loop more than
for Redis: 2 s let a 400-request burst on a loaded two-core CI machine count 32 hits locally
(82 answers for a limit of 50, 2026-11-30)."""


REDIS_RETRY_SECONDS = 1.0
"""During a Redis outage, how long after the failure Redis is tried again — in the background,
beside the hits, which are all counted in this process without waiting (a blackholed Redis cost
every hit the full reply wait, :data:`REDIS_REPLY_SECONDS`; then, with one hit a second trying,
every hit of a quiet site: two trials, 2026-11-30). Each failed try doubles the wait."""
REDIS_RETRY_MAX_SECONDS = 30.0
"""The longest wait between two tries of Redis during an outage."""


class LocalWindow:
    """Hits per key in the current one-minute fixed window, in this process: the count when Redis
    is not configured or cannot be reached. The window's counts are dropped as a whole when the
    next window begins (memory: one integer per client seen this minute).

    Not ``limits``' in-memory stores: the asyncio one starts a task on every hit that sweeps
    every key (measured 2026-11-30: ~30 µs of a ~550 µs verification, and a pass over all
    clients per request), the synchronous one starts a timer thread every 10 ms and waits for it
    to start on the event loop (verification throughput fell by a third)."""

    def __init__(self) -> None:
        self._window = -1
        self._counts: dict[tuple[str, str], int] = {}

    def hit(self, key: tuple[str, str], per_minute: int, now: float) -> tuple[bool, int]:
        """Count one hit of ``key`` at ``now`` (epoch seconds); ``(allowed, seconds until the
        window ends)`` — at least 1."""
        window = int(now // WINDOW_SECONDS)
        if window != self._window:
            self._window, self._counts = window, {}
        count = self._counts.get(key, 0) + 1
        self._counts[key] = count
        return count <= per_minute, max(1, math.ceil((window + 1) * WINDOW_SECONDS - now))


class Limiter:
    """Counts hits per ``(namespace, client)`` in a one-minute fixed window: in Redis (its own
    time) when ``redis_url`` is given and reachable, else in this process at the instants ``now``
    gives (epoch seconds; the app passes its clock's)."""

    def __init__(self, redis_url: str = "", now: Callable[[], float] = time.time) -> None:
        self._now = now  # epoch seconds of the in-process windows: the app's clock (tests stand still)
        self._memory = LocalWindow()
        self._shared: FixedWindowRateLimiter | None = None
        if redis_url:
            uri = "async+" + redis_url if not redis_url.startswith("async+") else redis_url
            from redis.asyncio import BlockingConnectionPool

            # A blocking pool: a burst beyond the pool waits for a connection (the turnstile
            # below already keeps it from having to; the pool's own wait is the backstop) instead
            # of failing at once with ``MaxConnectionsError`` as redis-py's default pool does.
            pool = BlockingConnectionPool.from_url(
                uri.removeprefix("async+"),
                max_connections=REDIS_POOL_SIZE,
                timeout=REDIS_POOL_WAIT_SECONDS,
                socket_timeout=REDIS_REPLY_SECONDS,
                socket_connect_timeout=0.5,
            )
            storage: Storage = RedisStorage(
                uri,
                implementation="redispy",
                key_prefix="tuoyu_rl",
                wrap_exceptions=True,
                connection_pool=pool,  # type: ignore[arg-type]  # options are typed as scalars; redispy takes a pool
            )
            self._shared = FixedWindowRateLimiter(storage)
        # At most REDIS_POOL_SIZE hits in flight to Redis; the others wait here, in order. Our
        # own turnstile, not only the pool's wait: it tells "waited too long" (this process is
        # busy) from "Redis failed" (an outage) without reading redis-py's error messages.
        self._turnstile = asyncio.Semaphore(REDIS_POOL_SIZE)
        self._degraded = False
        self._retry_at = 0.0  # during an outage: when (monotonic) Redis is tried again
        self._retry_every = REDIS_RETRY_SECONDS  # … and how long the wait after a failed try is
        self._probe: asyncio.Future[None] | None = None  # the try running, if any
        self._busy_window = -1  # the window the last "waited too long" was logged in
        self._busy_hits = 0  # hits counted here because the wait ran out, since that log line

    def __deepcopy__(self, memo: dict[int, Any]) -> Limiter:
        return self  # one shared counter store: Litestar copies route configuration at start-up

    @property
    def shared(self) -> bool:
        """True when hits are counted in Redis (``TUOYU_REDIS_URL``), False when in this process."""
        return self._shared is not None

    def hit_here(self, namespace: str, client: str, per_minute: int) -> tuple[bool, int]:
        """:meth:`hit` on the in-process count, without a coroutine (when not :attr:`shared`)."""
        allowed, retry_after = self._memory.hit((namespace, client), per_minute, self._now())
        return allowed, 0 if allowed else retry_after

    async def hit(self, namespace: str, client: str, per_minute: int) -> tuple[bool, int]:
        """Count one hit; returns ``(allowed, seconds until the window resets)`` — the seconds are
        read (one more round trip to the store) only for a refused hit, which needs
        ``Retry-After``; an allowed hit answers 0."""
        if self._shared is None:
            return self.hit_here(namespace, client, per_minute)
        if self._degraded:  # an outage: counted here at once; Redis is tried beside the hits
            self._probe_when_due()
            return self.hit_here(namespace, client, per_minute)
        try:
            async with asyncio.timeout(REDIS_POOL_WAIT_SECONDS):
                await self._turnstile.acquire()
        except TimeoutError:  # this process is busy, Redis is not down: this hit only, here
            self._waited_too_long()
            return self.hit_here(namespace, client, per_minute)
        try:
            return await self._hit_shared(self._shared, namespace, client, per_minute)
        except Exception as exc:  # Redis unreachable: never fail the request because of it
            if not self._degraded:
                log.warning("rate limits: Redis unreachable (%r); counting in this process", exc)
                self._degraded = True
                self._retry_every = REDIS_RETRY_SECONDS
                self._retry_at = time.monotonic() + self._retry_every
            return self.hit_here(namespace, client, per_minute)
        finally:
            self._turnstile.release()

    def _probe_when_due(self) -> None:
        """During an outage: start one background try of Redis (``PING``) when the retry
        interval has passed and none is running; the interval doubles with every failed try, up
        to :data:`REDIS_RETRY_MAX_SECONDS`."""
        if time.monotonic() < self._retry_at or (self._probe is not None and not self._probe.done()):
            return
        self._probe = asyncio.ensure_future(self._try_redis())

    async def _try_redis(self) -> None:
        shared = self._shared
        assert shared is not None
        try:
            async with asyncio.timeout(REDIS_REPLY_SECONDS + 0.5):
                answered = await shared.storage.check()
        except Exception:  # a timeout, a refused connection: still down
            answered = False
        if answered:
            log.warning("rate limits: Redis is back, counting in Redis again")
            self._degraded = False
            return
        self._retry_every = min(self._retry_every * 2, REDIS_RETRY_MAX_SECONDS)
        self._retry_at = time.monotonic() + self._retry_every

    async def _hit_shared(
        self, shared: FixedWindowRateLimiter, namespace: str, client: str, per_minute: int
    ) -> tuple[bool, int]:
        item = _item(per_minute)
        allowed = await shared.hit(item, namespace, client)
        if self._degraded:
            log.warning("rate limits: Redis is back, counting in Redis again")
            self._degraded = False
        if allowed:
            return True, 0
        reset = (await shared.get_window_stats(item, namespace, client)).reset_time
        return False, _seconds_until(reset)

    def _waited_too_long(self) -> None:
        """Log (at most once a window) that hits were counted here because the wait for a Redis
        connection ran out."""
        self._busy_hits += 1
        window = int(time.monotonic() // WINDOW_SECONDS)
        if window != self._busy_window:
            log.warning(
                "rate limits: %d hit(s) waited over %.1f s for a Redis connection (this process is "
                "overloaded); counted in this process, Redis stays the count for the others",
                self._busy_hits,
                REDIS_POOL_WAIT_SECONDS,
            )
            self._busy_window, self._busy_hits = window, 0


@functools.lru_cache(maxsize=16)
def _item(per_minute: int) -> RateLimitItemPerMinute:
    """The (immutable) limit item of ``per_minute`` hits a minute, built once per value."""
    return RateLimitItemPerMinute(per_minute)


def _seconds_until(reset_time: float) -> int:
    return max(1, math.ceil(reset_time - time.time()))


COUNTED = "tuoyu_rate_counted"
"""``scope["state"]`` key: this request's hit was counted already (by ``service.scan``, which then
handed the request to the route): the route's :class:`RateLimitMiddleware` lets it pass uncounted."""


class RateLimitMiddleware(ASGIMiddleware):
    """Limits each client to ``per_minute`` requests a minute on the routes it wraps (see the
    module docstring)."""

    scopes = (ScopeType.HTTP,)
    exclude_opt_key = OPT_OUT

    def __init__(self, limiter: Limiter, namespace: str, per_minute: int) -> None:
        self.limiter = limiter
        self.namespace = namespace
        self.per_minute = per_minute

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        if scope["state"].pop(COUNTED, False):  # type: ignore[typeddict-item]
            await next_app(scope, receive, send)
            return
        allowed, retry_after = await self.count(scope)
        if not allowed:
            raise TooManyRequestsException(headers={"Retry-After": str(retry_after)})
        await next_app(scope, receive, send)

    async def count(self, scope: Scope) -> tuple[bool, int]:
        """Count one hit of the request's client address: ``(allowed, seconds until the window
        resets — 0 when allowed)``, as :meth:`Limiter.hit` (also ``service.scan``'s count)."""
        client: Any = scope.get("client")
        address = client[0] if client else "unknown"
        limiter = self.limiter
        if limiter.shared:
            return await limiter.hit(self.namespace, address, self.per_minute)
        # the in-process count needs no await (a coroutine less on every scan)
        return limiter.hit_here(self.namespace, address, self.per_minute)


class AccountLimits:
    """Per-login limits: ``per_minute`` maps a limit's name (a route's :data:`ACCOUNT_LIMIT`) to
    the requests one account may make a minute, counted by ``limiter`` (in Redis when configured,
    so every web process shares the count) under the key ``account:<id>``."""

    def __init__(self, limiter: Limiter, per_minute: Mapping[str, int]) -> None:
        self.limiter = limiter
        self.per_minute = dict(per_minute)

    async def check(self, name: str, account_id: int) -> None:
        """Count one request of ``account_id`` against the limit ``name``; raises
        ``TooManyRequestsException`` (429, a Chinese ``detail``, ``Retry-After`` in seconds) over
        it. ``KeyError`` for a name no limit was configured for (a route naming a limit the app
        does not have is a programming error, not a request to let through)."""
        per_minute = self.per_minute[name]
        allowed, retry_after = await self.limiter.hit(name, f"account:{account_id}", per_minute)
        if not allowed:
            raise TooManyRequestsException(
                detail=f"操作过于频繁：此操作每个账号每分钟最多 {per_minute} 次，请 {retry_after} 秒后再试",
                headers={"Retry-After": str(retry_after)},
            )


async def limit_account(request: Request[Any, Any, Any]) -> None:
    """Apply the per-login limit the matched route names in its ``opt`` (:data:`ACCOUNT_LIMIT`),
    if any, to the logged-in account (the policy's check ran first: a limited route is never
    public); the limits are the app's ``state.account_limits`` (:class:`AccountLimits`). Raises
    as :meth:`AccountLimits.check`."""
    name = request.scope["route_handler"].opt.get(ACCOUNT_LIMIT)
    if name is None:
        return
    limits: AccountLimits = request.app.state.account_limits
    await limits.check(name, request.scope["user"].id)
