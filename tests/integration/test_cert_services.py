"""certification services on the real PostgreSQL database (the ``db`` fixture)."""

from __future__ import annotations

import asyncio
import datetime as dt
import io
import json
import logging
from decimal import Decimal
from urllib.parse import parse_qsl, urlsplit

import PIL.Image
import pytest
import zxingcpp

from certification import (
    RENDER_TASK,
    Conflict,
    DocumentNotRendered,
    Keyring,
    NotEligible,
    ValidationFailed,
    certificates_of_practitioner,
    create_sitting,
    get_certificate,
    get_document,
    issue_certificate_for,
    issue_certificates,
    record_results,
    register_candidate,
    reinstate_certificate,
    render_certificate,
    render_certificates,
    revoke_certificate,
    seed_programmes,
    suspend_certificate,
    update_programme,
    verify,
)
from certification.schemas import ProgrammeUpdate, ResultIn, SittingIn
from certification.tables import Certificate, Programme, VerificationLog
from talent_pool import count_rows
from talent_pool.tables import Credential, OutboxMessage
from tests.factories import make_id, register_people, training_record

PUBLIC_URL = "https://tuoyu.example.cn"
EXAM_DAY = dt.date(2026, 11, 20)
ISSUED = dt.date(2026, 11, 29)
NOW = dt.datetime(2026, 11, 20, 8, 0, tzinfo=dt.UTC)
KEYRING = Keyring.generate()


async def people(n: int) -> list[int]:
    """``n`` registered practitioners, all of family name 张 (the masked holder name)."""
    return await register_people(n, prefix="张三")


def query(url: str) -> tuple[str, dict[str, str]]:
    parts = urlsplit(url)
    return parts.path.rsplit("/", 1)[1], dict(parse_qsl(parts.query))


async def sitting_with_results(code: str, scores: list[tuple[str, str]]) -> tuple[int, list[int]]:
    pids = await people(len(scores))
    sitting = await create_sitting(SittingIn(programme_code=code, exam_date=EXAM_DAY), today=ISSUED)
    for pid in pids:
        await register_candidate(sitting.id, pid)
    await record_results(
        sitting.id,
        [
            ResultIn(practitioner_id=p, theory=Decimal(t), practical=Decimal(q))
            for p, (t, q) in zip(pids, scores, strict=True)
        ],
        entered_by="examiner-1",
        now=NOW,
        today=ISSUED,
    )
    return sitting.id, pids


async def test_seed_programmes_is_idempotent_and_keeps_edits(db: None) -> None:
    first = await seed_programmes()  # the db fixture may have seeded them already
    assert first["total"] == 15
    await update_programme("1X-YEZH-1", ProgrammeUpdate(pass_mark_theory=Decimal("70")))
    assert await seed_programmes() == {"created": 0, "total": 15}
    row = await Programme.objects().get(Programme.code == "1X-YEZH-1")
    assert row is not None and Decimal(row.pass_mark_theory) == Decimal("70")


async def test_full_lifecycle(db: None) -> None:
    await seed_programmes()
    sitting_id, (alice, _bob, carol) = await sitting_with_results(
        "1X-YEZH-1", [("60.0", "60"), ("59.9", "95"), ("88.5", "72")]
    )
    result = await issue_certificates(sitting_id, issued_on=ISSUED, public_url=PUBLIC_URL, keyring=KEYRING)
    issued = result.certificates
    assert result.newly_issued == 2
    assert sorted(c.practitioner_id for c in issued) == [alice, carol]  # bob failed at 59.9
    cert = next(c for c in issued if c.practitioner_id == alice)
    assert cert.number.startswith("S000037000001265") and len(cert.number) == 22
    assert cert.expires_on == dt.date(2029, 11, 29) and cert.kind == "onex"
    assert cert.issuer == "湖南金职伟业母婴护理有限公司"
    assert cert.verify_url.startswith(f"{PUBLIC_URL}/v/{cert.number}?")
    # idempotent
    again = await issue_certificates(sitting_id, issued_on=ISSUED, public_url=PUBLIC_URL, keyring=KEYRING)
    assert again.newly_issued == 0 and again.certificates == issued
    # fed into the talent pool and the outbox, same transaction
    cred = await Credential.objects().get(Credential.source_ref == f"certificate:{cert.number}")
    assert cred is not None and cred.practitioner == alice and cred.kind == "onex"
    assert cred.number == cert.number and cred.status == "valid"
    outbox = await OutboxMessage.select().where(OutboxMessage.task == RENDER_TASK)
    jobs = [json.loads(r["args"]) if isinstance(r["args"], str) else r["args"] for r in outbox]
    assert jobs == [[[c.id for c in issued]]]  # one render job for the sitting's batch

    # render → stored documents; QR decodes to the verify URL
    with pytest.raises(DocumentNotRendered):
        await get_document(cert.id)
    await render_certificate(cert.id, now=dt.datetime(2026, 11, 29, 2, tzinfo=dt.UTC))
    await render_certificate(cert.id, now=dt.datetime(2026, 11, 29, 2, tzinfo=dt.UTC))  # idempotent upsert
    png, pdf = await get_document(cert.id)
    assert pdf.startswith(b"%PDF")
    decoded = zxingcpp.read_barcodes(PIL.Image.open(io.BytesIO(png)))
    assert [r.text for r in decoded] == [cert.verify_url]

    # verify by scanned URL (signature checked) and by typed number
    number, params = query(cert.verify_url)
    res = await verify(
        number,
        params,
        today=ISSUED,
        keyring=KEYRING,
        client="1.2.3.4",
        now=dt.datetime(2026, 11, 29, 2, tzinfo=dt.UTC),
    )
    assert (res.outcome, res.signature_checked) == ("valid", True)
    assert (
        res.holder_name_masked == "张**"
        and res.holder_id_masked == make_id(1)[:3] + "*" * 13 + make_id(1)[-2:]
    )
    assert (res.programme_title, res.level) == ("幼儿照护职业技能等级证书", "初级")
    # a QR code printed before 2026-11-30 carries the unkeyed holder hash: it still verifies
    from certification.signing import b64url
    from certification.verify_url import canonical, holder_hash

    legacy = dict(params, h=holder_hash(number, make_id(1), cert.holder_name, None))
    assert legacy["h"] != params["h"]
    legacy["s"] = b64url(
        KEYRING.sign(canonical(number, legacy["p"], legacy["i"], legacy["e"], legacy["h"], legacy["k"]))
    )
    old = await verify(
        number, legacy, today=ISSUED, keyring=KEYRING, now=dt.datetime(2026, 11, 29, 2, tzinfo=dt.UTC)
    )
    assert (old.outcome, old.signature_checked) == ("valid", True)
    wrong = dict(legacy, h=holder_hash(number, make_id(2), cert.holder_name, None))
    wrong["s"] = b64url(
        KEYRING.sign(canonical(number, wrong["p"], wrong["i"], wrong["e"], wrong["h"], wrong["k"]))
    )
    bad = await verify(
        number, wrong, today=ISSUED, keyring=KEYRING, now=dt.datetime(2026, 11, 29, 2, tzinfo=dt.UTC)
    )
    assert (bad.outcome, bad.reason) == ("forged", "claims_mismatch")
    offline = Keyring.from_jwks(KEYRING.jwks())
    offline.holder_key = KEYRING.holder_key  # the holder binding is checked with the service's key
    res = await verify(
        number.lower(), None, today=ISSUED, keyring=offline, now=dt.datetime(2026, 11, 29, 2, tzinfo=dt.UTC)
    )
    assert (res.outcome, res.signature_checked) == ("valid", False)
    res = await verify(
        number,
        params,
        today=dt.date(2029, 11, 30),
        keyring=offline,
        now=dt.datetime(2026, 11, 29, 2, tzinfo=dt.UTC),
    )
    assert res.outcome == "expired"

    # revoke → verify revoked, ledger revoked; never deleted
    with pytest.raises(ValidationFailed):
        await revoke_certificate(number, reason="  ", on=ISSUED, by="admin")
    revoked_on = dt.date(2027, 3, 1)
    out = await revoke_certificate(number, reason="考试作弊", on=revoked_on, by="admin")
    assert (out.status, out.status_changed_on, out.status_reason) == (
        "revoked",
        revoked_on,
        "考试作弊",
    )
    res = await verify(
        number, params, today=revoked_on, keyring=KEYRING, now=dt.datetime(2026, 11, 29, 2, tzinfo=dt.UTC)
    )
    assert (res.outcome, res.status_changed_on) == ("revoked", revoked_on)
    assert "考试作弊" not in res.model_dump_json()  # the reason is not part of the public answer
    assert (
        await verify(
            number, params, today=ISSUED, keyring=KEYRING, now=dt.datetime(2026, 11, 29, 2, tzinfo=dt.UTC)
        )
    ).outcome == "valid"
    cred = await Credential.objects().get(Credential.source_ref == f"certificate:{cert.number}")
    assert cred is not None and (cred.status, cred.status_changed_on) == ("revoked", revoked_on)
    with pytest.raises(Conflict):
        await revoke_certificate(number, reason="再次", on=revoked_on, by="admin")
    assert await count_rows(Certificate) == 2

    # unknown / malformed / forged
    for bad in ("S000037000001265999999", "garbage", "", "S" * 500):
        res = await verify(
            bad, None, today=ISSUED, keyring=KEYRING, now=dt.datetime(2026, 11, 29, 2, tzinfo=dt.UTC)
        )
        assert res.outcome == "unknown" and res.holder_name_masked == ""
    other = next(c for c in issued if c.practitioner_id == carol)
    _, other_params = query(other.verify_url)
    forged = dict(other_params, e="20991231")
    assert (
        await verify(
            other.number,
            forged,
            today=ISSUED,
            keyring=KEYRING,
            now=dt.datetime(2026, 11, 29, 2, tzinfo=dt.UTC),
        )
    ).outcome == "forged"
    # a genuine signature pasted onto another number
    assert (
        await verify(
            other.number,
            params,
            today=ISSUED,
            keyring=KEYRING,
            now=dt.datetime(2026, 11, 29, 2, tzinfo=dt.UTC),
        )
    ).outcome == "forged"
    # signed by a key we do not know
    assert (
        await verify(
            other.number,
            other_params,
            today=ISSUED,
            keyring=Keyring.generate(),
            now=dt.datetime(2026, 11, 29, 2, tzinfo=dt.UTC),
        )
    ).outcome == "forged"
    assert (
        await verify(
            other.number,
            {"s": "x"},
            today=ISSUED,
            keyring=KEYRING,
            now=dt.datetime(2026, 11, 29, 2, tzinfo=dt.UTC),
        )
    ).outcome == "forged"
    logs = await VerificationLog.select().order_by(VerificationLog.id)
    assert (
        len(logs) == 15 and logs[0]["client"] == "1.2.3.4" and logs[0]["outcome"] == "valid"
    )  # 13 + the two printed-before-the-change QR codes

    # suspend / reinstate round trip on the other certificate
    await suspend_certificate(other.number, reason="待核查", on=ISSUED, by="admin")
    assert (
        await verify(
            other.number, None, today=ISSUED, keyring=KEYRING, now=dt.datetime(2026, 11, 29, 2, tzinfo=dt.UTC)
        )
    ).outcome == "suspended"
    await reinstate_certificate(other.number, reason="核查无误", on=ISSUED, by="admin")
    assert (
        await verify(
            other.number, None, today=ISSUED, keyring=KEYRING, now=dt.datetime(2026, 11, 29, 2, tzinfo=dt.UTC)
        )
    ).outcome == "valid"
    assert [c.number for c in await certificates_of_practitioner(carol)] == [other.number]
    assert (await get_certificate(other.number)).status == "valid"


async def test_results_batch_is_validated_whole(db: None) -> None:
    await seed_programmes()
    pids = await people(3)
    sitting = await create_sitting(
        SittingIn(programme_code="4-10-01-03-L5", exam_date=EXAM_DAY), today=ISSUED
    )
    await register_candidate(sitting.id, pids[0])
    await register_candidate(sitting.id, pids[1])
    entries = [
        ResultIn(practitioner_id=pids[0], theory=Decimal("61"), practical=Decimal("62")),
        ResultIn(practitioner_id=pids[1], theory=Decimal("100.5"), practical=Decimal("60.25")),
        ResultIn(practitioner_id=pids[2], theory=Decimal("70"), practical=Decimal("70")),
    ]
    with pytest.raises(ValidationFailed) as err:
        await record_results(sitting.id, entries, entered_by="e", now=NOW, today=ISSUED)
    rows = err.value.detail["rows"]
    assert [r["row"] for r in rows] == [1, 2]  # type: ignore[index]
    assert len(rows[0]["errors"]) == 2  # type: ignore[index]
    nothing = await issue_certificates(sitting.id, issued_on=ISSUED, public_url=PUBLIC_URL, keyring=KEYRING)
    assert nothing.certificates == [] and nothing.newly_issued == 0  # nothing was written
    out = await record_results(sitting.id, entries[:1], entered_by="e", now=NOW, today=ISSUED)
    assert out[0].passed is True


async def test_eligibility_reads_training_hours_from_the_ledger(db: None) -> None:
    await seed_programmes()
    await update_programme(
        "4-10-01-03-L5",
        ProgrammeUpdate(min_training_hours=Decimal(120), training_category="pre_job"),
    )
    (pid,) = await people(1)
    sitting = await create_sitting(
        SittingIn(programme_code="4-10-01-03-L5", exam_date=EXAM_DAY), today=ISSUED
    )
    await training_record(pid, hours="100", completed_on=dt.date(2026, 6, 1), source_ref="t1")
    await training_record(
        pid, category="refresher", title="回炉", hours="40", completed_on=dt.date(2026, 6, 2), source_ref="t2"
    )
    with pytest.raises(NotEligible) as err:
        await register_candidate(sitting.id, pid)
    assert "120" in err.value.message and "100" in err.value.message and "20" in err.value.message
    await training_record(
        pid, title="岗前培训2", hours="20", completed_on=dt.date(2026, 7, 1), source_ref="t3", source="import"
    )
    cand = await register_candidate(sitting.id, pid)
    again = await register_candidate(sitting.id, pid)
    assert cand.id == again.id and cand.training_hours == Decimal(120)


async def test_concurrent_direct_issuance_gives_unique_numbers(db: None) -> None:
    await seed_programmes()
    pids = await people(8)
    certs = await asyncio.gather(
        *(
            issue_certificate_for(
                p, "4-10-01-03-L4", issued_on=ISSUED, public_url=PUBLIC_URL, keyring=KEYRING
            )
            for p in pids
        )
    )
    numbers = [c.number for c in certs]
    assert len(set(numbers)) == 8
    assert sorted(int(n[-6:]) for n in numbers) == list(range(1, 9))
    assert all(n[15] == "4" for n in numbers)
    # the same direct issuance again is idempotent
    again = await issue_certificate_for(
        pids[0], "4-10-01-03-L4", issued_on=ISSUED, public_url=PUBLIC_URL, keyring=KEYRING
    )
    assert again.number == certs[0].number and await count_rows(Certificate) == 8


async def test_two_concurrent_issuers_on_one_sitting_issue_once(db: None) -> None:
    await seed_programmes()
    sitting_id, pids = await sitting_with_results("1X-YEZH-2", [("80", "80")] * 6)
    runs = await asyncio.gather(
        *(
            issue_certificates(sitting_id, issued_on=ISSUED, public_url=PUBLIC_URL, keyring=KEYRING)
            for _ in range(2)
        )
    )
    assert sorted(run.newly_issued for run in runs) == [0, 6]  # one issued, the other found them
    assert runs[0].certificates == runs[1].certificates
    issued = runs[0].certificates
    assert sorted(c.practitioner_id for c in issued) == sorted(pids)
    assert len({c.number for c in issued}) == 6
    assert await count_rows(Certificate) == 6
    assert await count_rows(Credential) == 6
    jobs = await OutboxMessage.select(OutboxMessage.args).where(OutboxMessage.task == RENDER_TASK)
    rendered = [
        cid
        for job in jobs
        for cid in (json.loads(job["args"]) if isinstance(job["args"], str) else job["args"])[0]
    ]
    assert sorted(rendered) == sorted(c.id for c in issued)


async def test_a_render_is_logged_only_once_its_document_is_stored(
    db: None, caplog: pytest.LogCaptureFixture
) -> None:
    """``rendered certificate <id> (<number>)`` means the QR code and PDF are stored: when the
    database refuses the document (here a trigger), the job fails and nothing is logged, so a
    process that dies between rendering and storing never counts as having rendered."""
    await seed_programmes()
    sitting_id, _ = await sitting_with_results("1X-YEZH-1", [("80", "80")])
    (cert,) = (
        await issue_certificates(sitting_id, issued_on=ISSUED, public_url=PUBLIC_URL, keyring=KEYRING)
    ).certificates
    now = dt.datetime(2026, 11, 29, 2, tzinfo=dt.UTC)
    await Certificate.raw(
        "CREATE FUNCTION refuse_document() RETURNS trigger LANGUAGE plpgsql AS "
        "$$ BEGIN RAISE EXCEPTION 'storage refused'; END $$"
    )
    await Certificate.raw(
        "CREATE TRIGGER refuse_document BEFORE INSERT ON ce_certificate_document "
        "FOR EACH ROW EXECUTE FUNCTION refuse_document()"
    )
    caplog.set_level(logging.INFO, logger="tuoyu.certification")
    try:
        with pytest.raises(Exception, match="storage refused"):
            await render_certificates([cert.id], now=now)
    finally:
        await Certificate.raw("DROP TRIGGER refuse_document ON ce_certificate_document")
        await Certificate.raw("DROP FUNCTION refuse_document()")
    assert [r.getMessage() for r in caplog.records if "rendered certificate" in r.getMessage()] == []
    assert await render_certificates([cert.id], now=now) == 1
    lines = [r.getMessage() for r in caplog.records if "rendered certificate" in r.getMessage()]
    assert lines == [f"rendered certificate {cert.id} ({cert.number})"]
