"""The talent agency's pages (人才服务机构, the ``agency`` role's home after login): find the
employer to recommend to by its unified social credit code, search consenting certified people
(masked names), recommend one with a note, and the list of my recommendations.

The agency has no employer directory in the API (``employer.read`` is for regulators and the
employer itself); a credit code is public, so this page looks the employer up by the code typed
(``?credit_code=``) and shows its name before anything is sent. Everything else comes from the
JSON API (``/api/talent/search``, ``/api/talent/recommendations``) through
``service/static/agency.js``, under the same policy as the API.
"""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, get
from litestar.params import Parameter
from litestar.response import Template

import talent_pool
from service.policy import action
from talent_pool.errors import TuoyuError


class AgencyPagesController(Controller):
    path = "/agency"
    include_in_schema = False

    @get("/", opt=action("page.agency"))
    async def home(
        self, credit_code: Annotated[str, Parameter(query="credit_code", max_length=40)] = ""
    ) -> Template:
        """人才推荐: the employer chosen by ``credit_code`` (or why none was found), the search, my
        recommendations."""
        employer, problem = None, ""
        if credit_code.strip():
            try:
                employer = await talent_pool.find_employer_by_credit_code(credit_code)
            except TuoyuError as exc:
                problem = exc.message
        return Template(
            template_name="agency/home.html",
            context={"employer": employer, "problem": problem, "credit_code": credit_code.strip()},
        )
