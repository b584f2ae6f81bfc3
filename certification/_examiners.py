"""Examiners (考评员) assigned to exam sittings: who may see a sitting's candidates and enter
their scores. Examiners are logins of the service; here they are plain ids."""

from __future__ import annotations

import datetime as dt

from certification._sittings import get_sitting
from certification.schemas import SittingOut
from certification.tables import SittingExaminer
from talent_pool.db import atomic


async def assign_examiner(sitting_id: int, examiner_id: int, *, by: str, now: dt.datetime) -> list[int]:
    """Assign an examiner to a sitting (idempotent); returns the sitting's examiner ids.
    Raises :class:`NotFound` for an unknown sitting."""
    await get_sitting(sitting_id)
    async with atomic():
        await SittingExaminer.insert(
            SittingExaminer(sitting=sitting_id, examiner_id=examiner_id, assigned_by=by[:64], assigned_at=now)
        ).on_conflict(target=(SittingExaminer.sitting, SittingExaminer.examiner_id), action="DO NOTHING")
    return await examiners_of(sitting_id)


async def examiners_of(sitting_id: int) -> list[int]:
    """The examiner ids assigned to a sitting, in assignment order."""
    rows = await (
        SittingExaminer.select(SittingExaminer.examiner_id)
        .where(SittingExaminer.sitting == sitting_id)
        .order_by(SittingExaminer.id)
    )
    return [r["examiner_id"] for r in rows]


async def is_examiner(sitting_id: int, examiner_id: int) -> bool:
    """Whether the examiner is assigned to the sitting."""
    return bool(
        await SittingExaminer.exists().where(
            (SittingExaminer.sitting == sitting_id) & (SittingExaminer.examiner_id == examiner_id)
        )
    )


async def sittings_of_examiner(examiner_id: int) -> list[SittingOut]:
    """The sittings an examiner is assigned to, newest exam first."""
    rows = await (
        SittingExaminer.select(SittingExaminer.sitting)
        .where(SittingExaminer.examiner_id == examiner_id)
        .order_by(SittingExaminer.sitting.exam_date, ascending=False)
    )
    return [await get_sitting(r["sitting"]) for r in rows]
