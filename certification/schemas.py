"""Pydantic shapes in and out of the certification services.

Dates are local calendar dates (Asia/Shanghai by default); timestamps are timezone-aware UTC;
scores and pass marks are exact ``Decimal`` out of 100 (never floats).
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from certification.exam_schemas import PracticalItem
from certification.rules import exam_year_problem

ProgrammeKind = Literal["onex", "skill_level"]
SittingStatus = Literal["scheduled", "issued", "cancelled"]
CertificateStatus = Literal["valid", "suspended", "revoked", "superseded"]
VerificationOutcome = Literal[
    "valid", "expired", "revoked", "suspended", "superseded", "recorded", "unknown", "forged"
]


class ProgrammeOut(BaseModel):
    """A certificate programme. Pass marks out of 100; ``validity_years`` ``None`` = no expiry;
    ``min_training_hours`` in ``training_category`` (``None`` = any) for exam eligibility;
    online theory: ``theory_minutes`` per attempt, ``max_attempts``, ``grace_seconds``;
    practical double marking: ``practical_tolerance`` points, ``practical_items`` (``[]`` =
    one item 技能操作 out of 100)."""

    model_config = ConfigDict(from_attributes=True)
    id: int
    code: str
    kind: str
    title: str
    level: str
    level_digit: int
    occupation_code: str
    pass_mark_theory: Decimal
    pass_mark_practical: Decimal
    validity_years: int | None
    min_training_hours: Decimal
    training_category: str | None
    issuer: str
    active: bool
    theory_minutes: int = 90
    max_attempts: int = 2
    grace_seconds: int = 60
    practical_tolerance: Decimal = Decimal(10)
    practical_items: list[dict[str, Any]] = []

    @field_validator("practical_items", mode="before")
    @classmethod
    def _json(cls, value: object) -> object:
        return json.loads(value) if isinstance(value, str | bytes) else (value or [])


class ProgrammeUpdate(BaseModel):
    """Configurable programme settings (a partial update).

    A field that is omitted **or ``null``** is left unchanged — ``null`` never clears a value.
    To clear, use the explicit forms: ``no_expiry: true`` (certificates issued afterwards do not
    expire; ``validity_years`` becomes ``None``) and ``training_category: "any"`` (eligibility
    counts training of every category). ``validity_years`` is 1–100 (0 would make a certificate
    expire on its issue date) and cannot be combined with ``no_expiry: true``. Unknown fields are
    rejected, so a misspelt setting is an error rather than a silent no-op. Online theory:
    ``theory_minutes`` 5–600, ``max_attempts`` 1–10, ``grace_seconds`` 0–600; practical:
    ``practical_tolerance`` 0–100 points, ``practical_items`` whose maxima add up to 100.
    """

    model_config = ConfigDict(extra="forbid")
    pass_mark_theory: Decimal | None = Field(default=None, ge=0, le=100)
    pass_mark_practical: Decimal | None = Field(default=None, ge=0, le=100)
    validity_years: int | None = Field(default=None, ge=1, le=100)
    no_expiry: bool = False  # true: set validity_years to None (no expiry)
    min_training_hours: Decimal | None = Field(default=None, ge=0, le=10000)
    training_category: Literal["pre_job", "refresher", "other", "any"] | None = None
    issuer: str | None = Field(default=None, max_length=128)
    active: bool | None = None
    theory_minutes: int | None = Field(default=None, ge=5, le=600)
    max_attempts: int | None = Field(default=None, ge=1, le=10)
    grace_seconds: int | None = Field(default=None, ge=0, le=600)
    practical_tolerance: Decimal | None = Field(default=None, ge=0, le=100)
    practical_items: list[PracticalItem] | None = Field(default=None, min_length=1, max_length=30)

    @model_validator(mode="after")
    def _one_way_to_set_validity(self) -> ProgrammeUpdate:
        if self.no_expiry and self.validity_years is not None:
            raise ValueError("不能同时设置有效年限（validity_years）和永久有效（no_expiry）")
        return self


class SittingIn(BaseModel):
    """A new exam sitting of ``programme_code`` at training base ``training_base_id`` (an id
    owned by ``training``; not checked here) on the local date ``exam_date``, a year from
    2000 to 2100 (:data:`certification.rules.EXAM_YEAR_MIN`/``MAX``). How far in the past it
    may lie is checked by :func:`certification.services.create_sitting` against ``today``."""

    programme_code: str = Field(min_length=1, max_length=32)
    training_base_id: int | None = None
    exam_date: dt.date
    title: str = Field(default="", max_length=128)

    @field_validator("exam_date")
    @classmethod
    def _plausible_year(cls, value: dt.date) -> dt.date:
        problem = exam_year_problem(value)
        if problem is not None:
            raise ValueError(problem)
        return value


class SittingOut(BaseModel):
    """An exam sitting; ``status`` scheduled (registration and results open) | issued
    (certificates issued: registration and results closed) | cancelled."""

    model_config = ConfigDict(from_attributes=True)
    id: int
    programme_id: int
    programme_code: str
    training_base_id: int | None
    exam_date: dt.date
    title: str
    status: str


class CandidateOut(BaseModel):
    """A registered candidate; scores (one decimal, e.g. ``100.0``) are ``None`` until entered,
    ``passed`` likewise. ``training_hours``: the candidate's hours in the talent-pool ledger in
    the programme's training category (any category when unset), as used for eligibility."""

    id: int
    sitting_id: int
    practitioner_id: int
    theory: Decimal | None
    practical: Decimal | None
    passed: bool | None
    training_hours: Decimal | None = None


class ResultIn(BaseModel):
    """One candidate's scores out of 100 (exact, at most one decimal; validated by the service
    so that a whole batch reports every bad row)."""

    practitioner_id: int
    theory: Decimal
    practical: Decimal

    @field_validator("theory", "practical", mode="before")
    @classmethod
    def _plain_number(cls, value: object) -> object:
        if isinstance(value, bool):
            raise ValueError("分数必须是数字，不能是布尔值")
        if isinstance(value, str) and ("e" in value or "E" in value):
            raise ValueError("分数不能使用科学计数法（如 1e2），请填写普通数字（如 100 或 59.5）")
        if isinstance(value, float):
            # keep the exact decimal the user typed ("59.9"), not the binary float
            return Decimal(repr(value))
        return value


class ResultOut(BaseModel):
    """Recorded scores (normalised to one decimal, e.g. ``100.0``) and the pass decision (both
    components ≥ their pass marks, compared exactly)."""

    practitioner_id: int
    theory: Decimal
    practical: Decimal
    passed: bool


class ResultEventOut(BaseModel):
    """One entry or correction of a candidate's scores (append-only audit): ``action`` entry
    (first scores) | correction (scores existed); old scores ``None`` for an entry."""

    id: int
    sitting_id: int
    practitioner_id: int
    action: Literal["entry", "correction"]
    old_theory: Decimal | None
    old_practical: Decimal | None
    old_passed: bool | None
    new_theory: Decimal
    new_practical: Decimal
    new_passed: bool
    entered_by: str
    entered_at: dt.datetime


class CertificateOut(BaseModel):
    """An issued certificate (internal view: the holder's ID number in full). ``supersedes`` /
    ``superseded_by``: the number of the certificate this one replaced / was replaced by
    (renewal or replacement; empty otherwise)."""

    id: int
    number: str
    programme_code: str
    kind: str
    title: str
    level: str
    practitioner_id: int
    sitting_id: int | None
    holder_name: str
    holder_id_number: str
    issued_on: dt.date
    expires_on: dt.date | None
    status: str
    status_changed_on: dt.date | None
    status_reason: str
    issuer: str
    verify_url: str
    kid: str
    created_at: dt.datetime
    supersedes: str = ""
    superseded_by: str = ""


class IssuanceResult(BaseModel):
    """What issuing a sitting's certificates did: ``certificates`` — every certificate of the
    sitting (issued now or before); ``newly_issued`` — how many this call issued."""

    certificates: list[CertificateOut]
    newly_issued: int


class VerificationResult(BaseModel):
    """The public answer to "is this certificate genuine and in force?".

    ``outcome``: valid · expired · revoked · suspended · superseded · recorded (有记录：a
    credential imported from another issuer's records and in force — on record in the talent
    pool, but no certificate was signed here, so nothing can be checked against a signature;
    ``reason`` is ``imported_record``, also on the expired/revoked/… answers of such records) ·
    unknown (``reason`` ``no_such_number``: a well-formed number not on record — 查无此证; or
    ``malformed_number``: input that cannot be a certificate number, i.e. neither the 22-character
    platform form nor another issuer's 4–40 letters/digits/"-" — 证书编号格式不正确) · forged
    (the URL's signature or signed fields do not check out).
    ``signature_checked`` is True when a signed verify URL was checked (a number typed by hand
    is a database lookup only). Names and ID numbers are masked, and the reason of a revocation or
    suspension is never part of the public answer (the holder and regulators read it on the
    certificate itself). Detail fields are empty for ``unknown``/``forged``.
    """

    outcome: VerificationOutcome
    signature_checked: bool
    number: str
    holder_name_masked: str = ""
    holder_id_masked: str = ""
    programme_code: str = ""
    programme_title: str = ""
    level: str = ""
    issued_on: dt.date | None = None
    expires_on: dt.date | None = None
    status_changed_on: dt.date | None = None
    issuer: str = ""
    reason: str = ""  # machine reason: unknown/forged (e.g. "bad_signature"), or "imported_record"


class BulkVerificationOut(BaseModel):
    """A bulk verification request: ``status`` queued · running · done · failed; ``done`` rows
    answered of ``total``; ``summary`` counts per outcome (有效, 已吊销, …) once done; the
    spreadsheet can be downloaded when ``result_ready``."""

    id: int
    status: str
    total: int
    done: int
    as_of: dt.date
    summary: dict[str, int]
    error: str
    created_at: dt.datetime
    finished_at: dt.datetime | None
    result_ready: bool


IdentityAnswer = Literal["一致", "不一致", "未提供", "身份证号无效", "无法核对"]


class IdentityMatchOut(BaseModel):
    """Whether the person in front of an employer is the holder of certificate ``number``.

    ``outcome`` is the verification outcome of the number (as :class:`VerificationResult`);
    ``id_number`` / ``name``: 一致 · 不一致 · 未提供 (not typed) · 身份证号无效 (the typed ID
    number fails GB 11643 — check digit, date) · 无法核对 (no holder on record: ``unknown`` or
    ``forged``; for the name also when the ID number did not match — a name alone is never
    confirmed); ``verdict`` 一致 when everything typed matches, 不一致 when anything typed does
    not, 无法核对 when there is no holder to compare with. The stored ID number and name are never
    part of the answer (the masked ones are on the public verification).
    """

    number: str
    outcome: VerificationOutcome
    id_number: IdentityAnswer
    name: IdentityAnswer
    verdict: Literal["一致", "不一致", "无法核对"]
