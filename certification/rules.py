"""Pure certification rules (no I/O): exam pass, score validation, expiry, status on a date.

Sources: ``reference_data/occupations.json`` → ``appraisal`` (two components, theory and
practical, each scored out of ``scale`` = 100, ``pass_each`` = 60, "both components must
pass"); 1+X ``exam.pass_mark`` "configurable (default 60/100 for each part)"; ``validity_years``
"configurable (no confirmed value)". DESIGN.md: scores are exact ``Decimal`` and compared before
any rounding for display.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Literal

SCORE_MAX = Decimal(100)
SCORE_MIN = Decimal(0)
DEFAULT_PASS_MARK = Decimal(60)

CertificateOutcome = Literal["valid", "expired", "revoked", "suspended", "superseded"]


def score_problem(value: object) -> str | None:
    """Why ``value`` is not an acceptable score, in Chinese, or ``None`` when it is.

    A score is an exact number (``Decimal``/``int`` or a numeric string, never a ``float``:
    binary floats cannot hold 59.9 exactly) from 0 to 100 inclusive with at most one decimal.
    """
    if isinstance(value, bool | float):
        return "分数必须是精确数值（整数或一位小数），不能是浮点数"
    try:
        d = value if isinstance(value, Decimal) else Decimal(str(value))
    except (InvalidOperation, ValueError):
        return f"分数 {value!r} 不是数字"
    if not d.is_finite():
        return f"分数 {value!r} 不是有限数值"
    if d < SCORE_MIN or d > SCORE_MAX:
        return f"分数 {d} 超出 0–100 范围"
    exponent = d.normalize().as_tuple().exponent
    if isinstance(exponent, int) and exponent < -1:
        return f"分数 {d} 最多保留一位小数"
    return None


def to_score(value: object) -> Decimal:
    """``value`` as an exact score ``Decimal``; raises ``ValueError`` with a Chinese reason."""
    problem = score_problem(value)
    if problem is not None:
        raise ValueError(problem)
    return value if isinstance(value, Decimal) else Decimal(str(value))


def exam_passed(
    theory: Decimal,
    practical: Decimal,
    *,
    pass_mark_theory: Decimal = DEFAULT_PASS_MARK,
    pass_mark_practical: Decimal = DEFAULT_PASS_MARK,
) -> bool:
    """True when theory ≥ its pass mark AND practical ≥ its pass mark (exact ``Decimal``).

    Rule: occupations.json ``appraisal.rule`` "both components must pass", ``pass_each`` 60 of
    ``scale`` 100 (the programme's configurable marks). Exactly the pass mark passes; 59.9 fails.
    """
    return theory >= pass_mark_theory and practical >= pass_mark_practical


def add_years(day: dt.date, years: int) -> dt.date:
    """The same month and day ``years`` later; 29 February → 28 February in a common year
    (never later than the true anniversary, so validity is never extended)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 Feb in a non-leap target year
        return day.replace(year=day.year + years, day=28)


def expiry_date(issued_on: dt.date, validity_years: int | None) -> dt.date | None:
    """The last valid day of a certificate issued on ``issued_on`` (``None`` = no expiry).

    The certificate is valid up to and including the anniversary ``validity_years`` later
    (talent_pool counts a credential while ``expires_on >= as_of``). ``validity_years`` is
    configurable per programme (occupations.json: "no confirmed value").
    Raises ``ValueError`` for a negative number of years.
    """
    if validity_years is None:
        return None
    if validity_years < 0:
        raise ValueError("有效年限不能为负数")
    return add_years(issued_on, validity_years)


def status_on(
    *,
    status: str,
    status_changed_on: dt.date | None,
    expires_on: dt.date | None,
    today: dt.date,
) -> CertificateOutcome:
    """What a certificate is on the local date ``today``.

    A revoked / suspended / superseded status counts from its ``status_changed_on`` (a change
    dated later than ``today`` does not apply yet). Otherwise the certificate is ``expired``
    when ``today > expires_on`` and ``valid`` otherwise. A status outside the known set is
    reported as ``revoked`` (fail closed).
    """
    if status != "valid" and (status_changed_on is None or status_changed_on <= today):
        if status in ("revoked", "suspended", "superseded"):
            return status  # type: ignore[return-value]
        return "revoked"
    if expires_on is not None and today > expires_on:
        return "expired"
    return "valid"


# Allowed status transitions (吊销 / 暂停 / 恢复 / 换发). revoked and superseded are final.
TRANSITIONS: dict[str, frozenset[str]] = {
    "valid": frozenset({"revoked", "suspended", "superseded"}),
    "suspended": frozenset({"valid", "revoked", "superseded"}),
    "revoked": frozenset(),
    "superseded": frozenset(),
}


def can_change_status(current: str, new: str) -> bool:
    """True when a certificate may move from ``current`` to ``new`` (see :data:`TRANSITIONS`)."""
    return new in TRANSITIONS.get(current, frozenset())
