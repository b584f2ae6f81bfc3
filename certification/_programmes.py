"""Certificate programmes: list, look up, configure."""

from __future__ import annotations

from certification._common import (
    _programme,
    forget_programmes,
)
from certification._practical import items_problem
from certification.errors import ValidationFailed
from certification.schemas import (
    ProgrammeOut,
    ProgrammeUpdate,
)
from certification.tables import (
    Programme,
)
from talent_pool.db import atomic


async def list_programmes(*, active_only: bool = True) -> list[ProgrammeOut]:
    """All programmes (1+X levels, then 人社 occupations) in code order."""
    query = Programme.select().order_by(Programme.code)
    if active_only:
        query = query.where(Programme.active == True)  # noqa: E712
    return [ProgrammeOut.model_validate(r) for r in await query]


async def get_programme(code: str) -> ProgrammeOut:
    """One programme by code; raises :class:`NotFound`."""
    return ProgrammeOut.model_validate((await _programme(code)).to_dict())


async def update_programme(code: str, changes: ProgrammeUpdate) -> ProgrammeOut:
    """Change a programme's configurable settings (pass marks, validity, eligibility, issuer,
    active, online theory and practical marking settings). ``training_category="any"`` clears
    the category; ``no_expiry=True`` sets ``validity_years`` to ``None``. Applies to exams
    graded and certificates issued afterwards (issued certificates keep their expiry). Raises
    :class:`NotFound`, :class:`ValidationFailed` (practical items whose maxima do not add up to
    100, or repeated codes)."""
    if changes.practical_items is not None:
        problem = items_problem(changes.practical_items)
        if problem is not None:
            raise ValidationFailed(problem, field="practical_items")
    async with atomic():
        row = await _programme(code)
        data = changes.model_dump(exclude_none=True, exclude={"no_expiry"}, mode="python")
        if changes.practical_items is not None:
            data["practical_items"] = [
                {"code": i.code, "title": i.title, "max": str(i.max)} for i in changes.practical_items
            ]
        if data.get("training_category") == "any":
            data["training_category"] = None
        for key, value in data.items():
            setattr(row, key, value)
        if changes.no_expiry:
            row.validity_years = None
        await row.save()
    forget_programmes()
    return ProgrammeOut.model_validate(row.to_dict())
