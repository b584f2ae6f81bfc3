"""Looking certificates up and verifying them (valid · expired · revoked · suspended ·
superseded · unknown · forged)."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from certification import rules
from certification._common import (
    _CERT_COLUMNS,
    _cert_by_number,
    _cert_out,
    _cert_where,
)
from certification.errors import (
    NotFound,
)
from certification.numbers import (
    NUMBER_RE,
    normalise_number,
)
from certification.schemas import (
    CertificateOut,
    VerificationResult,
)
from certification.signing import Keyring
from certification.tables import (
    Certificate,
    VerificationLog,
)
from certification.verify_url import (
    SignedClaims,
    has_signed_params,
    holder_hash,
    parse_and_check,
)
from talent_pool import (
    mask_id_number,
    mask_name,
)

# --------------------------------------------------------------------------- lookup


async def get_certificate(number: str) -> CertificateOut:
    """One certificate by number (normalised: trim, half-width, upper-case); raises
    :class:`NotFound`."""
    norm = normalise_number(number) if isinstance(number, str) else ""
    cert = await _cert_where(Certificate.number == norm) if NUMBER_RE.match(norm) else None
    if cert is None:
        raise NotFound(f"证书编号 {norm[:40]} 不存在", number=norm[:40])
    return cert


async def get_certificate_by_id(certificate_id: int) -> CertificateOut:
    """One certificate by id; raises :class:`NotFound`."""
    cert = await _cert_where(Certificate.id == certificate_id)
    if cert is None:
        raise NotFound(f"证书 {certificate_id} 不存在", certificate_id=certificate_id)
    return cert


async def certificates_of_practitioner(practitioner_id: int) -> list[CertificateOut]:
    """Every certificate issued here to a practitioner (any status), oldest first."""
    rows = await (
        Certificate.select(*_CERT_COLUMNS)
        .where(Certificate.practitioner == practitioner_id)
        .order_by(Certificate.issued_on)
        .order_by(Certificate.id)
    )
    return [_cert_out(r) for r in rows]


# --------------------------------------------------------------------------- verification


def _claims_match(claims: SignedClaims, cert: CertificateOut) -> bool:
    return (
        claims.programme_code == cert.programme_code
        and claims.issued_on == cert.issued_on
        and claims.expires_on == cert.expires_on
        and claims.holder_hash == holder_hash(cert.number, cert.holder_id_number, cert.holder_name)
        and cert.kid.startswith(claims.kid)
    )


def _forged(number: str, reason: str) -> VerificationResult:
    return VerificationResult(outcome="forged", signature_checked=True, number=number, reason=reason)


async def _verify(
    number: str, params: Mapping[str, str] | None, today: dt.date, keyring: Keyring
) -> VerificationResult:
    signed = has_signed_params(params)
    claims: SignedClaims | str | None = None
    if not NUMBER_RE.match(number):
        if signed:
            assert params is not None
            claims = parse_and_check(number, params, keyring)
        if isinstance(claims, str):
            return _forged(number, claims)
        return VerificationResult(
            outcome="unknown", signature_checked=signed, number=number, reason="malformed_number"
        )
    # The lookup is sent first and the Ed25519 check (CPU, ~0.1 ms) runs while the database
    # answers: the two overlap instead of adding up. A forged URL still waits for its lookup (it
    # is rare; cancelling a query in flight costs the connection more than finishing it).
    lookup = asyncio.ensure_future(_cert_by_number(number))
    await asyncio.sleep(0)  # let the lookup start: it runs until it waits for the database
    try:
        if signed:
            assert params is not None
            claims = parse_and_check(number, params, keyring)
    finally:
        cert = await lookup
    if isinstance(claims, str):
        return _forged(number, claims)
    if cert is None:
        return VerificationResult(
            outcome="unknown", signature_checked=signed, number=number, reason="no_such_number"
        )
    if signed and not _claims_match(claims, cert):  # type: ignore[arg-type]
        return VerificationResult(
            outcome="forged", signature_checked=True, number=number, reason="claims_mismatch"
        )
    outcome = rules.status_on(
        status=cert.status,
        status_changed_on=cert.status_changed_on,
        expires_on=cert.expires_on,
        today=today,
    )
    changed = outcome in ("revoked", "suspended", "superseded")
    return VerificationResult(
        outcome=outcome,
        signature_checked=signed,
        number=number,
        holder_name_masked=mask_name(cert.holder_name),
        holder_id_masked=mask_id_number(cert.holder_id_number),
        programme_code=cert.programme_code,
        programme_title=cert.title,
        level=cert.level,
        issued_on=cert.issued_on,
        expires_on=cert.expires_on,
        status_changed_on=cert.status_changed_on if changed else None,
        issuer=cert.issuer,
    )


@dataclass(frozen=True, slots=True)
class VerificationRecord:
    """One verification to log: the (normalised, ≤ 64 characters) number asked for, the outcome,
    whether a signature was checked, the client (an IP or account, ≤ 128 characters) and when
    (aware UTC)."""

    number: str
    outcome: str
    signature_checked: bool
    client: str
    at: dt.datetime


async def check_certificate(
    number: str, params: Mapping[str, str] | None, *, today: dt.date, keyring: Keyring
) -> VerificationResult:
    """:func:`verify` without writing the log: the answer only (callers that batch their log
    writes record it with :func:`record_verifications`). Never raises for bad input."""
    raw = number if isinstance(number, str) else ""
    return await _verify(normalise_number(raw)[:64], params, today, keyring)


async def record_verifications(records: Sequence[VerificationRecord]) -> int:
    """Write verification log rows (``ce_verification_log``) in one statement; returns how many."""
    if not records:
        return 0
    await VerificationLog.insert(
        *(
            VerificationLog(
                number=r.number[:64],
                outcome=r.outcome,
                signature_checked=r.signature_checked,
                client=(r.client or "")[:128],
                at=r.at,
            )
            for r in records
        )
    )
    return len(records)


async def verify(
    number: str,
    params: Mapping[str, str] | None,
    *,
    today: dt.date,
    keyring: Keyring,
    client: str = "",
    now: dt.datetime,
) -> VerificationResult:
    """Answer whether certificate ``number`` is genuine and in force on the local date ``today``.

    - ``params`` = the verify URL's query parameters (scanned QR code): the Ed25519 signature
      over the signed fields is checked first, with ``keyring`` (a verify-only keyring from the
      JWKS suffices); a bad/missing signature, an unknown key or signed fields that differ from
      the record → ``forged``. ``params`` ``None`` or without any signed field (a number typed
      by an employer) → database lookup only, ``signature_checked=False``.
    - Unknown or malformed numbers → ``unknown``; never raises for bad input.
    - Otherwise the status on ``today`` (:func:`certification.rules.status_on`): valid ·
      expired · revoked · suspended · superseded, with masked holder name/ID number and every
      certified field so a doctored PDF is caught.

    Every call writes a ``ce_verification_log`` row (number truncated to 64 characters,
    ``client`` e.g. an IP or account, stamped ``now``, aware UTC).
    """
    result = await check_certificate(number, params, today=today, keyring=keyring)
    await record_verifications(
        [VerificationRecord(result.number, result.outcome, result.signature_checked, client, now)]
    )
    return result
