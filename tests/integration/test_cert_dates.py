"""certification and dates on PostgreSQL: eligibility counts training completed up to the exam
date, sittings cannot be back-dated beyond the limit, programme updates keep validity ≥ 1 year,
status conflicts speak Chinese, and verify answers ``expired`` after the expiry date."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from urllib.parse import parse_qsl, urlsplit

import pytest

from certification import (
    Conflict,
    Keyring,
    NotEligible,
    ValidationFailed,
    create_sitting,
    get_programme,
    issue_certificate_for,
    list_candidates,
    register_candidate,
    reinstate_certificate,
    revoke_certificate,
    seed_programmes,
    suspend_certificate,
    update_programme,
    verify,
)
from certification.schemas import ProgrammeUpdate, SittingIn
from tests.factories import register_people, training_record

PUBLIC_URL = "https://tuoyu.example.cn"
EXAM_DAY = dt.date(2026, 11, 20)
ISSUED = dt.date(2026, 11, 29)
KEYRING = Keyring.generate()
D = Decimal


async def test_eligibility_counts_training_completed_up_to_the_exam_date(db: None) -> None:
    await seed_programmes()
    await update_programme(
        "1X-YEZH-1", ProgrammeUpdate(min_training_hours=D(16), training_category="pre_job")
    )
    (pid,) = await register_people(1)
    sitting = await create_sitting(SittingIn(programme_code="1X-YEZH-1", exam_date=EXAM_DAY), today=ISSUED)
    await training_record(pid, hours="10", completed_on=dt.date(2026, 6, 1), source_ref="before")
    # finished the day after the exam: does not make the candidate eligible for it
    await training_record(pid, hours="8", completed_on=EXAM_DAY + dt.timedelta(days=1), source_ref="after")
    with pytest.raises(NotEligible) as err:
        await register_candidate(sitting.id, pid)
    message = err.value.message
    assert f"截至考试日期 {EXAM_DAY}" in message and "已有 10" in message and "16" in message, message
    assert "尚差 6" in message, message
    assert D(err.value.detail["hours_had"]) == D(10)  # type: ignore[arg-type]
    assert err.value.detail["counted_until"] == EXAM_DAY.isoformat()
    # completed on the exam day itself counts (inclusive)
    await training_record(pid, hours="6", completed_on=EXAM_DAY, source_ref="on-the-day")
    cand = await register_candidate(sitting.id, pid)
    assert cand.training_hours == D(16)  # not 24: the later 8 hours are not counted
    assert [c.training_hours for c in await list_candidates(sitting.id)] == [D(16)]


async def test_sittings_cannot_be_backdated_beyond_30_days(db: None) -> None:
    await seed_programmes()
    today = dt.date(2026, 11, 20)
    with pytest.raises(ValidationFailed) as err:
        await create_sitting(
            SittingIn(programme_code="1X-YEZH-1", exam_date=today - dt.timedelta(days=31)), today=today
        )
    assert "不能补登 30 天以前的考试" in err.value.message
    ok = await create_sitting(
        SittingIn(programme_code="1X-YEZH-1", exam_date=today - dt.timedelta(days=30)), today=today
    )
    assert ok.exam_date == dt.date(2026, 10, 21)
    ahead = await create_sitting(
        SittingIn(programme_code="1X-YEZH-1", exam_date=dt.date(2027, 6, 1)), today=today
    )
    assert ahead.status == "scheduled"
    # a Python caller importing history enters each sitting as of its own exam day
    old = await create_sitting(
        SittingIn(programme_code="1X-YEZH-1", exam_date=dt.date(2020, 5, 1)), today=dt.date(2020, 5, 1)
    )
    assert old.exam_date == dt.date(2020, 5, 1)


async def test_programme_update_validity(db: None) -> None:
    await seed_programmes()
    assert (await get_programme("1X-YEZH-1")).validity_years == 3
    # null means unchanged
    out = await update_programme(
        "1X-YEZH-1", ProgrammeUpdate.model_validate({"validity_years": None, "issuer": "某评价组织"})
    )
    assert (out.validity_years, out.issuer) == (3, "某评价组织")
    out = await update_programme("1X-YEZH-1", ProgrammeUpdate(validity_years=1))
    assert out.validity_years == 1
    (pid,) = await register_people(1)
    cert = await issue_certificate_for(
        pid, "1X-YEZH-1", issued_on=ISSUED, public_url=PUBLIC_URL, keyring=KEYRING
    )
    assert cert.expires_on == dt.date(2027, 11, 29)  # never on the issue date itself
    out = await update_programme("1X-YEZH-1", ProgrammeUpdate(no_expiry=True))
    assert out.validity_years is None


async def test_status_conflicts_name_the_statuses_in_chinese(db: None) -> None:
    await seed_programmes()
    (pid,) = await register_people(1)
    cert = await issue_certificate_for(
        pid, "4-10-01-03-L5", issued_on=ISSUED, public_url=PUBLIC_URL, keyring=KEYRING
    )
    with pytest.raises(Conflict) as err:
        await reinstate_certificate(cert.number, reason="无需恢复", on=ISSUED, by="admin")
    assert err.value.message == f"证书 {cert.number} 当前状态为“有效”，不能变更为“有效”"
    await revoke_certificate(cert.number, reason="考试作弊", on=ISSUED, by="admin")
    for change, target in ((revoke_certificate, "吊销"), (suspend_certificate, "暂停")):
        with pytest.raises(Conflict) as err:
            await change(cert.number, reason="再次", on=ISSUED, by="admin")
        message = err.value.message
        assert message == f"证书 {cert.number} 当前状态为“吊销”，不能变更为“{target}”", message
        assert "revoked" not in message and "suspended" not in message
        # machine codes stay in the detail for API clients
        assert err.value.detail["status"] == "revoked"


async def test_verify_answers_expired_after_the_expiry_date(db: None) -> None:
    await seed_programmes()
    (pid,) = await register_people(1)
    cert = await issue_certificate_for(
        pid, "1X-YEZH-1", issued_on=ISSUED, public_url=PUBLIC_URL, keyring=KEYRING
    )
    assert cert.expires_on == dt.date(2029, 11, 29)
    parts = urlsplit(cert.verify_url)
    params = dict(parse_qsl(parts.query))
    for signed in (params, None):
        on_last_day = await verify(
            cert.number,
            signed,
            today=cert.expires_on,
            keyring=KEYRING,
            now=dt.datetime(2026, 11, 29, 2, tzinfo=dt.UTC),
        )
        assert on_last_day.outcome == "valid"
        after = await verify(
            cert.number,
            signed,
            today=dt.date(2029, 11, 30),
            keyring=KEYRING,
            now=dt.datetime(2026, 11, 29, 2, tzinfo=dt.UTC),
        )
        assert (after.outcome, after.expires_on, after.signature_checked) == (
            "expired",
            dt.date(2029, 11, 30) - dt.timedelta(days=1),
            signed is not None,
        )
        years_later = await verify(
            cert.number,
            signed,
            today=dt.date(2035, 1, 1),
            keyring=KEYRING,
            now=dt.datetime(2026, 11, 29, 2, tzinfo=dt.UTC),
        )
        assert years_later.outcome == "expired"
    # a certificate without expiry never expires
    await update_programme("4-10-01-03-L5", ProgrammeUpdate(no_expiry=True))
    forever = await issue_certificate_for(
        pid, "4-10-01-03-L5", issued_on=ISSUED, public_url=PUBLIC_URL, keyring=KEYRING
    )
    assert forever.expires_on is None
    far = await verify(
        forever.number,
        None,
        today=dt.date(2099, 12, 31),
        keyring=KEYRING,
        now=dt.datetime(2026, 11, 29, 2, tzinfo=dt.UTC),
    )
    assert far.outcome == "valid"
