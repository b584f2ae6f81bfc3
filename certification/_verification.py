"""Looking certificates up and verifying them (valid · expired · revoked · suspended ·
superseded · recorded · unknown · forged)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from certification import rules
from certification._common import (
    _CERT_COLUMNS,
    CertificateFacts,
    _cert_out,
    _cert_where,
    _certificate_facts,
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
    holder_matches,
    parse_and_check,
)
from talent_pool import (
    mask_id_number,
    mask_name,
)
from talent_pool.db import insert_many
from talent_pool.tables import Credential

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


def _claims_match(claims: SignedClaims, cert: CertificateFacts, holder_key: bytes | None) -> bool:
    return (
        claims.programme_code == cert.programme_code
        and claims.issued_on == cert.issued_on
        and claims.expires_on == cert.expires_on
        and holder_matches(
            claims.holder_hash, cert.number, cert.holder_id_number, cert.holder_name, holder_key
        )
        and cert.kid.startswith(claims.kid)
    )


IMPORTED_NUMBER_RE = re.compile(r"^[A-Z0-9][A-Z0-9-]{3,39}$")
"""Numbers of credentials imported from elsewhere (other issuers' formats, ≤ 40 characters)."""
IMPORTED_REASON = "imported_record"
"""``VerificationResult.reason`` of an answer from an imported credential (no signed certificate)."""


@dataclass(frozen=True, slots=True)
class HolderRecord:
    """Whose certificate (or imported credential) a number is: the practitioner id, the ID
    number and name on record (never returned to callers of the public answer)."""

    practitioner_id: int
    id_number: str
    name: str


async def _imported_row(number: str) -> dict[str, object] | None:
    """The newest credential numbered ``number`` in the talent-pool ledger that was *not* issued
    here (``source != "system"``: imported from another issuer's records, no signed certificate)."""
    return await (
        Credential.select(
            Credential.programme_code,
            Credential.title,
            Credential.level,
            Credential.issuer,
            Credential.issued_on,
            Credential.expires_on,
            Credential.status,
            Credential.status_changed_on,
            Credential.practitioner.id.as_alias("practitioner_id"),
            Credential.practitioner.name.as_alias("holder_name"),
            Credential.practitioner.id_number.as_alias("holder_id_number"),
        )
        .where((Credential.number == number) & (Credential.source != "system"))
        .order_by(Credential.issued_on, ascending=False)
        .order_by(Credential._meta.primary_key, ascending=False)
        .first()
    )


async def _imported_answer(number: str, today: dt.date) -> VerificationResult | None:
    """The honest answer for a credential imported from outside (issue 10): it is on record in
    the talent pool but no certificate was signed here, so in force it is ``recorded`` (有记录,
    外部导入, 无电子签名), otherwise its state (expired · revoked · suspended · superseded); the
    ``reason`` is :data:`IMPORTED_REASON`. ``None`` when no such credential exists."""
    row = await _imported_row(number)
    if row is None:
        return None
    state = rules.status_on(
        status=str(row["status"]),
        status_changed_on=row["status_changed_on"],  # type: ignore[arg-type]
        expires_on=row["expires_on"],  # type: ignore[arg-type]
        today=today,
    )
    changed = state in ("revoked", "suspended", "superseded")
    return VerificationResult(
        outcome="recorded" if state == "valid" else state,
        signature_checked=False,
        number=number,
        holder_name_masked=mask_name(str(row["holder_name"])),
        holder_id_masked=mask_id_number(str(row["holder_id_number"])),
        programme_code=str(row["programme_code"]),
        programme_title=str(row["title"]),
        level=str(row["level"]),
        issued_on=row["issued_on"],  # type: ignore[arg-type]
        expires_on=row["expires_on"],  # type: ignore[arg-type]
        status_changed_on=row["status_changed_on"] if changed else None,  # type: ignore[arg-type]
        issuer=str(row["issuer"]),
        reason=IMPORTED_REASON,
    )


async def holder_of(number: str) -> HolderRecord | None:
    """Who holds certificate ``number`` (normalised): the certificate's holder snapshot, or for a
    credential imported from outside the practitioner on record; ``None`` when neither exists.
    For the identity match of verification (the stored ID number never leaves the domain)."""
    if NUMBER_RE.match(number):
        row = await (
            Certificate.select(
                Certificate.practitioner, Certificate.holder_id_number, Certificate.holder_name
            )
            .where(Certificate.number == number)
            .first()
        )
        if row is not None:
            return HolderRecord(int(row["practitioner"]), row["holder_id_number"], row["holder_name"])
    if not IMPORTED_NUMBER_RE.match(number):
        return None
    imported = await _imported_row(number)
    if imported is None:
        return None
    return HolderRecord(
        int(imported["practitioner_id"]),  # type: ignore[call-overload]
        str(imported["holder_id_number"]),
        str(imported["holder_name"]),
    )


async def holders_by_number(numbers: Sequence[str]) -> dict[str, int]:
    """The practitioner id holding each of ``numbers`` (normalised) that :func:`holder_of`
    finds — a certificate issued here, else the newest credential imported under that number —
    in two queries whatever their count; numbers held by nobody are left out."""
    asked = set(numbers)
    found: dict[str, int] = {}
    issued = sorted(n for n in asked if NUMBER_RE.match(n))
    for start in range(0, len(issued), 1000):
        rows = await Certificate.select(Certificate.number, Certificate.practitioner).where(
            Certificate.number.is_in(issued[start : start + 1000])
        )
        found.update({r["number"]: int(r["practitioner"]) for r in rows})
    imported = sorted(n for n in asked - set(found) if IMPORTED_NUMBER_RE.match(n))
    for start in range(0, len(imported), 1000):
        rows = await (
            Credential.select(Credential.number, Credential.practitioner)
            .where(Credential.number.is_in(imported[start : start + 1000]) & (Credential.source != "system"))
            .order_by(Credential.issued_on)
            .order_by(Credential._meta.primary_key)
        )
        found.update({r["number"]: int(r["practitioner"]) for r in rows})  # the newest one last
    return found


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
        well_formed = IMPORTED_NUMBER_RE.match(number) is not None
        if not signed and well_formed:
            imported = await _imported_answer(number, today)
            if imported is not None:
                return imported
        # another issuer's number format (≤ 40 letters, digits, "-") that is not on record is
        # 查无此证 like a platform number; anything else cannot be a certificate number at all
        reason = "no_such_number" if well_formed else "malformed_number"
        return VerificationResult(outcome="unknown", signature_checked=signed, number=number, reason=reason)
    # The signature first: a forged URL is answered without touching the database (its answer
    # never depends on what is stored). Overlapping the check with the lookup in a task of its
    # own saved latency only; under load it cost a task and a loop turn per request.
    if signed:
        assert params is not None
        claims = parse_and_check(number, params, keyring)
        if isinstance(claims, str):
            return _forged(number, claims)
    cert = await _certificate_facts(number)
    if cert is None:
        imported = None if signed else await _imported_answer(number, today)
        if imported is not None:
            return imported
        return VerificationResult(
            outcome="unknown", signature_checked=signed, number=number, reason="no_such_number"
        )
    if signed and not _claims_match(claims, cert, keyring.holder_key):  # type: ignore[arg-type]
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


MAX_NUMBER_CHARS = 64
"""The longest (normalised) input looked up; a longer one cannot be a certificate number (22
characters here, 4–40 for other issuers) and is answered ``malformed_number`` — never cut to
this length and then looked up or checked against a signature. Answers and log rows hold at most
this many characters of it."""
MAX_RAW_CHARS = 1024
"""Input longer than this is malformed before it is even normalised (bounded work per request)."""


def _too_long(raw: str) -> VerificationResult | None:
    """The answer to an over-long number (``None``: the number is short enough to look at)."""
    if len(raw) <= MAX_NUMBER_CHARS:  # the common path: one length check
        return None
    number = normalise_number(raw[:MAX_RAW_CHARS])
    if len(raw) <= MAX_RAW_CHARS and len(number) <= MAX_NUMBER_CHARS:
        return None  # white space or invisible characters made it long
    return VerificationResult(
        outcome="unknown",
        signature_checked=False,
        number=number[:MAX_NUMBER_CHARS],
        reason="malformed_number",
    )


async def check_certificate(
    number: str, params: Mapping[str, str] | None, *, today: dt.date, keyring: Keyring
) -> VerificationResult:
    """:func:`verify` without writing the log: the answer only (callers that batch their log
    writes record it with :func:`record_verifications`). ``number`` as typed or scanned, whole
    (not cut by the caller): over :data:`MAX_NUMBER_CHARS` characters once normalised (or over
    :data:`MAX_RAW_CHARS` as given) it is ``unknown`` / ``malformed_number``, signed or not.
    Never raises for bad input."""
    raw = number if isinstance(number, str) else ""
    too_long = _too_long(raw)
    if too_long is not None:
        return too_long
    return await _verify(normalise_number(raw), params, today, keyring)


async def record_verifications(records: Sequence[VerificationRecord]) -> int:
    """Write verification log rows (``ce_verification_log``) in one statement (``unnest`` arrays on
    PostgreSQL, :func:`talent_pool.db.insert_many`); returns how many."""
    if not records:
        return 0
    await insert_many(
        VerificationLog,
        [
            {
                "number": r.number[:64],
                "outcome": r.outcome,
                "signature_checked": r.signature_checked,
                "client": (r.client or "")[:128],
                "at": r.at,
            }
            for r in records
        ],
        None,
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
    - A number not issued here but on record as a credential imported from another issuer
      (talent-pool ledger, no signed certificate) → ``recorded`` while in force (otherwise its
      state), ``reason="imported_record"``; a signed URL never matches such a record.
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
