"""Results of a benchmark run: one :class:`Measure` per row of the report, and the markdown table.

Every measure is a **ratio** against a baseline measured side by side in the same run (one ratio
per round); the report gives the median of the per-round ratios and their spread (min–max), the
goal and whether the median meets it. Absolute numbers are noted for context only: on a shared
two-core machine they are noise, the ratios are not.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field


@dataclass
class Measure:
    """One row of the report.

    ``goal_op`` is ``">="`` or ``"<="`` with ``goal`` the bound, or ``None`` for a ratio reported
    for information. ``detail`` holds the median absolute numbers behind the ratio. A measure
    whose run failed (an error response, a wrong count) has ``error`` set and no ratios.
    """

    name: str
    baseline: str
    ratios: list[float] = field(default_factory=list)
    goal_op: str | None = None
    goal: float | None = None
    detail: str = ""
    error: str = ""

    @property
    def median(self) -> float | None:
        return statistics.median(self.ratios) if self.ratios else None

    @property
    def spread(self) -> tuple[float, float] | None:
        return (min(self.ratios), max(self.ratios)) if self.ratios else None

    @property
    def met(self) -> bool | None:
        """Whether the median meets the goal; ``None`` without a goal or without numbers."""
        m = self.median
        if m is None or self.goal_op is None or self.goal is None:
            return None
        return m >= self.goal if self.goal_op == ">=" else m <= self.goal

    def goal_text(self) -> str:
        if self.goal_op is None or self.goal is None:
            return "— (info)"
        return f"{'≥' if self.goal_op == '>=' else '≤'} {self.goal:g}"


def fmt_ratio(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}"


def markdown_table(measures: Sequence[Measure]) -> str:
    """The report table: measure, baseline, ratio median, spread, goal, met?, details."""
    lines = [
        "| measure | baseline | ratio (median) | spread (min–max) | goal | met? | median absolutes |",
        "|---|---|---|---|---|---|---|",
    ]
    for m in measures:
        if m.error:
            lines.append(f"| {m.name} | {m.baseline} | — | — | {m.goal_text()} | **FAILED** | {m.error} |")
            continue
        spread = m.spread
        spread_text = "—" if spread is None else f"{spread[0]:.2f}–{spread[1]:.2f}"
        met = {True: "yes", False: "**no**", None: "—"}[m.met]
        lines.append(
            f"| {m.name} | {m.baseline} | {fmt_ratio(m.median)} | {spread_text} | {m.goal_text()} "
            f"| {met} | {m.detail} |"
        )
    return "\n".join(lines)


def median(values: Sequence[float]) -> float:
    """The median (the report's one statistic for absolute numbers too)."""
    return statistics.median(values)
