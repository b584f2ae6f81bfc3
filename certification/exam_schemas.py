"""Pydantic shapes of the question bank, blueprints, online attempts and practical marking.

What a candidate receives (:class:`AttemptOut`, :class:`PaperItemOut`) has no field for the
correct options, the explanation or the question's id: the answers never reach a candidate's
browser. Scores and points are exact ``Decimal`` (one decimal); times are aware UTC.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

QuestionKind = Literal["single", "multiple", "true_false"]


class QuestionOut(BaseModel):
    """A bank question as staff see it (with the answer): ``answer`` letters, e.g. ``"AC"``."""

    id: int
    code: str
    programme_code: str
    kind: QuestionKind
    domain: str
    difficulty: int
    stem: str
    options: list[str]
    answer: str
    explanation: str
    active: bool


class BankImportOut(BaseModel):
    """What an import did: questions ``created`` and ``updated``, and the programme's active
    questions per ``"domain·difficulty"`` afterwards."""

    created: int
    updated: int
    active_by_cell: dict[str, int]


class BlueprintRowIn(BaseModel):
    """One blueprint row: ``question_count`` questions of ``domain`` at ``difficulty`` (1 易 ·
    2 中 · 3 难), ``points`` each (exact, at most one decimal)."""

    model_config = ConfigDict(extra="forbid")
    domain: str = Field(min_length=1, max_length=64)
    difficulty: int
    question_count: int
    points: Decimal

    @field_validator("domain")
    @classmethod
    def _trim(cls, value: str) -> str:
        return " ".join(value.split())

    @field_validator("points", mode="before")
    @classmethod
    def _exact(cls, value: object) -> object:
        if isinstance(value, float):
            return Decimal(repr(value))  # the decimal the user typed, not the binary float
        return value


class BlueprintIn(BaseModel):
    """A programme's whole blueprint (replaces the previous one)."""

    rows: list[BlueprintRowIn] = Field(min_length=1, max_length=100)


class BlueprintRowOut(BaseModel):
    """A blueprint row with the bank's active questions of its cell (``available``)."""

    domain: str
    difficulty: int
    difficulty_name: str
    question_count: int
    points: Decimal
    available: int


class BlueprintOut(BaseModel):
    """A programme's blueprint: rows, total points and questions, and ``problems`` — why a paper
    cannot be drawn from it now (empty when it can)."""

    programme_code: str
    rows: list[BlueprintRowOut]
    total_points: Decimal
    question_count: int
    problems: list[str]


class BankCellOut(BaseModel):
    """A bank cell: the questions of one ``domain`` at ``difficulty`` — ``active`` ones (drawn
    into papers) and ``retired`` ones (停用, kept for the papers that used them)."""

    domain: str
    difficulty: int
    difficulty_name: str
    active: int
    retired: int


class BankSummaryOut(BaseModel):
    """A programme's bank size: active and retired questions in all, and per cell (by domain,
    then difficulty)."""

    programme_code: str
    active: int
    retired: int
    cells: list[BankCellOut]


class QuestionPageOut(BaseModel):
    """One page of a programme's bank (with answers: staff only), by 题号: ``items``, the
    ``total`` matching the filter, ``limit`` and ``offset`` as asked."""

    items: list[QuestionOut]
    total: int
    limit: int
    offset: int


class OptionOut(BaseModel):
    """An option as the candidate sees it: its letter in the shuffled order and its text."""

    label: str
    text: str


class PaperItemOut(BaseModel):
    """One question of the candidate's paper: no answer, no explanation, no question id."""

    position: int
    kind: QuestionKind
    kind_name: str
    stem: str
    options: list[OptionOut]
    points: Decimal
    chosen: str | None


class AttemptOut(BaseModel):
    """An online theory attempt as its candidate sees it.

    ``status`` open · submitted · expired; ``seconds_left`` by the server's clock (0 once
    closed); ``score`` (of ``max_score``) and ``passed`` only once closed; ``attempts_allowed``
    and ``attempts_used`` of this registration."""

    id: int
    sitting_id: int
    number: int
    status: str
    started_at: dt.datetime
    deadline: dt.datetime
    closed_at: dt.datetime | None
    seconds_left: int
    answered: int
    question_count: int
    score: Decimal | None
    max_score: Decimal
    passed: bool | None
    attempts_allowed: int
    attempts_used: int
    questions: list[PaperItemOut]


class AnswerIn(BaseModel):
    """An answer to save: the question's ``position`` on the paper and the chosen letters
    (``"A"``, ``"AC"``, ``["A","C"]``; 判断 also 对/错; empty or null clears it)."""

    position: int = Field(ge=1, le=1000)
    choice: str | list[str] | None = None


class AnswersIn(BaseModel):
    """Answers to save now (any subset of the paper)."""

    answers: list[AnswerIn] = Field(min_length=1, max_length=300)


class AttemptSummaryOut(BaseModel):
    """An attempt in the staff's history of a sitting (no paper)."""

    id: int
    practitioner_id: int
    number: int
    status: str
    started_at: dt.datetime
    deadline: dt.datetime
    closed_at: dt.datetime | None
    answered: int
    score: Decimal | None


class ExtraTimeIn(BaseModel):
    """Extra minutes per attempt granted to a candidate (0–240)."""

    minutes: int = Field(ge=0, le=240)


class PracticalItem(BaseModel):
    """A practical assessment item: ``code``, ``title`` and its maximum (the maxima add up to
    100)."""

    code: str = Field(min_length=1, max_length=32, pattern=r"^[A-Za-z0-9_-]+$")
    title: str = Field(min_length=1, max_length=64)
    max: Decimal = Field(gt=0, le=100)


class MarkingIn(BaseModel):
    """An examiner's item scores: item code → score (exact, 0 to the item's maximum)."""

    items: dict[str, Decimal | str | int]


class MarkingOut(BaseModel):
    """One examiner's marking (``round`` 1, 2 or 3) of a candidate."""

    examiner_id: int
    round: int
    items: dict[str, Decimal]
    total: Decimal
    entered_at: dt.datetime


class PracticalOut(BaseModel):
    """A candidate's practical marking: ``status`` awaiting_first · awaiting_second ·
    needs_third · final, the final ``score`` and the ``rule`` applied, and the markings the
    caller may see (an examiner sees only their own until the score is final)."""

    practitioner_id: int
    status: str
    score: Decimal | None
    rule: str
    markings: list[MarkingOut]


class MyExamOut(BaseModel):
    """A sitting a trainee is registered for, as they see it: the programme, the exam date,
    their scores so far, the online attempts used of those allowed and the open attempt (to
    resume), if any."""

    sitting_id: int
    programme_code: str
    title: str
    exam_date: dt.date
    sitting_status: str
    theory: Decimal | None
    practical: Decimal | None
    passed: bool | None
    attempts_used: int
    attempts_allowed: int
    open_attempt_id: int | None
