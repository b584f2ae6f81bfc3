"""Pure rules of the question bank, online theory attempts and practical double marking (no
I/O). Every score is an exact ``Decimal`` with at most one decimal; nothing is a float.

Sources and choices (stated once, here):

- Question kinds 单选 / 多选 / 判断 and the marking of objective questions: a question scores
  its full points when the chosen options are *exactly* the correct ones, else 0 (多选: no
  partial credit — a missing or an extra option scores 0).
- A paper follows the programme's blueprint (组卷蓝图): per domain and difficulty, how many
  questions and the points of each; the points of a blueprint add up to exactly 100
  (occupations.json ``appraisal.scale``).
- Practical double marking (双评): see :func:`final_practical`.
"""

from __future__ import annotations

import datetime as dt
import random
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from certification.rules import ONE_DECIMAL, SCORE_MAX, score_problem

KIND_NAMES: dict[str, str] = {"single": "单选", "multiple": "多选", "true_false": "判断"}
KIND_CODES: dict[str, str] = {v: k for k, v in KIND_NAMES.items()} | {
    "单选题": "single",
    "多选题": "multiple",
    "判断题": "true_false",
}
DIFFICULTY_NAMES: dict[int, str] = {1: "易", 2: "中", 3: "难"}
DIFFICULTY_CODES: dict[str, int] = {v: k for k, v in DIFFICULTY_NAMES.items()} | {
    "容易": 1,
    "中等": 2,
    "较难": 3,
    "困难": 3,
}
TRUE_FALSE_OPTIONS = ("正确", "错误")
LETTERS = "ABCDEFGH"
MAX_OPTIONS = len(LETTERS)
MAX_QUESTIONS_PER_PAPER = 300


def kind_name(code: str) -> str:
    """单选 / 多选 / 判断 for ``single`` / ``multiple`` / ``true_false``."""
    return KIND_NAMES.get(code, code)


def difficulty_name(level: int) -> str:
    """易 / 中 / 难 for 1 / 2 / 3."""
    return DIFFICULTY_NAMES.get(level, str(level))


def parse_choice(raw: object, *, kind: str, option_count: int) -> list[int]:
    """The option indexes (0-based, ascending) of a typed answer: letters (``"A"``, ``"AC"``,
    ``"a, c"``, full-width ``"ＡＣ"``) or a list of letters; for 判断 also 对/错, 正确/错误, √/×,
    T/F. An empty answer is ``[]`` (not answered). Raises ``ValueError`` with a Chinese reason:
    a letter beyond the options, several options for 单选/判断."""
    if raw is None:
        return []
    if isinstance(raw, list | tuple):
        text = "".join(str(x) for x in raw)
    elif isinstance(raw, str):
        text = raw
    else:
        raise ValueError("答案必须是选项字母（如 A 或 AC）")
    text = unicodedata.normalize("NFKC", text).strip().upper()
    if kind == "true_false":
        words = {
            "对": 0,
            "正确": 0,
            "√": 0,
            "✓": 0,
            "T": 0,
            "TRUE": 0,
            "错": 1,
            "错误": 1,
            "×": 1,
            "✗": 1,
            "X": 1,
        }
        words |= {"F": 1, "FALSE": 1}
        if text in words:
            return [words[text]]
    picked: set[int] = set()
    for ch in text:
        if ch in " ,，、;；":
            continue
        index = LETTERS.find(ch)
        if index < 0 or index >= option_count:
            raise ValueError(
                f"答案 {text[:10]!r} 含有不存在的选项（本题选项为 A–{LETTERS[option_count - 1]}）"
            )
        picked.add(index)
    if kind in ("single", "true_false") and len(picked) > 1:
        raise ValueError(f"{kind_name(kind)}题只能选择一个选项")
    return sorted(picked)


def letters(indexes: Sequence[int]) -> str:
    """``[0, 2]`` → ``"AC"``."""
    return "".join(LETTERS[i] for i in sorted(indexes))


def is_correct(correct: Sequence[int], chosen: Sequence[int] | None) -> bool:
    """Full marks only for exactly the correct options (no partial credit)."""
    return chosen is not None and sorted(chosen) == sorted(correct)


def attempt_score(items: Sequence[tuple[Decimal, bool]]) -> Decimal:
    """The exact sum of the points of the correctly answered items (``(points, correct)``),
    normalised to one decimal."""
    return sum((points for points, ok in items if ok), Decimal(0)).quantize(ONE_DECIMAL)


def deadline(started_at: dt.datetime, minutes: int, extra_minutes: int) -> dt.datetime:
    """When an attempt started at ``started_at`` (aware) ends: the programme's ``minutes``
    plus the candidate's ``extra_minutes``."""
    if started_at.utcoffset() is None:
        raise ValueError("开始时间必须带时区")
    return started_at + dt.timedelta(minutes=minutes + extra_minutes)


def accepts(now: dt.datetime, deadline_at: dt.datetime, grace_seconds: int) -> bool:
    """Whether a save or submission made at ``now`` still counts: up to the deadline plus the
    programme's grace (for the network; the candidate's clock is never trusted)."""
    return now <= deadline_at + dt.timedelta(seconds=grace_seconds)


# --------------------------------------------------------------------------- blueprints


@dataclass(frozen=True, slots=True)
class BlueprintCell:
    """One blueprint row: ``count`` questions of ``domain`` at ``difficulty``, ``points`` each."""

    domain: str
    difficulty: int
    count: int
    points: Decimal


def blueprint_problems(rows: Sequence[BlueprintCell], available: Mapping[tuple[str, int], int]) -> list[str]:
    """Why a blueprint cannot be used, in Chinese (``[]`` when it can): a row twice, a count
    below 1, points not an exact positive score, a total other than 100 points, more than
    :data:`MAX_QUESTIONS_PER_PAPER` questions, or more questions of a domain and difficulty
    than the bank's active questions (``available``)."""
    problems: list[str] = []
    if not rows:
        return ["组卷蓝图至少需要一行"]
    seen: set[tuple[str, int]] = set()
    total = Decimal(0)
    count = 0
    for i, row in enumerate(rows, start=1):
        cell = (row.domain, row.difficulty)
        label = f"第 {i} 行（{row.domain}·{difficulty_name(row.difficulty)}）"
        if cell in seen:
            problems.append(f"{label}与前面的行重复")
        seen.add(cell)
        if row.difficulty not in DIFFICULTY_NAMES:
            problems.append(f"{label}难度须为 1（易）、2（中）或 3（难）")
        if row.count < 1:
            problems.append(f"{label}题量须至少为 1")
        problem = score_problem(row.points)
        if problem is not None or row.points <= 0:
            problems.append(f"{label}每题分值无效：{problem or '须大于 0'}")
            continue
        have = available.get(cell, 0)
        if row.count > have:
            problems.append(
                f"题库中「{row.domain}·{difficulty_name(row.difficulty)}」只有 {have} 道可用试题，"
                f"蓝图要求 {row.count} 道"
            )
        total += row.points * row.count
        count += row.count
    if count > MAX_QUESTIONS_PER_PAPER:
        problems.append(f"一份试卷最多 {MAX_QUESTIONS_PER_PAPER} 道题，蓝图共 {count} 道")
    if not problems and total != SCORE_MAX:
        problems.append(f"蓝图总分为 {total.normalize():f} 分，须恰好为 100 分")
    return problems


@dataclass(frozen=True, slots=True)
class DrawnItem:
    """One question of a drawn paper: its id, the options in the order shown (``order[i]`` is
    the authoring index of shown option ``i``) and its points."""

    question_id: int
    order: tuple[int, ...]
    points: Decimal


def draw_paper(
    rows: Sequence[BlueprintCell],
    bank: Mapping[tuple[str, int], Sequence[tuple[int, str, int]]],
    rng: random.Random,
) -> list[DrawnItem]:
    """A paper for one candidate: for each blueprint row ``count`` distinct questions drawn at
    random from ``bank[(domain, difficulty)]`` (``(question id, kind, option count)``), all of
    them in a shuffled order, the options of 单选/多选 shuffled too (判断 keeps 正确, 错误).
    Raises ``ValueError`` (Chinese) when a cell holds fewer questions than asked for."""
    items: list[DrawnItem] = []
    for row in rows:
        pool = list(bank.get((row.domain, row.difficulty), ()))
        if len(pool) < row.count:
            raise ValueError(
                f"题库中「{row.domain}·{difficulty_name(row.difficulty)}」只有 {len(pool)} 道可用试题，"
                f"蓝图要求 {row.count} 道"
            )
        for question_id, kind, option_count in rng.sample(pool, row.count):
            order = list(range(option_count))
            if kind != "true_false":
                rng.shuffle(order)
            items.append(DrawnItem(question_id, tuple(order), row.points))
    rng.shuffle(items)
    return items


# --------------------------------------------------------------------------- practical marking


def item_problems(items: Mapping[str, object], maxima: Mapping[str, Decimal]) -> list[str]:
    """Why an examiner's item scores are not acceptable, in Chinese (``[]`` when they are):
    every item of the programme scored exactly once, each an exact number from 0 to the item's
    maximum with at most one decimal (no floats, no exponent notation), no unknown items."""
    problems = [f"缺少考核项目「{code}」的分数" for code in maxima if code not in items]
    for code, value in items.items():
        if code not in maxima:
            problems.append(f"考核项目「{str(code)[:20]}」不存在")
            continue
        problem = score_problem(value)
        if problem is not None:
            problems.append(f"考核项目「{code}」：{problem}")
        elif Decimal(str(value).strip()) > maxima[code]:
            problems.append(f"考核项目「{code}」：分数 {value} 超过该项满分 {maxima[code].normalize():f}")
    return problems


def _plain(value: Decimal) -> str:
    """``Decimal("5.0")`` → ``"5"``, ``Decimal("2.5")`` → ``"2.5"`` (for messages)."""
    return f"{value.normalize():f}"


def half_up(value: Decimal) -> Decimal:
    """``value`` rounded half up to one decimal (四舍五入: 72.25 → 72.3)."""
    return value.quantize(ONE_DECIMAL, rounding=ROUND_HALF_UP)


@dataclass(frozen=True, slots=True)
class PracticalState:
    """Where a candidate's practical marking stands: ``status`` ``awaiting_first`` ·
    ``awaiting_second`` · ``needs_third`` · ``final``; ``score`` the final practical score when
    ``final``; ``rule`` a Chinese sentence naming the rule applied."""

    status: str
    score: Decimal | None
    rule: str


def final_practical(totals: Sequence[Decimal], tolerance: Decimal) -> PracticalState:
    """The practical score from the examiners' totals in marking order (双评 rule):

    1. Two different examiners mark every candidate. When their totals differ by at most
       ``tolerance`` points, the score is their mean.
    2. When they differ by more, a third examiner marks. If the third total is within
       ``tolerance`` of at least one of the first two, the score is the mean of the third and
       the nearer of the two (equally near: the higher of the two).
    3. If the third total is more than ``tolerance`` from both, the third examiner arbitrates:
       the score is the third total.

    Means are exact and then rounded half up to one decimal (72.25 → 72.3), which is the only
    rounding anywhere in the marking."""
    if not totals:
        return PracticalState("awaiting_first", None, "等待第一位考评员评分")
    if len(totals) == 1:
        return PracticalState("awaiting_second", None, "等待第二位考评员评分（双评）")
    first, second = totals[0], totals[1]
    if abs(first - second) <= tolerance:
        return PracticalState(
            "final", half_up((first + second) / 2), f"两评分差不超过 {_plain(tolerance)} 分，取两评平均分"
        )
    if len(totals) == 2:
        return PracticalState(
            "needs_third",
            None,
            f"两评分差 {_plain(abs(first - second))} 分，超过允许误差 {_plain(tolerance)} 分，"
            "须第三位考评员评分",
        )
    third = totals[2]
    d1, d2 = abs(third - first), abs(third - second)
    if min(d1, d2) > tolerance:
        return PracticalState("final", third, "三评与前两评分差均超过允许误差，以三评（仲裁）分为准")
    nearer = first if d1 < d2 else second if d2 < d1 else max(first, second)
    return PracticalState("final", half_up((third + nearer) / 2), "取三评与较接近一评的平均分")
