"""Issuance (发证): certificate numbers, signed verify URLs, the talent-pool credential and the render job."""

from __future__ import annotations

import datetime as dt

from certification import rules
from certification._common import (
    RENDER_TASK,
    _already_holds,
    _cert_where,
    _practitioner_pk,
    _programme,
    _valid_covering_credential,
    credential_ref,
)
from certification._sittings import _open_sitting
from certification.errors import (
    Conflict,
    NotFound,
    ValidationFailed,
)
from certification.numbers import (
    DEFAULT_APPRAISAL_BODY_CODE,
    DEFAULT_SITE_SERIAL,
    format_number,
    number_prefix,
)
from certification.schemas import (
    CertificateOut,
)
from certification.signing import Keyring
from certification.tables import (
    Certificate,
    ExamResult,
    ExamSitting,
    NumberSequence,
    Programme,
)
from certification.verify_url import (
    build_verify_url,
    sign_params,
)
from talent_pool import (
    enqueue,
    record_credential,
)
from talent_pool.db import atomic
from talent_pool.schemas import CredentialIn
from talent_pool.tables import Practitioner

# --------------------------------------------------------------------------- issuance


async def _next_serial(prefix: str) -> int:
    """Allocate the next serial for ``prefix`` with an atomic ``UPDATE … SET last = last + 1
    … RETURNING last`` (the row lock serialises concurrent issuers on PostgreSQL; SQLite
    transactions are IMMEDIATE). Creates the sequence row on first use."""
    for _ in range(2):
        rows = await (
            NumberSequence.update({NumberSequence.last: NumberSequence.last + 1})
            .where(NumberSequence.key == prefix)
            .returning(NumberSequence.last)
        )
        if rows:
            return int(rows[0]["last"])
        await NumberSequence.insert(NumberSequence(key=prefix, last=0)).on_conflict(
            target=NumberSequence.key, action="DO NOTHING"
        )
    raise RuntimeError(f"无法分配证书流水号 {prefix}")


class _AlreadyIssued(Exception):
    """Internal: another issuer won the race for this ``issue_key``, or (sitting issuance) the
    candidate no longer qualifies or already holds a certificate in force: nothing is issued
    and the serial is rolled back."""


async def _issue_one(
    *,
    issue_key: str,
    programme: Programme,
    practitioner_id: int,
    sitting_id: int | None,
    issued_on: dt.date,
    public_url: str,
    keyring: Keyring,
    appraisal_body_code: str,
    site_serial: str,
) -> CertificateOut | None:
    """Issue one certificate in one transaction; ``None`` when ``issue_key`` already has one.

    Sitting issuance (``sitting_id`` set) first locks the sitting row and marks it ``issued``
    (closing results), then re-checks that the candidate's result is still a pass; a
    candidate who holds a credential in force covering the programme is skipped (``None``).
    Direct issuance raises :class:`Conflict` for such a holder."""
    prefix = number_prefix(
        year=issued_on.year,
        level_digit=int(programme.level_digit),
        appraisal_body_code=appraisal_body_code,
        site_serial=site_serial,
    )
    try:
        async with atomic():
            if sitting_id is not None:
                # the same row record_results/register_candidate lock: serialises with them
                closing = await (
                    ExamSitting.update({ExamSitting.status: "issued"})
                    .where((ExamSitting.id == sitting_id) & ExamSitting.status.is_in(["scheduled", "issued"]))
                    .returning(ExamSitting.id)
                )
                if not closing:
                    raise Conflict(f"考试场次 {sitting_id} 已取消", sitting_id=sitting_id)
                if not await ExamResult.exists().where(
                    (ExamResult.sitting == sitting_id)
                    & (ExamResult.practitioner == practitioner_id)
                    & (ExamResult.passed == True)  # noqa: E712
                ):
                    raise _AlreadyIssued
            person = await Practitioner.objects().get(_practitioner_pk == practitioner_id)
            if person is None:
                raise NotFound(f"从业人员 {practitioner_id} 不存在")
            while True:
                number = format_number(prefix, await _next_serial(prefix))
                # a number imported or issued outside the sequence is skipped, not reused
                if not await Certificate.exists().where(Certificate.number == number):
                    break
            # checked after the sequence row lock: a concurrent issuer has committed by now
            if await Certificate.exists().where(Certificate.issue_key == issue_key):
                raise _AlreadyIssued
            held = await _valid_covering_credential(practitioner_id, programme, issued_on)
            if held is not None:
                if sitting_id is not None:
                    raise _AlreadyIssued
                raise _already_holds(programme, held, practitioner_id)
            expires_on = rules.expiry_date(issued_on, programme.validity_years)
            params = sign_params(
                number=number,
                programme_code=programme.code,
                issued_on=issued_on,
                expires_on=expires_on,
                holder_id_number=person.id_number,
                holder_name=person.name,
                keyring=keyring,
            )
            row = Certificate(
                number=number,
                issue_key=issue_key,
                programme=programme.id,
                practitioner=practitioner_id,
                sitting=sitting_id,
                holder_name=person.name,
                holder_id_number=person.id_number,
                issuer=programme.issuer,
                issued_on=issued_on,
                expires_on=expires_on,
                status="valid",
                signature=params["s"],
                verify_url=build_verify_url(public_url, number, params),
                kid=keyring.kid,
            )
            await row.save()
            await record_credential(
                CredentialIn(
                    practitioner_id=practitioner_id,
                    kind=programme.kind,  # type: ignore[arg-type]  # onex | skill_level
                    programme_code=programme.code,
                    level=programme.level,
                    title=programme.title,
                    number=number,
                    issuer=programme.issuer,
                    issued_on=issued_on,
                    expires_on=expires_on,
                    qualifying=True,
                    source="system",
                    source_ref=credential_ref(number),
                )
            )
            await enqueue(RENDER_TASK, int(row.id))
    except _AlreadyIssued:
        return None
    except (NotFound, ValidationFailed, Conflict):
        raise
    except Exception:
        # the unique constraint on issue_key is the final guarantee against double issuance
        if await Certificate.exists().where(Certificate.issue_key == issue_key):
            return None
        raise
    return await _cert_where(Certificate.id == row.id)


def _check_issue_args(issued_on: dt.date, public_url: str, keyring: Keyring) -> None:
    if not public_url.startswith(("http://", "https://")) or not public_url.isascii():
        raise ValidationFailed(f"公开访问地址无效：{public_url}")
    if not keyring.can_sign:
        raise ValidationFailed("签名密钥环只能验证，不能用于发证")


async def issue_certificates(
    sitting_id: int,
    *,
    issued_on: dt.date,
    public_url: str,
    keyring: Keyring,
    appraisal_body_code: str = DEFAULT_APPRAISAL_BODY_CODE,
    site_serial: str = DEFAULT_SITE_SERIAL,
) -> list[CertificateOut]:
    """Issue a certificate to every candidate of the sitting who passed and has none yet, and
    close the sitting (status ``issued``: no more registrations or score changes).

    Idempotent and safe under concurrency: each certificate's ``issue_key``
    (``sitting:{sitting_id}:{practitioner_id}``) is unique, so re-running (or two concurrent
    runs) never issues twice; returns only the certificates issued by *this* call.
    Per certificate, one transaction: allocate the number (22 characters, see
    :mod:`certification.numbers`, year from ``issued_on``), insert the certificate with its
    signed verify URL (``{public_url}/v/{number}?…``), record the talent-pool credential
    (``source_ref = certificate:{number}``, kind = programme kind) and enqueue
    ``certification.render_certificate(certificate_id)`` in the outbox.
    ``expires_on`` = ``issued_on`` + programme ``validity_years`` (``None`` = no expiry).
    The first certificate's transaction also marks the sitting ``issued`` (a sitting where
    nobody passed stays open). A candidate who on ``issued_on`` already holds a credential in
    force of the same programme or a higher 1+X level (issued here or in the talent-pool
    ledger) is skipped. Calling again issues nothing new (returns ``[]``) unless an earlier
    run stopped part-way.
    Raises :class:`NotFound`, :class:`Conflict` (cancelled sitting), :class:`ValidationFailed`
    (issue date before the exam, bad public URL, verify-only keyring, bad number settings).
    """
    _check_issue_args(issued_on, public_url, keyring)
    sitting, programme = await _open_sitting(sitting_id)
    if issued_on < sitting.exam_date:
        raise ValidationFailed(f"发证日期 {issued_on} 早于考试日期 {sitting.exam_date}")
    passed = await (
        ExamResult.select(ExamResult.practitioner)
        .where((ExamResult.sitting == sitting_id) & (ExamResult.passed == True))  # noqa: E712
        .order_by(ExamResult.id)
    )
    have = {
        r["practitioner"]
        for r in await Certificate.select(Certificate.practitioner).where(Certificate.sitting == sitting_id)
    }
    issued: list[CertificateOut] = []
    for r in passed:
        pid = r["practitioner"]
        if pid in have:
            continue
        cert = await _issue_one(
            issue_key=f"sitting:{sitting_id}:{pid}",
            programme=programme,
            practitioner_id=pid,
            sitting_id=sitting_id,
            issued_on=issued_on,
            public_url=public_url,
            keyring=keyring,
            appraisal_body_code=appraisal_body_code,
            site_serial=site_serial,
        )
        if cert is not None:
            issued.append(cert)
    return issued


async def issue_certificate_for(
    practitioner_id: int,
    programme_code: str,
    *,
    issued_on: dt.date,
    public_url: str,
    keyring: Keyring,
    reference: str = "",
    appraisal_body_code: str = DEFAULT_APPRAISAL_BODY_CODE,
    site_serial: str = DEFAULT_SITE_SERIAL,
) -> CertificateOut:
    """Issue one certificate directly (no sitting: e.g. a recognised external appraisal).

    Idempotent on ``direct:{programme_code}:{practitioner_id}:{reference or issued_on}``:
    calling again returns the certificate already issued. Same transaction contents as
    :func:`issue_certificates`. Raises :class:`NotFound` (programme, practitioner),
    :class:`ValidationFailed` (inactive programme, bad settings), :class:`Conflict` when the
    practitioner already holds, on ``issued_on``, a credential in force of the same programme
    or a higher 1+X level ("已持有有效的同级证书 …"; to renew, supersede the old one first).
    """
    _check_issue_args(issued_on, public_url, keyring)
    programme = await _programme(programme_code)
    if not programme.active:
        raise ValidationFailed(f"证书项目 {programme_code} 已停用")
    ref = reference.strip() or issued_on.isoformat()
    issue_key = f"direct:{programme_code}:{practitioner_id}:{ref}"[:96]
    existing = await _cert_where(Certificate.issue_key == issue_key)
    if existing is not None:
        return existing
    cert = await _issue_one(
        issue_key=issue_key,
        programme=programme,
        practitioner_id=practitioner_id,
        sitting_id=None,
        issued_on=issued_on,
        public_url=public_url,
        keyring=keyring,
        appraisal_body_code=appraisal_body_code,
        site_serial=site_serial,
    )
    if cert is None:
        cert = await _cert_where(Certificate.issue_key == issue_key)
        assert cert is not None
    return cert
