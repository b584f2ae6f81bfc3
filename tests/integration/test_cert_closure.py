"""certification on PostgreSQL: sittings close at issuance, score corrections are audited,
results wait for the exam day, no duplicate certificates (here or in the talent-pool ledger),
scores normalised to one decimal, training hours listed with the candidates."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

import certification
from certification import (
    Conflict,
    Keyring,
    ValidationFailed,
    create_sitting,
    get_sitting,
    issue_certificate_for,
    issue_certificates,
    list_candidates,
    record_results,
    register_candidate,
    revoke_certificate,
    seed_programmes,
)
from certification.schemas import CertificateOut, ResultIn, SittingIn
from certification.tables import Certificate, ExamResult
from tests.factories import credential, register_people, training_record

PUBLIC_URL = "https://tuoyu.example.cn"
EXAM_DAY = dt.date(2026, 11, 20)
ISSUED = dt.date(2026, 11, 29)
NOW = dt.datetime(2026, 11, 20, 8, 0, tzinfo=dt.UTC)
LATER = dt.datetime(2026, 11, 21, 9, 30, tzinfo=dt.UTC)
KEYRING = Keyring.generate()
D = Decimal


def scores(pid: int, theory: str, practical: str) -> ResultIn:
    return ResultIn(practitioner_id=pid, theory=D(theory), practical=D(practical))


async def sitting_of(code: str, pids: list[int], exam_date: dt.date = EXAM_DAY) -> int:
    sitting = await create_sitting(SittingIn(programme_code=code, exam_date=exam_date), today=ISSUED)
    for pid in pids:
        await register_candidate(sitting.id, pid)
    return sitting.id


async def issue(sitting_id: int, issued_on: dt.date = ISSUED) -> list[CertificateOut]:
    """The certificates this call issued (the sitting's newest ``newly_issued`` ones)."""
    result = await issue_certificates(sitting_id, issued_on=issued_on, public_url=PUBLIC_URL, keyring=KEYRING)
    return result.certificates[len(result.certificates) - result.newly_issued :]


# --------------------------------------------------------------------------- 1. closure


async def test_results_and_registration_close_once_certificates_are_issued(db: None) -> None:
    await seed_programmes()
    alice, bob, carol = await register_people(3)
    sid = await sitting_of("1X-YEZH-1", [alice, bob])
    await record_results(
        sid,
        [scores(alice, "80", "80"), scores(bob, "59.9", "95")],
        entered_by="examiner-1",
        now=NOW,
        today=ISSUED,
    )
    issued = await issue(sid)
    assert [c.practitioner_id for c in issued] == [alice]
    assert (await get_sitting(sid)).status == "issued"

    # the tester's attack: bob's failed scores re-entered as passing, then issue again
    with pytest.raises(Conflict) as err:
        await record_results(sid, [scores(bob, "90", "95")], entered_by="examiner-2", now=LATER, today=ISSUED)
    assert "已发证" in err.value.message
    with pytest.raises(Conflict):
        await register_candidate(sid, carol)
    with pytest.raises(Conflict):  # even re-registering someone already registered
        await register_candidate(sid, bob)
    assert await issue(sid) == []  # idempotent
    assert await Certificate.count().where(Certificate.practitioner == bob) == 0
    row = await ExamResult.select().where(ExamResult.practitioner == bob).first()
    assert row is not None and row["passed"] is False and D(row["theory"]) == D("59.9")
    history = await certification.result_history(sid, practitioner_id=bob)
    assert len(history) == 1  # the refused correction left no trace but the original entry


async def test_a_sitting_where_nobody_passed_stays_open(db: None) -> None:
    await seed_programmes()
    (bob,) = await register_people(1)
    sid = await sitting_of("1X-YEZH-1", [bob])
    await record_results(sid, [scores(bob, "50", "50")], entered_by="e", now=NOW, today=ISSUED)
    assert await issue(sid) == []
    assert (await get_sitting(sid)).status == "scheduled"
    await record_results(
        sid, [scores(bob, "60", "60")], entered_by="e", now=LATER, today=ISSUED
    )  # correction
    assert [c.practitioner_id for c in await issue(sid)] == [bob]


async def test_corrections_before_issuance_are_kept_in_the_audit(db: None) -> None:
    await seed_programmes()
    alice, bob = await register_people(2)
    sid = await sitting_of("4-10-01-03-L5", [alice, bob])
    await record_results(
        sid,
        [scores(alice, "70", "70"), scores(bob, "59.9", "95")],
        entered_by="examiner-1",
        now=NOW,
        today=ISSUED,
    )
    out = await record_results(
        sid, [scores(bob, "60", "95")], entered_by="examiner-2", now=LATER, today=ISSUED
    )
    assert out[0].passed is True
    history = await certification.result_history(sid)
    assert [(h.practitioner_id, h.action) for h in history] == [
        (alice, "entry"),
        (bob, "entry"),
        (bob, "correction"),
    ]
    correction = history[-1]
    assert (correction.old_theory, correction.old_practical, correction.old_passed) == (
        D("59.9"),
        D("95.0"),
        False,
    )
    assert (correction.new_theory, correction.new_practical, correction.new_passed) == (
        D("60.0"),
        D("95.0"),
        True,
    )
    assert (correction.entered_by, correction.entered_at) == ("examiner-2", LATER)
    assert history[1].old_theory is None and history[1].entered_by == "examiner-1"
    with pytest.raises(ValidationFailed):
        await record_results(sid, [scores(bob, "61", "95")], entered_by="  ", now=LATER, today=ISSUED)
    assert len(await certification.result_history(sid, practitioner_id=bob)) == 2
    assert sorted(c.practitioner_id for c in await issue(sid)) == sorted([alice, bob])


# --------------------------------------------------------------------------- 2. exam date


async def test_results_wait_for_the_exam_day(db: None) -> None:
    await seed_programmes()
    (alice,) = await register_people(1)
    sid = await sitting_of("1X-YEZH-1", [alice])
    with pytest.raises(ValidationFailed) as err:
        await record_results(
            sid,
            [scores(alice, "80", "80")],
            entered_by="e",
            now=NOW,
            today=EXAM_DAY - dt.timedelta(days=1),
        )
    assert "考试尚未举行" in err.value.message
    assert await certification.result_history(sid) == []
    out = await record_results(sid, [scores(alice, "80", "80")], entered_by="e", now=NOW, today=EXAM_DAY)
    assert out[0].passed is True
    with pytest.raises(ValidationFailed):
        await issue(sid, issued_on=EXAM_DAY - dt.timedelta(days=1))
    assert len(await issue(sid, issued_on=EXAM_DAY)) == 1


# --------------------------------------------------------------------------- 3. duplicates


async def test_holder_of_a_valid_certificate_of_the_programme_is_refused(db: None) -> None:
    await seed_programmes()
    (alice,) = await register_people(1)
    held = await issue_certificate_for(
        alice, "4-10-01-03-L5", issued_on=dt.date(2025, 5, 1), public_url=PUBLIC_URL, keyring=KEYRING
    )
    sitting = await create_sitting(
        SittingIn(programme_code="4-10-01-03-L5", exam_date=EXAM_DAY), today=ISSUED
    )
    with pytest.raises(Conflict) as err:
        await register_candidate(sitting.id, alice)
    assert f"已持有有效的同级证书 {held.number}" in err.value.message
    # a direct issuance with another reference is refused as well
    with pytest.raises(Conflict):
        await issue_certificate_for(
            alice, "4-10-01-03-L5", issued_on=ISSUED, public_url=PUBLIC_URL, keyring=KEYRING, reference="x"
        )
    # another level of the 人社 occupation is not covered (no such rule in occupations.json)
    other = await create_sitting(SittingIn(programme_code="4-10-01-03-L4", exam_date=EXAM_DAY), today=ISSUED)
    await register_candidate(other.id, alice)
    # revoked → may sit again
    await revoke_certificate(held.number, reason="证书信息错误", on=dt.date(2026, 1, 5), by="admin")
    cand = await register_candidate(sitting.id, alice)
    assert cand.practitioner_id == alice


async def test_candidate_certified_meanwhile_is_skipped_at_issuance(db: None) -> None:
    await seed_programmes()
    alice, bob = await register_people(2)
    sid = await sitting_of("1X-YEZH-2", [alice, bob])
    await record_results(
        sid, [scores(alice, "80", "80"), scores(bob, "80", "80")], entered_by="e", now=NOW, today=ISSUED
    )
    direct = await issue_certificate_for(
        alice, "1X-YEZH-2", issued_on=EXAM_DAY, public_url=PUBLIC_URL, keyring=KEYRING
    )
    issued = await issue(sid)
    assert [c.practitioner_id for c in issued] == [bob]
    assert [r["number"] for r in await Certificate.select().where(Certificate.practitioner == alice)] == [
        direct.number
    ]


async def test_ledger_credentials_and_higher_1x_levels_count(db: None) -> None:
    await seed_programmes()
    alice, bob = await register_people(2)
    # imported 1+X credentials: alice's is valid, bob's expired before the exam (does not count)
    for pid, code, level, number, issued_on, expires_on, ref in (
        (alice, "1X-YEZH-2", "中级", "YEZH-IMPORT-0001", dt.date(2025, 1, 1), dt.date(2027, 12, 31), 2),
        (bob, "1X-YEZH-3", "高级", "YEZH-IMPORT-0002", dt.date(2020, 1, 1), dt.date(2023, 1, 1), 3),
    ):
        await credential(
            pid,
            programme_code=code,
            level=level,
            title="幼儿照护职业技能等级证书",
            number=number,
            issued_on=issued_on,
            expires_on=expires_on,
            source="import",
            source_ref=f"import:sheet1:{ref}",
        )
    same = await create_sitting(SittingIn(programme_code="1X-YEZH-2", exam_date=EXAM_DAY), today=ISSUED)
    lower = await create_sitting(SittingIn(programme_code="1X-YEZH-1", exam_date=EXAM_DAY), today=ISSUED)
    higher = await create_sitting(SittingIn(programme_code="1X-YEZH-3", exam_date=EXAM_DAY), today=ISSUED)
    with pytest.raises(Conflict) as err:
        await register_candidate(same.id, alice)
    assert "已持有有效的同级证书 YEZH-IMPORT-0001" in err.value.message
    with pytest.raises(Conflict) as err:
        await register_candidate(lower.id, alice)
    assert "更高等级" in err.value.message and "YEZH-IMPORT-0001" in err.value.message
    await register_candidate(higher.id, alice)  # a higher level is worth sitting
    await register_candidate(higher.id, bob)  # expired import
    await register_candidate(lower.id, bob)
    with pytest.raises(Conflict):
        await issue_certificate_for(
            alice, "1X-YEZH-1", issued_on=ISSUED, public_url=PUBLIC_URL, keyring=KEYRING
        )


# --------------------------------------------------------------------------- 4. scores, 6. hours


async def test_scores_are_plain_and_normalised_to_one_decimal(db: None) -> None:
    await seed_programmes()
    alice, bob = await register_people(2)
    await training_record(alice, hours="16", completed_on=dt.date(2026, 6, 1), source_ref="t-alice")
    sid = await sitting_of("1X-YEZH-1", [alice, bob])
    with pytest.raises(ValidationFailed) as err:
        await record_results(
            sid,
            [scores(alice, "100", "60"), ResultIn(practitioner_id=bob, theory=D("1E+2"), practical=D(60))],
            entered_by="e",
            now=NOW,
            today=ISSUED,
        )
    assert [r["row"] for r in err.value.detail["rows"]] == [1]  # type: ignore[index,union-attr]
    assert "科学计数法" in err.value.detail["rows"][0]["errors"][0]  # type: ignore[index]
    out = await record_results(sid, [scores(alice, "100", "60")], entered_by="e", now=NOW, today=ISSUED)
    assert (str(out[0].theory), str(out[0].practical)) == ("100.0", "60.0")
    assert out[0].model_dump(mode="json")["theory"] == "100.0"
    listed = await list_candidates(sid)
    assert [(c.practitioner_id, str(c.theory), c.training_hours) for c in listed] == [
        (alice, "100.0", D(16)),
        (bob, "None", D(0)),
    ]
    registered = await register_candidate(sid, alice)
    assert registered.training_hours == listed[0].training_hours


def test_suspend_and_reinstate_are_exported() -> None:
    for name in ("suspend_certificate", "reinstate_certificate", "result_history"):
        assert name in certification.__all__ and callable(getattr(certification, name))
