"""Online learning and completion rules API: video lessons and their files, player heartbeats
and progress, a course's completion rule, quiz results, the completion preview."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from litestar import Controller, Request, delete, get, patch, post, put
from litestar.response import File

import training
from service.policy import (
    action,
    ensure_enrollment_read,
    ensure_offering,
    user_of,
)
from service.runtime import Runtime
from talent_pool.errors import NotFound
from training.online_schemas import (
    CourseRuleIn,
    CourseRuleOut,
    HeartbeatIn,
    LessonIn,
    LessonOut,
    LessonPatch,
    ProgressOut,
    QuizResultOut,
    QuizResultsIn,
)
from training.schemas import CompletionReport

_FILE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,200}$")
_MEDIA_TYPES = {
    ".mp4": "video/mp4",
    ".webm": "video/webm",
    ".m3u8": "application/vnd.apple.mpegurl",
    ".pdf": "application/pdf",
}


def _media_folder(rt: Runtime) -> Path | None:
    """The local courseware folder lesson file names must exist in — ``None`` when an object
    store is configured (``TUOYU_COURSEWARE_URL``): the app cannot see its contents."""
    return None if rt.settings.courseware_url else rt.settings.courseware_path()


class OnlineController(Controller):
    path = "/"
    tags = ["online learning"]

    @post(
        "/api/courses/{course_id:int}/lessons",
        opt=action("lesson.manage"),
        summary="Add a video lesson to a course",
    )
    async def add_lesson(self, course_id: int, data: LessonIn, rt: Runtime) -> LessonOut:
        return await training.add_lesson(
            course_id,
            data,
            media_base=rt.settings.courseware_base(),
            media_origins=rt.settings.media_origins(),
            media_folder=_media_folder(rt),
        )

    @patch(
        "/api/lessons/{lesson_id:int}",
        opt=action("lesson.manage"),
        summary="Change a lesson (title, file, length, position)",
    )
    async def update_lesson(self, lesson_id: int, data: LessonPatch, rt: Runtime) -> LessonOut:
        return await training.update_lesson(
            lesson_id,
            data,
            media_base=rt.settings.courseware_base(),
            media_origins=rt.settings.media_origins(),
            media_folder=_media_folder(rt),
        )

    @delete(
        "/api/lessons/{lesson_id:int}",
        opt=action("lesson.manage"),
        summary="Remove a lesson nobody has progress on",
    )
    async def delete_lesson(self, lesson_id: int) -> None:
        await training.delete_lesson(lesson_id)

    @get("/api/courses/{course_id:int}/lessons", opt=action("lesson.read"), summary="A course's lessons")
    async def lessons(self, course_id: int, rt: Runtime) -> list[LessonOut]:
        return await training.list_lessons(course_id, media_base=rt.settings.courseware_base())

    @get(
        "/courseware/{name:str}",
        opt=action("courseware.read"),
        summary="A lesson file served by the app (when no object store is configured)",
        include_in_schema=False,
    )
    async def courseware(self, name: str, rt: Runtime) -> File:
        path = rt.settings.courseware_path() / name
        if not _FILE.match(name) or not path.is_file():
            raise NotFound("课件文件不存在")
        suffix = path.suffix.lower()
        return File(
            path=path,
            media_type=_MEDIA_TYPES.get(suffix, "application/octet-stream"),
            content_disposition_type="inline",
        )

    @post(
        "/api/enrollments/{enrollment_id:int}/lessons/{lesson_id:int}/heartbeat",
        opt=action("lesson.progress"),
        summary="Player heartbeat: only time actually watched counts",
    )
    async def heartbeat(
        self,
        enrollment_id: int,
        lesson_id: int,
        data: HeartbeatIn,
        request: Request[Any, Any, Any],
        rt: Runtime,
    ) -> ProgressOut:
        await ensure_enrollment_read(user_of(request), enrollment_id)
        return await training.heartbeat(enrollment_id, lesson_id, data, now=rt.now(), today=rt.today())

    @get(
        "/api/enrollments/{enrollment_id:int}/progress",
        opt=action("progress.read"),
        summary="Online progress of an enrollment in each lesson",
    )
    async def progress(self, enrollment_id: int, request: Request[Any, Any, Any]) -> list[ProgressOut]:
        await ensure_enrollment_read(user_of(request), enrollment_id)
        return await training.progress_of(enrollment_id)

    @get(
        "/api/catalog/courses/{course_id:int}/completion-rule",
        opt=action("public"),
        summary="The completion rule of a course (public)",
    )
    async def rule(self, course_id: int) -> CourseRuleOut:
        return await training.get_course_rule(course_id)

    @put(
        "/api/courses/{course_id:int}/completion-rule",
        opt=action("course.rule"),
        summary="Set a course's completion rule (attendance, online, quiz)",
    )
    async def set_rule(
        self, course_id: int, data: CourseRuleIn, request: Request[Any, Any, Any], rt: Runtime
    ) -> CourseRuleOut:
        return await training.set_course_rule(course_id, data, by=user_of(request).username, now=rt.now())

    @post(
        "/api/offerings/{offering_id:int}/quiz-results",
        opt=action("quiz.record"),
        summary="Record quiz results (the best attempt counts)",
    )
    async def quiz(
        self, offering_id: int, data: QuizResultsIn, request: Request[Any, Any, Any], rt: Runtime
    ) -> list[QuizResultOut]:
        user = user_of(request)
        await ensure_offering(user, offering_id)
        return await training.record_quiz_results(offering_id, data.results, by=user.username, now=rt.now())

    @get(
        "/api/offerings/{offering_id:int}/completion-preview",
        opt=action("offering.roster"),
        summary="Who would complete now and why (nothing written)",
    )
    async def preview(
        self, offering_id: int, request: Request[Any, Any, Any], rt: Runtime
    ) -> CompletionReport:
        await ensure_offering(user_of(request), offering_id, read=True)
        return await training.completion_preview(offering_id, today=rt.today())
