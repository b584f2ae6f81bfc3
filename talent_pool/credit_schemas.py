"""Pydantic shapes of credit records, background checks and health certificates (信用与审查).

Dates are local calendar dates; ``recorded_by_id`` is the login id of the regulator who
recorded the row (the service layer passes it; the talent pool does not know accounts).
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from talent_pool.identity import clean_text

CreditKind = Literal["commendation", "violation"]
CheckKind = Literal["pre_hire", "annual"]
CheckResult = Literal["clear", "concern"]

EXCLUDED_MESSAGE = "该人员已被终身禁入托育行业，不能登记新的任职"
"""The one answer when an employment of a lifetime-excluded person is created, claimed or
confirmed (the flag, never the record's details)."""


def _required(value: str) -> str:
    cleaned = clean_text(value)
    if not cleaned:
        raise ValueError("不能为空")
    return cleaned


class CreditRecordIn(BaseModel):
    """A commendation or violation (红黑名单). ``evidence`` says what happened and where the proof
    is (document numbers, decisions); ``lifetime_exclusion`` (终身禁入) only on a violation."""

    kind: CreditKind
    title: str = Field(min_length=1, max_length=128)
    evidence: str = Field(min_length=1, max_length=4000)
    occurred_on: dt.date
    lifetime_exclusion: bool = False

    _clean = field_validator("title", "evidence")(_required)


class CreditRecordOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    practitioner_id: int
    kind: str
    title: str
    evidence: str
    occurred_on: dt.date
    recorded_on: dt.date
    recorded_by_id: int | None
    recorded_by: str
    lifetime_exclusion: bool
    withdrawn_on: dt.date | None = None
    withdrawn_reason: str = ""
    withdrawn_by: str = ""


class WithdrawIn(BaseModel):
    """Why a credit record entered in error is withdrawn (撤销)."""

    reason: str = Field(min_length=1, max_length=500)

    _clean = field_validator("reason")(_required)


class BackgroundCheckIn(BaseModel):
    """A background check done on ``checked_on`` (before hiring or the yearly one)."""

    kind: CheckKind = "annual"
    checked_on: dt.date
    result: CheckResult = "clear"
    note: str = Field(default="", max_length=2000)

    _clean = field_validator("note")(clean_text)


class BackgroundCheckOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    practitioner_id: int
    kind: str
    checked_on: dt.date
    result: str
    note: str
    recorded_by_id: int | None
    recorded_by: str


class HealthCertificateIn(BaseModel):
    """A health certificate (健康证) valid ``issued_on`` … ``expires_on`` (inclusive)."""

    number: str = Field(min_length=1, max_length=40)
    issuer: str = Field(default="", max_length=128)
    issued_on: dt.date
    expires_on: dt.date

    _clean = field_validator("number", "issuer")(clean_text)


class HealthCertificateOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    practitioner_id: int
    number: str
    issuer: str
    issued_on: dt.date
    expires_on: dt.date
    recorded_by_id: int | None
    recorded_by: str


class CheckStatus(BaseModel):
    """What an employer may see about one of its staff: the check status and the exclusion flag —
    never the credit records themselves.

    ``background_check_due`` is the local date the next check is due (``None``: not employed and
    never checked); ``health_certificate_status`` is valid | expiring | expired | missing.
    """

    practitioner_id: int
    lifetime_excluded: bool
    last_background_check: dt.date | None
    background_check_due: dt.date | None
    background_check_overdue: bool
    health_certificate_expires_on: dt.date | None
    health_certificate_status: str


class CreditFile(BaseModel):
    """A person's whole credit file (regulators in scope, and the person): records, checks,
    health certificates, and the derived :class:`CheckStatus`."""

    status: CheckStatus
    credit_records: list[CreditRecordOut]
    background_checks: list[BackgroundCheckOut]
    health_certificates: list[HealthCertificateOut]


class CheckListRow(BaseModel):
    """One row of an overdue / expiring list: one row per person and current employment."""

    practitioner_id: int
    name: str
    employment_id: int
    employer_id: int
    employer_name: str
    district_code: str
    due_on: dt.date | None
    status: str
