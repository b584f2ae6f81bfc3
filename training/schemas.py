"""Pydantic shapes in and out of the training services.

Dates are local calendar dates (Asia/Shanghai by default); clock times are local
``datetime.time``; timestamps are timezone-aware; hours are decimal hours (``Decimal``).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    field_validator,
    model_validator,
)

TrainingCategory = Literal["pre_job", "refresher", "other"]
OfferingStatus = Literal["open", "closed", "completed", "cancelled"]
EnrollmentStatus = Literal[
    "confirmed", "waitlisted", "cancelled", "completed", "not_completed", "not_admitted"
]
AttendanceMethod = Literal["roster", "qr", "batch", "live", "correct"]
SessionMode = Literal["offline", "live"]
BulkPolicy = Literal["all_or_nothing", "fill_and_waitlist"]

# Business dates (offering dates, session days) must be plausible: a typo such as 0001-01-01
# or 9999-12-31 is rejected at the edge instead of being stored and counted in a wrong year.
MIN_BUSINESS_DATE = dt.date(2000, 1, 1)
MAX_BUSINESS_DATE = dt.date(2100, 12, 31)


def _bounded_date(value: dt.date) -> dt.date:
    if not (MIN_BUSINESS_DATE <= value <= MAX_BUSINESS_DATE):
        raise ValueError(
            f"日期 {value.isoformat()} 超出允许范围（{MIN_BUSINESS_DATE.isoformat()} 至 "
            f"{MAX_BUSINESS_DATE.isoformat()}）"
        )
    return value


BusinessDate = Annotated[dt.date, AfterValidator(_bounded_date)]
"""A local business date within 2000-01-01 … 2100-12-31 (Chinese error message otherwise)."""


def _clean_text(value: str) -> str:
    cleaned = " ".join(value.split())
    if not cleaned:
        raise ValueError("不能为空")
    return cleaned


class TrainingBaseIn(BaseModel):
    """A new training base (实训基地) in a current district of the city."""

    name: str = Field(min_length=1, max_length=128)
    district_code: str = Field(min_length=6, max_length=6)
    address: str = Field(default="", max_length=255)
    accredited: bool = False
    active: bool = True
    accredited_on: dt.date | None = Field(default=None, description="认定日期 (local date)")
    withdrawn_on: dt.date | None = Field(default=None, description="撤销/停用日期 (local date)")

    _clean = field_validator("name")(_clean_text)


class TrainingBaseOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    name: str
    district_code: str
    address: str
    accredited: bool
    active: bool
    accredited_on: dt.date | None = None
    withdrawn_on: dt.date | None = None
    withdrawn_reason: str = ""


def _local_date_text(value: object) -> object:
    """A local date must arrive as ``YYYY-MM-DD`` text (or ``None``): a timestamp, a number or
    another format is refused, never converted (a UTC instant would shift the day)."""
    if value is None or (isinstance(value, dt.date) and not isinstance(value, dt.datetime)):
        return value
    if isinstance(value, str) and len(value) == 10:
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    raise ValueError("日期须为本地日期，格式 YYYY-MM-DD（如 2025-07-01）")


LocalDate = Annotated[dt.date, BeforeValidator(_local_date_text), AfterValidator(_bounded_date)]
"""A local business date given as ``YYYY-MM-DD`` (no time, no zone) within the allowed range."""


class TrainingBaseUpdate(BaseModel):
    """A regulator's change of a training base (PATCH: only the fields sent change).

    ``name``/``address``: the base's name and address (联系地址). ``accredited_on``: 认定日期;
    ``withdrawn_on``: 撤销/取消认定日期 — both local dates ``YYYY-MM-DD``, not after today, the
    withdrawal not before the accreditation; ``null`` clears a date (a withdrawal recorded in
    error is taken back). A withdrawal needs ``withdrawn_reason`` (撤销原因). ``reason``: why the
    change is made (kept in the change history; defaults to the withdrawal reason)."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, min_length=1, max_length=128)
    address: str | None = Field(default=None, max_length=255)
    accredited_on: LocalDate | None = None
    withdrawn_on: LocalDate | None = None
    withdrawn_reason: str | None = Field(default=None, max_length=500)
    reason: str = Field(default="", max_length=500)

    @field_validator("name")
    @classmethod
    def _name(cls, value: str | None) -> str | None:
        return None if value is None else _clean_text(value)

    @field_validator("address", "withdrawn_reason", "reason")
    @classmethod
    def _strip(cls, value: str | None) -> str | None:
        return None if value is None else " ".join(value.split())


class TrainingBaseChangeOut(BaseModel):
    """One change of a base: the changed fields ``before`` and ``after`` (dates as ISO text),
    who, when (aware UTC) and why."""

    id: int
    training_base_id: int
    before: dict[str, object]
    after: dict[str, object]
    reason: str
    changed_by: str
    changed_at: dt.datetime


class CourseIn(BaseModel):
    """A catalog course: ``hours`` (decimal hours, one decimal place) are the most a completed
    offering of it credits to the talent-pool ledger (the hours actually attended, capped at
    this)."""

    code: str = Field(min_length=1, max_length=32)
    title: str = Field(min_length=1, max_length=255)
    category: TrainingCategory
    hours: Decimal = Field(gt=0, le=10000, decimal_places=1)
    level: str = Field(default="", max_length=16)
    description: str = Field(default="", max_length=4000)

    _clean = field_validator("title")(_clean_text)

    @field_validator("code")
    @classmethod
    def _code(cls, value: str) -> str:
        cleaned = value.strip().upper()
        if not cleaned or any(ch.isspace() for ch in cleaned):
            raise ValueError("课程代码不能为空且不能含空格")
        return cleaned


class CourseOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    code: str
    title: str
    category: str
    hours: Decimal
    level: str
    description: str


class OfferingIn(BaseModel):
    """A new offering (开班) of ``course_id`` at ``training_base_id`` from ``start_date`` to
    ``end_date`` (inclusive local dates) with ``capacity`` seats. ``title`` defaults to the
    course title. Ids and ``capacity`` are strict JSON integers (``true``, ``"30"``, ``30.0``
    are rejected, never coerced)."""

    course_id: StrictInt
    training_base_id: StrictInt
    title: str = Field(default="", max_length=255)
    start_date: BusinessDate
    end_date: BusinessDate
    capacity: StrictInt = Field(ge=1, le=100000)


class OfferingOut(BaseModel):
    """An offering; ``confirmed_count`` seats of ``capacity`` are taken.

    For trainees browsing the catalog it also carries the base (``training_base_name``,
    ``district_code``, ``district_name``), the course (``course_title``, ``course_category``,
    ``course_hours`` — the most hours completion can credit; the ledger gets the hours
    actually attended, up to this), ``seats_left`` (``capacity -
    confirmed_count``, never negative) and ``session_count`` (sessions scheduled so far).
    """

    model_config = ConfigDict(from_attributes=True)
    id: int
    course_id: int
    training_base_id: int
    title: str
    start_date: dt.date
    end_date: dt.date
    capacity: int
    confirmed_count: int
    status: str
    completed_on: dt.date | None = None
    subsidised: bool = False
    training_base_name: str
    district_code: str
    district_name: str = ""
    course_title: str
    course_category: str
    course_hours: Decimal
    seats_left: int
    session_count: int


class SessionIn(BaseModel):
    """One meeting (课次) on ``day`` (local date) from ``starts_at`` to ``ends_at`` (local times).

    ``hours`` (decimal, up to two places) defaults to the clock length when that is exact
    (multiple of 3 minutes, e.g. 45 min → 0.75 h); give it explicitly otherwise. Checked by
    :func:`training.services.add_session`: ``ends_at`` after ``starts_at``, ``0 < hours <=``
    the clock length, no overlap with another session of the offering on the same day.
    """

    day: BusinessDate
    starts_at: dt.time
    ends_at: dt.time
    hours: Decimal | None = Field(default=None, gt=0, le=24, decimal_places=2)
    topic: str = Field(default="", max_length=255)
    mode: SessionMode = "offline"
    join_url: str = Field(default="", max_length=512)

    @model_validator(mode="after")
    def _live_link(self) -> SessionIn:
        if self.mode == "live" and not self.join_url.startswith("https://"):
            raise ValueError("直播课次须填写以 https:// 开头的直播链接 join_url")
        if self.mode == "offline" and self.join_url:
            raise ValueError("线下课次不填写直播链接")
        return self


class SessionOut(BaseModel):
    """A session; ``status`` scheduled | cancelled, ``mode`` offline | live (``join_url``),
    ``note`` the reason of the last move or of the cancellation."""

    model_config = ConfigDict(from_attributes=True)
    id: int
    offering_id: int
    day: dt.date
    starts_at: dt.time
    ends_at: dt.time
    hours: Decimal
    topic: str
    status: str = "scheduled"
    mode: str = "offline"
    join_url: str = ""
    note: str = ""


class EnrollmentOut(BaseModel):
    """An enrollment. ``waitlist_position`` (1 = next to be promoted) is set only while
    ``status == "waitlisted"``; ``attended_hours``/``outcome_reason`` after completion.

    ``offering_title`` and ``practitioner_name`` let a trainee read their own list and base
    staff read a roster without further look-ups. ``not_admitted``: the person was still on the
    waitlist when the offering was completed (never a training record).
    """

    id: int
    offering_id: int
    practitioner_id: int
    status: EnrollmentStatus
    waitlist_position: int | None = None
    enrolled_at: dt.datetime
    status_changed_at: dt.datetime | None = None
    attended_hours: Decimal | None = None
    outcome_reason: str = ""
    offering_title: str
    practitioner_name: str


class CancellationResult(BaseModel):
    """What :func:`training.services.cancel_enrollment` did.

    ``previous_status`` is the status before cancelling; ``seat_freed`` is true when a confirmed
    seat was released; ``promoted`` is the waitlisted enrollment that took the seat, if any.
    ``changed`` is false when the enrollment was already cancelled (idempotent call).
    """

    enrollment: EnrollmentOut
    previous_status: str
    changed: bool
    seat_freed: bool
    promoted: EnrollmentOut | None = None


class AttendanceEntry(BaseModel):
    """One row of an attendance batch: exactly one of ``practitioner_id`` / ``enrollment_id``.

    Types are strict (an offline device must send JSON integers and ``true``/``false``):
    ``"present": "yes"`` or ``"enrollment_id": "12"`` is a bad row, never guessed at.
    """

    practitioner_id: StrictInt | None = None
    enrollment_id: StrictInt | None = None
    present: StrictBool = True
    late: StrictBool | None = Field(
        default=None,
        description="迟到: present but late (counts as attended, like a late QR check-in); "
        "null keeps the stored mark; an absent row cannot be late",
    )

    @model_validator(mode="after")
    def _one_key(self) -> AttendanceEntry:
        if (self.practitioner_id is None) == (self.enrollment_id is None):
            raise ValueError("须且只能填写 practitioner_id 或 enrollment_id 之一")
        if self.late and not self.present:
            raise ValueError("缺勤不能同时标记迟到")
        return self


class AttendanceReport(BaseModel):
    """Result of :func:`training.services.record_attendance`: rows written for the session
    (after de-duplicating identical rows), of which ``present``/``absent``; ``late``: of the
    present ones, how many are marked late (迟到) after the write."""

    session_id: int
    recorded: int
    present: int
    absent: int
    late: int = 0
    enrollment_ids: list[int]


class CompletionEntry(BaseModel):
    """One enrollment's completion outcome; ``reason`` shows the hours (Chinese text).

    ``credited_hours``: the hours of the training record written to the talent-pool ledger
    (attended hours plus online hours watched, capped at the course hours, rounded down to 0.1 h
    — see :func:`training.rules.credited_hours`); ``None`` when not completed.
    ``online_seconds``/``online_total_seconds``: the course's video lessons watched without
    skipping / their length; ``quiz_score``: the best quiz attempt (``None``: none)."""

    enrollment_id: int
    practitioner_id: int
    status: Literal["completed", "not_completed"]
    attended_hours: Decimal
    scheduled_hours: Decimal
    reason: str
    training_record_id: int | None = None
    credited_hours: Decimal | None = None
    online_seconds: int = 0
    online_total_seconds: int = 0
    quiz_score: Decimal | None = None
    practitioner_name: str = ""


class CompletionReport(BaseModel):
    """Result of :func:`training.services.complete_offering`.

    ``entries`` lists every enrollment that was confirmed at completion. People still on the
    waitlist when the offering is completed never had a seat: they are not evaluated, their
    enrollments are closed with status ``not_admitted`` (未录取) and never become training
    records; ``waitlisted`` (kept for compatibility) and ``not_admitted`` both count them and
    ``not_admitted_ids`` lists their enrollment ids. ``already_completed`` is true when the
    offering had been completed before (nothing new was written). ``rule`` is the rule source.
    """

    offering_id: int
    completed_on: dt.date
    scheduled_hours: Decimal
    scheduled_sessions: int
    completed: int
    not_completed: int
    waitlisted: int
    already_completed: bool
    rule: str
    entries: list[CompletionEntry]
    not_admitted: int = 0
    not_admitted_ids: list[int] = Field(default_factory=list)


class BulkEnrollmentIn(BaseModel):
    """An employer enrolling its own current staff (``practitioner_ids``, at most 500, no
    repeats) into an offering. ``policy``: ``all_or_nothing`` (default — everyone gets a
    confirmed seat or nobody is enrolled) or ``fill_and_waitlist`` (the free seats in the order
    given, the rest on the waitlist)."""

    practitioner_ids: list[StrictInt] = Field(min_length=1, max_length=500)
    policy: BulkPolicy = "all_or_nothing"

    @field_validator("practitioner_ids")
    @classmethod
    def _distinct(cls, value: list[int]) -> list[int]:
        if len(set(value)) != len(value):
            raise ValueError("人员不能重复")
        return value


class BulkEnrollmentResult(BaseModel):
    """What :func:`training.enroll_staff` did: ``confirmed`` and ``waitlisted`` enrollments
    (new ones, in the order given), ``already_enrolled`` people who already held a live place in
    the offering (left as they were), and ``seats_left`` after the request."""

    offering_id: int
    policy: BulkPolicy
    requested: int
    confirmed: list[EnrollmentOut]
    waitlisted: list[EnrollmentOut]
    already_enrolled: list[EnrollmentOut]
    seats_left: int


class NotificationOut(BaseModel):
    """A message to a trainee (the in-app inbox); ``sent_at`` when delivered (also texted when a
    phone is on record)."""

    id: int
    kind: str
    subject: str
    title: str
    text: str
    created_at: dt.datetime
    sent_at: dt.datetime | None = None
