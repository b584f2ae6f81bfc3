"""Renewal (延续) and replacement (补发/换发) of certificates — a new certificate that supersedes
the old one in the same transaction — the list of certificates expiring soon, and the export
of a certificate as a Verifiable Credential."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from certification import rules
from certification._common import _CERT_COLUMNS, _cert_out, _cert_where, _practitioner_pk, _programme
from certification._issuance import _check_issue_args, _insert_certificates, _Settings, check_printable
from certification._status import _change_status
from certification._verification import get_certificate
from certification.errors import Conflict, NotFound, ValidationFailed
from certification.numbers import DEFAULT_APPRAISAL_BODY_CODE, DEFAULT_SITE_SERIAL
from certification.schemas import CertificateOut
from certification.signing import Keyring
from certification.tables import Certificate
from certification.vc import credential_jwt
from talent_pool.db import atomic, is_unique_violation
from talent_pool.tables import Practitioner

REISSUE_KINDS = {"renewal": "延续", "replacement": "补发"}


async def _reissue(
    number: str,
    kind: str,
    *,
    reason: str,
    today: dt.date,
    public_url: str,
    keyring: Keyring,
    by: str,
) -> CertificateOut:
    _check_issue_args(today, public_url, keyring)
    old = await get_certificate(number)
    reference = f"{kind}:{old.number}"
    if old.status == "superseded":
        again = await _cert_where(Certificate.issue_reference == reference)
        if again is not None:
            return again  # a repeated request: the certificate it made
        raise Conflict(f"证书 {old.number} 已换发为 {_superseded_by(old)}，请对新证书操作", number=old.number)
    state = rules.status_on(
        status=old.status, status_changed_on=old.status_changed_on, expires_on=old.expires_on, today=today
    )
    if kind == "renewal":
        problem = rules.renewal_problem(state=state, expires_on=old.expires_on, today=today)
        if problem is not None:
            raise Conflict(problem, number=old.number, status=state)
    elif state != "valid":
        raise Conflict(
            f"证书状态为“{rules.status_name(state)}”，不能补发（过期证书请申请延续）",
            number=old.number,
            status=state,
        )
    programme = await _programme(old.programme_code)
    if not programme.active:
        raise ValidationFailed(f"证书项目 {programme.code} 已停用，不能{REISSUE_KINDS[kind]}")
    person = await (
        Practitioner.select(_practitioner_pk, Practitioner.name, Practitioner.id_number)
        .where(_practitioner_pk == old.practitioner_id)
        .first()
    )
    if person is None:
        raise NotFound(f"从业人员 {old.practitioner_id} 不存在")
    await check_printable(programme, [person])
    expires_on = (
        rules.renewed_expiry(old.expires_on, today, programme.validity_years)
        if kind == "renewal"
        else old.expires_on
    )
    conf = _Settings(today, public_url, keyring, DEFAULT_APPRAISAL_BODY_CODE, DEFAULT_SITE_SERIAL)
    try:
        async with atomic():
            (new_id,) = await _insert_certificates(
                programme,
                [person],
                sitting_id=None,
                issue_reference=reference,
                conf=conf,
                expires_on=expires_on,
                supersedes=old.number,
            )
            new = await _cert_where(Certificate.id == new_id)
            assert new is not None
            why = f"{REISSUE_KINDS[kind]}，新证书 {new.number}" + (f"（{reason}）" if reason else "")
            await _change_status(old.number, "superseded", reason=why, on=today, by=by)
            await Certificate.update({Certificate.superseded_by: new.number}).where(Certificate.id == old.id)
    except Exception as exc:
        if not is_unique_violation(exc):
            raise
        new = await _cert_where(Certificate.issue_reference == reference)  # a concurrent request won
        if new is None:
            raise
    return new


def _superseded_by(cert: CertificateOut) -> str:
    return cert.superseded_by or "新证书"


async def renew_certificate(
    number: str, *, today: dt.date, public_url: str, keyring: Keyring, by: str
) -> CertificateOut:
    """Renew (延续) a certificate: a new certificate of the same programme for the holder (name
    and ID number as the talent pool has them now), issued ``today`` (local date), valid for
    the programme's ``validity_years`` from the old expiry date (or from ``today`` when renewed
    after it, :func:`certification.rules.renewed_expiry`); the old certificate becomes
    ``superseded`` as of ``today`` (its talent-pool credential too) in the same transaction, so
    it never counts again for 持证率, staff lists, eligibility or verification.

    Rule (:func:`certification.rules.renewal_problem`): valid or expired, with an expiry date,
    from 90 days before expiry to 180 days after. Idempotent: a repeated or simultaneous request
    returns the one new certificate (``Unique(programme, practitioner, issue_reference)`` with
    reference ``renewal:{old number}``). Raises :class:`NotFound`, :class:`Conflict` (state or
    window, with the Chinese reason), :class:`ValidationFailed` (inactive programme, settings),
    :class:`Unprintable` (the holder's name cannot be printed)."""
    return await _reissue(
        number, "renewal", reason="", today=today, public_url=public_url, keyring=keyring, by=by
    )


async def replace_certificate(
    number: str, *, reason: str, today: dt.date, public_url: str, keyring: Keyring, by: str
) -> CertificateOut:
    """Replace (补发/换发) a valid certificate — lost, damaged, or the holder's name corrected:
    a new number issued ``today`` with the *same* expiry date and the holder's current name and
    ID number; the old certificate is superseded in the same transaction (verify answers
    ``superseded`` for it). ``reason`` is required. Idempotent like :func:`renew_certificate`
    (reference ``replacement:{old number}``). Raises :class:`NotFound`, :class:`Conflict`
    (not valid: expired certificates are renewed instead), :class:`ValidationFailed` (no
    reason), :class:`Unprintable`."""
    reason = " ".join((reason or "").split())
    if not reason:
        raise ValidationFailed("必须填写补发原因", field="reason")
    return await _reissue(
        number, "replacement", reason=reason, today=today, public_url=public_url, keyring=keyring, by=by
    )


async def expiring_certificates(
    *, today: dt.date, within_days: int, practitioner_ids: list[int] | None = None
) -> list[CertificateOut]:
    """Certificates in force that expire between ``today`` and ``today + within_days``
    (inclusive, local dates), soonest first — whom to remind to renew. ``practitioner_ids``
    limits the list to those holders (an employer's staff, a district's workforce; ``[]`` →
    nothing). Superseded, revoked and suspended certificates are never listed.
    Raises :class:`ValidationFailed` unless ``1 <= within_days <= 366``."""
    if not 1 <= within_days <= 366:
        raise ValidationFailed("提前天数须在 1–366 之间", field="within_days")
    if practitioner_ids is not None and not practitioner_ids:
        return []
    until = today + dt.timedelta(days=within_days)
    query = Certificate.select(*_CERT_COLUMNS).where(
        (Certificate.status == "valid")
        & (Certificate.expires_on >= today)
        & (Certificate.expires_on <= until)
    )
    if practitioner_ids is not None:
        query = query.where(Certificate.practitioner.is_in(practitioner_ids))
    return [_cert_out(r) for r in await query.order_by(Certificate.expires_on).order_by(Certificate.id)]


async def export_credential(
    number: str, *, today: dt.date, keyring: Keyring, public_url: str, zone: ZoneInfo, now: dt.datetime
) -> str:
    """The certificate as a signed VC-JWT (:func:`certification.vc.credential_jwt`), for a
    certificate in force on ``today`` only (an expired, revoked, suspended or superseded one is
    refused with :class:`Conflict` naming its state). Raises :class:`NotFound`."""
    cert = await get_certificate(number)
    state = rules.status_on(
        status=cert.status, status_changed_on=cert.status_changed_on, expires_on=cert.expires_on, today=today
    )
    if state != "valid":
        raise Conflict(
            f"证书 {cert.number} 当前状态为“{rules.status_name(state)}”，不能导出可验证凭证",
            number=cert.number,
            status=state,
        )
    return credential_jwt(cert, keyring=keyring, public_url=public_url, zone=zone, now=now)
