"""Background checks (背景审查), health certificates (健康证) and issuing bodies for the demo
workforce (``service.demo_data``), so that the employer's staff page and the regulator's lists
tell a believable story: most people checked within the year and clear, some due within the
month, a few truly overdue (never checked since they were hired, or the last check more than a
year ago); most health certificates valid, some expiring, a few expired or missing. Imported
credentials and trainings name a (fictional) issuing body instead of "（导入）".

Everything here is drawn from a random generator of its own (the caller's ``rng``, seeded apart
from the workforce's), so every other demo figure stays what it was.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from talent_pool.credit_rules import add_years
from talent_pool.db import atomic
from talent_pool.tables import BackgroundCheck, Employment, HealthCertificate

CREDENTIAL_ISSUERS = {
    # the 1+X 幼儿照护 certificate is issued by its training-and-evaluation organisation
    "onex": "中育华康幼儿照护职业技能评价中心（1+X 培训评价组织）",
    # the demo's 22-character numbers carry appraisal body code 1001 (S1001 37 …)
    "skill_level": "济南泉城职业技能鉴定中心",
}
"""Issuer of a demo imported credential by ``kind`` (fictional, in the style of real bodies)."""

TRAINING_PROVIDERS = (
    "济南市托育服务指导中心",
    "济南泉城职业培训学校",
    "山东齐鲁托育人才培训中心",
    "济南市妇幼保健院婴幼儿照护培训部",
)
"""Providers of demo imported trainings (fictional)."""

HEALTH_ISSUERS = (
    "济南市疾病预防控制中心健康体检门诊",
    "济南市泉城健康体检中心",
    "济南市历下区疾病预防控制中心",
    "济南市历城区疾病预防控制中心",
)

# shares of employed people (cumulative thresholds on one draw)
NEVER_CHECKED = 0.04  # hired without a check on record: overdue since the first day
LAPSED = 0.08  # last check 13–16 months ago: overdue
DUE_SOON = 0.16  # last check 11–12 months ago: due within the month
HEALTH_MISSING, HEALTH_EXPIRED, HEALTH_EXPIRING = 0.02, 0.05, 0.12


@dataclass(frozen=True, slots=True)
class Check:
    """One background check: ``kind`` pre_hire | annual, on ``checked_on`` (local date), clear."""

    kind: str
    checked_on: dt.date


@dataclass(frozen=True, slots=True)
class Health:
    """One health certificate valid ``issued_on`` … ``expires_on`` (local dates, inclusive)."""

    number: str
    issuer: str
    issued_on: dt.date
    expires_on: dt.date


def background_check(rng: random.Random, start: dt.date, today: dt.date) -> Check | None:
    """The latest background check of someone employed since ``start`` (local date, before
    ``today``), or ``None`` for the few never checked. A check is valid for a year
    (``talent_pool.credit_rules.background_check_due``)."""
    draw = rng.random()
    if draw < NEVER_CHECKED:
        return None
    if draw < LAPSED:
        return Check("annual", today - dt.timedelta(days=rng.randint(370, 480)))
    if draw < DUE_SOON:
        return Check("annual", today - dt.timedelta(days=rng.randint(336, 364)))
    if (today - start).days <= 330:  # hired within the year: the check before hiring
        return Check(
            "pre_hire", max(start - dt.timedelta(days=rng.randint(3, 20)), today - dt.timedelta(days=335))
        )
    return Check("annual", today - dt.timedelta(days=rng.randint(0, 330)))


def health_certificate(rng: random.Random, today: dt.date) -> Health | None:
    """The current health certificate (valid one year) of someone employed, or ``None`` for the
    few without one."""
    draw = rng.random()
    if draw < HEALTH_MISSING:
        return None
    if draw < HEALTH_EXPIRED:
        expires = today - dt.timedelta(days=rng.randint(5, 60))
    elif draw < HEALTH_EXPIRING:
        expires = today + dt.timedelta(days=rng.randint(1, 30))
    else:
        expires = today + dt.timedelta(days=rng.randint(35, 364))
    issued = add_years(expires, -1) + dt.timedelta(days=1)
    return Health(
        f"JK{issued:%Y}{rng.randint(0, 99_999_999):08d}", rng.choice(HEALTH_ISSUERS), issued, expires
    )


async def staff_story(employer_id: int, *, today: dt.date, spare: int) -> None:
    """Make sure the demo employer's staff page (``employer1``) shows the whole story, which the
    random shares alone may miss for a 15-person employer: one member's last background check
    lapsed (14 months ago: overdue) and another's health certificate expiring within the month.
    ``spare``: the practitioner left as is (``trainee1``). ``today``: local date. One transaction."""
    rows = await (
        Employment.select(Employment.practitioner)
        .where((Employment.employer == employer_id) & Employment.end_date.is_null())
        .order_by(Employment.practitioner)
    )
    others = [r["practitioner"] for r in rows if r["practitioner"] != spare]
    if len(others) < 2:
        return
    lapsed, expiring = others[0], others[1]
    expires = today + dt.timedelta(days=18)
    issued = add_years(expires, -1) + dt.timedelta(days=1)
    async with atomic():
        await BackgroundCheck.delete().where(BackgroundCheck.practitioner == lapsed)
        await BackgroundCheck.insert(
            BackgroundCheck(
                practitioner=lapsed,
                kind="annual",
                checked_on=today - dt.timedelta(days=430),
                result="clear",
                recorded_by="档案导入",
            )
        )
        await HealthCertificate.delete().where(HealthCertificate.practitioner == expiring)
        await HealthCertificate.insert(
            HealthCertificate(
                practitioner=expiring,
                number=f"JK{issued:%Y}{expiring:08d}",
                issuer=HEALTH_ISSUERS[0],
                issued_on=issued,
                expires_on=expires,
                recorded_by="档案导入",
            )
        )
