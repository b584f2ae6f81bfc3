"""Online learning (线上学习): video lessons of a course, progress from player heartbeats (only
time actually watched counts, :mod:`training.online_rules`), per-course completion rules and quiz
results.

A heartbeat locks its enrollment row (``SELECT … FOR UPDATE`` on PostgreSQL, the immediate
transaction on SQLite), so heartbeats of two tabs — on the same lesson or on two lessons of the
enrollment — are applied one after the other and the second measures its time from the first
(the enrollment's latest accepted heartbeat on any lesson): parallel tabs never double count.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import ROUND_DOWN, Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from piccolo.columns import Column

from talent_pool.db import atomic, is_sqlite
from training._catalog import get_course
from training._common import _offering_row, _require_aware
from training.errors import LessonInUse, OfferingNotOpen, ProgressRefused, TrainingInvalid, TrainingNotFound
from training.online_rules import DEFAULT_HEARTBEAT_RULE, HeartbeatRule, credit_heartbeat
from training.online_schemas import (
    CourseRuleIn,
    CourseRuleOut,
    HeartbeatIn,
    LessonIn,
    LessonOut,
    LessonPatch,
    ProgressOut,
    QuizResultIn,
    QuizResultOut,
)
from training.rules import DEFAULT_COMPLETION_RULE, CompletionRule
from training.tables import CourseRule, Enrollment, Lesson, LessonProgress, QuizAttempt

_LOCK_ENROLLMENT_SQL = "SELECT id FROM tr_enrollment WHERE id = {} FOR UPDATE"


def media_url(media: str, base: str) -> str:
    """Where a player loads ``media``: an ``https://`` URL as it is, a file name under ``base``
    (the object store's URL, or the app's own ``/courseware/``)."""
    if media.startswith("https://"):
        return media
    return f"{base.rstrip('/')}/{media}"


def _lesson_out(row: dict[str, Any], base: str) -> LessonOut:
    return LessonOut(
        id=row["id"],
        course_id=row["course"],
        title=row["title"],
        position=row["position"],
        media=row["media"],
        media_url=media_url(row["media"], base),
        duration_seconds=row["duration_seconds"],
    )


_DEFAULT_PORTS = {"http": 80, "https": 443}


def _origin(url: str) -> tuple[str, str, int] | None:
    """``(scheme, host, port)`` of ``url``, lower case, the default port filled in; ``None``
    when it has no host or a bad port."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if not parts.hostname or scheme not in _DEFAULT_PORTS:
        return None
    return scheme, parts.hostname.lower(), port if port is not None else _DEFAULT_PORTS[scheme]


def check_media_origin(media: str, media_origins: Sequence[str]) -> None:
    """Refuse a lesson's ``https://`` address that players could not load: the pages' CSP
    ``media-src`` allows the app itself (a file name of the courseware folder) and the configured
    object store's origin (``media_origins``, e.g. ``("https://oss.example.cn",)`` from
    ``TUOYU_COURSEWARE_URL``) only — a video on any other host is blocked by the browser.
    File names pass. Raises :class:`TrainingInvalid` (422) naming the allowed sources."""
    if not media.startswith("https://"):
        return
    allowed = {o for o in (_origin(x) for x in media_origins) if o is not None}
    if _origin(media) in allowed:
        return
    shown = media.split("/", 3)[2][:100]
    if media_origins:
        stores = "、".join(media_origins)
        hint = f"请填写课件目录中的文件名（由本系统提供），或课件存储 {stores} 上的 https:// 地址"
    else:
        hint = "本系统未配置课件存储地址，请把视频放入课件目录并填写文件名"
    raise TrainingInvalid(
        f"课件地址的主机 {shown} 不在允许的来源内，学员的播放器无法加载：{hint}",
        field="media",
        allowed=list(media_origins),
    )


def check_media_file(media: str, folder: Path | None) -> None:
    """Refuse a lesson file name that is not in the local courseware folder ``folder`` (the app
    serves lesson files from there when no object store is configured): the player would load
    nothing. ``folder=None`` — an object store is configured, whose contents the app cannot see —
    and ``https://`` addresses pass. Raises :class:`TrainingInvalid` (422, ``field="media"``)."""
    if folder is None or media.startswith("https://"):
        return
    if not (folder / media).is_file():
        raise TrainingInvalid(
            f"课件目录中没有文件 {media}：请先把视频文件放入课件目录，再填写其文件名", field="media"
        )


async def add_lesson(
    course_id: int,
    data: LessonIn,
    *,
    media_base: str,
    media_origins: Sequence[str] = (),
    media_folder: Path | None = None,
) -> LessonOut:
    """Add a video lesson to a course. ``media_base`` is where file names are served from (the
    object store's URL, or ``/courseware``); ``media_origins`` the origins an ``https://``
    address may be on (:func:`check_media_origin`; none by default: file names only);
    ``media_folder`` the local courseware folder a file name must exist in
    (:func:`check_media_file`; ``None``: not checked — an object store is configured).

    Lessons belong to the course: a lesson added counts at once for every class of the course
    not yet completed (see :func:`delete_lesson` for the rule on running classes). Raises
    :class:`TrainingNotFound`, :class:`TrainingInvalid`."""
    check_media_origin(data.media, media_origins)
    check_media_file(data.media, media_folder)
    await get_course(course_id)
    async with atomic():
        row = await Lesson.insert(
            Lesson(
                course=course_id,
                title=data.title,
                position=data.position,
                media=data.media,
                duration_seconds=data.duration_seconds,
            )
        ).returning(*Lesson.all_columns())
    return _lesson_out(row[0], media_base)


_LOCK_LESSON_SQL = "SELECT id FROM tr_lesson WHERE id = {} FOR UPDATE"


async def _locked_lesson(lesson_id: int) -> dict[str, Any]:
    """The lesson row, locked until the transaction ends (PostgreSQL ``FOR UPDATE``: a first
    heartbeat's progress row, which references the lesson, waits for it). Raises
    :class:`TrainingNotFound`."""
    if not is_sqlite(Lesson._meta.db):
        await Lesson.raw(_LOCK_LESSON_SQL, lesson_id)
    return await get_lesson(lesson_id)


async def _learners(lesson_id: int) -> int:
    return await LessonProgress.count().where(LessonProgress.lesson == lesson_id)


async def update_lesson(
    lesson_id: int,
    data: LessonPatch,
    *,
    media_base: str,
    media_origins: Sequence[str] = (),
    media_folder: Path | None = None,
) -> LessonOut:
    """Change a lesson's title, file, length or position (only the fields given); the file is
    checked as in :func:`add_lesson`. The change applies to every class of the course not yet
    completed. The length cannot change once trainees have progress on the lesson
    (:class:`LessonInUse`: their watched seconds were measured against it); title, position
    and the file (e.g. a re-encoded copy of the same video) can. Raises
    :class:`TrainingNotFound`, :class:`TrainingInvalid`, :class:`LessonInUse`."""
    if data.media is not None:
        check_media_origin(data.media, media_origins)
        check_media_file(data.media, media_folder)
    async with atomic():
        row = await _locked_lesson(lesson_id)
        if data.duration_seconds is not None and data.duration_seconds != row["duration_seconds"]:
            learners = await _learners(lesson_id)
            if learners:
                raise LessonInUse(
                    f"已有 {learners} 名学员学习过课件「{row['title']}」，不能修改时长；"
                    "如视频内容已变，请新增课件",
                    lesson_id=lesson_id,
                    learners=learners,
                )
        changes: dict[Column | str, Any] = {
            column: value
            for column, value in (
                (Lesson.title, data.title),
                (Lesson.media, data.media),
                (Lesson.duration_seconds, data.duration_seconds),
                (Lesson.position, data.position),
            )
            if value is not None
        }
        await Lesson.update(changes).where(Lesson.id == lesson_id)
        row = await get_lesson(lesson_id)
    return _lesson_out(row, media_base)


async def delete_lesson(lesson_id: int) -> None:
    """Remove a lesson from its course.

    Rule for running classes (design decision): lessons belong to the course, so removing one
    changes the online requirement of every class of the course not yet completed (completed
    classes keep their stored outcome). A lesson that any trainee has progress on is therefore
    **not** removed (:class:`LessonInUse`, 409): the seconds watched are evidence of training,
    count towards completion and the hours credited to the ledger, and an LMS keeps learners'
    records rather than silently deleting them — the course owner can retitle it or replace
    its file instead (:func:`update_lesson`). A lesson nobody has started is removed.

    Raises :class:`TrainingNotFound`, :class:`LessonInUse`."""
    async with atomic():
        row = await _locked_lesson(lesson_id)
        learners = await _learners(lesson_id)
        if learners:
            raise LessonInUse(
                f"已有 {learners} 名学员学习过课件「{row['title']}」，其学习记录计入结业和学时，不能删除；"
                "可修改标题或更换视频文件",
                lesson_id=lesson_id,
                learners=learners,
            )
        await Lesson.delete().where(Lesson.id == lesson_id)


async def list_lessons(course_id: int, *, media_base: str) -> list[LessonOut]:
    """A course's lessons in order. Raises :class:`TrainingNotFound`."""
    await get_course(course_id)
    rows = (
        await Lesson.select().where(Lesson.course == course_id).order_by(Lesson.position).order_by(Lesson.id)
    )
    return [_lesson_out(r, media_base) for r in rows]


async def get_lesson(lesson_id: int) -> dict[str, Any]:
    """The lesson row. Raises :class:`TrainingNotFound`."""
    row = await Lesson.select().where(Lesson.id == lesson_id).first()
    if row is None:
        raise TrainingNotFound(f"课件 {lesson_id} 不存在", lesson_id=lesson_id)
    return row


def _percent(covered: int, duration: int) -> Decimal:
    return (Decimal(covered) * 100 / Decimal(duration)).quantize(Decimal("0.1"), rounding=ROUND_DOWN)


def _progress_out(
    lesson: dict[str, Any], enrollment_id: int, row: dict[str, Any] | None, credited: int
) -> ProgressOut:
    covered = row["covered_seconds"] if row else 0
    return ProgressOut(
        enrollment_id=enrollment_id,
        lesson_id=lesson["id"],
        title=lesson["title"],
        duration_seconds=lesson["duration_seconds"],
        covered_seconds=covered,
        watched_seconds=row["watched_seconds"] if row else 0,
        last_position=row["last_position"] if row else 0,
        credited=credited,
        percent=_percent(covered, lesson["duration_seconds"]),
    )


async def heartbeat(
    enrollment_id: int,
    lesson_id: int,
    data: HeartbeatIn,
    *,
    now: dt.datetime,
    today: dt.date,
    rule: HeartbeatRule = DEFAULT_HEARTBEAT_RULE,
) -> ProgressOut:
    """Apply a player heartbeat at ``now`` (see the module docstring and
    :func:`training.online_rules.credit_heartbeat`): the credit is measured from the
    enrollment's latest accepted heartbeat on any lesson, so its lessons together never get more
    seconds than passed. The enrollment must be confirmed, its class
    running (open or closed, ``today`` within its dates) and the lesson one of its course's.
    Raises :class:`TrainingNotFound`, :class:`TrainingInvalid` (lesson of another course),
    :class:`OfferingNotOpen`, :class:`ProgressRefused` (skipping ahead, position beyond the end —
    nothing changes)."""
    _require_aware(now)
    lesson = await get_lesson(lesson_id)
    enrollment = await Enrollment.select(Enrollment.id, Enrollment.offering, Enrollment.status).where(
        Enrollment.id == enrollment_id
    )
    if not enrollment:
        raise TrainingNotFound(f"报名记录 {enrollment_id} 不存在")
    offering = await _offering_row(enrollment[0]["offering"])
    if offering["course"] != lesson["course"]:
        raise TrainingInvalid("该课件不属于本班级的课程", field="lesson_id")
    if enrollment[0]["status"] != "confirmed":
        raise OfferingNotOpen("只有已确认名额的学员可以在线学习", status=enrollment[0]["status"])
    if (
        offering["status"] not in ("open", "closed")
        or not offering["start_date"] <= today <= offering["end_date"]
    ):
        raise OfferingNotOpen(
            f"不在班级学习期内（{offering['start_date']} 至 {offering['end_date']}）",
            status=offering["status"],
        )
    async with atomic():
        # One clock per enrollment: heartbeats of all its lessons queue here (SQLite: the
        # immediate transaction already does), then read the latest accepted one.
        if not is_sqlite(LessonProgress._meta.db):
            await Enrollment.raw(_LOCK_ENROLLMENT_SQL, enrollment_id)
        await LessonProgress.insert(LessonProgress(enrollment=enrollment_id, lesson=lesson_id)).on_conflict(
            target=(LessonProgress.enrollment, LessonProgress.lesson), action="DO NOTHING"
        )
        rows = await LessonProgress.select().where(LessonProgress.enrollment == enrollment_id)
        row = next(r for r in rows if r["lesson"] == lesson_id)
        beats = [r["last_beat_at"] for r in rows if r["last_beat_at"] is not None]
        outcome = credit_heartbeat(
            duration=lesson["duration_seconds"],
            covered=row["covered_seconds"],
            watched=row["watched_seconds"],
            last_position=row["last_position"],
            last_beat_at=row["last_beat_at"],
            position=data.position,
            playing=data.playing,
            at=now,
            rule=rule,
            shared_since=max(beats) if beats else None,
        )
        if outcome.refused is not None:
            raise ProgressRefused(outcome.refused, covered_seconds=row["covered_seconds"])
        updated = await (
            LessonProgress.update(
                {
                    LessonProgress.covered_seconds: outcome.covered,
                    LessonProgress.watched_seconds: outcome.watched,
                    LessonProgress.last_position: data.position,
                    LessonProgress.last_beat_at: now,
                }
            )
            .where(LessonProgress.id == row["id"])
            .returning(*LessonProgress.all_columns())
        )
    return _progress_out(lesson, enrollment_id, updated[0], outcome.credited)


async def progress_of(enrollment_id: int) -> list[ProgressOut]:
    """An enrollment's progress in every lesson of its course (zero where not started)."""
    enrollment = await Enrollment.select(Enrollment.offering.course.as_alias("course")).where(
        Enrollment.id == enrollment_id
    )
    if not enrollment:
        raise TrainingNotFound(f"报名记录 {enrollment_id} 不存在")
    lessons = (
        await Lesson.select()
        .where(Lesson.course == enrollment[0]["course"])
        .order_by(Lesson.position)
        .order_by(Lesson.id)
    )
    rows = {
        r["lesson"]: r
        for r in await LessonProgress.select().where(LessonProgress.enrollment == enrollment_id)
    }
    return [_progress_out(lesson, enrollment_id, rows.get(lesson["id"]), 0) for lesson in lessons]


async def online_totals(offering_id: int, course_id: int) -> tuple[int, dict[int, int]]:
    """``(total seconds of the course's lessons, {enrollment id: seconds covered, each lesson
    capped at its length})`` for the completion of an offering."""
    lessons = {
        r["id"]: r["duration_seconds"] for r in await Lesson.select().where(Lesson.course == course_id)
    }
    covered: dict[int, int] = {}
    if lessons:
        rows = await LessonProgress.select(
            LessonProgress.enrollment, LessonProgress.lesson, LessonProgress.covered_seconds
        ).where(
            (LessonProgress.enrollment.offering == offering_id) & LessonProgress.lesson.is_in(list(lessons))
        )
        for r in rows:
            covered[r["enrollment"]] = covered.get(r["enrollment"], 0) + min(
                r["covered_seconds"], lessons[r["lesson"]]
            )
    return sum(lessons.values()), covered


# --------------------------------------------------------------------------- rules and quizzes


def _rule_out(course_id: int, row: dict[str, Any] | None) -> CourseRuleOut:
    if row is None:
        d = DEFAULT_COMPLETION_RULE
        return CourseRuleOut(
            course_id=course_id,
            custom=False,
            min_hours_percent=d.min_hours_percent,
            min_sessions_percent=d.min_sessions_percent,
            min_online_percent=d.min_online_percent,
            quiz_pass_score=d.quiz_pass_score,
            source=d.source,
        )
    return CourseRuleOut(
        course_id=course_id,
        custom=True,
        min_hours_percent=row["min_hours_percent"],
        min_sessions_percent=row["min_sessions_percent"],
        min_online_percent=row["min_online_percent"],
        quiz_pass_score=row["quiz_pass_score"],
        source=row["source"],
        updated_by=row["updated_by"],
        updated_at=row["updated_at"],
    )


async def get_course_rule(course_id: int) -> CourseRuleOut:
    """The completion rule in force for a course (the default when none was set)."""
    await get_course(course_id)
    return _rule_out(course_id, await CourseRule.select().where(CourseRule.course == course_id).first())


async def set_course_rule(course_id: int, data: CourseRuleIn, *, by: str, now: dt.datetime) -> CourseRuleOut:
    """Set a course's completion rule (replacing the previous one). Raises :class:`TrainingNotFound`."""
    await get_course(course_id)
    row = CourseRule(
        course=course_id,
        min_hours_percent=data.min_hours_percent,
        min_sessions_percent=data.min_sessions_percent,
        min_online_percent=data.min_online_percent,
        quiz_pass_score=data.quiz_pass_score,
        source=" ".join(data.source.split()) or "课程结业规则",
        updated_by=by,
        updated_at=now,
    )
    async with atomic():
        await CourseRule.insert(row).on_conflict(
            target=CourseRule.course,
            action="DO UPDATE",
            values=[
                CourseRule.min_hours_percent,
                CourseRule.min_sessions_percent,
                CourseRule.min_online_percent,
                CourseRule.quiz_pass_score,
                CourseRule.source,
                CourseRule.updated_by,
                CourseRule.updated_at,
            ],
        )
    return await get_course_rule(course_id)


async def rule_for_course(course_id: int) -> CompletionRule:
    """The :class:`~training.rules.CompletionRule` of a course (the default when none was set)."""
    out = await get_course_rule(course_id)
    return CompletionRule(
        min_hours_percent=out.min_hours_percent,
        min_sessions_percent=out.min_sessions_percent,
        min_online_percent=out.min_online_percent,
        quiz_pass_score=out.quiz_pass_score,
        source=out.source,
    )


async def record_quiz_results(
    offering_id: int, results: list[QuizResultIn], *, by: str, now: dt.datetime
) -> list[QuizResultOut]:
    """Record quiz attempts (结业测验) of confirmed enrollments of an offering; the best attempt
    counts. The whole list is checked first: an unknown person or an enrollment of another class
    raises :class:`TrainingInvalid` (``rows``) and nothing is written; a completed or cancelled
    class raises :class:`OfferingNotOpen`."""
    _require_aware(now)
    async with atomic():
        offering = await _offering_row(offering_id)
        if offering["status"] in ("completed", "cancelled"):
            raise OfferingNotOpen(f"班级 {offering_id} 已结业或已取消，不能再录入测验成绩")
        enrollments = await Enrollment.select(Enrollment.id, Enrollment.practitioner).where(
            (Enrollment.offering == offering_id) & (Enrollment.status == "confirmed")
        )
        by_id = {e["id"] for e in enrollments}
        by_person = {e["practitioner"]: e["id"] for e in enrollments}
        chosen: list[tuple[int, Decimal]] = []
        bad: list[dict[str, object]] = []
        for index, r in enumerate(results):
            eid = r.enrollment_id if r.enrollment_id in by_id else by_person.get(r.practitioner_id or -1)
            if eid is None:
                bad.append({"row": index, "reason": "该人员在本班级没有确认的名额"})
            else:
                chosen.append((eid, r.score))
        if bad:
            raise TrainingInvalid(f"测验成绩有 {len(bad)} 行无效，未写入任何记录", rows=bad)
        await QuizAttempt.insert(
            *(QuizAttempt(enrollment=e, score=score, recorded_by=by, recorded_at=now) for e, score in chosen)
        )
        best = await best_quiz_scores(offering_id)
    return [best[e] for e in dict.fromkeys(e for e, _ in chosen)]


async def best_quiz_scores(offering_id: int) -> dict[int, QuizResultOut]:
    """Enrollment id → best score and number of attempts, for an offering."""
    rows = await QuizAttempt.select(QuizAttempt.enrollment, QuizAttempt.score).where(
        QuizAttempt.enrollment.offering == offering_id
    )
    out: dict[int, QuizResultOut] = {}
    for r in rows:
        score = Decimal(r["score"])
        seen = out.get(r["enrollment"])
        if seen is None:
            out[r["enrollment"]] = QuizResultOut(enrollment_id=r["enrollment"], best_score=score, attempts=1)
        else:
            seen.best_score = max(seen.best_score, score)
            seen.attempts += 1
    return out
