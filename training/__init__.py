"""training — training bases, course catalog, offerings, enrollment and waitlist (also in bulk
by employers), sessions (also recurring, moved, cancelled), attendance (roster, rotating-QR
self check-in and check-out, live join, offline batches, corrections with history), the trainer
pool, online lessons with heartbeat progress, per-course completion rules and quizzes,
completion, training subsidies and notifications. Completion feeds training records into
``talent_pool``.

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
* completion and schedule changes are serialised on the offering row: :func:`complete_offering`
  locks it before reading the sessions, and adding, moving or cancelling a session locks it
  before checking that the offering is still open — so a session never moves (or appears) after
  a completion that did not see it, and completion never decides on a schedule being changed;
* one live enrollment per person and **course** across running offerings is a *soft* rule:
  checked in :func:`enroll`'s transaction after locking the practitioner row (PostgreSQL), not
  a database constraint;
* bulk enrollment (:func:`enroll_staff`) takes all its seats in one conditional ``UPDATE …
  WHERE confirmed_count + n <= capacity`` (all or nothing) or one by one as :func:`enroll`;
* a QR check-in is ``INSERT … ON CONFLICT (session, enrollment) DO NOTHING`` under a *shared*
  lock of the session row; roster, batch and correction writes lock it exclusively, so the
  attendance history (``tr_attendance_change``) records exact before/after values;
* an offline batch row is applied once per base: ``Unique(training_base, client_row_id)``;
* a trainer is never double-booked: assignments lock the trainer row (and the session row,
  shared) before checking overlaps; moving a session locks its trainers again;
* one heartbeat at a time per enrollment (enrollment row locked ``FOR UPDATE``), each measured
  from the enrollment's latest heartbeat on any lesson, so parallel player tabs — one lesson or
  several — never count the same time twice;
* one notification per person, kind and subject: ``Unique(practitioner, kind, ref)``, and a
  notice is claimed for sending by a conditional update in the transaction that sends it;
* one subsidy per person, course and year: ``Unique(practitioner, course, period_year)``.
"""

from __future__ import annotations

from training._attendance import (
    record_attendance,
)
from training._bases import planned_base_change, training_base_changes, update_training_base
from training._batch import (
    attendance_history,
    correct_attendance,
    session_attendance,
    upload_attendance_batch,
)
from training._bulk import enroll_staff
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
from training._checkin import check_in, issue_checkin_token, join_live
from training._completion import (
    complete_offering,
    completion_preview,
    completion_refusal,
    default_completion_date,
)
from training._enrollment import (
    cancel_enrollment,
    enroll,
    enrolled_at_base,
    enrolled_in,
    enrollments_of_practitioner,
    get_enrollment,
    list_enrollments,
)
from training._notify import NOTIFY_TASK, Notice, Notifier, notifications_of, notify
from training._offerings import (
    add_session,
    create_offering,
    get_offering,
    get_session,
    list_offerings,
    list_sessions,
)
from training._online import (
    add_lesson,
    delete_lesson,
    get_course_rule,
    get_lesson,
    heartbeat,
    list_lessons,
    media_url,
    progress_of,
    record_quiz_results,
    set_course_rule,
    update_lesson,
)
from training._sessions import add_recurring_sessions, cancel_session, move_session
from training._subsidy import (
    SubsidyExport,
    record_subsidy_claims,
    set_subsidised,
    subsidy_roster,
    subsidy_roster_xlsx,
)
from training._trainers import (
    add_qualification,
    allow_course,
    assign_trainer,
    change_rank,
    create_trainer,
    evaluate_trainer,
    evaluations_of,
    get_trainer,
    list_trainers,
    rank_history,
    trainers_of_session,
    unassign_trainer,
)
from training.checkin_token import CheckinToken
from training.errors import (
    AlreadyEnrolled,
    AlreadyEnrolledInCourse,
    AttendanceRejected,
    CheckinRefused,
    CourseHoursNotHeld,
    DuplicateCode,
    EnrollmentStateConflict,
    LessonInUse,
    NotEnoughSeats,
    NothingHeld,
    OfferingNotOpen,
    OfferingNotStarted,
    ProgressRefused,
    SessionHasAttendance,
    SessionInPast,
    SessionOverlap,
    SessionsNotOver,
    TrainerUnavailable,
    TrainingInvalid,
    TrainingNotFound,
)
from training.rules import DEFAULT_COMPLETION_RULE, CompletionRule, evaluate_completion
from training.schedule import SessionTimes

__all__ = [
    "DEFAULT_COMPLETION_RULE",
    "NOTIFY_TASK",
    "AlreadyEnrolled",
    "AlreadyEnrolledInCourse",
    "AttendanceRejected",
    "CheckinRefused",
    "CheckinToken",
    "CompletionRule",
    "CourseHoursNotHeld",
    "DuplicateCode",
    "EnrollmentStateConflict",
    "LessonInUse",
    "NotEnoughSeats",
    "NothingHeld",
    "Notice",
    "Notifier",
    "OfferingNotOpen",
    "OfferingNotStarted",
    "ProgressRefused",
    "SessionHasAttendance",
    "SessionInPast",
    "SessionOverlap",
    "SessionTimes",
    "SessionsNotOver",
    "SubsidyExport",
    "TrainerUnavailable",
    "TrainingInvalid",
    "TrainingNotFound",
    "accredited_bases_by_district",
    "add_lesson",
    "add_qualification",
    "add_recurring_sessions",
    "add_session",
    "allow_course",
    "assign_trainer",
    "attendance_history",
    "cancel_enrollment",
    "cancel_session",
    "change_rank",
    "check_in",
    "complete_offering",
    "completion_preview",
    "completion_refusal",
    "correct_attendance",
    "count_accredited_bases",
    "create_course",
    "create_offering",
    "create_trainer",
    "create_training_base",
    "default_completion_date",
    "delete_lesson",
    "enroll",
    "enroll_staff",
    "enrolled_at_base",
    "enrolled_in",
    "enrollments_of_practitioner",
    "evaluate_completion",
    "evaluate_trainer",
    "evaluations_of",
    "get_course",
    "get_course_rule",
    "get_enrollment",
    "get_lesson",
    "get_offering",
    "get_session",
    "get_trainer",
    "get_training_base",
    "heartbeat",
    "issue_checkin_token",
    "join_live",
    "list_courses",
    "list_enrollments",
    "list_lessons",
    "list_offerings",
    "list_sessions",
    "list_trainers",
    "list_training_bases",
    "media_url",
    "move_session",
    "notifications_of",
    "notify",
    "planned_base_change",
    "progress_of",
    "rank_history",
    "record_attendance",
    "record_quiz_results",
    "record_subsidy_claims",
    "session_attendance",
    "set_course_rule",
    "set_subsidised",
    "subsidy_roster",
    "subsidy_roster_xlsx",
    "trainers_of_session",
    "training_base_changes",
    "unassign_trainer",
    "update_lesson",
    "update_training_base",
    "upload_attendance_batch",
]
