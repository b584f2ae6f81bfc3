"""Certificate programmes: list, look up, configure."""

from __future__ import annotations

from certification._common import (
    _programme,
    forget_programmes,
)
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
    active). ``training_category="any"`` clears the category; ``no_expiry=True`` sets
    ``validity_years`` to ``None``. Applies to exams graded and certificates issued afterwards
    (issued certificates keep their expiry). Raises :class:`NotFound`."""
    async with atomic():
        row = await _programme(code)
        data = changes.model_dump(exclude_none=True, exclude={"no_expiry"})
        if data.get("training_category") == "any":
            data["training_category"] = None
        for key, value in data.items():
            setattr(row, key, value)
        if changes.no_expiry:
            row.validity_years = None
        await row.save()
    forget_programmes()
    return ProgrammeOut.model_validate(row.to_dict())
