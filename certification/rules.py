"""Pure certification rules (no I/O): exam pass, score validation, expiry, status on a date,
exam-date bounds and the Chinese names of statuses.

Sources: ``reference_data/occupations.json`` → ``appraisal`` (two components, theory and
practical, each scored out of ``scale`` = 100, ``pass_each`` = 60, "both components must
pass"); 1+X ``exam.pass_mark`` "configurable (default 60/100 for each part)"; ``validity_years``
"configurable (no confirmed value)". docs/architecture.md: scores are exact ``Decimal`` and compared before
any rounding for display.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from typing import Literal

SCORE_MAX = Decimal(100)
SCORE_MIN = Decimal(0)
DEFAULT_PASS_MARK = Decimal(60)
ONE_DECIMAL = Decimal("0.1")
_EXPONENT_RE = re.compile(r"[eE]")

CertificateOutcome = Literal["valid", "expired", "revoked", "suspended", "superseded"]

EXAM_YEAR_MIN = 2000
EXAM_YEAR_MAX = 2100
# How far back a sitting may be entered after the fact (补登), in days, when the caller passes
# ``today``. Configurable default: change it here (one place) if the regulator's rule differs.
SITTING_BACKDATE_DAYS = 30

# Chinese names shown in messages and on pages; the codes stay in data and API ``detail``.
CERTIFICATE_STATUS_NAMES: dict[str, str] = {
    "valid": "有效",
    "suspended": "暂停",
    "revoked": "吊销",
    "superseded": "已换发",
    "expired": "过期",
}
SITTING_STATUS_NAMES: dict[str, str] = {"scheduled": "待考", "issued": "已发证", "cancelled": "已取消"}


def status_name(code: str) -> str:
    """The Chinese name of a certificate status or verify outcome (``revoked`` → ``吊销``);
    an unknown code is returned unchanged."""
    return CERTIFICATE_STATUS_NAMES.get(code, code)


def sitting_status_name(code: str) -> str:
    """The Chinese name of a sitting status (``scheduled`` → ``待考``); unknown codes unchanged."""
    return SITTING_STATUS_NAMES.get(code, code)


def exam_year_problem(exam_date: dt.date) -> str | None:
    """Why ``exam_date`` is outside the plausible years :data:`EXAM_YEAR_MIN`–
    :data:`EXAM_YEAR_MAX` (inclusive), in Chinese, or ``None``."""
    if not EXAM_YEAR_MIN <= exam_date.year <= EXAM_YEAR_MAX:
        return f"考试日期 {exam_date} 超出范围，年份须在 {EXAM_YEAR_MIN}–{EXAM_YEAR_MAX} 之间"
    return None


def exam_date_problem(exam_date: dt.date, *, today: dt.date | None = None) -> str | None:
    """Why a new sitting cannot be held on ``exam_date``, in Chinese, or ``None``.

    The year must be within :data:`EXAM_YEAR_MIN`–:data:`EXAM_YEAR_MAX`; when ``today`` (the
    local date) is given, the date may lie at most :data:`SITTING_BACKDATE_DAYS` days in the
    past (exactly that many days ago is allowed; future dates are fine).
    """
    problem = exam_year_problem(exam_date)
    if problem is not None:
        return problem
    if today is not None and exam_date < today - dt.timedelta(days=SITTING_BACKDATE_DAYS):
        return f"不能补登 {SITTING_BACKDATE_DAYS} 天以前的考试"
    return None


def score_problem(value: object) -> str | None:
    """Why ``value`` is not an acceptable score, in Chinese, or ``None`` when it is.

    A score is an exact number (``Decimal``/``int`` or a numeric string, never a ``float``:
    binary floats cannot hold 59.9 exactly; never a ``bool``) from 0 to 100 inclusive with at
    most one decimal, written plainly: exponent notation (``"1e2"``, ``Decimal("1E+2")``) and
    non-finite values (NaN, Infinity) are rejected.
    """
    if isinstance(value, bool | float):
        return "分数必须是精确数值（整数或一位小数），不能是布尔值或浮点数"
    if isinstance(value, str) and _EXPONENT_RE.search(value):
        return f"分数 {value[:20]!r} 使用了科学计数法，请填写普通数字（如 100 或 59.5）"
    try:
        d = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return f"分数 {str(value)[:20]!r} 不是数字"
    if not d.is_finite():
        return f"分数 {str(value)[:20]!r} 不是有限数值"
    exponent = d.as_tuple().exponent
    if isinstance(exponent, int) and exponent > 0:
        return f"分数 {d} 使用了科学计数法，请填写普通数字（如 100 或 59.5）"
    if d < SCORE_MIN or d > SCORE_MAX:
        return f"分数 {d} 超出 0–100 范围"
    exponent = d.normalize().as_tuple().exponent
    if isinstance(exponent, int) and exponent < -1:
        return f"分数 {d} 最多保留一位小数"
    return None


def to_score(value: object) -> Decimal:
    """``value`` as an exact score ``Decimal`` normalised to one decimal (``"100"`` →
    ``Decimal("100.0")``, ``"60.50"`` → ``Decimal("60.5")``); raises ``ValueError`` with a
    Chinese reason (see :func:`score_problem`)."""
    problem = score_problem(value)
    if problem is not None:
        raise ValueError(problem)
    d = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    return display_score(d)


def display_score(value: Decimal) -> Decimal:
    """An exact in-range score with exactly one decimal (``-0`` → ``0.0``); no rounding
    happens for valid scores, which have at most one decimal already."""
    return abs(value).quantize(ONE_DECIMAL) if value == 0 else value.quantize(ONE_DECIMAL)


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


# Renewal (延续) and replacement (补发/换发). Configurable defaults: one place.
RENEWAL_WINDOW_DAYS = 90
"""A certificate may be renewed from this many days before its expiry date."""
RENEWAL_GRACE_DAYS = 180
"""…and up to this many days after it; later the holder must be examined again."""


def renewal_problem(*, state: str, expires_on: dt.date | None, today: dt.date) -> str | None:
    """Why a certificate in ``state`` (its :func:`status_on` today) expiring on ``expires_on``
    cannot be renewed on ``today``, in Chinese, or ``None``.

    Renewable: valid or expired (never revoked, suspended or superseded), with an expiry date,
    from :data:`RENEWAL_WINDOW_DAYS` days before it to :data:`RENEWAL_GRACE_DAYS` days after it
    (both ends inclusive)."""
    if state not in ("valid", "expired"):
        return f"证书状态为“{status_name(state)}”，不能延续"
    if expires_on is None:
        return "长期有效的证书无需延续"
    opens = expires_on - dt.timedelta(days=RENEWAL_WINDOW_DAYS)
    if today < opens:
        return f"证书有效期至 {expires_on}，届满前 {RENEWAL_WINDOW_DAYS} 天内（{opens} 起）方可申请延续"
    closes = expires_on + dt.timedelta(days=RENEWAL_GRACE_DAYS)
    if today > closes:
        return f"证书已于 {expires_on} 到期超过 {RENEWAL_GRACE_DAYS} 天，须重新参加考核"
    return None


def renewed_expiry(expires_on: dt.date | None, today: dt.date, validity_years: int | None) -> dt.date | None:
    """The expiry of a renewed certificate: ``validity_years`` after the old expiry date when
    renewed before it (no days are lost by renewing early), after ``today`` when renewed
    late; ``None`` when the programme no longer expires."""
    start = expires_on if expires_on is not None and expires_on >= today else today
    return expiry_date(start, validity_years)
