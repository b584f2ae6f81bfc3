"""The natural keys already seen in one import file, in bounded memory per row (pure, no I/O).

A file of a million rows used to keep every row's key as a Python tuple in a dict (about 180
bytes a row: 200 MB for 1.2 million ID numbers, more for the trainings' keys with their titles
and dates). :class:`SeenKeys` keeps a 128-bit BLAKE2b digest of each key and the row number in
three flat arrays with open addressing (20 bytes a slot, 30–60 % full: 33–67 bytes a row,
about 40 MB for 1.2 million rows). Two different keys are taken for the same one only if their
128-bit digests collide — about 10⁻²⁶ for a file of a million rows — so a row is never called a
duplicate of another in practice, and a real duplicate is always found.
"""

from __future__ import annotations

from array import array
from hashlib import blake2b
from typing import Any

_EMPTY = 0
_MAX_LOAD = 0.6


def key_digest(key: tuple[Any, ...]) -> tuple[int, int]:
    """The 128-bit digest of a natural key (``repr`` of the tuple: the values' types are fixed per
    kind — ``str``, ``date``, ``Decimal``) as two unsigned 64-bit integers."""
    digest = blake2b(repr(key).encode(), digest_size=16).digest()
    return int.from_bytes(digest[:8], "little"), int.from_bytes(digest[8:], "little")


class SeenKeys:
    """``first(key, row)``: the row number a key was first seen on, or ``None`` (and ``row``
    recorded) when it is new. Row numbers are positive (spreadsheet rows from 1), below 2³²."""

    __slots__ = ("_count", "_hi", "_lo", "_mask", "_rows")

    def __init__(self, capacity: int = 1024) -> None:
        size = 1
        while size < capacity:
            size *= 2
        self._alloc(size)
        self._count = 0

    def _alloc(self, size: int) -> None:
        self._hi = array("Q", [0]) * size
        self._lo = array("Q", [0]) * size
        self._rows = array("I", [0]) * size
        self._mask = size - 1

    def __len__(self) -> int:
        return self._count

    def first(self, key: tuple[Any, ...], row: int) -> int | None:
        hi, lo = key_digest(key)
        slot = self._find(hi, lo)
        seen = self._rows[slot]
        if seen != _EMPTY:
            return int(seen)
        self._hi[slot], self._lo[slot], self._rows[slot] = hi, lo, row
        self._count += 1
        if self._count > _MAX_LOAD * (self._mask + 1):
            self._grow()
        return None

    def _find(self, hi: int, lo: int) -> int:
        """The slot holding digest ``(hi, lo)``, or the empty slot where it goes (linear probing)."""
        mask, rows, his, los = self._mask, self._rows, self._hi, self._lo
        slot = lo & mask
        while rows[slot] != _EMPTY and (his[slot] != hi or los[slot] != lo):
            slot = (slot + 1) & mask
        return slot

    def _grow(self) -> None:
        his, los, rows = self._hi, self._lo, self._rows
        self._alloc(2 * (self._mask + 1))
        for hi, lo, row in zip(his, los, rows, strict=True):
            if row != _EMPTY:
                slot = self._find(hi, lo)
                self._hi[slot], self._lo[slot], self._rows[slot] = hi, lo, row
