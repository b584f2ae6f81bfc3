"""Per-client rate limits (public verification, login and sign-up) with the ``limits`` library.

A fixed one-minute window per client address and limit, counted atomically: in Redis when
``TUOYU_REDIS_URL`` is set (so several web processes share one count — ``INCR`` with expiry, no
read-then-write race), in this process otherwise. When Redis cannot be reached the limiter falls
back to the in-process count (logged once per outage) instead of failing the request:
verification and login never depend on Redis being up. A request over the limit gets 429 with
``Retry-After`` (seconds until the window ends). Routes opt out with ``opt={"no_rate_limit": True}``.
"""

from __future__ import annotations

import functools
import logging
import math
import time
from typing import Any

from limits import RateLimitItemPerMinute
from limits.aio.storage import RedisStorage, Storage
from limits.aio.strategies import FixedWindowRateLimiter
from litestar.enums import ScopeType
from litestar.exceptions import TooManyRequestsException
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Receive, Scope, Send

log = logging.getLogger("tuoyu.ratelimit")

OPT_OUT = "no_rate_limit"


WINDOW_SECONDS = 60


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
    """Counts hits per ``(namespace, client)`` in a one-minute fixed window."""

    def __init__(self, redis_url: str = "") -> None:
        self._memory = LocalWindow()
        self._shared: FixedWindowRateLimiter | None = None
        if redis_url:
            uri = "async+" + redis_url if not redis_url.startswith("async+") else redis_url
            storage: Storage = RedisStorage(
                uri,
                implementation="redispy",
                key_prefix="tuoyu_rl",
                wrap_exceptions=True,
                socket_timeout=0.5,
                socket_connect_timeout=0.5,
            )
            self._shared = FixedWindowRateLimiter(storage)
        self._degraded = False

    def __deepcopy__(self, memo: dict[int, Any]) -> Limiter:
        return self  # one shared counter store: Litestar copies route configuration at start-up

    @property
    def shared(self) -> bool:
        """True when hits are counted in Redis (``TUOYU_REDIS_URL``), False when in this process."""
        return self._shared is not None

    def hit_here(self, namespace: str, client: str, per_minute: int) -> tuple[bool, int]:
        """:meth:`hit` on the in-process count, without a coroutine (when not :attr:`shared`)."""
        allowed, retry_after = self._memory.hit((namespace, client), per_minute, time.time())
        return allowed, 0 if allowed else retry_after

    async def hit(self, namespace: str, client: str, per_minute: int) -> tuple[bool, int]:
        """Count one hit; returns ``(allowed, seconds until the window resets)`` — the seconds are
        read (one more round trip to the store) only for a refused hit, which needs
        ``Retry-After``; an allowed hit answers 0."""
        item = _item(per_minute)
        if self._shared is not None:
            try:
                allowed = await self._shared.hit(item, namespace, client)
                if self._degraded:
                    log.warning("rate limits: Redis is back, counting in Redis again")
                    self._degraded = False
                if allowed:
                    return True, 0
                reset = (await self._shared.get_window_stats(item, namespace, client)).reset_time
                return False, _seconds_until(reset)
            except Exception as exc:  # Redis unreachable: never fail the request because of it
                if not self._degraded:
                    log.warning("rate limits: Redis unreachable (%r); counting in this process", exc)
                    self._degraded = True
        return self.hit_here(namespace, client, per_minute)


@functools.lru_cache(maxsize=16)
def _item(per_minute: int) -> RateLimitItemPerMinute:
    """The (immutable) limit item of ``per_minute`` hits a minute, built once per value."""
    return RateLimitItemPerMinute(per_minute)


def _seconds_until(reset_time: float) -> int:
    return max(1, math.ceil(reset_time - time.time()))


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
        client: Any = scope.get("client")
        address = client[0] if client else "unknown"
        limiter = self.limiter
        if limiter.shared:
            allowed, retry_after = await limiter.hit(self.namespace, address, self.per_minute)
        else:  # the in-process count needs no await (a coroutine less on every scan)
            allowed, retry_after = limiter.hit_here(self.namespace, address, self.per_minute)
        if not allowed:
            raise TooManyRequestsException(headers={"Retry-After": str(retry_after)})
        await next_app(scope, receive, send)
