"""The exam pages' demo data (``service.demo_exams``) on PostgreSQL: trainee1 can start an online
theory exam from it, examiner1 is assigned, and running it again changes nothing."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from certification import get_blueprint, list_candidates, sittings_of_examiner, start_attempt
from certification.tables import ExamSitting, Question, SittingExaminer
from service.accounts import AccountIn, create_account
from service.accounts.tables import UserAccount
from service.demo_exams import DEMO_SITTING_TITLE, EXAM_PROGRAMME, ensure_exam_demo
from service.runtime import build_runtime
from tests.factories import employ, make_employer, register_people, training_base
from tests.servers import settings_for
from worker.clock import FixedClock

NOW = dt.datetime(2026, 11, 30, 1, 0, tzinfo=dt.UTC)  # 09:00 in Jinan


async def _counts() -> dict[str, Any]:
    return {
        "sittings": await ExamSitting.count(),
        "questions": await Question.count(),
        "examiners": await SittingExaminer.count(),
        "accounts": await UserAccount.count(),
    }


async def test_the_exam_demo_is_ready_and_idempotent(db: None, pg_engine: Any, tmp_path: Path) -> None:
    rt = build_runtime(settings_for(tmp_path), clock=FixedClock(NOW), engine=pg_engine)
    people = await register_people(6, prefix="演示")
    await employ(await make_employer(), people)
    await create_account(
        AccountIn(username="trainee1", password="tuoyu-demo-2025", role="trainee", practitioner_id=people[3])
    )
    base_id = await training_base()

    await ensure_exam_demo(rt, base_id)
    first = await _counts()
    await ensure_exam_demo(rt, base_id)  # a rerun (tuoyu serve --demo started again)
    assert await _counts() == first
    assert first["sittings"] == 1 and first["questions"] == 14

    assert (await get_blueprint(EXAM_PROGRAMME)).problems == []
    examiner = await UserAccount.select().where(UserAccount.username == "examiner1").first()
    assert examiner is not None and examiner["role"] == "examiner"
    (sitting,) = await sittings_of_examiner(examiner["id"])
    assert sitting.title == DEMO_SITTING_TITLE and sitting.exam_date == dt.date(2026, 11, 30)
    candidates = [c.practitioner_id for c in await list_candidates(sitting.id)]
    assert candidates[0] == people[3] and len(candidates) == 4  # trainee1 first

    attempt, started = await start_attempt(sitting.id, people[3], now=NOW, today=dt.date(2026, 11, 30))
    assert started and attempt.question_count == 10 and attempt.max_score == 100
    assert (attempt.deadline - attempt.started_at) == dt.timedelta(minutes=30)
