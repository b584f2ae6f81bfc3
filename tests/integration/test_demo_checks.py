"""The demo workforce's background checks, health certificates and issuing bodies
(``service.demo_checks``) on PostgreSQL: the staff pages tell a believable story — most people
checked within the year, some due within the month, a few truly overdue — and imported
credentials and trainings name an issuing body, never "（导入）"."""

from __future__ import annotations

import datetime as dt

import talent_pool
from service.demo_checks import CREDENTIAL_ISSUERS, TRAINING_PROVIDERS, staff_story
from service.demo_data import generate_workforce
from talent_pool.tables import Credential, Employment, TrainingRecord

TODAY = dt.date(2026, 11, 30)


async def test_demo_checks_are_mostly_current_a_few_due_and_a_few_overdue(db: None) -> None:
    summary = await generate_workforce(today=TODAY, employers=60, practitioners=1000)
    employed = [
        r["practitioner"]
        for r in await Employment.select(Employment.practitioner).where(Employment.end_date.is_null())
    ]
    assert len(employed) == summary.employed
    status = await talent_pool.check_status(employed, today=TODAY)
    overdue = [s for s in status.values() if s.background_check_overdue]
    never = [s for s in overdue if s.last_background_check is None]
    due_soon = [
        s
        for s in status.values()
        if not s.background_check_overdue
        and s.background_check_due is not None
        and (s.background_check_due - TODAY).days <= 30
    ]
    current = len(status) - len(overdue) - len(due_soon)
    assert 0.03 * len(status) <= len(overdue) <= 0.15 * len(status), len(overdue)
    assert never and len(never) < len(overdue)  # never checked, and lapsed checks
    assert 0.03 * len(status) <= len(due_soon) <= 0.15 * len(status), len(due_soon)
    assert current >= 0.75 * len(status)
    health = [s.health_certificate_status for s in status.values()]
    assert health.count("valid") >= 0.8 * len(health)
    assert {"expiring", "expired", "missing"} <= set(health)
    # the regulator's overdue list agrees with the staff view
    listed = {r.practitioner_id for r in await talent_pool.background_checks_overdue(today=TODAY)}
    assert listed == {s.practitioner_id for s in overdue}

    issuers = {r["issuer"] for r in await Credential.select(Credential.issuer)}
    assert issuers == set(CREDENTIAL_ISSUERS.values())
    providers = {r["provider"] for r in await TrainingRecord.select(TrainingRecord.provider)}
    assert providers <= set(TRAINING_PROVIDERS) and providers


async def test_the_demo_employer_shows_one_overdue_check_and_one_expiring_card(db: None) -> None:
    await generate_workforce(today=TODAY, employers=20, practitioners=300)
    counts: dict[int, int] = {}
    for r in await Employment.select(Employment.employer).where(Employment.end_date.is_null()):
        counts[r["employer"]] = counts.get(r["employer"], 0) + 1
    employer = max(counts, key=lambda e: counts[e])
    staff = await talent_pool.staff_of_employer(employer, today=TODAY)
    spare = staff[0].practitioner_id
    await staff_story(employer, today=TODAY, spare=spare)
    await staff_story(employer, today=TODAY, spare=spare)  # a rerun changes nothing more
    after = await talent_pool.staff_of_employer(employer, today=TODAY)
    overdue = [m for m in after if m.background_check_overdue]
    assert 1 <= len(overdue) <= 2 + sum(m.background_check_overdue for m in staff)
    assert any(m.health_certificate_status == "expiring" for m in after)
    untouched = [m for m in staff if m.practitioner_id == spare]
    assert [m for m in after if m.practitioner_id == spare] == untouched
