"""The employer's pages (托育机构人事, phone first): 证书核验 — scan a certificate's QR code with
the phone's camera or type its number, then match the applicant's ID number and name (人证核验);
本单位人员 — who is not 持证上岗 or untrained this year, certificates expiring soon; 批量核验 —
paste or upload many numbers, follow the background job, download the answers (.xlsx); 人才库 —
the talent search of consenting people, contact requests and agencies' recommendations.

Server-rendered shells; the data comes from the JSON API through ``service/static/employer.js``
(``/api/verify/…``, ``/api/employers/{id}/staff``, ``/api/certificates/expiring``,
``/api/bulk-verifications``, ``/api/talent/…``; ``service/static/talent.js`` for the search),
under the same policy as the API.
"""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get
from litestar.response import Template

import talent_pool
from service.errors import status_for
from service.policy import action, user_of
from service.runtime import Runtime
from talent_pool.errors import TuoyuError


def _error_page(request: Request[Any, Any, Any], exc: TuoyuError) -> Template:
    return Template(template_name="error.html", context={"message": exc.message}, status_code=status_for(exc))


def _no_employer() -> Template:
    return Template(
        template_name="error.html",
        context={"message": "该账号未关联托育机构，请联系区县卫健局"},
        status_code=403,
    )


class EmployerPagesController(Controller):
    path = "/employer"
    include_in_schema = False
    exception_handlers = {TuoyuError: _error_page}

    @get("/", opt=action("page.employer"))
    async def verify(self, request: Request[Any, Any, Any], rt: Runtime) -> Template:
        """证书核验 (the employer's home after login): scan or type, then 人证核验. The page is
        told this platform's public origins (``TUOYU_PUBLIC_URL``'s, then those of
        ``TUOYU_EARLIER_PUBLIC_URLS``): a scanned QR code whose URL points anywhere else (another
        host, a look-alike domain) is shown with a warning."""
        origins = rt.settings.public_origins()
        context = {"tab": "verify", "public_origin": origins[0], "public_origins": " ".join(origins)}
        return Template(template_name="employer/verify.html", context=context)

    @get("/staff", opt=action("page.employer"))
    async def staff(self, request: Request[Any, Any, Any]) -> Template:
        """本单位人员: the employer's current staff (持证上岗, trainings this year, expiring soon)."""
        user = user_of(request)
        if user.employer_id is None:
            return _no_employer()
        employer = await talent_pool.get_employer(user.employer_id)
        return Template(template_name="employer/staff.html", context={"tab": "staff", "employer": employer})

    @get("/bulk", opt=action("page.employer"))
    async def bulk(self, request: Request[Any, Any, Any]) -> Template:
        """批量核验: paste or upload numbers, follow the progress, download the .xlsx."""
        return Template(template_name="employer/bulk.html", context={"tab": "bulk"})

    @get("/talent", opt=action("page.employer"))
    async def talent(self, request: Request[Any, Any, Any]) -> Template:
        """人才库: search consenting certified people, ask to contact them (the phone once they
        accept), the recommendations of talent agencies (``/api/talent/*``)."""
        if user_of(request).employer_id is None:
            return _no_employer()
        return Template(template_name="employer/talent.html", context={"tab": "talent"})
