"""Full ID numbers only to the roles that may see them, on every route returning a certificate.

The routes are found in the app (every handler whose return type names ``CertificateOut``), so a
new one must be added to :data:`REQUESTS` or this test fails. Each is called by every role on
certificates of one sitting at one base, whose holders work at one employer, all in 历下区;
a response to a role outside ``service.policy.FULL_ID_ROLES`` must not hold any holder's full
ID number (the holder may see their own), whatever its status.
"""

from __future__ import annotations

import datetime as dt
import inspect
import re
from pathlib import Path
from typing import Any

from certification.tables import ExamSitting
from service.policy import ACTIONS, ROLES, _framework
from talent_pool import mask_id_number
from tests.factories import employ, make_employer, make_id, passed_sitting, role_headers, training_base
from tests.servers import serve_in_process, settings_for
from worker.clock import FixedClock

ISSUED_AT = dt.datetime(2026, 11, 29, 4, 0, tzinfo=dt.UTC)
LATER = dt.datetime(2029, 10, 1, 4, 0, tzinfo=dt.UTC)  # two months before the certificates expire
REASON = {"reason": "测试原因"}

# (method, route template) → (path with {sitting}/{n1}/{n2}/{n3} to fill, JSON body)
REQUESTS: dict[tuple[str, str], tuple[str, dict[str, Any] | None]] = {
    ("POST", "/api/sittings/{sitting_id:int}/issue"): ("/api/sittings/{sitting}/issue", None),
    ("GET", "/api/certificates/{number:str}"): ("/api/certificates/{n1}", None),
    ("GET", "/api/certificates/expiring"): ("/api/certificates/expiring?within_days=366", None),
    ("GET", "/api/me/certificates"): ("/api/me/certificates", None),
    ("POST", "/api/certificates/{number:str}/renew"): ("/api/certificates/{n1}/renew", None),
    ("POST", "/api/certificates/{number:str}/replace"): ("/api/certificates/{n2}/replace", REASON),
    ("POST", "/api/certificates/{number:str}/suspend"): ("/api/certificates/{n3}/suspend", REASON),
    ("POST", "/api/certificates/{number:str}/reinstate"): ("/api/certificates/{n3}/reinstate", REASON),
    ("POST", "/api/certificates/{number:str}/revoke"): ("/api/certificates/{n3}/revoke", REASON),
}
_CERTIFICATE_OUT = re.compile(r"\bCertificateOut\b")


def certificate_routes(app: Any) -> set[tuple[str, str]]:
    """``(method, template)`` of every route whose handler returns certificates."""
    found = set()
    for route in app.routes:
        for handler in getattr(route, "route_handlers", []):
            if _framework(handler):
                continue
            returns = str(inspect.signature(handler.fn).return_annotation)
            if _CERTIFICATE_OUT.search(returns):
                found |= {(m, route.path) for m in handler.http_methods}
    return found


async def test_every_certificate_route_masks_the_holder_id_for_roles_without_full_access(
    db: None, pg_engine: Any, tmp_path: Path
) -> None:
    from service.app import create_app

    sitting_id, people = await passed_sitting(3)
    base = await training_base()
    await ExamSitting.update({ExamSitting.training_base_id: base}).where(ExamSitting.id == sitting_id)
    employer = await make_employer()
    await employ(employer, people)
    full_ids = [make_id(i) for i in (1, 2, 3)]
    clock = FixedClock(ISSUED_AT)
    async with serve_in_process(create_app(settings_for(tmp_path), engine=pg_engine, clock=clock)) as c:
        assert certificate_routes(c.app) == set(REQUESTS), "a certificate route is missing from REQUESTS"
        callers = {
            "city_admin": await role_headers(c, "m-city", "city_admin"),
            "district_admin": await role_headers(c, "m-district", "district_admin", district_code="370102"),
            "base_staff": await role_headers(c, "m-base", "base_staff", training_base_id=base),
            "examiner": await role_headers(c, "m-examiner", "examiner"),
            "employer_staff": await role_headers(c, "m-employer", "employer_staff", employer_id=employer),
            "trainee": await role_headers(c, "m-trainee", "trainee", practitioner_id=people[0]),
            "agency": await role_headers(c, "m-agency", "agency"),
        }
        assert set(callers) == set(ROLES)
        may_see = {
            "city_admin": set(full_ids),
            "district_admin": set(full_ids),
            "trainee": {full_ids[0]},
        }
        issued = await c.post(f"/api/sittings/{sitting_id}/issue", headers=callers["city_admin"])
        assert issued.status_code == 201 and full_ids[0] in issued.text  # full IDs are there to leak
        by_holder = {x["practitioner_id"]: x["number"] for x in issued.json()}
        fill = {"sitting": sitting_id, **{f"n{i + 1}": by_holder[p] for i, p in enumerate(people)}}
        answered: dict[tuple[str, str], str] = {}
        for (method, template), (path, body) in REQUESTS.items():
            if template != "/api/sittings/{sitting_id:int}/issue":
                clock.set(LATER)  # the certificates expire within the year, renewal is open
            action = next(
                h.opt["policy"]
                for r in c.app.routes
                if r.path == template
                for h in getattr(r, "route_handlers", [])
                if method in h.http_methods
            )
            for role, headers in callers.items():
                r = await c.request(method, path.format(**fill), headers=headers, json=body)
                assert (r.status_code < 400) == (role in ACTIONS[action]) or r.status_code in (404, 409), (
                    f"{role} {method} {path}: {r.status_code} {r.text[:200]}"
                )
                leaked = [i for i in full_ids if i in r.text and i not in may_see.get(role, set())]
                assert not leaked, f"{role} {method} {path} returned a full ID number: {r.text[:300]}"
                if r.status_code < 400:
                    answered[(role, template)] = r.text
        # the routes really answered the roles that get masked numbers, masked
        masked = [mask_id_number(i) for i in full_ids]
        assert all(m in answered[("base_staff", "/api/sittings/{sitting_id:int}/issue")] for m in masked)
        assert masked[0] in answered[("base_staff", "/api/certificates/{number:str}")]
        assert all(m in answered[("employer_staff", "/api/certificates/expiring")] for m in masked)
        assert full_ids[0] in answered[("trainee", "/api/me/certificates")]
        assert all(i in answered[("district_admin", "/api/certificates/expiring")] for i in full_ids)
