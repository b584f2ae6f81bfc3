"""Training bases (实训基地) and the course catalog (课程目录)."""

from __future__ import annotations

import datetime as dt

from talent_pool import is_current_district
from talent_pool.db import atomic, fetch_rows, is_unique_violation
from training._bases import check_not_after_today
from training._common import (
    _base_out,
    _course_out,
)
from training.errors import (
    DuplicateCode,
    TrainingInvalid,
    TrainingNotFound,
)
from training.schemas import (
    CourseIn,
    CourseOut,
    TrainingBaseIn,
    TrainingBaseOut,
)
from training.tables import Course, TrainingBase

# --------------------------------------------------------------------------- bases & courses


async def create_training_base(data: TrainingBaseIn, *, today: dt.date | None = None) -> TrainingBaseOut:
    """Register a training base (实训基地).

    ``district_code`` must be a current district/county of the city (the talent-pool division
    table); ``accredited_on``/``withdrawn_on`` (local dates) date its accreditation for past
    years' counts. ``today`` (the local business date; the API passes it) applies the rules of
    a change (:func:`training._bases.planned_base_change`): no date after today, an accreditation
    date makes the base accredited, and a withdrawal is recorded by changing the base (with its
    reason), not at registration; an accredited base registered without ``accredited_on`` is
    dated today — otherwise it would count in every past year's 实训基地 and disagree with the
    snapshots already taken (two trials, 2026-11-30). Without ``today`` (the library, older data)
    such a base counts on every date. Raises :class:`TrainingInvalid` for another district, a
    broken rule or a withdrawal before the accreditation.
    """
    if not await is_current_district(data.district_code):
        raise TrainingInvalid(f"区县代码 {data.district_code} 不是本市现行区县", field="district_code")
    if today is not None:
        _check_new_base(data, today)
        if data.accredited_on is not None:
            data = data.model_copy(update={"accredited": True})  # a date of accreditation: accredited
        elif data.accredited:
            data = data.model_copy(update={"accredited_on": today})
    if data.accredited_on and data.withdrawn_on and data.withdrawn_on < data.accredited_on:
        raise TrainingInvalid("撤销日期早于认定日期", field="withdrawn_on")
    async with atomic():
        row = TrainingBase(
            name=data.name,
            district_code=data.district_code,
            address=data.address.strip(),
            accredited=data.accredited,
            active=data.active,
            accredited_on=data.accredited_on,
            withdrawn_on=data.withdrawn_on,
        )
        await row.save()
    return _base_out(row.to_dict())


def _check_new_base(data: TrainingBaseIn, today: dt.date) -> None:
    check_not_after_today("accredited_on", data.accredited_on, today)
    if data.withdrawn_on is not None:
        raise TrainingInvalid(
            "登记新基地时不能填写撤销日期：撤销认定请在登记后修改基地，填写撤销日期和撤销原因",
            field="withdrawn_on",
        )


async def get_training_base(training_base_id: int) -> TrainingBaseOut:
    """One training base; raises :class:`TrainingNotFound`."""
    row = await TrainingBase.select().where(TrainingBase.id == training_base_id).first()
    if row is None:
        raise TrainingNotFound(f"实训基地 {training_base_id} 不存在")
    return _base_out(row)


async def list_training_bases(district_code: str | None = None) -> list[TrainingBaseOut]:
    """Training bases (all, or those of one district), in id order."""
    query = TrainingBase.select().order_by(TrainingBase.id)
    if district_code is not None:
        query = query.where(TrainingBase.district_code == district_code)
    return [_base_out(r) for r in await query]


async def count_accredited_bases(district_code: str | None = None) -> int:
    """Number of training bases that are accredited **and** active (the plan's 实训基地
    indicator, target 10), for the city or one district."""
    by_district = await accredited_bases_by_district()
    return sum(by_district.values()) if district_code is None else by_district.get(district_code, 0)


# prepared once per pooled connection (talent_pool.db.fetch_rows): every targets answer asks it
_BASES_TODAY = (
    "SELECT district_code, COUNT(id) AS n FROM tr_training_base"
    " WHERE accredited = {} AND active = {} GROUP BY district_code"
)
_BASES_ON = (
    "SELECT district_code, COUNT(id) AS n FROM tr_training_base"
    " WHERE accredited = {} AND (accredited_on IS NULL OR accredited_on <= {})"
    " AND ((withdrawn_on IS NULL AND active = {}) OR withdrawn_on > {}) GROUP BY district_code"
)


async def accredited_bases_by_district(on: dt.date | None = None) -> dict[str, int]:
    """``{district_code: n}`` of the bases counted for the plan's 实训基地 indicator, in one query.

    Without ``on``: accredited and active today (:func:`count_accredited_bases`). On a local date
    ``on`` (a past year's report): accredited, accredited on or before ``on`` (no
    ``accredited_on``: date unknown, counts) and not withdrawn on or before ``on`` — a base that
    is inactive without a withdrawal date counts on no date. A 2025 report does not count a
    base accredited in 2026."""
    if on is None:
        rows = await fetch_rows(TrainingBase, _BASES_TODAY, True, True)
    else:
        rows = await fetch_rows(TrainingBase, _BASES_ON, True, on, True, on)
    return {r["district_code"]: int(r["n"]) for r in rows}


async def create_course(data: CourseIn) -> CourseOut:
    """Add a course to the catalog. ``code`` is normalised (trimmed, upper case) and unique:
    raises :class:`DuplicateCode` when it is taken (also under concurrency)."""
    async with atomic() as tx:
        savepoint = await tx.savepoint()
        row = Course(
            code=data.code,
            title=data.title,
            category=data.category,
            hours=data.hours,
            level=data.level.strip(),
            description=data.description.strip(),
        )
        try:
            await row.save()
        except Exception as exc:
            if is_unique_violation(exc, "code"):
                await savepoint.rollback_to()
                raise DuplicateCode(f"课程代码 {data.code} 已存在", code=data.code) from None
            raise
        await savepoint.release()
    return _course_out(row.to_dict())


async def get_course(course_id: int) -> CourseOut:
    """One course; raises :class:`TrainingNotFound`."""
    row = await Course.select().where(Course.id == course_id).first()
    if row is None:
        raise TrainingNotFound(f"课程 {course_id} 不存在")
    return _course_out(row)


async def list_courses() -> list[CourseOut]:
    """The course catalog in code order."""
    return [_course_out(r) for r in await Course.select().order_by(Course.code)]
