"""Training tables: bases, courses, offerings, sessions, enrollments, attendance.

Table names are prefixed ``tr_``. Timestamps are ``Timestamptz`` (UTC); business dates
(offering dates, session days) are ``Date`` (local calendar dates in the configured zone).
Everything that must hold under concurrency is a database constraint or a conditional update:

* ``0 <= Offering.confirmed_count <= capacity`` — a ``CHECK`` constraint; the count changes only
  by a conditional ``UPDATE ... WHERE confirmed_count < capacity`` (``training.enroll``);
* one live (confirmed or waitlisted) enrollment per person and offering — ``Unique(offering,
  practitioner, live)`` where ``live`` is ``TRUE`` while the enrollment is live and ``NULL``
  otherwise (NULLs never collide), kept in step with ``status`` by a ``CHECK``;
* one attendance row per session and enrollment — ``Unique(session, enrollment)`` (upserted).

On SQLite the same constraints are part of the table definitions (migration
``training_2026_11_29t17_10…``). Foreign keys are ``ON DELETE RESTRICT``: training history is never
deleted by deleting what it refers to.
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
from piccolo.constraints import Check, Unique
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

    tr_offering_seats = Check("capacity >= 1 AND confirmed_count >= 0 AND confirmed_count <= capacity")


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
    ``live`` is ``TRUE`` while the status is confirmed or waitlisted and ``NULL`` otherwise: with
    ``Unique(offering, practitioner, live)`` a person holds one live enrollment per offering and
    may enroll again after cancelling. ``attended_hours``/``outcome_reason`` are filled on
    completion.
    """

    id: Serial  # declared by Piccolo; annotated for type checkers
    offering = ForeignKey(Offering, index=True, on_delete=OnDelete.restrict)
    practitioner = ForeignKey(Practitioner, index=True, on_delete=OnDelete.restrict)
    status = Varchar(length=16, index=True)
    waitlist_seq = Integer(null=True, default=None)
    live = Boolean(null=True, default=True)
    enrolled_at = Timestamptz()
    status_changed_at = Timestamptz(null=True, default=None)
    attended_hours = Numeric(digits=(8, 2), null=True, default=None)
    outcome_reason = Text(default="")

    tr_enrollment_one_live = Unique(["offering", "practitioner", "live"])
    tr_enrollment_live_status = Check(
        "(live IS NULL AND status NOT IN ('confirmed', 'waitlisted')) "
        "OR (live = TRUE AND status IN ('confirmed', 'waitlisted'))"
    )


class Attendance(Table, tablename="tr_attendance"):
    """Presence of one enrollment at one session (考勤), one row per pair
    (``Unique(session, enrollment)``). ``method`` is roster | qr | batch."""

    id: Serial  # declared by Piccolo; annotated for type checkers
    session = ForeignKey(Session, index=True, on_delete=OnDelete.restrict)
    enrollment = ForeignKey(Enrollment, index=True, on_delete=OnDelete.restrict)
    present = Boolean(default=True)
    method = Varchar(length=8, default="roster")
    recorded_by = Varchar(length=64)
    recorded_at = Timestamptz()

    tr_attendance_one_row = Unique(["session", "enrollment"])
