"""The trainer pool's demo data (``service.demo_trainers``) on PostgreSQL: three trainers of the
base who may teach the demo course, one promoted with its reason; running it again adds nothing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import training
from service.demo_trainers import DEMO_TRAINERS, ensure_trainer_demo
from service.runtime import build_runtime
from tests.factories import training_base
from tests.servers import settings_for
from training.schemas import CourseIn
from worker.clock import FixedClock

NOW = dt.datetime(2026, 11, 30, 1, 0, tzinfo=dt.UTC)  # 09:00 in Jinan


async def test_the_trainer_demo_is_ready_and_idempotent(db: None, pg_engine: Any, tmp_path: Path) -> None:
    rt = build_runtime(settings_for(tmp_path), clock=FixedClock(NOW), engine=pg_engine)
    base_id = await training_base()
    course = await training.create_course(
        CourseIn(code="DEMO-T", title="演示课程", category="pre_job", hours=Decimal("16.0"))
    )

    await ensure_trainer_demo(rt, base_id, course.id)
    await ensure_trainer_demo(rt, base_id, course.id)  # a rerun (tuoyu serve --demo started again)

    pool = await training.list_trainers()
    assert [t.name for t in pool] == [name for name, *_ in DEMO_TRAINERS]
    assert all(t.training_base_id == base_id and t.course_ids == [course.id] for t in pool)
    assert all(len(t.qualifications) == 1 for t in pool)
    assert [t.rank for t in pool] == ["senior", "lecturer", "lecturer"]
    history = await training.rank_history(pool[0].id)
    assert [(h.kind, h.reason) for h in history] == [("promotion", "年度考核优秀，学员评价高")]
