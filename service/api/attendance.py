"""Scheduling and attendance API: recurring sessions, moving and cancelling a session, the
rotating check-in QR, trainee check-in and live join, offline batches, corrections, a session's
attendance and its history."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from pydantic import BaseModel, Field

import training
from service.policy import (
    action,
    ensure_base,
    ensure_offering,
    ensure_session,
    ensure_session_trainee,
    practitioner_for,
    user_of,
)
from service.runtime import Runtime
from training.attendance_schemas import (
    AttendanceChangeOut,
    AttendanceRow,
    BatchReport,
    CheckinIn,
    CheckinResult,
    CheckinTokenIn,
    CheckinTokenOut,
    CorrectionIn,
    RecurringSessionsIn,
    RecurringSessionsResult,
    SessionCancelIn,
    SessionMoveIn,
)
from training.checkin_token import WINDOW_SECONDS
from training.schemas import SessionOut


class BatchIn(BaseModel):
    """An offline device's batch: rows are checked one by one by the training service, so each
    bad row is reported (with its index) instead of failing the whole request."""

    rows: list[dict[str, Any]] = Field(min_length=1, max_length=2000)


class AttendanceController(Controller):
    path = "/api"
    tags = ["attendance"]

    @post(
        "/offerings/{offering_id:int}/recurring-sessions",
        opt=action("offering.manage"),
        summary="Sessions on chosen weekdays between two dates (end inclusive), skipping holidays",
    )
    async def recurring(
        self, offering_id: int, data: RecurringSessionsIn, request: Request[Any, Any, Any], rt: Runtime
    ) -> RecurringSessionsResult:
        await ensure_offering(user_of(request), offering_id)
        return await training.add_recurring_sessions(offering_id, data, times=rt.session_times, now=rt.now())

    @post("/sessions/{session_id:int}/move", opt=action("offering.manage"), summary="Move a session (调课)")
    async def move(
        self, session_id: int, data: SessionMoveIn, request: Request[Any, Any, Any], rt: Runtime
    ) -> SessionOut:
        await ensure_session(user_of(request), session_id)
        return await training.move_session(session_id, data, times=rt.session_times, now=rt.now())

    @post(
        "/sessions/{session_id:int}/cancel", opt=action("offering.manage"), summary="Cancel a session (停课)"
    )
    async def cancel(
        self, session_id: int, data: SessionCancelIn, request: Request[Any, Any, Any], rt: Runtime
    ) -> SessionOut:
        await ensure_session(user_of(request), session_id)
        return await training.cancel_session(session_id, data, now=rt.now())

    @post(
        "/sessions/{session_id:int}/checkin-token",
        opt=action("checkin.token"),
        summary="The check-in QR of the current 15-second window (base staff's screen)",
    )
    async def checkin_token(
        self, session_id: int, data: CheckinTokenIn, request: Request[Any, Any, Any], rt: Runtime
    ) -> CheckinTokenOut:
        await ensure_session(user_of(request), session_id)
        issued = await training.issue_checkin_token(
            session_id, data.purpose, key=rt.checkin_key, now=rt.now()
        )
        return CheckinTokenOut(
            session_id=session_id,
            purpose=issued.purpose,
            token=issued.token,
            url=f"{rt.settings.public_url}/checkin?t={issued.token}",
            expires_at=issued.expires_at,
            refresh_seconds=WINDOW_SECONDS,
        )

    @post(
        "/checkin",
        opt=action("checkin.scan"),
        summary="A trainee scans the session's QR (check-in or check-out)",
    )
    async def checkin(self, data: CheckinIn, request: Request[Any, Any, Any], rt: Runtime) -> CheckinResult:
        user = user_of(request)
        return await training.check_in(
            data.token,
            practitioner_for(user, None),
            key=rt.checkin_key,
            times=rt.session_times,
            now=rt.now(),
            by=user.username,
        )

    @post(
        "/sessions/{session_id:int}/join",
        opt=action("checkin.scan"),
        summary="Enter a live session (counts as attendance)",
    )
    async def join(self, session_id: int, request: Request[Any, Any, Any], rt: Runtime) -> CheckinResult:
        user = user_of(request)
        await ensure_session_trainee(user, session_id)
        return await training.join_live(
            session_id, practitioner_for(user, None), times=rt.session_times, now=rt.now(), by=user.username
        )

    @post(
        "/sessions/{session_id:int}/leave",
        opt=action("checkin.scan"),
        summary="Leave a live session (attended minutes)",
    )
    async def leave(self, session_id: int, request: Request[Any, Any, Any], rt: Runtime) -> CheckinResult:
        user = user_of(request)
        await ensure_session_trainee(user, session_id)
        return await training.join_live(
            session_id,
            practitioner_for(user, None),
            leaving=True,
            times=rt.session_times,
            now=rt.now(),
            by=user.username,
        )

    @post(
        "/training-bases/{training_base_id:int}/attendance-batches",
        opt=action("attendance.upload"),
        summary="Upload an offline device's attendance rows (idempotent per row id; a report per row)",
    )
    async def upload(
        self, training_base_id: int, data: BatchIn, request: Request[Any, Any, Any], rt: Runtime
    ) -> BatchReport:
        user = user_of(request)
        await ensure_base(user, training_base_id)
        return await training.upload_attendance_batch(
            training_base_id, data.rows, by=user.username, now=rt.now(), today=rt.today()
        )

    @post(
        "/sessions/{session_id:int}/attendance/corrections",
        opt=action("offering.manage"),
        summary="Correct one person's attendance, with the reason kept",
    )
    async def correct(
        self, session_id: int, data: CorrectionIn, request: Request[Any, Any, Any], rt: Runtime
    ) -> AttendanceRow:
        user = user_of(request)
        await ensure_session(user, session_id)
        return await training.correct_attendance(
            session_id, data, by=user.username, now=rt.now(), today=rt.today()
        )

    @get(
        "/sessions/{session_id:int}/attendance/history",
        opt=action("attendance.read"),
        summary="Every change of a session's attendance: who, when, how, why",
    )
    async def history(self, session_id: int, request: Request[Any, Any, Any]) -> list[AttendanceChangeOut]:
        await ensure_session(user_of(request), session_id, read=True)
        return await training.attendance_history(session_id)
