"""training — training bases, course catalog, offerings, enrollment and waitlist, sessions,
attendance and completion. Completion feeds training records into ``talent_pool``.

The public API is what this module exports (async use cases in private modules, one per
section). Every write runs in :func:`talent_pool.db.atomic` (one transaction; joins the
caller's). Nothing here reads the clock or the environment: callers pass ``now`` (aware UTC)
and ``today`` (the local business date). Hours are decimal hours (``Decimal``).

Concurrency guarantees (PostgreSQL and SQLite):

* seats: ``Offering.confirmed_count`` only changes through conditional ``UPDATE`` statements
  evaluated by the database (``... WHERE confirmed_count < capacity AND status = 'open'``) and a
  ``CHECK (0 <= confirmed_count <= capacity)``, so concurrent enrollments never overbook;
* one live enrollment per person and offering: ``Unique(offering, practitioner, live)``;
* one attendance row per session and enrollment: ``Unique(session, enrollment)`` (upsert);
* completion is claimed by a conditional status update, so completing twice (or concurrently)
  records each training once; the ledger is also idempotent on ``source_ref``;
* sessions of one offering never overlap: :func:`add_session` locks the offering row before
  it checks (on SQLite the immediate transaction serialises writers anyway);
* one live enrollment per person and **course** across running offerings is a *soft* rule:
  checked in :func:`enroll`'s transaction after locking the practitioner row (PostgreSQL), not
  a database constraint.
"""

from __future__ import annotations

from training._attendance import (
    record_attendance,
)
from training._catalog import (
    accredited_bases_by_district,
    count_accredited_bases,
    create_course,
    create_training_base,
    get_course,
    get_training_base,
    list_courses,
    list_training_bases,
)
from training._completion import (
    complete_offering,
    default_completion_date,
)
from training._enrollment import (
    cancel_enrollment,
    enroll,
    enrolled_at_base,
    enrollments_of_practitioner,
    get_enrollment,
    list_enrollments,
)
from training._offerings import (
    add_session,
    create_offering,
    get_offering,
    get_session,
    list_offerings,
    list_sessions,
)
from training.errors import (
    AlreadyEnrolled,
    AlreadyEnrolledInCourse,
    AttendanceRejected,
    DuplicateCode,
    EnrollmentStateConflict,
    OfferingNotOpen,
    SessionOverlap,
    TrainingInvalid,
    TrainingNotFound,
)
from training.rules import DEFAULT_COMPLETION_RULE, CompletionRule, evaluate_completion

__all__ = [
    "DEFAULT_COMPLETION_RULE",
    "AlreadyEnrolled",
    "AlreadyEnrolledInCourse",
    "AttendanceRejected",
    "CompletionRule",
    "DuplicateCode",
    "EnrollmentStateConflict",
    "OfferingNotOpen",
    "SessionOverlap",
    "TrainingInvalid",
    "TrainingNotFound",
    "accredited_bases_by_district",
    "add_session",
    "cancel_enrollment",
    "complete_offering",
    "count_accredited_bases",
    "create_course",
    "create_offering",
    "create_training_base",
    "default_completion_date",
    "enroll",
    "enrolled_at_base",
    "enrollments_of_practitioner",
    "evaluate_completion",
    "get_course",
    "get_enrollment",
    "get_offering",
    "get_session",
    "get_training_base",
    "list_courses",
    "list_enrollments",
    "list_offerings",
    "list_sessions",
    "list_training_bases",
    "record_attendance",
]
