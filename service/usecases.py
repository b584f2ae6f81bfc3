"""Use cases that compose several packages, for handlers that must call a single service.

Each function supplies what the domain packages must not read themselves: the local date from
the configured zone, the public URL, the signing keyring; and relays the outbox after commit.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import certification
import talent_pool
import talent_pool.schemas
import training
import training.schemas
from service.accounts import AccountIn, AccountOut, check_scope, create_account, has_login
from service.runtime import keyring
from service.settings import get_settings
from talent_pool.db import atomic
from talent_pool.schemas import PractitionerIn, TargetsReport
from worker.outbox import relay


def today() -> dt.date:
    """The local date in the configured zone (``TUOYU_TIMEZONE``)."""
    return get_settings().today()


def now() -> dt.datetime:
    """The current instant, timezone-aware UTC."""
    return dt.datetime.now(dt.UTC)


async def register_trainee(
    *, username: str, password: str, id_number: str, name: str, phone: str = ""
) -> AccountOut:
    """Create (or find) the practitioner by resident ID and a trainee login for them, atomically.

    Raises InvalidIdNumber, Conflict (ID registered under another name, username taken, or the
    person already has a login).
    """
    async with atomic():
        person = await talent_pool.register_practitioner(
            PractitionerIn(id_number=id_number, name=name, phone=phone), today=today()
        )
        if await has_login(person.id):
            raise talent_pool.Conflict("该身份证号已注册账号，请直接登录")
        return await create_account(
            AccountIn(
                username=username,
                password=password,
                role="trainee",
                display_name=person.name,
                practitioner_id=person.id,
            )
        )


async def targets_table(*, year: int | None = None, scope: str | None = None) -> list[TargetsReport]:
    """The plan's talent indicators for ``year`` (default: this local year): the city and each
    district, or only ``scope`` ("city" or a district code). Bases come from ``training``."""
    local_today = today()
    year = year or local_today.year
    scopes = [scope] if scope else ["city"] + [d["code"] for d in await talent_pool.list_districts()]
    by_district = await training.accredited_bases_by_district()
    reports = []
    for s in scopes:
        bases = sum(by_district.values()) if s == "city" else by_district.get(s, 0)
        reports.append(
            await talent_pool.compute_targets(year, today=local_today, scope=s, training_bases=bases)
        )
    return reports


async def issue_certificates(sitting_id: int) -> list[Any]:
    """Issue certificates to every passed candidate of a sitting, then relay the render tasks
    (Celery, or in-process with no broker) after the issuing transaction committed."""
    settings = get_settings()
    issued = await certification.issue_certificates(
        sitting_id, issued_on=today(), public_url=settings.public_url, keyring=keyring()
    )
    await relay()
    return issued


async def verify(number: str, params: Mapping[str, str] | None, client: str) -> Any:
    """Public verification of a certificate number (and signed URL parameters when given)."""
    return await certification.verify(number, params, today=today(), keyring=keyring(), client=client)


async def revoke_certificate(number: str, *, reason: str, by: str) -> Any:
    """Revoke a certificate as of today (local date); the talent-pool credential follows."""
    return await change_certificate_status("revoke", number, reason=reason, by=by)


async def change_certificate_status(action: str, number: str, *, reason: str, by: str) -> Any:
    """``revoke`` / ``suspend`` / ``reinstate`` a certificate as of local today, with a reason.
    The talent-pool credential follows in the same transaction. Raises NotFound / Conflict."""
    change = {
        "revoke": certification.revoke_certificate,
        "suspend": certification.suspend_certificate,
        "reinstate": certification.reinstate_certificate,
    }[action]
    return await change(number, reason=reason, on=today(), by=by)


async def shortfall(
    indicator: str, *, year: int | None, scope: str | None, limit: int, offset: int
) -> talent_pool.schemas.ShortfallPage:
    """Regulator drill-down: who is behind ``indicator`` in ``scope`` (default city, this year)."""
    local_today = today()
    return await talent_pool.shortfall(
        indicator,
        year or local_today.year,
        today=local_today,
        scope=scope or "city",
        limit=limit,
        offset=offset,
    )


async def create_scoped_account(data: AccountIn) -> AccountOut:
    """Create a login after checking that its scope exists (training base, employer, person).

    Raises NotFound for a scope id that does not exist, Conflict for a taken username.
    """
    check_scope(data)
    if data.training_base_id is not None:
        await training.get_training_base(data.training_base_id)
    if data.employer_id is not None:
        await talent_pool.get_employer(data.employer_id)
    if data.practitioner_id is not None:
        await talent_pool.get_practitioner(data.practitioner_id)
    return await create_account(data)


async def staff_of_employer(employer_id: int) -> list[talent_pool.schemas.StaffMember]:
    """An employer's current staff and their credential/training status as of local today."""
    return await talent_pool.staff_of_employer(employer_id, today=today())


async def complete_offering(offering_id: int) -> training.schemas.CompletionReport:
    """Apply the completion rule. The training records are dated the day of the last session
    (or today, if that is earlier) so each training counts in the year it actually ended."""
    completed_on = await training.default_completion_date(offering_id, today())
    return await training.complete_offering(offering_id, completed_on=completed_on, now=now())


async def open_offerings() -> list[training.schemas.OfferingOut]:
    """The public catalog: offerings still open for enrollment on the local today."""
    return await training.list_offerings(open_only=True, today=today())


async def districts() -> list[dict[str, str]]:
    """The city's current districts ``[{"code", "name"}]``."""
    return await talent_pool.list_districts()
