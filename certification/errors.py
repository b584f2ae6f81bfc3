"""Errors raised by certification services: subclasses of the talent_pool errors, so the HTTP
layer maps them the same way (``code``, ``status``, Chinese ``message``, ``detail``)."""

from __future__ import annotations

from talent_pool.errors import Conflict, LimitReached, NotFound, TuoyuError, ValidationFailed

__all__ = [
    "Conflict",
    "DocumentNotRendered",
    "IdentityChecksExhausted",
    "InvalidCertificateNumber",
    "InvalidImage",
    "LimitReached",
    "NotEligible",
    "NotFound",
    "TuoyuError",
    "Unprintable",
    "ValidationFailed",
]


class NotEligible(ValidationFailed):
    """The practitioner does not meet the programme's exam eligibility rule (training hours)."""

    code = "not_eligible"


class InvalidCertificateNumber(ValidationFailed):
    """A string is not a well-formed 22-character skill-certificate number."""

    code = "invalid_certificate_number"

    def __init__(self, value: str, reason: str) -> None:
        super().__init__(f"证书编号 {value[:40]} 无效：{reason}", value=value[:40], reason=reason)


class DocumentNotRendered(NotFound):
    """The certificate exists but its PDF/QR has not been rendered yet (the task is pending)."""

    code = "not_rendered"


class Unprintable(ValidationFailed):
    """A holder's name (or another printed field) has a character the certificate fonts cannot
    print exactly: refused before issuance, never printed wrong."""

    code = "unprintable_text"


class InvalidImage(ValidationFailed):
    """An uploaded photo or seal image is not usable (format, size, shape): nothing is stored."""

    code = "invalid_image"


class IdentityChecksExhausted(LimitReached):
    """An identity match (人证核验) refused: the login compared this certificate
    ``per_certificate`` times today, or used its daily budget
    (:mod:`certification._identity_budget`); ``detail["limit"]`` is ``per_certificate`` or
    ``per_day``. ``practitioner_id`` (the holder asked about, for the audit) is an attribute,
    never part of ``detail`` (which the caller sees)."""

    code = "identity_checks_exhausted"

    def __init__(self, message: str, *, practitioner_id: int, limit: str) -> None:
        super().__init__(message, limit=limit)
        self.practitioner_id = practitioner_id
