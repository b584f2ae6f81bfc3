"""Training tables: bases, courses, offerings, sessions, enrollments, attendance.

Table names are prefixed ``tr_``. Timestamps are ``Timestamptz`` (UTC); business dates
(offering dates, session days) are ``Date`` (local calendar dates in the configured zone).
Everything that must hold under concurrency is a database constraint or a conditional update:

* ``Offering.confirmed_count`` never exceeds ``capacity`` — changed only by a conditional
  ``UPDATE ... WHERE confirmed_count < capacity`` (see ``training.services.enroll``);
* ``Enrollment.dedupe_key`` (``"{offering_id}:{practitioner_id}"``) is unique, so the same
  person cannot hold two live enrollments in one offering (a cancelled enrollment releases it);
* ``Attendance.dedupe_key`` (``"{session_id}:{enrollment_id}"``) is unique, so attendance is one
  row per session and enrollment (upserted).

Piccolo 1.38 has no composite unique constraint, hence the ``dedupe_key`` columns. Foreign keys
are ``ON DELETE RESTRICT``: training history is never deleted by deleting what it refers to.
"""

from __future__ import annotations

from piccolo.columns import (
    Boolean,
    Date,
    ForeignKey,
    Integer,
    Numeric,
    Serial,
    Text,
    Time,
    Timestamptz,
    Varchar,
)
from piccolo.columns.base import OnDelete
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from talent_pool.tables import Practitioner


class TrainingBase(Table, tablename="tr_training_base"):
    """A training base (实训基地) in a district; counts toward the plan target when
    ``accredited`` and ``active``."""

    id: Serial  # declared by Piccolo; annotated for type checkers
    name = Varchar(length=128)
    district_code = Varchar(length=12, index=True)
    address = Varchar(length=255, default="")
    accredited = Boolean(default=False)
    active = Boolean(default=True)
    created_at = Timestamptz(default=TimestamptzNow())


class Course(Table, tablename="tr_course"):
    """A course of the catalog (课程目录): ``hours`` are the most decimal hours a completion
    credits to the talent-pool ledger (the attended hours, capped at this); ``category`` is
    pre_job | refresher | other."""

    id: Serial  # declared by Piccolo; annotated for type checkers
    code = Varchar(length=32, unique=True)
    title = Varchar(length=255)
    category = Varchar(length=16)  # pre_job | refresher | other
    hours = Numeric(digits=(6, 1))
    level = Varchar(length=16, default="")
    description = Text(default="")
    created_at = Timestamptz(default=TimestamptzNow())


class Offering(Table, tablename="tr_offering"):
    """One run of a course at a base (开班) from ``start_date`` to ``end_date`` (inclusive, local).

    ``confirmed_count`` is the number of confirmed seats (≤ ``capacity``);
    ``waitlist_seq`` is a per-offering counter handing out waitlist sequence numbers.
    ``status`` is open | closed | completed | cancelled.
    """

    id: Serial  # declared by Piccolo; annotated for type checkers
    course = ForeignKey(Course, index=True, on_delete=OnDelete.restrict)
    training_base = ForeignKey(TrainingBase, index=True, on_delete=OnDelete.restrict)
    title = Varchar(length=255)
    start_date = Date()
    end_date = Date()
    capacity = Integer()
    confirmed_count = Integer(default=0)
    waitlist_seq = Integer(default=0)
    status = Varchar(length=12, default="open", index=True)
    completed_on = Date(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())


class Session(Table, tablename="tr_session"):
    """One dated meeting of an offering (课次): ``day`` local date, local clock times,
    ``hours`` scheduled decimal hours."""

    id: Serial  # declared by Piccolo; annotated for type checkers
    offering = ForeignKey(Offering, index=True, on_delete=OnDelete.restrict)
    day = Date()
    starts_at = Time()
    ends_at = Time()
    hours = Numeric(digits=(6, 2))
    topic = Varchar(length=255, default="")


class Enrollment(Table, tablename="tr_enrollment"):
    """A practitioner's place in an offering (报名).

    ``status`` is confirmed | waitlisted | cancelled | completed | not_completed.
    ``waitlist_seq`` orders the waitlist (the position is the rank among the waitlisted rows).
    ``dedupe_key`` is ``"{offering_id}:{practitioner_id}"`` while the enrollment is live;
    cancelling rewrites it to ``"{offering_id}:{practitioner_id}:x{id}"`` so the person may
    enroll again. ``attended_hours``/``outcome_reason`` are filled on completion.
    """

    id: Serial  # declared by Piccolo; annotated for type checkers
    offering = ForeignKey(Offering, index=True, on_delete=OnDelete.restrict)
    practitioner = ForeignKey(Practitioner, index=True, on_delete=OnDelete.restrict)
    status = Varchar(length=16, index=True)
    waitlist_seq = Integer(null=True, default=None)
    dedupe_key = Varchar(length=64, unique=True)
    enrolled_at = Timestamptz()
    status_changed_at = Timestamptz(null=True, default=None)
    attended_hours = Numeric(digits=(8, 2), null=True, default=None)
    outcome_reason = Text(default="")


class Attendance(Table, tablename="tr_attendance"):
    """Presence of one enrollment at one session (考勤), one row per pair (``dedupe_key`` is
    ``"{session_id}:{enrollment_id}"``). ``method`` is roster | qr | batch."""

    id: Serial  # declared by Piccolo; annotated for type checkers
    session = ForeignKey(Session, index=True, on_delete=OnDelete.restrict)
    enrollment = ForeignKey(Enrollment, index=True, on_delete=OnDelete.restrict)
    present = Boolean(default=True)
    method = Varchar(length=8, default="roster")
    recorded_by = Varchar(length=64)
    recorded_at = Timestamptz()
    dedupe_key = Varchar(length=40, unique=True)
