"""Talent search API (人才检索): a practitioner's consent, the search for employers and talent
agencies, contact requests passed on by the platform, agencies' recommendations.

Candidates are named by an opaque handle and a masked name; nothing about people who did not
consent is shown or counted (``talent_pool._search``).
"""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, get, post, put
from litestar.params import QueryParameter
from pydantic import BaseModel

import talent_pool
from service.audit import personal_read
from service.errors import problem
from service.hygiene import Offset
from service.policy import AGENCY, action, own_employer, own_practitioner, user_of
from service.runtime import Runtime
from talent_pool.search_schemas import (
    CandidatePage,
    ConsentIn,
    ConsentOut,
    ContactRequestIn,
    ContactRequestOut,
    RecommendationIn,
    RecommendationOut,
)


class AnswerIn(BaseModel):
    accept: bool


SINGLE_FILTERS = {
    "district_code": "区县",
    "programme_code": "证书项目",
    "level": "等级",
    "limit": "每页条数",
    "offset": "起始位置",
}
"""The search's query parameters that take one value (a repeated one is refused, never the last
value used silently)."""


def _each_once(request: Request[Any, Any, Any]) -> None:
    """Raise a 400 problem ``repeated_parameter`` when a :data:`SINGLE_FILTERS` parameter is given
    more than once."""
    for name, label in SINGLE_FILTERS.items():
        if len(request.query_params.getall(name, [])) > 1:
            raise problem(
                400,
                "repeated_parameter",
                f"查询参数 {name}（{label}）只能给一个值，请只保留一个后重试",
                extra={"parameter": name},
            )


class TalentSearchController(Controller):
    path = "/api"
    tags = ["talent search"]

    @get("/me/talent-consent", opt=action("talent.consent"), summary="My consent to the talent search")
    async def my_consent(self, request: Request[Any, Any, Any]) -> ConsentOut:
        return await talent_pool.get_consent(own_practitioner(user_of(request)))

    @put(
        "/me/talent-consent",
        opt=action("talent.consent"),
        summary="Give (with the district I want to work in) or withdraw my consent",
    )
    async def set_consent(self, data: ConsentIn, request: Request[Any, Any, Any], rt: Runtime) -> ConsentOut:
        return await talent_pool.set_consent(own_practitioner(user_of(request)), data, now=rt.now())

    @get(
        "/talent/search",
        opt=action("talent.search"),
        summary="Consenting certified practitioners by district, programme and level (masked names)",
    )
    async def search(
        self,
        request: Request[Any, Any, Any],
        rt: Runtime,
        district_code: Annotated[str | None, QueryParameter(min_length=6, max_length=6)] = None,
        programme_code: Annotated[str | None, QueryParameter(max_length=32)] = None,
        level: Annotated[str | None, QueryParameter(max_length=16)] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=200)] = 50,
        offset: Offset = 0,
    ) -> CandidatePage:
        _each_once(request)
        return await talent_pool.search_talent(
            today=rt.today(),
            district_code=district_code,
            programme_code=programme_code,
            level=level,
            limit=limit,
            offset=offset,
            for_employer=user_of(request).employer_id,
        )

    @post(
        "/talent/contact-requests",
        opt=action("talent.contact"),
        summary="Ask to contact a candidate through the platform (the phone only after they accept)",
    )
    async def contact(
        self, data: ContactRequestIn, request: Request[Any, Any, Any], rt: Runtime
    ) -> ContactRequestOut:
        user = user_of(request)
        return await talent_pool.request_contact(
            own_employer(user), data, requested_by=user.username, today=rt.today()
        )

    @get(
        "/talent/contact-requests",
        opt=action("talent.contact"),
        summary="My employer's contact requests and their answers",
    )
    async def contacts(self, request: Request[Any, Any, Any]) -> list[ContactRequestOut]:
        employer_id = own_employer(user_of(request))
        rows = await talent_pool.employer_contact_requests(employer_id)
        if any(r.phone is not None for r in rows):  # phones the people chose to share: audited
            personal_read(request, await talent_pool.accepted_contacts(employer_id))
        return rows

    @get(
        "/me/contact-requests",
        opt=action("talent.contact.answer"),
        summary="Employers asking to contact me",
    )
    async def my_contacts(self, request: Request[Any, Any, Any]) -> list[ContactRequestOut]:
        return await talent_pool.my_contact_requests(own_practitioner(user_of(request)))

    @post(
        "/me/contact-requests/{request_id:int}/answer",
        opt=action("talent.contact.answer"),
        summary="Accept (share my phone with the employer) or decline a contact request",
    )
    async def answer(
        self, request_id: int, data: AnswerIn, request: Request[Any, Any, Any], rt: Runtime
    ) -> ContactRequestOut:
        return await talent_pool.answer_contact_request(
            own_practitioner(user_of(request)), request_id, accept=data.accept, now=rt.now()
        )

    @post(
        "/talent/recommendations",
        opt=action("talent.recommend"),
        summary="A talent agency recommends a consenting candidate to an employer",
    )
    async def recommend(
        self, data: RecommendationIn, request: Request[Any, Any, Any], rt: Runtime
    ) -> RecommendationOut:
        user = user_of(request)
        return await talent_pool.recommend(
            data,
            agency_account_id=user.id,
            agency_name=user.display_name or user.username,
            today=rt.today(),
        )

    @get(
        "/talent/recommendations",
        opt=action("talent.recommendations"),
        summary="Recommendations to my employer (employer staff) or made by me (agency)",
    )
    async def recommendations(self, request: Request[Any, Any, Any], rt: Runtime) -> list[RecommendationOut]:
        user = user_of(request)
        if user.role == AGENCY:
            return await talent_pool.recommendations(agency_account_id=user.id, today=rt.today())
        return await talent_pool.recommendations(employer_id=own_employer(user), today=rt.today())
