"""Training tables: bases, courses, offerings, sessions, enrollments, attendance.

Table names are prefixed ``tr_``. Timestamps are ``Timestamptz`` (UTC); business dates
(offering dates, session days) are ``Date`` (local calendar dates in the configured zone).
Everything that must hold under concurrency is a database constraint or a conditional update:

* ``0 <= Offering.confirmed_count <= capacity`` — a ``CHECK`` constraint; the count changes only
  by a conditional ``UPDATE ... WHERE confirmed_count < capacity`` (``training.enroll``);
* one live (confirmed or waitlisted) enrollment per person and offering — ``Unique(offering,
  practitioner, live)`` where ``live`` is ``TRUE`` while the enrollment is live and ``NULL``
  otherwise (NULLs never collide), kept in step with ``status`` by a ``CHECK``;
* one attendance row per session and enrollment — ``Unique(session, enrollment)`` (upserted);
  every change of a row is kept in ``tr_attendance_change`` (who, when, why);
* an offline device's row is applied once — ``Unique(training_base, client_row_id)``;
* one notification per person, kind and subject — ``Unique(practitioner, kind, subject)``;
* a trainer is assigned to a session once — ``Unique(session, trainer)`` (double booking across
  sessions is checked with the trainer row locked); one evaluation per trainer and trainee —
  ``Unique(trainer, enrollment)``;
* one progress row per enrollment and lesson — ``Unique(enrollment, lesson)`` (row-locked per
  heartbeat);
* one subsidy per person, course and year — ``Unique(practitioner, course, period_year)``.

On SQLite the same constraints are part of the table definitions (migrations
``training_2026_11_29t17_10…`` and ``training_2026_11_29t18_04_47…``). Foreign keys are
``ON DELETE RESTRICT``: training history is never deleted by deleting what it refers to.
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
    """A training base (实训基地) in a district; counts toward the plan target on a date ``d``
    when it was accredited on or before ``d`` (``accredited_on``, a local date) and not withdrawn
    on or before ``d`` (``withdrawn_on``). ``accredited``/``active`` are today's state;
    ``withdrawn_reason`` says why it was withdrawn (撤销/取消认定). Every later change is kept in
    :class:`TrainingBaseChange`."""

    id: Serial  # declared by Piccolo; annotated for type checkers
    name = Varchar(length=128)
    district_code = Varchar(length=12, index=True)
    address = Varchar(length=255, default="")
    accredited = Boolean(default=False)
    active = Boolean(default=True)
    accredited_on = Date(null=True, default=None)
    withdrawn_on = Date(null=True, default=None)
    withdrawn_reason = Text(default="")
    created_at = Timestamptz(default=TimestamptzNow())


class TrainingBaseChange(Table, tablename="tr_training_base_change"):
    """One change of a training base by a regulator (基地信息变更记录), never deleted:
    ``before``/``after`` are JSON objects of the changed fields only (dates as ISO local dates),
    who (``changed_by``), when (UTC) and why (``reason``)."""

    id: Serial  # declared by Piccolo; annotated for type checkers
    training_base = ForeignKey(TrainingBase, index=True, on_delete=OnDelete.restrict)
    before = Text()
    after = Text()
    reason = Text(default="")
    changed_by = Varchar(length=64)
    changed_at = Timestamptz()


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
    subsidised = Boolean(default=False)
    created_at = Timestamptz(default=TimestamptzNow())

    tr_offering_seats = Check("capacity >= 1 AND confirmed_count >= 0 AND confirmed_count <= capacity")


class Session(Table, tablename="tr_session"):
    """One dated meeting of an offering (课次): ``day`` local date, local clock times,
    ``hours`` scheduled decimal hours. ``status`` is scheduled | cancelled (a cancelled session
    counts nowhere); ``mode`` is offline | live (online, ``join_url``); ``note`` is the reason of
    the last move or the cancellation."""

    id: Serial  # declared by Piccolo; annotated for type checkers
    offering = ForeignKey(Offering, index=True, on_delete=OnDelete.restrict)
    day = Date()
    starts_at = Time()
    ends_at = Time()
    hours = Numeric(digits=(6, 2))
    topic = Varchar(length=255, default="")
    status = Varchar(length=12, default="scheduled")
    mode = Varchar(length=8, default="offline")
    join_url = Varchar(length=512, default="")
    note = Text(default="")


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
    (``Unique(session, enrollment)``). ``method`` is how the row was last set: roster | qr |
    batch | live | correct. ``checked_in_at``/``checked_out_at`` are the scan (or join/leave)
    instants, ``late`` (迟到) marks a QR arrival after the grace period or a roster mark (present
    but late: it counts as attended, like any present row), ``attended_minutes`` is set by a
    check-out."""

    id: Serial  # declared by Piccolo; annotated for type checkers
    session = ForeignKey(Session, index=True, on_delete=OnDelete.restrict)
    enrollment = ForeignKey(Enrollment, index=True, on_delete=OnDelete.restrict)
    present = Boolean(default=True)
    method = Varchar(length=8, default="roster")
    recorded_by = Varchar(length=64)
    recorded_at = Timestamptz()
    checked_in_at = Timestamptz(null=True, default=None)
    checked_out_at = Timestamptz(null=True, default=None)
    late = Boolean(default=False)
    attended_minutes = Integer(null=True, default=None)

    tr_attendance_one_row = Unique(["session", "enrollment"])


class AttendanceChange(Table, tablename="tr_attendance_change"):
    """Every change of an attendance row (考勤变更记录): the value before (``None`` for a new
    row) and after — presence and the late mark (迟到; ``late_after`` ``None`` on rows written
    before it was kept) — how (``method``), who, when (UTC) and why (required for corrections)."""

    id: Serial  # declared by Piccolo; annotated for type checkers
    attendance = ForeignKey(Attendance, index=True, on_delete=OnDelete.restrict)
    present_before = Boolean(null=True, default=None)
    present_after = Boolean()
    late_before = Boolean(null=True, default=None)
    late_after = Boolean(null=True, default=None)
    method = Varchar(length=8)
    changed_by = Varchar(length=64)
    changed_at = Timestamptz()
    reason = Text(default="")


class Trainer(Table, tablename="tr_trainer"):
    """A teacher of the city's trainer pool (师资库), keyed by resident ID number. ``rank`` is
    assistant | lecturer | senior | chief (助理讲师 … 首席讲师, :mod:`training.trainer_rules`);
    ``training_base`` the base they belong to (``None``: city-level)."""

    id: Serial  # declared by Piccolo; annotated for type checkers
    id_number = Varchar(length=18, unique=True)
    name = Varchar(length=64)
    phone = Varchar(length=20, default="")
    district_code = Varchar(length=12, index=True)
    training_base = ForeignKey(TrainingBase, null=True, index=True, on_delete=OnDelete.restrict)
    rank = Varchar(length=16, default="lecturer")
    title = Varchar(length=64, default="")
    active = Boolean(default=True)
    created_at = Timestamptz(default=TimestamptzNow())


class TrainerQualification(Table, tablename="tr_trainer_qualification"):
    """A qualification a trainer holds (资格证书, 职称…)."""

    id: Serial  # declared by Piccolo; annotated for type checkers
    trainer = ForeignKey(Trainer, index=True, on_delete=OnDelete.restrict)
    name = Varchar(length=128)
    number = Varchar(length=64, default="")
    issuer = Varchar(length=128, default="")
    issued_on = Date(null=True, default=None)
    expires_on = Date(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())


class TrainerRankChange(Table, tablename="tr_trainer_rank_change"):
    """One change of a trainer's rank (晋升/调整), never deleted."""

    id: Serial  # declared by Piccolo; annotated for type checkers
    trainer = ForeignKey(Trainer, index=True, on_delete=OnDelete.restrict)
    from_rank = Varchar(length=16, default="")
    to_rank = Varchar(length=16)
    reason = Text(default="")
    decided_by = Varchar(length=64)
    decided_on = Date()
    created_at = Timestamptz(default=TimestamptzNow())


class Lesson(Table, tablename="tr_lesson"):
    """A video lesson (视频课件) of a course: ``media`` is a file name in the courseware folder
    served by the app, or an ``https://`` URL of an object store; ``duration_seconds`` its length."""

    id: Serial  # declared by Piccolo; annotated for type checkers
    course = ForeignKey(Course, index=True, on_delete=OnDelete.restrict)
    title = Varchar(length=255)
    position = Integer(default=0)
    media = Varchar(length=512)
    duration_seconds = Integer()
    created_at = Timestamptz(default=TimestamptzNow())


class CourseRule(Table, tablename="tr_course_rule"):
    """The completion rule of one course (结业规则): attendance share of the scheduled hours,
    optionally of the sessions, of the online lessons, and a quiz pass mark (percent / points)."""

    id: Serial  # declared by Piccolo; annotated for type checkers
    course = ForeignKey(Course, unique=True, on_delete=OnDelete.restrict)
    min_hours_percent = Numeric(digits=(5, 2))
    min_sessions_percent = Numeric(digits=(5, 2), null=True, default=None)
    min_online_percent = Numeric(digits=(5, 2), null=True, default=None)
    quiz_pass_score = Numeric(digits=(5, 1), null=True, default=None)
    source = Text(default="")
    updated_by = Varchar(length=64, default="")
    updated_at = Timestamptz(default=TimestamptzNow())


class QuizAttempt(Table, tablename="tr_quiz_attempt"):
    """One quiz result (结业测验) of an enrollment, 0–100 points; the best attempt counts."""

    id: Serial  # declared by Piccolo; annotated for type checkers
    enrollment = ForeignKey(Enrollment, index=True, on_delete=OnDelete.restrict)
    score = Numeric(digits=(5, 1))
    recorded_by = Varchar(length=64)
    recorded_at = Timestamptz()


class AttendanceUpload(Table, tablename="tr_attendance_upload"):
    """A row of an offline device's batch that was applied (离线考勤上传), kept so that the same
    row uploaded again changes nothing: ``Unique(training_base, client_row_id)``. ``digest`` is the
    SHA-256 of the row's content (the same id with other content is refused)."""

    id: Serial  # declared by Piccolo; annotated for type checkers
    training_base = ForeignKey(TrainingBase, index=True, on_delete=OnDelete.restrict)
    client_row_id = Varchar(length=64)
    digest = Varchar(length=64)
    attendance = ForeignKey(Attendance, null=True, index=True, on_delete=OnDelete.restrict)
    uploaded_by = Varchar(length=64)
    uploaded_at = Timestamptz()

    tr_attendance_upload_once = Unique(["training_base", "client_row_id"])


class Notification(Table, tablename="tr_notification"):
    """A message to a practitioner (通知): the in-app inbox row, also texted when a phone is on
    record. ``kind`` is enrollment_confirmed | waitlist_promoted | session_tomorrow |
    session_moved | session_cancelled; ``subject`` names what it is about (``enrollment:7``,
    ``session:12:2024-09-13``…). ``Unique(practitioner, kind, subject)``: sent once, however
    often the job runs. ``sent_at`` is set when delivered (``None``: waiting or failed,
    ``last_error``)."""

    id: Serial  # declared by Piccolo; annotated for type checkers
    practitioner = ForeignKey(Practitioner, index=True, on_delete=OnDelete.restrict)
    kind = Varchar(length=24)
    subject = Varchar(length=96)
    title = Varchar(length=128)
    text = Text()
    phone = Varchar(length=20, default="")
    created_at = Timestamptz()
    sent_at = Timestamptz(null=True, default=None)
    last_error = Text(default="")

    tr_notification_once = Unique(["practitioner", "kind", "subject"])


class TrainerCourse(Table, tablename="tr_trainer_course"):
    """A course a trainer may teach (授课资格): ``Unique(trainer, course)``."""

    id: Serial  # declared by Piccolo; annotated for type checkers
    trainer = ForeignKey(Trainer, index=True, on_delete=OnDelete.restrict)
    course = ForeignKey(Course, index=True, on_delete=OnDelete.restrict)
    approved_by = Varchar(length=64)
    approved_at = Timestamptz()

    tr_trainer_course_once = Unique(["trainer", "course"])


class SessionTrainer(Table, tablename="tr_session_trainer"):
    """A trainer teaching a session (排课): ``Unique(session, trainer)``; no trainer teaches two
    overlapping sessions (checked with the trainer's row locked, ``training.assign_trainer``)."""

    id: Serial  # declared by Piccolo; annotated for type checkers
    session = ForeignKey(Session, index=True, on_delete=OnDelete.restrict)
    trainer = ForeignKey(Trainer, index=True, on_delete=OnDelete.restrict)
    assigned_by = Varchar(length=64)
    assigned_at = Timestamptz()

    tr_session_trainer_once = Unique(["session", "trainer"])


class TrainerEvaluation(Table, tablename="tr_trainer_evaluation"):
    """A trainee's evaluation of a trainer after a course (学员评价), 1–5 points:
    ``Unique(trainer, enrollment)`` — one per trainee and course run."""

    id: Serial  # declared by Piccolo; annotated for type checkers
    trainer = ForeignKey(Trainer, index=True, on_delete=OnDelete.restrict)
    enrollment = ForeignKey(Enrollment, index=True, on_delete=OnDelete.restrict)
    score = Integer()
    comment = Text(default="")
    created_at = Timestamptz()

    tr_trainer_evaluation_once = Unique(["trainer", "enrollment"])
    tr_trainer_evaluation_score = Check("score >= 1 AND score <= 5")


class LessonProgress(Table, tablename="tr_lesson_progress"):
    """Online progress of one enrollment in one lesson (学习进度), seconds: ``covered_seconds`` of
    the video watched without skipping, ``watched_seconds`` of playing time credited,
    ``last_position``/``last_beat_at`` of the last accepted heartbeat. ``Unique(enrollment,
    lesson)``; each heartbeat locks the row (parallel tabs never double count)."""

    id: Serial  # declared by Piccolo; annotated for type checkers
    enrollment = ForeignKey(Enrollment, index=True, on_delete=OnDelete.restrict)
    lesson = ForeignKey(Lesson, index=True, on_delete=OnDelete.restrict)
    covered_seconds = Integer(default=0)
    watched_seconds = Integer(default=0)
    last_position = Integer(default=0)
    last_beat_at = Timestamptz(null=True, default=None)

    tr_lesson_progress_once = Unique(["enrollment", "lesson"])
    tr_lesson_progress_seconds = Check("covered_seconds >= 0 AND watched_seconds >= 0 AND last_position >= 0")


class SubsidyClaim(Table, tablename="tr_subsidy_claim"):
    """A training subsidy granted (职业培训补贴) for one completed enrollment; one per person,
    course and year: ``Unique(practitioner, course, period_year)`` (and one per enrollment)."""

    id: Serial  # declared by Piccolo; annotated for type checkers
    enrollment = ForeignKey(Enrollment, unique=True, on_delete=OnDelete.restrict)
    practitioner = ForeignKey(Practitioner, index=True, on_delete=OnDelete.restrict)
    course = ForeignKey(Course, index=True, on_delete=OnDelete.restrict)
    period_year = Integer()
    claimed_on = Date()
    recorded_by = Varchar(length=64)
    recorded_at = Timestamptz()

    tr_subsidy_claim_once = Unique(["practitioner", "course", "period_year"])
