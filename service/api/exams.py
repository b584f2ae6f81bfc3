"""Exams API: the question bank and blueprints (regulator), online theory attempts (trainees),
practical double marking (examiners) and what staff see of both."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post, put

import certification
from certification.exam_schemas import (
    AnswersIn,
    AttemptOut,
    AttemptSummaryOut,
    BankImportOut,
    BlueprintIn,
    BlueprintOut,
    ExtraTimeIn,
    MarkingIn,
    MyExamOut,
    PracticalOut,
    QuestionOut,
)
from service.policy import EXAMINER, action, ensure_attempt, ensure_sitting, practitioner_for, user_of
from service.runtime import Runtime

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
XLSX_BODY = f"{XLSX}（.xlsx 文件本身）"


class ExamsController(Controller):
    path = "/api"
    tags = ["exams"]

    # ------------------------------------------------------------------ question bank
    @post(
        "/programmes/{code:str}/questions/import",
        opt=action("bank.manage", raw_body=XLSX_BODY),
        summary="Import the question bank from an .xlsx body (all rows or none; a known 题号 is updated)",
    )
    async def import_bank(self, code: str, request: Request[Any, Any, Any], rt: Runtime) -> BankImportOut:
        return await certification.import_questions(code, await request.body(), now=rt.now())

    @get(
        "/programmes/{code:str}/questions.xlsx",
        opt=action("bank.manage"),
        summary="The question bank as .xlsx (the import format)",
    )
    async def export_bank(self, code: str) -> Response[bytes]:
        data = await certification.export_questions(code)
        return Response(
            data,
            media_type=XLSX,
            headers={"Content-Disposition": f'attachment; filename="{code}-questions.xlsx"'},
        )

    @get(
        "/programmes/{code:str}/questions", opt=action("bank.manage"), summary="The bank with answers (staff)"
    )
    async def questions(self, code: str) -> list[QuestionOut]:
        return await certification.list_questions(code)

    @get("/programmes/{code:str}/blueprint", opt=action("bank.manage"), summary="The paper blueprint")
    async def blueprint(self, code: str) -> BlueprintOut:
        return await certification.get_blueprint(code)

    @put(
        "/programmes/{code:str}/blueprint",
        opt=action("bank.manage"),
        summary="Replace the blueprint: questions per domain and difficulty, points each, 100 in all",
    )
    async def set_blueprint(self, code: str, data: BlueprintIn) -> BlueprintOut:
        return await certification.set_blueprint(code, data.rows)

    # ------------------------------------------------------------------ online theory (trainee)
    @get("/me/exams", opt=action("exam.take"), summary="My exam registrations, scores and attempts")
    async def my_exams(self, request: Request[Any, Any, Any]) -> list[MyExamOut]:
        return await certification.exams_of(practitioner_for(user_of(request), None))

    @post(
        "/sittings/{sitting_id:int}/attempts",
        opt=action("exam.take"),
        summary="Start (201) or resume (200) my timed online theory attempt",
    )
    async def start(
        self, sitting_id: int, request: Request[Any, Any, Any], rt: Runtime
    ) -> Response[AttemptOut]:
        me = practitioner_for(user_of(request), None)
        attempt, started = await certification.start_attempt(sitting_id, me, now=rt.now(), today=rt.today())
        return Response(attempt, status_code=201 if started else 200)

    @get(
        "/attempts/{attempt_id:int}",
        opt=action("exam.take"),
        summary="My attempt: paper (no answers), time left",
    )
    async def attempt(self, attempt_id: int, request: Request[Any, Any, Any], rt: Runtime) -> AttemptOut:
        await ensure_attempt(user_of(request), attempt_id)
        return await certification.get_attempt(attempt_id, now=rt.now())

    @put(
        "/attempts/{attempt_id:int}/answers",
        opt=action("exam.take"),
        summary="Save answers as I go (refused after the deadline plus grace)",
    )
    async def answers(
        self, attempt_id: int, data: AnswersIn, request: Request[Any, Any, Any], rt: Runtime
    ) -> AttemptOut:
        await ensure_attempt(user_of(request), attempt_id)
        return await certification.save_answers(attempt_id, data.answers, now=rt.now())

    @post("/attempts/{attempt_id:int}/submit", opt=action("exam.take"), summary="Hand in: marked at once")
    async def submit(self, attempt_id: int, request: Request[Any, Any, Any], rt: Runtime) -> AttemptOut:
        await ensure_attempt(user_of(request), attempt_id)
        return await certification.submit_attempt(attempt_id, now=rt.now())

    # ------------------------------------------------------------------ staff views
    @get(
        "/sittings/{sitting_id:int}/attempts", opt=action("sitting.read"), summary="Online attempts (history)"
    )
    async def attempts(self, sitting_id: int, request: Request[Any, Any, Any]) -> list[AttemptSummaryOut]:
        await ensure_sitting(user_of(request), sitting_id, read=True)
        return await certification.sitting_attempts(sitting_id)

    @put(
        "/sittings/{sitting_id:int}/candidates/{practitioner_id:int}/extra-time",
        opt=action("sitting.manage"),
        summary="Extra minutes per online attempt for one candidate (an accommodation)",
    )
    async def extra_time(
        self, sitting_id: int, practitioner_id: int, data: ExtraTimeIn, request: Request[Any, Any, Any]
    ) -> dict[str, int]:
        await ensure_sitting(user_of(request), sitting_id)
        minutes = await certification.set_extra_time(sitting_id, practitioner_id, data.minutes)
        return {"practitioner_id": practitioner_id, "extra_minutes": minutes}

    # ------------------------------------------------------------------ practical double marking
    @get(
        "/sittings/{sitting_id:int}/practical",
        opt=action("sitting.read"),
        summary="Practical marking per candidate (an examiner sees others' markings once final)",
    )
    async def practical(self, sitting_id: int, request: Request[Any, Any, Any]) -> list[PracticalOut]:
        user = user_of(request)
        await ensure_sitting(user, sitting_id, read=True)
        return await certification.practical_overview(
            sitting_id, examiner_id=user.id if user.role == EXAMINER else None
        )

    @put(
        "/sittings/{sitting_id:int}/practical/{practitioner_id:int}",
        opt=action("practical.mark"),
        summary="An assigned examiner's item scores for a candidate (double marking, third when needed)",
    )
    async def mark(
        self,
        sitting_id: int,
        practitioner_id: int,
        data: MarkingIn,
        request: Request[Any, Any, Any],
        rt: Runtime,
    ) -> PracticalOut:
        user = user_of(request)
        await ensure_sitting(user, sitting_id, score=True)
        return await certification.record_marking(
            sitting_id, practitioner_id, examiner_id=user.id, items=data.items, now=rt.now(), today=rt.today()
        )
