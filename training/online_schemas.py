"""Pydantic shapes of online learning (lessons, heartbeats, progress), per-course completion
rules and quiz results."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

from pydantic import BaseModel, Field, StrictBool, StrictInt, field_validator, model_validator

_FILE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,200}$")


class LessonIn(BaseModel):
    """A video lesson of a course: ``media`` is a file name in the courseware folder (letters,
    digits, ``_.-``; served by the app or the configured object store) or an ``https://`` URL
    on the configured object store's origin (checked by ``training.add_lesson``: the pages' CSP
    lets players load nothing else); ``duration_seconds`` the video's length (1 s – 10 h)."""

    title: str = Field(min_length=1, max_length=255)
    media: str = Field(min_length=1, max_length=512)
    duration_seconds: StrictInt = Field(ge=1, le=36000)
    position: StrictInt = Field(default=0, ge=0, le=10000)

    @field_validator("media")
    @classmethod
    def _media(cls, value: str) -> str:
        value = value.strip()
        if value.startswith("https://") or _FILE_NAME.match(value):
            return value
        raise ValueError("课件须为课件目录中的文件名（字母、数字、_.-）或 https:// 开头的地址")

    @field_validator("title")
    @classmethod
    def _title(cls, value: str) -> str:
        cleaned = " ".join(value.split())
        if not cleaned:
            raise ValueError("不能为空")
        return cleaned


class LessonPatch(BaseModel):
    """A change to a lesson (``PATCH``): only the fields given change, each checked as in
    :class:`LessonIn`. At least one field."""

    title: str | None = Field(default=None, min_length=1, max_length=255)
    media: str | None = Field(default=None, min_length=1, max_length=512)
    duration_seconds: StrictInt | None = Field(default=None, ge=1, le=36000)
    position: StrictInt | None = Field(default=None, ge=0, le=10000)

    @field_validator("media")
    @classmethod
    def _media(cls, value: str | None) -> str | None:
        return None if value is None else LessonIn._media(value)

    @field_validator("title")
    @classmethod
    def _title(cls, value: str | None) -> str | None:
        return None if value is None else LessonIn._title(value)

    @model_validator(mode="after")
    def _something(self) -> LessonPatch:
        if all(v is None for v in (self.title, self.media, self.duration_seconds, self.position)):
            raise ValueError("请至少修改一项（标题、课件、时长或顺序）")
        return self


class LessonOut(BaseModel):
    """A lesson; ``media_url`` is where the player loads the video."""

    id: int
    course_id: int
    title: str
    position: int
    media: str
    media_url: str
    duration_seconds: int


class HeartbeatIn(BaseModel):
    """A player heartbeat: the position in the video (whole seconds) and whether it is playing."""

    position: StrictInt = Field(ge=0, le=36000)
    playing: StrictBool = True


class ProgressOut(BaseModel):
    """One enrollment's progress in one lesson (seconds): ``covered_seconds`` watched from the
    start without skipping, ``watched_seconds`` of playing time credited, ``credited`` by the last
    heartbeat, and ``percent`` covered (one decimal)."""

    enrollment_id: int
    lesson_id: int
    title: str
    duration_seconds: int
    covered_seconds: int
    watched_seconds: int
    last_position: int
    credited: int = 0
    percent: Decimal


class CourseRuleIn(BaseModel):
    """A course's completion rule (percentages 0–100, pass mark in points of 100); ``source``
    says where the numbers come from (e.g. the city's notice)."""

    min_hours_percent: Decimal = Field(default=Decimal(80), ge=0, le=100, decimal_places=2)
    min_sessions_percent: Decimal | None = Field(default=None, ge=0, le=100, decimal_places=2)
    min_online_percent: Decimal | None = Field(default=None, ge=0, le=100, decimal_places=2)
    quiz_pass_score: Decimal | None = Field(default=None, ge=0, le=100, decimal_places=1)
    source: str = Field(default="", max_length=500)


class CourseRuleOut(CourseRuleIn):
    """The rule in force for a course (``custom`` false: the default rule)."""

    course_id: int
    custom: bool
    updated_by: str = ""
    updated_at: dt.datetime | None = None


class QuizResultIn(BaseModel):
    """One quiz result: the enrollment (or the person) and the score, 0–100 points."""

    enrollment_id: StrictInt | None = None
    practitioner_id: StrictInt | None = None
    score: Decimal = Field(ge=0, le=100, decimal_places=1)

    @model_validator(mode="after")
    def _one_key(self) -> QuizResultIn:
        if (self.practitioner_id is None) == (self.enrollment_id is None):
            raise ValueError("须且只能填写 practitioner_id 或 enrollment_id 之一")
        return self


class QuizResultsIn(BaseModel):
    results: list[QuizResultIn] = Field(min_length=1, max_length=2000)


class QuizResultOut(BaseModel):
    """The best score so far of an enrollment and how many attempts were recorded."""

    enrollment_id: int
    best_score: Decimal
    attempts: int
