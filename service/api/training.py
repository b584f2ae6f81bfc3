"""Training API: bases, catalog, offerings, sessions, enrollment, attendance, completion."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, delete, get, patch, post
from pydantic import BaseModel, Field, model_validator

import talent_pool
import training
from service import usecases
from service.policy import (
    BASE,
    CITY,
    DISTRICT,
    TRAINEE,
    action,
    bulk_employer,
    ensure_base,
    ensure_base_regulator,
    ensure_district,
    ensure_employer,
    ensure_enrollment,
    ensure_offering,
    ensure_session,
    practitioner_for,
    user_of,
)
from service.runtime import Runtime
from talent_pool.errors import ValidationFailed
from training.attendance_schemas import AttendanceRow
from training.schemas import (
    AttendanceMethod,
    AttendanceReport,
    BulkEnrollmentIn,
    BulkEnrollmentResult,
    CancellationResult,
    CompletionReport,
    CourseIn,
    CourseOut,
    EnrollmentOut,
    NotificationOut,
    OfferingIn,
    OfferingOut,
    SessionIn,
    SessionOut,
    TrainingBaseChangeOut,
    TrainingBaseIn,
    TrainingBaseOut,
    TrainingBaseUpdate,
)


class EnrollIn(BaseModel):
    """Whom to enroll. A trainee enrolls themselves (empty body). Base staff name the person by
    full resident ID number **and** name (both must match the talent pool; an unknown person and
    a wrong name get the same answer); a city admin may also give ``practitioner_id``."""

    practitioner_id: int | None = None
    id_number: str | None = Field(default=None, max_length=40)
    name: str | None = Field(default=None, max_length=64)

    @model_validator(mode="after")
    def _both_or_neither(self) -> EnrollIn:
        if (self.id_number is None) != (self.name is None):
            raise ValueError("身份证号和姓名须同时填写")
        return self


class AttendanceIn(BaseModel):
    """Rows are checked one by one by the training service (strict types, known people) so a
    bad row is reported with its number instead of being coerced: ``"present": "yes"`` is refused."""

    entries: list[dict[str, Any]] = Field(min_length=1, max_length=2000)
    method: AttendanceMethod = "roster"


class StaffEnrollIn(BulkEnrollmentIn):
    """Employer staff book their own current staff (``employer_id`` may be left out); a city
    admin names the employer."""

    employer_id: int | None = None


class TrainingController(Controller):
    path = "/api"
    tags = ["training"]

    @get("/catalog/courses", summary="Course catalog (public)", opt=action("public"))
    async def courses(self) -> list[CourseOut]:
        return await training.list_courses()

    @get("/catalog/offerings", summary="Offerings open for enrollment (public)", opt=action("public"))
    async def open_offerings(self, rt: Runtime) -> list[OfferingOut]:
        return await usecases.open_offerings(rt)

    @get(
        "/catalog/offerings/{offering_id:int}/sessions",
        summary="Sessions of an offering (public)",
        opt=action("public"),
    )
    async def sessions(self, offering_id: int) -> list[SessionOut]:
        return await training.list_sessions(offering_id)

    @get("/training-bases", summary="Training bases (实训基地)", opt=action("base.list"))
    async def bases(self, request: Request[Any, Any, Any]) -> list[TrainingBaseOut]:
        user = user_of(request)
        if user.role == BASE:
            return [await training.get_training_base(user.training_base_id or -1)]
        return await training.list_training_bases(user.district_code if user.role == DISTRICT else None)

    @post("/training-bases", opt=action("base.create"), summary="Register a training base")
    async def create_base(
        self, data: TrainingBaseIn, request: Request[Any, Any, Any], rt: Runtime
    ) -> TrainingBaseOut:
        ensure_district(user_of(request), data.district_code)
        return await training.create_training_base(data, today=rt.today())

    @patch(
        "/training-bases/{training_base_id:int}",
        opt=action("base.update"),
        summary="Change a training base: name, address, accreditation and withdrawal (撤销) dates",
        description="Only the fields sent change; a withdrawal needs `withdrawn_reason`, dates are local "
        "`YYYY-MM-DD` not after today, the withdrawal not before the accreditation. Every change is kept "
        "(`GET …/changes`) and audited. The 实训基地 indicator counts the base on a date by these dates.",
    )
    async def update_base(
        self, training_base_id: int, data: TrainingBaseUpdate, request: Request[Any, Any, Any], rt: Runtime
    ) -> TrainingBaseOut:
        user = user_of(request)
        await ensure_base_regulator(user, training_base_id)
        return await training.update_training_base(
            training_base_id, data, changed_by=user.username, today=rt.today(), now=rt.now()
        )

    @get(
        "/training-bases/{training_base_id:int}/changes",
        opt=action("base.history"),
        summary="A training base's change history (oldest first)",
    )
    async def base_changes(
        self, training_base_id: int, request: Request[Any, Any, Any]
    ) -> list[TrainingBaseChangeOut]:
        await ensure_base_regulator(user_of(request), training_base_id)
        return await training.training_base_changes(training_base_id)

    @post("/courses", opt=action("course.create"), summary="Add a course to the catalog")
    async def create_course(self, data: CourseIn) -> CourseOut:
        return await training.create_course(data)

    @post("/offerings", opt=action("offering.create"), summary="Open an offering (开班) at a base")
    async def create_offering(self, data: OfferingIn, request: Request[Any, Any, Any]) -> OfferingOut:
        await ensure_base(user_of(request), data.training_base_id)
        return await training.create_offering(data)

    @post(
        "/offerings/{offering_id:int}/sessions",
        opt=action("offering.manage"),
        summary="Add a session (课次)",
    )
    async def add_session(
        self, offering_id: int, data: SessionIn, request: Request[Any, Any, Any], rt: Runtime
    ) -> SessionOut:
        await ensure_offering(user_of(request), offering_id)
        return await training.add_session(offering_id, data, times=rt.session_times, now=rt.now())

    @post(
        "/offerings/{offering_id:int}/enrollments",
        opt=action("enrollment.create"),
        summary="Enroll (trainee: self; base staff: a person named by full ID number and name); "
        "waitlisted when full",
    )
    async def enroll(
        self, offering_id: int, data: EnrollIn, request: Request[Any, Any, Any], rt: Runtime
    ) -> EnrollmentOut:
        user = user_of(request)
        if user.role == TRAINEE:
            practitioner_id = practitioner_for(user, data.practitioner_id)
        else:
            await ensure_offering(user, offering_id)
            if data.id_number is not None and data.name is not None:
                practitioner_id = (
                    await talent_pool.match_practitioner(data.id_number, data.name, today=rt.today())
                ).id
            elif user.role == CITY and data.practitioner_id is not None:
                practitioner_id = data.practitioner_id
            else:
                raise ValidationFailed("请填写要报名人员的身份证号和姓名", field="id_number")
        return await training.enroll(offering_id, practitioner_id, now=rt.now(), today=rt.today())

    @post(
        "/offerings/{offering_id:int}/staff-enrollments",
        opt=action("enrollment.bulk"),
        summary="An employer enrolls its current staff (all or nothing, or fill and waitlist)",
    )
    async def enroll_staff(
        self, offering_id: int, data: StaffEnrollIn, request: Request[Any, Any, Any], rt: Runtime
    ) -> BulkEnrollmentResult:
        user = user_of(request)
        employer_id = bulk_employer(user, data.employer_id)
        await ensure_employer(user, employer_id)
        return await training.enroll_staff(offering_id, employer_id, data, now=rt.now(), today=rt.today())

    @get("/me/notifications", opt=action("notification.mine"), summary="My notices (inbox)")
    async def my_notifications(self, request: Request[Any, Any, Any]) -> list[NotificationOut]:
        user = user_of(request)
        if user.practitioner_id is None:
            return []
        return await training.notifications_of(user.practitioner_id)

    @get("/offerings/{offering_id:int}/enrollments", opt=action("offering.roster"), summary="Roster")
    async def roster(self, offering_id: int, request: Request[Any, Any, Any]) -> list[EnrollmentOut]:
        await ensure_offering(user_of(request), offering_id, read=True)
        return await training.list_enrollments(offering_id)

    @get("/me/enrollments", opt=action("enrollment.mine"), summary="My enrollments")
    async def my_enrollments(self, request: Request[Any, Any, Any]) -> list[EnrollmentOut]:
        user = user_of(request)
        if user.practitioner_id is None:
            return []
        return await training.enrollments_of_practitioner(user.practitioner_id)

    @delete(
        "/enrollments/{enrollment_id:int}",
        status_code=200,
        opt=action("enrollment.cancel"),
        summary="Cancel; promotes the waitlist",
    )
    async def cancel(
        self, enrollment_id: int, request: Request[Any, Any, Any], rt: Runtime
    ) -> CancellationResult:
        await ensure_enrollment(user_of(request), enrollment_id)
        return await training.cancel_enrollment(enrollment_id, now=rt.now())

    @post(
        "/sessions/{session_id:int}/attendance",
        opt=action("offering.manage"),
        summary="Record attendance",
    )
    async def attendance(
        self, session_id: int, data: AttendanceIn, request: Request[Any, Any, Any], rt: Runtime
    ) -> AttendanceReport:
        user = user_of(request)
        await ensure_session(user, session_id)
        return await training.record_attendance(
            session_id,
            data.entries,
            recorded_by=user.username,
            method=data.method,
            now=rt.now(),
            today=rt.today(),
        )

    @get(
        "/sessions/{session_id:int}/attendance",
        opt=action("attendance.read"),
        summary="A session's attendance",
    )
    async def attendance_rows(self, session_id: int, request: Request[Any, Any, Any]) -> list[AttendanceRow]:
        await ensure_session(user_of(request), session_id, read=True)
        return await training.session_attendance(session_id)

    @post(
        "/offerings/{offering_id:int}/complete",
        opt=action("offering.manage"),
        summary="Apply the completion rule; completed enrollments become training records",
    )
    async def complete(
        self, offering_id: int, request: Request[Any, Any, Any], rt: Runtime
    ) -> CompletionReport:
        await ensure_offering(user_of(request), offering_id)
        return await usecases.complete_offering(rt, offering_id)
