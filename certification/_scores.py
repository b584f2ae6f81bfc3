"""Writing one component (theory or practical) of a candidate's result when it comes from an
online attempt or from double marking, with the pass decision and the audit trail."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from certification import rules
from certification.tables import ExamResult, Programme, ResultEvent


async def set_component(
    result_id: int,
    *,
    theory: Decimal | None = None,
    practical: Decimal | None = None,
    programme: Programme,
    by: str,
    now: dt.datetime,
) -> None:
    """Inside the caller's transaction: set the theory or the practical score of registration
    ``result_id`` (exact, one decimal). Once both are known ``passed`` is decided (both ≥ the
    programme's pass marks, :func:`certification.rules.exam_passed`) and the change is
    recorded in ``ce_result_event`` (``entry`` the first time both are known, ``correction``
    afterwards); before that ``passed`` stays ``None``."""
    old = await ExamResult.select().where(ExamResult.id == result_id).first()
    assert old is not None
    new_theory = theory if theory is not None else old["theory"]
    new_practical = practical if practical is not None else old["practical"]
    new_theory = None if new_theory is None else rules.display_score(Decimal(str(new_theory)))
    new_practical = None if new_practical is None else rules.display_score(Decimal(str(new_practical)))
    passed = (
        None
        if new_theory is None or new_practical is None
        else rules.exam_passed(
            new_theory,
            new_practical,
            pass_mark_theory=Decimal(programme.pass_mark_theory),
            pass_mark_practical=Decimal(programme.pass_mark_practical),
        )
    )
    await ExamResult.update(
        {
            ExamResult.theory: new_theory,
            ExamResult.practical: new_practical,
            ExamResult.passed: passed,
            ExamResult.entered_by: by[:64],
            ExamResult.entered_at: now,
        }
    ).where(ExamResult.id == result_id)
    if new_theory is None or new_practical is None:
        return
    before_complete = old["theory"] is not None and old["practical"] is not None
    if before_complete and (Decimal(str(old["theory"])), Decimal(str(old["practical"]))) == (
        new_theory,
        new_practical,
    ):
        return
    await ResultEvent.insert(
        ResultEvent(
            result=result_id,
            sitting=old["sitting"],
            practitioner=old["practitioner"],
            action="correction" if before_complete else "entry",
            old_theory=old["theory"],
            old_practical=old["practical"],
            old_passed=old["passed"],
            new_theory=new_theory,
            new_practical=new_practical,
            new_passed=bool(passed),
            entered_by=by[:64],
            entered_at=now,
        )
    )
