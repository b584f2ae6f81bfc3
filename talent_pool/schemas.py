"""Pydantic shapes in and out of the talent_pool services.

Dates are local calendar dates (Asia/Shanghai by default); hours are decimal hours;
rates are percentages (0–100) as ``Decimal``.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from talent_pool.identity import clean_person_name, clean_text, normalise_phone

EmployerKind = Literal["institution", "kindergarten_class", "community_point", "home_point"]
Position = Literal["carer", "teacher", "health", "manager", "other"]
TrainingCategory = Literal["pre_job", "refresher", "other"]
CredentialKind = Literal["onex", "skill_level", "other"]
CredentialStatus = Literal["valid", "suspended", "revoked", "superseded"]
LedgerSource = Literal["system", "import", "national"]


def _clean_text(value: str) -> str:
    cleaned = clean_text(value)
    if not cleaned:
        raise ValueError("不能为空")
    return cleaned


def _clean_optional(value: str) -> str:
    return clean_text(value)


def _clean_name(value: str) -> str:
    return clean_person_name(value)


EMPLOYER_KIND_NAMES: dict[str, str] = {
    "institution": "托育机构",
    "kindergarten_class": "幼儿园托班",
    "community_point": "社区托育点",
    "home_point": "家庭托育点",
}
"""Employer kinds and their Chinese names (the kinds of the 2021–2025 plan's 托育服务体系)."""


class EmployerIn(BaseModel):
    """A new employer. ``credit_code`` is validated by GB 32100 in the service.

    ``kind`` is one of :data:`EMPLOYER_KIND_NAMES`; ``inclusive`` marks 普惠托育; ``places`` is the
    number of childcare places (托位数, ≥ 0). ``credit_code_override`` with a ``credit_code_note``
    (why: e.g. "营业执照原件核实，登记机关早期赋码") lets a regulator register a code whose GB 32100
    check character fails — the code must still have 18 characters of the GB 32100 set.
    """

    credit_code: str = Field(max_length=40)
    name: str = Field(min_length=1, max_length=128)
    kind: EmployerKind = "institution"
    district_code: str = Field(min_length=6, max_length=6)
    street: str = Field(default="", max_length=64)
    street_code: str | None = Field(
        default=None, max_length=12, description="街道（乡镇）代码, a street of district_code"
    )
    address: str = Field(default="", max_length=255)
    inclusive: bool = False
    places: int = Field(default=0, ge=0, le=100000)
    credit_code_override: bool = False
    credit_code_note: str = Field(default="", max_length=500)

    _clean = field_validator("name")(_clean_text)
    _clean_rest = field_validator("street", "address", "credit_code_note")(_clean_optional)


class EmployerOut(BaseModel):
    """An employer as stored. ``credit_code_override`` is true when its code fails the GB 32100
    check character and a regulator (``credit_code_override_by``) registered it anyway with
    ``credit_code_note``; ``kind_name`` is the kind in Chinese."""

    model_config = ConfigDict(from_attributes=True)
    id: int
    credit_code: str
    name: str
    kind: str
    kind_name: str = ""
    district_code: str
    street: str
    street_code: str | None = None
    address: str
    inclusive: bool = False
    places: int = 0
    credit_code_override: bool = False
    credit_code_note: str = ""
    credit_code_override_by: str = ""

    def model_post_init(self, context: object, /) -> None:
        if not self.kind_name:
            self.kind_name = EMPLOYER_KIND_NAMES.get(self.kind, self.kind)


class PractitionerIn(BaseModel):
    """A person: ``id_number`` is normalised and validated (GB 11643) by the service."""

    id_number: str = Field(max_length=40)
    name: str = Field(min_length=1, max_length=64)
    phone: str = Field(default="", max_length=20, pattern=r"^[0-9+\- ]*$")

    _phone = field_validator("phone", mode="before")(normalise_phone)

    _clean = field_validator("name")(_clean_name)


class PractitionerOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    id_number: str
    name: str
    gender: str
    birth_date: dt.date
    phone: str


class EmploymentIn(BaseModel):
    practitioner_id: int
    employer_id: int
    position: Position = "carer"
    start_date: dt.date
    end_date: dt.date | None = None


EmploymentStatus = Literal["active", "pending", "declined"]


class EmploymentClaimIn(BaseModel):
    """An employer's claim that a person works there: the person's full resident ID number and
    name (both must match the talent pool) and the local start date."""

    id_number: str = Field(min_length=1, max_length=40)
    name: str = Field(min_length=1, max_length=64)
    start_date: dt.date
    position: Position = "carer"

    _clean = field_validator("name")(_clean_name)


class EmploymentOut(BaseModel):
    """An employment (``status`` active | pending | declined)."""

    id: int
    practitioner_id: int
    employer_id: int
    employer_name: str
    district_code: str
    position: str
    start_date: dt.date
    end_date: dt.date | None
    status: EmploymentStatus
    requested_by: str = ""
    confirmed_by: str = ""


class TrainingRecordIn(BaseModel):
    """One completed training to record in the ledger (one person-training).

    ``source_ref`` identifies the completion at its source (e.g. ``enrollment:42``); recording
    the same ``source_ref`` again returns the existing record instead of counting twice.
    """

    practitioner_id: int
    category: TrainingCategory
    title: str = Field(min_length=1, max_length=255)
    hours: Decimal = Field(gt=0, le=10000)
    completed_on: dt.date
    provider: str = Field(default="", max_length=128)
    source: LedgerSource = "system"
    source_ref: str = Field(min_length=1, max_length=64)


class TrainingRecordOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    practitioner: int
    category: str
    title: str
    hours: Decimal
    completed_on: dt.date
    provider: str
    source: str
    source_ref: str


class CredentialIn(BaseModel):
    """A credential to record (issued here, imported, or from the national lookup)."""

    practitioner_id: int
    kind: CredentialKind
    programme_code: str = Field(max_length=32)
    level: str = Field(max_length=16)
    title: str = Field(max_length=128)
    number: str = Field(min_length=1, max_length=40)
    issuer: str = Field(default="", max_length=128)
    issued_on: dt.date
    expires_on: dt.date | None = None
    qualifying: bool = True
    source: LedgerSource = "system"
    source_ref: str = Field(min_length=1, max_length=64)


class CredentialOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    practitioner: int
    kind: str
    programme_code: str
    level: str
    title: str
    number: str
    issuer: str
    issued_on: dt.date
    expires_on: dt.date | None
    qualifying: bool
    status: str
    status_changed_on: dt.date | None
    status_reason: str
    source: str
    source_ref: str


class PractitionerRecord(BaseModel):
    """A practitioner's whole record: who, where employed, trainings and credentials."""

    practitioner: PractitionerOut
    employments: list[dict[str, object]]
    trainings: list[TrainingRecordOut]
    credentials: list[CredentialOut]


class IndicatorValue(BaseModel):
    """One indicator for one scope and year, against its plan target.

    ``value`` is ``None`` when the denominator is 0 ("no data"); ``met`` is ``None`` when
    there is no data or no target for the scope. ``numerator``/``denominator`` are counts of
    distinct people or records so the figure can be checked by hand. Frozen: the targets share
    one object among the reports (and requests) that have the same figures.
    """

    model_config = ConfigDict(frozen=True)

    key: str
    name: str
    unit: str
    value: Decimal | None
    numerator: int | None = None
    denominator: int | None = None
    target: Decimal | None
    op: str
    kind: str
    met: bool | None
    note: str = ""
    formula: str = ""  # the plan's formula in words, e.g. "培训人次 ÷ 从业人员"
    accrues: bool = False  # grows through the year (projected) vs a level
    projected: Decimal | None = None  # full-year projection (same unit as value)
    status: str | None = None  # met | not_met (year complete) | on_track | at_risk | None
    beside: ShareValue | None = None  # shown beside it (share trained at least once)


class ShareValue(BaseModel):
    """A figure shown beside an indicator, e.g. the share (%) of employed people trained at
    least once in the year: ``numerator`` people of ``denominator``. Frozen (as
    :class:`IndicatorValue`)."""

    model_config = ConfigDict(frozen=True)

    key: str
    name: str
    value: Decimal | None
    numerator: int
    denominator: int


class Reconciliation(BaseModel):
    """Why the districts do not add up to the city (city row only).

    Employed: ``districts_employed`` (Σ of the districts) − ``counted_again`` (people with posts
    in k > 1 districts are counted k times there, once in the city) = ``city_employed``;
    ``people_in_several_districts`` is how many such people there are.
    Person-trainings: ``districts_person_trainings`` − ``trainings_counted_again`` (trainings of
    people in several districts, counted in each) + ``trainings_without_post`` (trainings of
    people with no confirmed post on the reference date: pre-job trainees, people between jobs)
    = ``city_person_trainings``."""

    city_employed: int
    districts_employed: int
    people_in_several_districts: int
    counted_again: int
    city_person_trainings: int
    districts_person_trainings: int
    trainings_counted_again: int
    trainings_without_post: int
    note: str = ""


IndicatorValue.model_rebuild()


class TargetsReport(BaseModel):
    """The talent indicators of the plan for ``scope`` in ``year`` as of ``as_of`` (local date)."""

    year: int
    as_of: dt.date
    scope: str  # "city" | district code | "zone:<code>" | "street:<code>" | "employer:<id>"
    scope_name: str
    level: str = "city"  # city | district | zone | street | employer
    plan: str = ""
    employed_practitioners: int
    indicators: list[IndicatorValue]
    reconciliation: Reconciliation | None = None

    def indicator(self, key: str) -> IndicatorValue:
        """The indicator named ``key``; raises ``KeyError`` when absent."""
        for item in self.indicators:
            if item.key == key:
                return item
        raise KeyError(key)


class TrendPoint(BaseModel):
    """One month of a targets trend: the month's last nightly snapshot (``taken_on``, local)."""

    month: str  # "YYYY-MM"
    taken_on: dt.date
    employed_practitioners: int
    indicators: list[IndicatorValue]


class ShortfallPerson(BaseModel):
    """An employed practitioner who falls short of an indicator (regulator drill-down): one row
    per person and employment, naming that employment's employer."""

    practitioner_id: int
    employment_id: int
    name: str
    id_number: str
    phone: str
    employer_id: int
    employer_name: str
    district_code: str
    street_code: str | None = None
    due_on: dt.date | None = None  # the list's date, e.g. when the credential expires
    detail: str = ""  # the list's detail, e.g. the expiring credential's number


class ShortfallPage(BaseModel):
    """One page of the people behind an indicator's shortfall; ``total`` counts all of them."""

    indicator: str
    year: int
    as_of: dt.date
    scope: str
    total: int
    people_total: int = 0
    people: list[ShortfallPerson]


class StaffMember(BaseModel):
    """One current employee of an employer with what the employer must check (持证上岗, annual training)."""

    practitioner_id: int
    name: str
    id_number: str
    position: str
    start_date: dt.date
    valid_credentials: list[str]
    trainings_this_year: int
    certified: bool
    lifetime_excluded: bool = False
    background_check_due: dt.date | None = None
    background_check_overdue: bool = False
    health_certificate_status: str = "missing"
