"""One at a time per key, in this process: :class:`Turns`."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Hashable


class Turns:
    """Requests sharing a key take turns (in arrival order; :class:`asyncio.Lock` is fair); other
    keys never wait. A key's lock lives only while someone holds or awaits it, so the table stays
    as small as the requests in flight. For checks that count earlier attempts — a login's
    refusals of the day, a username's wrong passwords — which a burst sent at once would
    otherwise pass by the number in flight. In one process only: several web processes each keep
    their own turns."""

    def __init__(self) -> None:
        self._locks: dict[Hashable, tuple[asyncio.Lock, int]] = {}

    @contextlib.asynccontextmanager
    async def of(self, key: Hashable) -> AsyncIterator[None]:
        """Hold ``key``'s turn while the block runs (waiting for earlier holders first)."""
        lock, waiting = self._locks.get(key) or (asyncio.Lock(), 0)
        self._locks[key] = (lock, waiting + 1)
        try:
            async with lock:
                yield
        finally:
            lock, waiting = self._locks[key]
            if waiting > 1:
                self._locks[key] = (lock, waiting - 1)
            else:
                del self._locks[key]

    def __len__(self) -> int:
        """How many keys are held or awaited now."""
        return len(self._locks)
