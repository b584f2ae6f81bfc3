"""Errors raised by the domain packages. Every error has a Chinese ``message`` for users, a stable
machine ``code`` and JSON-safe ``detail``. They carry no transport concerns: ``service.errors``
maps each type to an HTTP status once (docs/architecture.md, "Errors")."""

from __future__ import annotations


class TuoyuError(Exception):
    """Base of all domain errors: ``code`` is a stable machine name, ``message`` is Chinese text."""

    code = "error"

    def __init__(self, message: str, **detail: object) -> None:
        super().__init__(message)
        self.message = message
        self.detail = detail


class NotFound(TuoyuError):
    """The referenced record does not exist."""

    code = "not_found"


class Conflict(TuoyuError):
    """The request conflicts with the current state (duplicate, wrong state)."""

    code = "conflict"


class ValidationFailed(TuoyuError):
    """Input is malformed or violates a rule."""

    code = "invalid"


class LimitReached(TuoyuError):
    """A login's allowance of an act is used up for now (e.g. its identity comparisons of the
    local day); ``detail["retry_after_seconds"]`` (int), when set, says when to try again."""

    code = "limit_reached"


class ControlCharacters(TuoyuError):
    """An uploaded file holds a control character (U+0000–U+0008, U+000B, U+000C,
    U+000E–U+001F, U+007F) in a cell: refused whole, as the same text in a JSON request is
    (``service.hygiene``), nothing recorded. ``detail["rows"]``: ``[{"row", "errors"}]``."""

    code = "control_character"


class InvalidIdNumber(ValidationFailed):
    """A resident ID number failed GB 11643-1999 validation."""

    code = "invalid_id_number"

    def __init__(self, value: str, reason: str) -> None:
        super().__init__(f"身份证号码 {value} 无效：{reason}", value=value, reason=reason)


class InvalidCreditCode(ValidationFailed):
    """A unified social credit code failed GB 32100-2015 validation."""

    code = "invalid_credit_code"

    def __init__(self, value: str, reason: str) -> None:
        super().__init__(f"统一社会信用代码 {value} 无效：{reason}", value=value, reason=reason)
