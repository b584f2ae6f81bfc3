"""Pydantic shapes of the talent search (人才检索): consent, candidates, contact requests and
agencies' recommendations. A candidate is named by an opaque ``handle`` and a masked name — never
the person's id, ID number or phone."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, Field, field_validator

from talent_pool.identity import clean_text


class ConsentIn(BaseModel):
    """The person's choice: ``consent`` true to appear in the search for employers of
    ``district_code`` (where they want to work; required when consenting), false to withdraw."""

    consent: bool
    district_code: str | None = Field(default=None, min_length=6, max_length=6)


class ConsentOut(BaseModel):
    consented: bool
    district_code: str
    changed_at: dt.datetime | None


class CandidateCredential(BaseModel):
    title: str
    programme_code: str
    level: str


class Candidate(BaseModel):
    """What a recruiter sees of a consenting, certified person: a masked name (the family name),
    the district they want to work in, their valid qualifying credentials with levels, and whole
    years of confirmed employment up to today."""

    handle: str
    masked_name: str
    district_code: str
    credentials: list[CandidateCredential]
    years_of_experience: int


class CandidatePage(BaseModel):
    """One page of candidates; ``total`` counts consenting, certified matches only."""

    items: list[Candidate]
    total: int
    limit: int
    offset: int


def _message(value: str) -> str:
    return clean_text(value, field="留言")


class ContactRequestIn(BaseModel):
    """An employer asks to contact the candidate ``handle``; the platform passes ``message`` on."""

    handle: str = Field(min_length=8, max_length=32)
    message: str = Field(default="", max_length=500)

    _clean = field_validator("message")(_message)


class ContactRequestOut(BaseModel):
    """A contact request as the employer sees it: ``phone`` only once the person accepted."""

    id: int
    employer_id: int
    employer_name: str
    masked_name: str
    message: str
    status: str
    created_at: dt.datetime
    answered_at: dt.datetime | None
    phone: str | None = None


class RecommendationIn(BaseModel):
    """An agency recommends the candidate ``handle`` to the employer ``employer_id``."""

    handle: str = Field(min_length=8, max_length=32)
    employer_id: int
    note: str = Field(default="", max_length=1000)

    _clean = field_validator("note")(_message)


class RecommendationOut(BaseModel):
    """A recommendation: the candidate (as in the search), the employer it went to, the agency,
    the note."""

    id: int
    employer_id: int
    employer_name: str = ""
    agency_name: str
    note: str
    created_at: dt.datetime
    candidate: Candidate
