"""Errors raised by training services.

They subclass the talent-pool errors (:class:`~talent_pool.errors.NotFound`,
:class:`~talent_pool.errors.Conflict`, :class:`~talent_pool.errors.ValidationFailed`) so the
service layer maps them to HTTP problems the same way; every ``message`` is Chinese text.
"""

from __future__ import annotations

from talent_pool.errors import Conflict, NotFound, ValidationFailed


class TrainingNotFound(NotFound):
    """A training base, course, offering, session or enrollment does not exist."""

    code = "training_not_found"


class TrainingInvalid(ValidationFailed):
    """Input violates a training rule (dates, capacity, unknown district, inactive base…)."""

    code = "training_invalid"


class AlreadyEnrolled(Conflict):
    """The person already holds a live (confirmed or waitlisted) enrollment in the offering."""

    code = "already_enrolled"

    def __init__(self, offering_id: int, practitioner_id: int) -> None:
        super().__init__(
            f"该人员已报名此班级（班级 {offering_id}，人员 {practitioner_id}）",
            offering_id=offering_id,
            practitioner_id=practitioner_id,
        )


class AlreadyEnrolledInCourse(Conflict):
    """The person already holds a live (confirmed or waitlisted) enrollment in another offering
    of the same course that is still running (not completed or cancelled).

    A soft rule: checked inside the enrollment's transaction (serialised per person on
    PostgreSQL by a row lock, on SQLite by the immediate transaction), not a database
    constraint — imports or direct writes can still create such pairs.
    """

    code = "already_enrolled_course"

    def __init__(
        self, offering_id: int, practitioner_id: int, other_offering_id: int, other_title: str
    ) -> None:
        super().__init__(
            f"已报名同一课程的其他班次（班级 {other_offering_id}「{other_title}」），如需改报请先取消该报名",
            offering_id=offering_id,
            practitioner_id=practitioner_id,
            other_offering_id=other_offering_id,
        )


class SessionOverlap(Conflict):
    """A new session overlaps (in time, on the same day) a session of the same offering."""

    code = "session_overlap"


class OfferingNotOpen(Conflict):
    """The offering does not accept the operation in its current status."""

    code = "offering_not_open"


class SessionsNotOver(Conflict):
    """An offering cannot be completed (结业) while any of its scheduled (not cancelled) sessions
    has not yet ended: completion judges attendance, so it waits for the last session's end.
    ``detail`` carries ``pending_sessions`` (how many have not ended) and ``last_ends_at`` (the
    aware UTC instant the last one ends, ISO 8601)."""

    code = "sessions_not_over"


class OfferingNotStarted(Conflict):
    """An offering cannot be completed (结业) before its start date (local date of ``now`` in the
    business zone earlier than ``start_date``): nobody can have trained in a class that has not
    begun. ``detail`` carries ``start_date`` (ISO date)."""

    code = "offering_not_started"


class NothingHeld(Conflict):
    """An offering cannot be completed (结业) when nothing could have been learnt in it: no
    scheduled (held) session and no online lesson of the course — every enrollment would be
    closed 未结业 for a class that never took place."""

    code = "offering_not_held"


class CourseHoursNotHeld(Conflict):
    """An offering cannot be completed (结业) while its scheduled hours plus the course's online
    lessons (an online-only class: the lessons alone) fall short of the completion rule's share
    of the course's hours (课程学时, :func:`training.rules.held_hours_short`): nobody could have
    completed the course,
    and a class that never delivered it must not produce training records."""

    code = "course_hours_not_held"


class SessionHasAttendance(Conflict):
    """A session that already has attendance recorded cannot be moved (调课) or cancelled (停课):
    the attendance belongs to the time it was taken at."""

    code = "session_has_attendance"


class SessionInPast(ValidationFailed):
    """A session cannot be moved (调课) to a start before now: moving is for sessions still to
    come, and a move into the past would let a class be completed at once. ``detail`` carries
    ``field`` (``day``)."""

    code = "session_in_past"


class LessonInUse(Conflict):
    """A lesson that trainees have progress on cannot be removed, nor its length changed: the
    seconds they watched were measured against it and count towards completion and the hours
    credited to the ledger. ``detail`` carries ``lesson_id`` and ``learners`` (how many
    enrollments have progress)."""

    code = "lesson_in_use"


class EnrollmentStateConflict(Conflict):
    """The enrollment is not in a status that allows the operation."""

    code = "enrollment_state"


class DuplicateCode(Conflict):
    """A unique business code (e.g. a course code) is already used."""

    code = "duplicate_code"


class AttendanceRejected(ValidationFailed):
    """An attendance batch had bad rows; nothing was written.

    ``rows`` lists every bad row as ``{"row": number, "reason": Chinese text, ...}``; ``row`` is
    1-based (the first entry is row 1, as people count rows), and so are rows named in reasons.
    """

    code = "attendance_rejected"

    def __init__(self, rows: list[dict[str, object]]) -> None:
        super().__init__(f"考勤数据有 {len(rows)} 行无效，未写入任何记录", rows=rows)
        self.rows = rows


class CheckinRefused(ValidationFailed):
    """A check-in, check-out or live join was refused: the token is invalid or expired
    (二维码已过期), the session is not open for check-in now, or the person has no confirmed seat.
    ``detail["reason"]`` is one of invalid | expired | window | not_enrolled | not_confirmed |
    cancelled | mode."""

    code = "checkin_refused"


class NotEnoughSeats(Conflict):
    """An all-or-nothing bulk enrollment asked for more seats than remain; nothing was written.
    ``detail`` carries ``requested`` and ``seats_left``."""

    code = "not_enough_seats"


class TrainerUnavailable(Conflict):
    """The trainer teaches another session at an overlapping time (double booking), may not
    teach the course, or is inactive."""

    code = "trainer_unavailable"


class ProgressRefused(Conflict):
    """A player heartbeat was refused (skipping ahead past the part watched, a position beyond
    the video); nothing was credited. ``detail["covered_seconds"]`` says how far the person has
    watched."""

    code = "progress_refused"
