"""Training API: bases, catalog, offerings, sessions, enrollment, attendance, completion."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, delete, get, post
from pydantic import BaseModel, Field

import training
from service import policy, usecases
from service.auth import require, user_of
from service.runtime import Runtime
from training.schemas import (
    AttendanceMethod,
    AttendanceReport,
    CancellationResult,
    CompletionReport,
    CourseIn,
    CourseOut,
    EnrollmentOut,
    OfferingIn,
    OfferingOut,
    SessionIn,
    SessionOut,
    TrainingBaseIn,
    TrainingBaseOut,
)

STAFF = ("city_admin", "base_staff")


class EnrollIn(BaseModel):
    """Staff enroll a named practitioner; a trainee's own id is taken from the login."""

    practitioner_id: int | None = None


class AttendanceIn(BaseModel):
    """Rows are checked one by one by the training service (strict types, known people) so a
    bad row is reported with its number instead of being coerced: ``"present": "yes"`` is refused."""

    entries: list[dict[str, Any]] = Field(min_length=1, max_length=2000)
    method: AttendanceMethod = "roster"


class TrainingController(Controller):
    path = "/api"
    tags = ["training"]

    @get("/catalog/courses", summary="Course catalog (public)")
    async def courses(self) -> list[CourseOut]:
        return await training.list_courses()

    @get("/catalog/offerings", summary="Offerings open for enrollment (public)")
    async def open_offerings(self, rt: Runtime) -> list[OfferingOut]:
        return await usecases.open_offerings(rt)

    @get("/catalog/offerings/{offering_id:int}/sessions", summary="Sessions of an offering (public)")
    async def sessions(self, offering_id: int) -> list[SessionOut]:
        return await training.list_sessions(offering_id)

    @get("/training-bases", summary="Training bases (实训基地)", guards=[require(*STAFF)])
    async def bases(self) -> list[TrainingBaseOut]:
        return await training.list_training_bases()

    @post("/training-bases", guards=[require("city_admin")], summary="Register a training base")
    async def create_base(self, data: TrainingBaseIn) -> TrainingBaseOut:
        return await training.create_training_base(data)

    @post("/courses", guards=[require("city_admin")], summary="Add a course to the catalog")
    async def create_course(self, data: CourseIn) -> CourseOut:
        return await training.create_course(data)

    @post("/offerings", guards=[require(*STAFF)], summary="Open an offering (开班) at a base")
    async def create_offering(self, data: OfferingIn, request: Request[Any, Any, Any]) -> OfferingOut:
        policy.ensure_base(user_of(request), data.training_base_id)
        return await training.create_offering(data)

    @post(
        "/offerings/{offering_id:int}/sessions",
        guards=[require(*STAFF)],
        summary="Add a session (课次)",
    )
    async def add_session(
        self, offering_id: int, data: SessionIn, request: Request[Any, Any, Any]
    ) -> SessionOut:
        await policy.ensure_offering(user_of(request), offering_id)
        return await training.add_session(offering_id, data)

    @post(
        "/offerings/{offering_id:int}/enrollments",
        guards=[require("trainee", *STAFF)],
        summary="Enroll (trainee: self; staff: a named practitioner); waitlisted when full",
    )
    async def enroll(
        self, offering_id: int, data: EnrollIn, request: Request[Any, Any, Any], rt: Runtime
    ) -> EnrollmentOut:
        user = user_of(request)
        practitioner_id = policy.practitioner_for(user, data.practitioner_id)
        if user.role != "trainee":
            await policy.ensure_offering(user, offering_id)
        return await training.enroll(offering_id, practitioner_id, now=rt.now(), today=rt.today())

    @get("/offerings/{offering_id:int}/enrollments", guards=[require(*STAFF)], summary="Roster")
    async def roster(self, offering_id: int, request: Request[Any, Any, Any]) -> list[EnrollmentOut]:
        await policy.ensure_offering(user_of(request), offering_id)
        return await training.list_enrollments(offering_id)

    @get("/me/enrollments", guards=[require("trainee")], summary="My enrollments")
    async def my_enrollments(self, request: Request[Any, Any, Any]) -> list[EnrollmentOut]:
        user = user_of(request)
        assert user.practitioner_id is not None
        return await training.enrollments_of_practitioner(user.practitioner_id)

    @delete("/enrollments/{enrollment_id:int}", status_code=200, summary="Cancel; promotes the waitlist")
    async def cancel(
        self, enrollment_id: int, request: Request[Any, Any, Any], rt: Runtime
    ) -> CancellationResult:
        await policy.ensure_enrollment(user_of(request), enrollment_id)
        return await training.cancel_enrollment(enrollment_id, now=rt.now())

    @post(
        "/sessions/{session_id:int}/attendance",
        guards=[require(*STAFF)],
        summary="Record attendance",
    )
    async def attendance(
        self, session_id: int, data: AttendanceIn, request: Request[Any, Any, Any], rt: Runtime
    ) -> AttendanceReport:
        user = user_of(request)
        await policy.ensure_session(user, session_id)
        return await training.record_attendance(
            session_id,
            data.entries,
            recorded_by=user.username,
            method=data.method,
            now=rt.now(),
            today=rt.today(),
        )

    @post(
        "/offerings/{offering_id:int}/complete",
        guards=[require(*STAFF)],
        summary="Apply the completion rule; completed enrollments become training records",
    )
    async def complete(
        self, offering_id: int, request: Request[Any, Any, Any], rt: Runtime
    ) -> CompletionReport:
        await policy.ensure_offering(user_of(request), offering_id)
        return await usecases.complete_offering(rt, offering_id)
