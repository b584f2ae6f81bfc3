"""Identity match (人证核验): does the person applying for a job hold certificate ``number``?

An employer types the applicant's full resident ID number (and name); the answer is only
一致 / 不一致 per field — the stored ID number is compared here and never returned, so the answer
says nothing the caller did not type (docs/architecture.md, "Roles and the policy").
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

from certification._bulk import identity_match
from certification._identity_budget import COMPARE, OVER_CERTIFICATE, IdentityLimits, reserve_identity_checks
from certification._verification import check_certificate, holder_of
from certification.errors import IdentityChecksExhausted, ValidationFailed
from certification.schemas import IdentityMatchOut, VerificationResult
from certification.signing import Keyring
from talent_pool.identity import clean_person_name

_NO_KEYS = Keyring(None, [])  # a typed number carries no signature: a lookup needs no key
_EXHAUSTED = {  # the limit reached (``detail["limit"]``) and what the employer is told
    "per_certificate": "今日对该证书的人证核验次数已用完，请明日再试或联系区级监管部门",
    "per_day": "本账号今日的人证核验次数已用完，请明日再试或联系区级监管部门",
}


@dataclass(frozen=True, slots=True)
class IdentityMatch:
    """The answer (:class:`IdentityMatchOut`), the verification it rests on (to log) and whose
    certificate was asked about (``practitioner_id``, for the audit; ``None`` when no holder)."""

    answer: IdentityMatchOut
    verification: VerificationResult
    practitioner_id: int | None


def name_match(given: str, stored: str) -> str:
    """一致 / 不一致 / 未提供: the typed name against the name on record, both normalised as
    printed on certificates (:func:`talent_pool.identity.clean_person_name`: spaces, full-width
    letters, the middle dots of minority names). A name that cannot be a name is 不一致."""
    if not given.strip():
        return "未提供"
    try:
        return "一致" if clean_person_name(given) == clean_person_name(stored) else "不一致"
    except ValueError:
        return "不一致"


async def match_identity(
    number: str,
    *,
    id_number: str,
    name: str,
    today: dt.date,
    account_id: int,
    limits: IdentityLimits = IdentityLimits(),
) -> IdentityMatch:
    """Match a typed full ID number (GB 11643-1999, normalised: full-width, ``x``) and name
    against the holder of certificate ``number`` (a certificate issued here, or a credential
    imported from outside) on the local date ``today``.

    The ID number is required and the name optional, and the name is only compared once the ID
    number matched (otherwise its answer is 无法核对): a name has few possibilities, and answering
    it alone would let anyone unmask the holder's name by guessing (the public answer shows the
    family name only).

    A comparison (a certificate with a holder and a well-formed ID number) is counted for login
    ``account_id`` on ``today`` against ``limits`` — the same count as bulk verification's
    (:mod:`certification._identity_budget`): one certificate answers at most
    ``limits.per_certificate`` comparisons a day to one login, in bulk and here together, so its
    holder's ID number cannot be found by trying candidates one after another.

    Raises :class:`ValidationFailed` without an ID number, :class:`IdentityChecksExhausted`
    (nothing compared, nothing counted) beyond a limit. An unknown or forged number answers
    无法核对 (never an error, so a number's existence is no more visible than through public
    verification)."""
    if not id_number.strip():
        raise ValidationFailed("请填写求职者的身份证号（姓名可选）")
    verification = await check_certificate(number, None, today=today, keyring=_NO_KEYS)
    holder = None
    if verification.outcome not in ("unknown", "forged"):
        holder = await holder_of(verification.number)
    if holder is None:
        answer = IdentityMatchOut(
            number=verification.number,
            outcome=verification.outcome,
            id_number="无法核对",
            name="无法核对",
            verdict="无法核对",
        )
        return IdentityMatch(answer, verification, None)
    by_id = identity_match(id_number.strip(), holder.id_number, today)
    if by_id != "身份证号无效":  # a malformed number is not compared: not counted (as in bulk)
        (decision,) = await reserve_identity_checks(
            account_id, [verification.number], day=today, limits=limits
        )
        if decision != COMPARE:
            limit = "per_certificate" if decision == OVER_CERTIFICATE else "per_day"
            raise IdentityChecksExhausted(
                _EXHAUSTED[limit], practitioner_id=holder.practitioner_id, limit=limit
            )
    by_name = (
        name_match(name, holder.name) if by_id == "一致" else ("未提供" if not name.strip() else "无法核对")
    )
    verdict: Literal["一致", "不一致"] = (
        "一致" if by_id == "一致" and by_name in ("一致", "未提供") else "不一致"
    )
    answer = IdentityMatchOut(
        number=verification.number,
        outcome=verification.outcome,
        id_number=by_id,  # type: ignore[arg-type]
        name=by_name,  # type: ignore[arg-type]
        verdict=verdict,
    )
    return IdentityMatch(answer, verification, holder.practitioner_id)
