"""Pydantic shapes of the trainer pool (师资库): trainers, qualifications, the courses they may
teach, session assignments, evaluations and ranks."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from pydantic import BaseModel, Field, StrictInt, field_validator

from training.schemas import BusinessDate
from training.trainer_rules import TrainerRank


def _text(value: str) -> str:
    cleaned = " ".join(value.split())
    if not cleaned:
        raise ValueError("不能为空")
    return cleaned


class QualificationIn(BaseModel):
    """A qualification (e.g. 育婴员一级, 主治医师) with its certificate number and dates."""

    name: str = Field(min_length=1, max_length=128)
    number: str = Field(default="", max_length=64)
    issuer: str = Field(default="", max_length=128)
    issued_on: BusinessDate | None = None
    expires_on: BusinessDate | None = None

    _clean = field_validator("name")(_text)


class QualificationOut(QualificationIn):
    id: int


class TrainerIn(BaseModel):
    """A new trainer: resident ID number (validated, GB 11643) and name, the district they are
    registered in, the base they belong to (optional), rank (default 讲师) and qualifications."""

    id_number: str = Field(min_length=15, max_length=40)
    name: str = Field(min_length=1, max_length=64)
    phone: str = Field(default="", max_length=20)
    district_code: str = Field(min_length=6, max_length=6)
    training_base_id: StrictInt | None = None
    rank: TrainerRank = "lecturer"
    title: str = Field(default="", max_length=64)
    qualifications: list[QualificationIn] = Field(default_factory=list, max_length=20)


class TrainerOut(BaseModel):
    """A trainer of the pool. ``id_number`` is masked for readers outside regulation; the
    ``course_ids`` they may teach; ``evaluations``/``average_score`` summarise trainees' scores."""

    id: int
    id_number: str
    name: str
    phone: str
    district_code: str
    training_base_id: int | None
    rank: str
    rank_name: str
    title: str
    active: bool
    qualifications: list[QualificationOut] = Field(default_factory=list)
    course_ids: list[int] = Field(default_factory=list)
    evaluations: int = 0
    average_score: Decimal | None = None


class TrainerCourseIn(BaseModel):
    course_id: StrictInt


class AssignTrainerIn(BaseModel):
    trainer_id: StrictInt


class SessionTrainerOut(BaseModel):
    """A trainer teaching a session."""

    session_id: int
    trainer_id: int
    trainer_name: str
    rank: str
    assigned_by: str
    assigned_at: dt.datetime


class EvaluationIn(BaseModel):
    """A trainee's evaluation of a trainer who taught their class: 1–5 points and a comment."""

    trainer_id: StrictInt
    score: StrictInt = Field(ge=1, le=5)
    comment: str = Field(default="", max_length=1000)


class EvaluationOut(BaseModel):
    id: int
    trainer_id: int
    offering_id: int
    enrollment_id: int
    score: int
    comment: str
    created_at: dt.datetime


class RankChangeIn(BaseModel):
    """A new rank with the reason (晋升理由) and the local date it takes effect."""

    rank: TrainerRank
    reason: str = Field(min_length=1, max_length=500)
    decided_on: BusinessDate | None = None

    _clean = field_validator("reason")(_text)


class RankChangeOut(BaseModel):
    id: int
    trainer_id: int
    from_rank: str
    to_rank: str
    kind: str
    reason: str
    decided_by: str
    decided_on: dt.date
    created_at: dt.datetime
