"""Pure rules of the trainer pool (师资库): ranks and evaluation summaries (no I/O).

Ranks — source and status
-------------------------
**Design decision** (the plan asks for "evaluation and promotion" without naming ranks): four
ranks in ascending order, 助理讲师 (assistant) → 讲师 (lecturer, the default for a new trainer) →
高级讲师 (senior) → 首席讲师 (chief). A change to a higher rank is a promotion (晋升), to a lower one
an adjustment (降级); each change is kept with its reason.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal

TrainerRank = Literal["assistant", "lecturer", "senior", "chief"]
RANKS: tuple[TrainerRank, ...] = ("assistant", "lecturer", "senior", "chief")
RANK_NAMES: dict[str, str] = {
    "assistant": "助理讲师",
    "lecturer": "讲师",
    "senior": "高级讲师",
    "chief": "首席讲师",
}


def rank_change_kind(before: str, after: str) -> str:
    """``promotion`` (higher rank), ``demotion`` (lower) or ``same``; raises ``ValueError`` for
    an unknown rank."""
    if before not in RANK_NAMES or after not in RANK_NAMES:
        raise ValueError("未知的师资等级")
    b, a = RANKS.index(before), RANKS.index(after)  # type: ignore[arg-type]
    return "promotion" if a > b else "demotion" if a < b else "same"


def average_score(scores: Iterable[int]) -> Decimal | None:
    """The mean of 1–5 evaluation scores, exact and rounded half-up to two places for display
    (``None`` without scores)."""
    values = list(scores)
    if not values:
        return None
    return (Decimal(sum(values)) / Decimal(len(values))).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
