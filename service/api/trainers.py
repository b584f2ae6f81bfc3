"""Trainer pool API (师资库): trainers, qualifications, courses they may teach, session
assignments, trainees' evaluations, ranks and their history; regulators see it by district."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, delete, get, post

import talent_pool
import training
from service.accounts import AccountOut
from service.audit import personal_read
from service.hygiene import OptionalQueryId
from service.policy import (
    REGULATORS,
    action,
    ensure_session,
    ensure_session_reader,
    ensure_trainer,
    ensure_trainer_scope,
    practitioner_for,
    trainer_district,
    user_of,
)
from service.runtime import Runtime
from training.pool_schemas import (
    AssignTrainerIn,
    EvaluationIn,
    EvaluationOut,
    QualificationIn,
    RankChangeIn,
    RankChangeOut,
    SessionTrainerOut,
    TrainerCourseIn,
    TrainerIn,
    TrainerOut,
)


def _shown(user: AccountOut, trainer: TrainerOut) -> TrainerOut:
    """Regulators see a trainer's full ID number and phone; base staff the masked number only."""
    if user.role in REGULATORS:
        return trainer
    return trainer.model_copy(
        update={"id_number": talent_pool.mask_id_number(trainer.id_number), "phone": ""}
    )


class TrainerController(Controller):
    path = "/api"
    tags = ["trainer pool"]

    @get(
        "/trainers",
        opt=action("trainer.read"),
        summary="The trainer pool (district regulators: their district)",
    )
    async def trainers(
        self,
        request: Request[Any, Any, Any],
        district_code: str | None = None,
        course_id: OptionalQueryId = None,
    ) -> list[TrainerOut]:
        user = user_of(request)
        district = trainer_district(user, district_code)
        found = await training.list_trainers(
            district_code=district, course_id=course_id, full_ids=user.role in REGULATORS
        )
        if user.role in REGULATORS and found:
            personal_read(request)
        return found

    @post("/trainers", opt=action("trainer.manage"), summary="Add a trainer to the pool")
    async def create(self, data: TrainerIn, request: Request[Any, Any, Any], rt: Runtime) -> TrainerOut:
        user = user_of(request)
        ensure_trainer_scope(user, data.district_code, data.training_base_id)
        return _shown(user, await training.create_trainer(data, today=rt.today()))

    @get("/trainers/{trainer_id:int}", opt=action("trainer.read"), summary="One trainer")
    async def trainer(self, trainer_id: int, request: Request[Any, Any, Any]) -> TrainerOut:
        user = user_of(request)
        found = await training.get_trainer(trainer_id, full_ids=user.role in REGULATORS)
        trainer_district(user, found.district_code)
        if user.role in REGULATORS:
            personal_read(request)
        return found

    @post(
        "/trainers/{trainer_id:int}/qualifications",
        opt=action("trainer.manage"),
        summary="Record a trainer's qualification",
    )
    async def qualification(
        self, trainer_id: int, data: QualificationIn, request: Request[Any, Any, Any]
    ) -> TrainerOut:
        user = user_of(request)
        await ensure_trainer(user, trainer_id)
        return _shown(user, await training.add_qualification(trainer_id, data))

    @post(
        "/trainers/{trainer_id:int}/courses",
        opt=action("trainer.manage"),
        summary="Let a trainer teach a course",
    )
    async def course(
        self, trainer_id: int, data: TrainerCourseIn, request: Request[Any, Any, Any], rt: Runtime
    ) -> TrainerOut:
        user = user_of(request)
        await ensure_trainer(user, trainer_id)
        return _shown(
            user, await training.allow_course(trainer_id, data.course_id, by=user.username, now=rt.now())
        )

    @post(
        "/trainers/{trainer_id:int}/rank",
        opt=action("trainer.rank"),
        summary="Promote (or adjust) a trainer's rank",
    )
    async def rank(
        self, trainer_id: int, data: RankChangeIn, request: Request[Any, Any, Any], rt: Runtime
    ) -> RankChangeOut:
        user = user_of(request)
        await ensure_trainer(user, trainer_id)
        return await training.change_rank(trainer_id, data, by=user.username, today=rt.today())

    @get(
        "/trainers/{trainer_id:int}/rank-history",
        opt=action("trainer.read"),
        summary="A trainer's rank changes",
    )
    async def rank_history(self, trainer_id: int, request: Request[Any, Any, Any]) -> list[RankChangeOut]:
        trainer_district(user_of(request), (await training.get_trainer(trainer_id)).district_code)
        return await training.rank_history(trainer_id)

    @get(
        "/trainers/{trainer_id:int}/evaluations", opt=action("trainer.read"), summary="Trainees' evaluations"
    )
    async def evaluations(self, trainer_id: int, request: Request[Any, Any, Any]) -> list[EvaluationOut]:
        trainer_district(user_of(request), (await training.get_trainer(trainer_id)).district_code)
        return await training.evaluations_of(trainer_id)

    @post(
        "/sessions/{session_id:int}/trainers",
        opt=action("trainer.assign"),
        summary="Assign a trainer to a session (no double booking)",
    )
    async def assign(
        self, session_id: int, data: AssignTrainerIn, request: Request[Any, Any, Any], rt: Runtime
    ) -> list[SessionTrainerOut]:
        user = user_of(request)
        await ensure_session(user, session_id)
        return await training.assign_trainer(session_id, data.trainer_id, by=user.username, now=rt.now())

    @delete(
        "/sessions/{session_id:int}/trainers/{trainer_id:int}",
        status_code=200,
        opt=action("trainer.assign"),
        summary="Take a trainer off a session",
    )
    async def unassign(
        self, session_id: int, trainer_id: int, request: Request[Any, Any, Any]
    ) -> list[SessionTrainerOut]:
        await ensure_session(user_of(request), session_id)
        return await training.unassign_trainer(session_id, trainer_id)

    @get(
        "/sessions/{session_id:int}/trainers", opt=action("session.trainers"), summary="Who teaches a session"
    )
    async def session_trainers(
        self, session_id: int, request: Request[Any, Any, Any]
    ) -> list[SessionTrainerOut]:
        await ensure_session_reader(user_of(request), session_id)
        return await training.trainers_of_session(session_id)

    @post(
        "/offerings/{offering_id:int}/evaluations",
        opt=action("trainer.evaluate"),
        summary="A trainee evaluates a trainer of their class after it ended",
    )
    async def evaluate(
        self, offering_id: int, data: EvaluationIn, request: Request[Any, Any, Any], rt: Runtime
    ) -> EvaluationOut:
        pid = practitioner_for(user_of(request), None)
        return await training.evaluate_trainer(offering_id, pid, data, now=rt.now())
