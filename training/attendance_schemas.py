"""Pydantic shapes of scheduling and attendance in depth: recurring sessions, moving and
cancelling, QR check-in and check-out, offline batches, corrections and the attendance history.

Dates are local business dates (2000–2100); clock times local; timestamps aware (UTC).
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Literal

from pydantic import (
    AwareDatetime,
    BaseModel,
    Field,
    StrictBool,
    StrictInt,
    StrictStr,
    field_validator,
    model_validator,
)

from training.schemas import BusinessDate, SessionMode, SessionOut


def _reason(value: str) -> str:
    cleaned = " ".join(value.split())
    if not cleaned:
        raise ValueError("请填写原因")
    return cleaned


class RecurringSessionsIn(BaseModel):
    """Sessions on the chosen ISO ``weekdays`` (1 = 周一 … 7 = 周日) from ``first_day`` to
    ``last_day`` (both inclusive, local dates within the offering's dates) at the same local
    times, without the dates in ``skip_dates`` (holidays)."""

    weekdays: list[StrictInt] = Field(min_length=1, max_length=7)
    first_day: BusinessDate
    last_day: BusinessDate
    starts_at: dt.time
    ends_at: dt.time
    hours: Decimal | None = Field(default=None, gt=0, le=24, decimal_places=2)
    topic: str = Field(default="", max_length=255)
    mode: SessionMode = "offline"
    join_url: str = Field(default="", max_length=512)
    skip_dates: list[BusinessDate] = Field(default_factory=list, max_length=400)

    @field_validator("weekdays")
    @classmethod
    def _weekdays(cls, value: list[int]) -> list[int]:
        if any(not 1 <= d <= 7 for d in value):
            raise ValueError("星期几须为 1（周一）至 7（周日）")
        return sorted(set(value))


class RecurringSessionsResult(BaseModel):
    """The sessions created (by day) and the listed holidays that were skipped."""

    sessions: list[SessionOut]
    skipped: list[dt.date]


class SessionMoveIn(BaseModel):
    """Move a session (调课) to ``day`` (local) from ``starts_at`` to ``ends_at``; ``reason`` is
    told to the enrolled."""

    day: BusinessDate
    starts_at: dt.time
    ends_at: dt.time
    hours: Decimal | None = Field(default=None, gt=0, le=24, decimal_places=2)
    reason: str = Field(min_length=1, max_length=255)

    _clean = field_validator("reason")(_reason)


class SessionCancelIn(BaseModel):
    """Cancel a session (停课); ``reason`` is told to the enrolled."""

    reason: str = Field(min_length=1, max_length=255)

    _clean = field_validator("reason")(_reason)


class CheckinTokenIn(BaseModel):
    """Which QR code the check-in screen shows: for arriving (``checkin``) or leaving."""

    purpose: Literal["checkin", "checkout"] = "checkin"


class CheckinTokenOut(BaseModel):
    """The QR content of the current 15-second window: ``token`` (what the trainee's app sends),
    ``url`` (what the QR code encodes: the check-in page with the token), ``expires_at``."""

    session_id: int
    purpose: str
    token: str
    url: str
    expires_at: dt.datetime
    refresh_seconds: int


class CheckinIn(BaseModel):
    """The token read from the QR code."""

    token: StrictStr = Field(min_length=1, max_length=80)


class CheckinResult(BaseModel):
    """A trainee's attendance at a session after a scan (or a live join/leave). ``status``:
    checked_in | already_checked_in | checked_out | already_checked_out."""

    session_id: int
    enrollment_id: int
    attendance_id: int
    status: str
    checked_in_at: dt.datetime | None
    checked_out_at: dt.datetime | None
    late: bool
    attended_minutes: int | None


_ROW_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$")


class BatchRowIn(BaseModel):
    """One row of an offline device's batch. ``row_id``: the device's own id of the row (1–64
    letters, digits, ``_.:-``; unique per base — uploading it again changes nothing). The
    person: exactly one of ``enrollment_id``, ``practitioner_id`` or ``id_number`` (a string;
    an Excel number is refused). ``scanned_at``: when the device saw the person (aware)."""

    row_id: StrictStr
    session_id: StrictInt
    enrollment_id: StrictInt | None = None
    practitioner_id: StrictInt | None = None
    id_number: StrictStr | None = Field(default=None, max_length=40)
    present: StrictBool = True
    scanned_at: AwareDatetime | None = None

    @field_validator("row_id")
    @classmethod
    def _row_id(cls, value: str) -> str:
        value = value.strip()
        if not _ROW_ID.match(value):
            raise ValueError("行编号 row_id 须为 1–64 位字母、数字或 _.:-")
        return value

    @model_validator(mode="after")
    def _one_person(self) -> BatchRowIn:
        given = [v for v in (self.enrollment_id, self.practitioner_id, self.id_number) if v is not None]
        if len(given) != 1:
            raise ValueError("须且只能填写 enrollment_id、practitioner_id 或 id_number 之一")
        return self


BatchRowStatus = Literal["recorded", "already_recorded", "duplicate", "refused"]


class BatchRowReport(BaseModel):
    """The outcome of one row: ``recorded`` (attendance written), ``already_recorded`` (the same
    value was already there), ``duplicate`` (this row id was applied before: nothing done),
    ``refused`` (``reason`` says why; nothing done). ``index`` is the row's 0-based position in
    the uploaded list (a machine field); a ``reason`` naming another row counts from 1, as people
    do (``与第 1 行矛盾`` is the first row)."""

    index: int
    row_id: str
    status: BatchRowStatus
    reason: str = ""
    session_id: int | None = None
    enrollment_id: int | None = None
    attendance_id: int | None = None


class BatchReport(BaseModel):
    """Counts per status and one report per row, in the order sent."""

    recorded: int
    already_recorded: int
    duplicate: int
    refused: int
    rows: list[BatchRowReport]


class CorrectionIn(BaseModel):
    """A correction of one person's attendance (更正), with the reason kept in the history."""

    enrollment_id: StrictInt | None = None
    practitioner_id: StrictInt | None = None
    present: StrictBool
    reason: str = Field(min_length=1, max_length=255)

    _clean = field_validator("reason")(_reason)

    @model_validator(mode="after")
    def _one_key(self) -> CorrectionIn:
        if (self.practitioner_id is None) == (self.enrollment_id is None):
            raise ValueError("须且只能填写 practitioner_id 或 enrollment_id 之一")
        return self


class AttendanceRow(BaseModel):
    """One attendance row of a session, with the person's name and the state of the enrollment
    it belongs to (``enrollment_status``: confirmed · completed · not_completed · cancelled …;
    a row of an enrollment cancelled after its check-in stays on record, but the person is no
    longer expected — a check-in screen counts only the rows of enrollments not cancelled)."""

    id: int
    session_id: int
    enrollment_id: int
    practitioner_id: int
    practitioner_name: str
    present: bool
    method: str
    recorded_by: str
    recorded_at: dt.datetime
    checked_in_at: dt.datetime | None = None
    checked_out_at: dt.datetime | None = None
    late: bool = False
    attended_minutes: int | None = None
    enrollment_status: str = ""


class AttendanceChangeOut(BaseModel):
    """One change of an attendance row: before (``None``: new row) and after, how, who, when, why."""

    id: int
    attendance_id: int
    enrollment_id: int
    practitioner_name: str
    present_before: bool | None
    present_after: bool
    late_before: bool | None = None
    late_after: bool | None = None
    method: str
    changed_by: str
    changed_at: dt.datetime
    reason: str
