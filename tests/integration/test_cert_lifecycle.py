"""Renewal and replacement supersede the old certificate, which then never counts again (持证率,
the employer's staff list, exam eligibility, verification); certificates expiring soon; names the
certificate fonts cannot print are refused before anything is issued."""

from __future__ import annotations

import asyncio
import datetime as dt
from decimal import Decimal

import pytest

from certification import (
    Conflict,
    Keyring,
    Unprintable,
    ValidationFailed,
    check_certificate,
    expiring_certificates,
    get_certificate,
    issue_certificates,
    register_candidate,
    renew_certificate,
    replace_certificate,
    revoke_certificate,
)
from certification.schemas import CertificateOut, SittingIn
from certification.tables import Certificate, ExamSitting
from talent_pool import compute_targets, staff_of_employer
from talent_pool.tables import Credential
from tests.factories import ISSUE_DAY, employ, make_employer, passed_sitting

PUBLIC_URL = "https://tuoyu.example.cn"
KEYRING = Keyring.generate()


async def _issued(n: int = 1, **kw: object) -> list[CertificateOut]:
    sitting_id, _ = await passed_sitting(n, **kw)  # type: ignore[arg-type]
    return (
        await issue_certificates(sitting_id, issued_on=ISSUE_DAY, public_url=PUBLIC_URL, keyring=KEYRING)
    ).certificates


async def _outcome(number: str, today: dt.date) -> str:
    return (await check_certificate(number, None, today=today, keyring=KEYRING)).outcome


async def test_a_superseded_certificate_never_counts_again(db: None) -> None:
    (old,) = await _issued(1)
    employer = await make_employer()
    await employ(employer, [old.practitioner_id])
    new = await replace_certificate(
        old.number,
        reason="证书遗失",
        today=dt.date(2026, 12, 1),
        public_url=PUBLIC_URL,
        keyring=KEYRING,
        by="admin",
    )
    assert (new.supersedes, new.expires_on, new.issued_on) == (
        old.number,
        old.expires_on,
        dt.date(2026, 12, 1),
    )
    again = await get_certificate(old.number)
    assert (again.status, again.superseded_by, again.status_changed_on) == (
        "superseded",
        new.number,
        dt.date(2026, 12, 1),
    )
    assert again.status_reason == f"补发，新证书 {new.number}（证书遗失）"
    staff = await staff_of_employer(employer, today=dt.date(2026, 12, 1))
    assert staff[0].valid_credentials == [f"幼儿照护职业技能等级证书（{new.number}）"]

    await revoke_certificate(new.number, reason="考核舞弊", on=dt.date(2026, 12, 2), by="admin")
    day = dt.date(2026, 12, 3)
    staff = await staff_of_employer(employer, today=day)
    assert (staff[0].certified, staff[0].valid_credentials) == (False, [])
    rate = (await compute_targets(2026, today=day, scope="370102")).indicator("certification_rate")
    assert (rate.numerator, rate.denominator) == (0, 1)
    assert (await _outcome(old.number, day), await _outcome(new.number, day)) == ("superseded", "revoked")
    ledger = {
        r["number"]: r["status"]
        for r in await Credential.select(Credential.number, Credential.status).where(
            Credential.practitioner == old.practitioner_id
        )
    }
    assert ledger == {old.number: "superseded", new.number: "revoked"}
    # neither counts for eligibility either: the person may sit the exam again
    from certification import create_sitting

    sitting = await create_sitting(SittingIn(programme_code="1X-YEZH-1", exam_date=day), today=day)
    assert (await register_candidate(sitting.id, old.practitioner_id)).practitioner_id == old.practitioner_id


async def test_renewal_window_expiry_and_idempotence(db: None) -> None:
    (old,) = await _issued(1)
    assert old.expires_on == dt.date(2029, 11, 29)
    with pytest.raises(Conflict) as early:
        await renew_certificate(
            old.number, today=dt.date(2029, 8, 30), public_url=PUBLIC_URL, keyring=KEYRING, by="admin"
        )
    assert early.value.message == "证书有效期至 2029-11-29，届满前 90 天内（2029-08-31 起）方可申请延续"
    renewed = await asyncio.gather(
        *(
            renew_certificate(
                old.number, today=dt.date(2029, 8, 31), public_url=PUBLIC_URL, keyring=KEYRING, by="admin"
            )
            for _ in range(5)
        )
    )
    assert len({c.number for c in renewed}) == 1  # five simultaneous requests, one new certificate
    new = renewed[0]
    assert (new.issued_on, new.expires_on, new.supersedes) == (
        dt.date(2029, 8, 31),
        dt.date(2032, 11, 29),
        old.number,
    )
    assert new.number.startswith("S000037000001295")  # numbered in the renewal year
    assert await Certificate.count().where(Certificate.practitioner == old.practitioner_id) == 2
    repeat = await renew_certificate(
        old.number, today=dt.date(2029, 9, 1), public_url=PUBLIC_URL, keyring=KEYRING, by="admin"
    )
    assert repeat.number == new.number
    assert await _outcome(old.number, dt.date(2029, 9, 1)) == "superseded"
    assert await _outcome(new.number, dt.date(2029, 12, 1)) == "valid"
    with pytest.raises(Conflict) as replaced:
        await replace_certificate(
            old.number,
            reason="遗失",
            today=dt.date(2029, 9, 2),
            public_url=PUBLIC_URL,
            keyring=KEYRING,
            by="a",
        )
    assert replaced.value.message == f"证书 {old.number} 已换发为 {new.number}，请对新证书操作"


async def test_late_renewal_counts_from_the_renewal_day_and_ends_after_180_days(db: None) -> None:
    first, second = await _issued(2)
    late = await renew_certificate(
        first.number, today=dt.date(2030, 5, 28), public_url=PUBLIC_URL, keyring=KEYRING, by="admin"
    )
    assert late.expires_on == dt.date(2033, 5, 28)
    with pytest.raises(Conflict) as too_late:
        await renew_certificate(
            second.number, today=dt.date(2030, 5, 29), public_url=PUBLIC_URL, keyring=KEYRING, by="admin"
        )
    assert too_late.value.message == "证书已于 2029-11-29 到期超过 180 天，须重新参加考核"
    await revoke_certificate(second.number, reason="违规", on=dt.date(2026, 12, 1), by="admin")
    with pytest.raises(Conflict, match="证书状态为“吊销”，不能延续"):
        await renew_certificate(
            second.number, today=dt.date(2029, 11, 1), public_url=PUBLIC_URL, keyring=KEYRING, by="admin"
        )
    with pytest.raises(ValidationFailed, match="必须填写补发原因"):
        await replace_certificate(
            first.number,
            reason=" ",
            today=dt.date(2026, 12, 1),
            public_url=PUBLIC_URL,
            keyring=KEYRING,
            by="a",
        )


async def test_certificates_expiring_soon(db: None) -> None:
    a, b, c = await _issued(3)
    await revoke_certificate(c.number, reason="违规", on=dt.date(2026, 12, 1), by="admin")
    day = dt.date(2029, 9, 1)  # all three expire on 2029-11-29, 89 days later
    assert [x.number for x in await expiring_certificates(today=day, within_days=89)] == [a.number, b.number]
    assert await expiring_certificates(today=day, within_days=88) == []
    only = await expiring_certificates(today=day, within_days=90, practitioner_ids=[b.practitioner_id])
    assert [x.number for x in only] == [b.number]
    assert await expiring_certificates(today=day, within_days=90, practitioner_ids=[]) == []
    with pytest.raises(ValidationFailed, match="提前天数须在 1–366 之间"):
        await expiring_certificates(today=day, within_days=0)


async def test_a_name_the_fonts_cannot_print_is_refused_before_issuance(db: None) -> None:
    sitting_id, pids = await passed_sitting(2, names=["陈𠮷华", "陈\U00030041华"])
    with pytest.raises(Unprintable) as refused:
        await issue_certificates(sitting_id, issued_on=ISSUE_DAY, public_url=PUBLIC_URL, keyring=KEYRING)
    assert refused.value.message == (
        "1 人的证书内容含有无法准确打印的字符，未发证（请核对更正姓名）："
        "陈\U00030041华：「\U00030041」（U+30041）不在证书字体中，无法打印"
    )
    assert refused.value.detail["rows"] == [
        {
            "practitioner_id": pids[1],
            "name": "陈\U00030041华",
            "problems": ["「\U00030041」（U+30041）不在证书字体中，无法打印"],
        }
    ]
    assert await Certificate.count() == 0  # nothing numbered, nothing issued
    sitting = await ExamSitting.objects().get(ExamSitting.id == sitting_id)
    assert sitting is not None and sitting.status == "scheduled"
    assert Decimal(0) == Decimal(await Credential.count())
