"""What every measure is given: the run's options, its temporary folder, and where to note
observations that are not ratios (peak RSS, request rates, query plans)."""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class RunContext:
    """Options and shared state of one ``python -m bench`` run.

    ``rounds``: rounds per measure (each round measures the thing and its baseline side by side);
    ``seconds``: length of one wrk run; ``scales``: N of the N× Jinan datasets for ``targets``;
    ``regenerate``: rebuild the cached datasets even when they look complete.
    """

    tmp: Path
    rounds: int = 5
    seconds: float = 3.0
    scales: tuple[int, ...] = (1, 10, 100)
    regenerate: bool = False
    notes: list[str] = field(default_factory=list)
    started: float = field(default_factory=time.monotonic)

    def log(self, text: str) -> None:
        """A progress line on stderr, stamped with the seconds since the run started."""
        print(f"[{time.monotonic() - self.started:7.1f}s] {text}", file=sys.stderr, flush=True)

    def note(self, text: str) -> None:
        """An observation for the report (below the table)."""
        self.notes.append(text)
        self.log(text)

    def folder(self, name: str) -> Path:
        """A fresh sub-folder of the run's temporary folder."""
        path = self.tmp / name
        path.mkdir(parents=True, exist_ok=True)
        return path
