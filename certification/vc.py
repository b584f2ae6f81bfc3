"""A certificate as a W3C Verifiable Credential: the Open Badges 3.0 ``AchievementCredential``
shape (1EdTech Open Badges 3.0 §8, on the VC Data Model 1.1) encoded as a VC-JWT (VC Data
Model 1.1 §6.3.1, the encoding Open Badges 3.0 §8.2 names), signed EdDSA (RFC 8037) with the
same Ed25519 keys as the verify URLs. The JOSE header's ``kid`` is the RFC 7638 thumbprint
published in ``/.well-known/jwks.json``, so any JOSE library verifies it with the JWKS.

Personal data: the holder's name is in the credential (the holder hands it to whom they
choose); the ID number is not, not even hashed. An Open Badges ``IdentityObject`` hash is
SHA-256(value + salt) with the salt in the credential, and a Chinese resident ID number has too
few possible values to hide behind it: a trial recovered one from such a hash in 2.8 s (region
codes × birth dates × sequence, 2026-11-30) — the weakness the QR's holder hash had before it
was keyed. A verifier told the ID number checks it with the identity match (人证核验,
``POST /api/verify/{number}/identity``: a login's comparisons are counted and audited).

Status: ``credentialStatus.id`` is the public verify API of the number; it answers ``valid`` ·
``expired`` · ``revoked`` · ``suspended`` · ``superseded`` now, whatever the credential says.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any
from zoneinfo import ZoneInfo

from certification.schemas import CertificateOut
from certification.signing import Keyring, b64url

CONTEXTS = (
    "https://www.w3.org/2018/credentials/v1",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
)
STATUS_TYPE = "TuoyuCertificateStatus"
"""``credentialStatus.type``: GET ``credentialStatus.id`` (JSON) → ``{"outcome": …}`` (the
public verify API)."""


def _instant(day: dt.date, zone: ZoneInfo) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(0), zone)


def _iso(instant: dt.datetime) -> str:
    return instant.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def credential(cert: CertificateOut, *, public_url: str, zone: ZoneInfo) -> dict[str, Any]:
    """The ``AchievementCredential`` of a certificate (a JSON object).

    ``issuanceDate`` = the start of the issue day in ``zone`` (the business zone);
    ``expirationDate`` = the start of the day after ``expires_on`` (absent for a certificate
    that does not expire) — the certificate is valid through its expiry day."""
    base = public_url.rstrip("/")
    issuer = {"id": base, "type": ["Profile"], "name": cert.issuer or "托育人才服务平台"}
    vc: dict[str, Any] = {
        "@context": list(CONTEXTS),
        "id": f"urn:tuoyu:certificate:{cert.number}",
        "type": ["VerifiableCredential", "AchievementCredential"],
        "issuer": issuer,
        "issuanceDate": _iso(_instant(cert.issued_on, zone)),
        "name": f"{cert.title}（{cert.level}）",
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "identifier": [
                {
                    "type": "IdentityObject",
                    "identityType": "name",
                    "hashed": False,
                    "identityHash": cert.holder_name,
                },
            ],
            "achievement": {
                "id": f"{base}/api/catalog/programmes#{cert.programme_code}",
                "type": ["Achievement"],
                "achievementType": "Certificate",
                "name": f"{cert.title}（{cert.level}）",
                "description": f"{cert.title}，等级：{cert.level}，证书编号 {cert.number}",
                "criteria": {"narrative": "理论知识考试与技能操作考核均达到合格分数线"},
                "creator": issuer,
            },
        },
        "credentialStatus": {"id": f"{base}/api/verify/{cert.number}", "type": STATUS_TYPE},
    }
    if cert.expires_on is not None:
        vc["expirationDate"] = _iso(_instant(cert.expires_on + dt.timedelta(days=1), zone))
    return vc


def credential_jwt(
    cert: CertificateOut, *, keyring: Keyring, public_url: str, zone: ZoneInfo, now: dt.datetime
) -> str:
    """The VC-JWT (compact JWS) of a certificate: header ``{"alg": "EdDSA", "typ": "JWT",
    "kid": <signing key thumbprint>}``; claims ``iss`` (the issuer id), ``jti`` (the credential
    id), ``nbf`` (issuance), ``iat`` (``now``, aware UTC), ``exp`` (expiration, when the
    certificate expires) and ``vc`` (:func:`credential`). Raises ``RuntimeError`` for a
    verify-only keyring."""
    vc = credential(cert, public_url=public_url, zone=zone)
    claims: dict[str, Any] = {
        "iss": vc["issuer"]["id"],
        "jti": vc["id"],
        "nbf": int(_instant(cert.issued_on, zone).timestamp()),
        "iat": int(now.timestamp()),
        "vc": vc,
    }
    if cert.expires_on is not None:
        claims["exp"] = int(_instant(cert.expires_on + dt.timedelta(days=1), zone).timestamp())
    header = {"alg": "EdDSA", "typ": "JWT", "kid": keyring.kid}

    def part(obj: dict[str, Any]) -> str:
        return b64url(json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))

    signing_input = f"{part(header)}.{part(claims)}"
    return f"{signing_input}.{b64url(keyring.sign(signing_input.encode('ascii')))}"
