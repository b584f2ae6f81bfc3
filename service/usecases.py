"""Use cases that compose several packages, so that each handler calls a single service.

Each function takes the process :class:`~service.runtime.Runtime` first and supplies what the
domain packages must not read themselves: today's local date and the current instant from the
runtime's clock, the public URL, the signing keyring. Background work (QR/PDF rendering) needs
nothing here: the domain records it in the outbox and the dispatcher delivers it after commit.
"""

from __future__ import annotations

from collections.abc import Mapping

import certification
import talent_pool
import training
from certification.schemas import CertificateOut, IssuanceResult, VerificationResult
from service.accounts import AccountIn, AccountOut, check_scope, create_account, has_login
from service.runtime import Runtime
from talent_pool.db import atomic
from talent_pool.schemas import PractitionerIn, ShortfallPage, StaffMember, TargetsReport
from training.schemas import CompletionReport, OfferingOut


async def register_trainee(
    rt: Runtime, *, username: str, password: str, id_number: str, name: str, phone: str = ""
) -> AccountOut:
    """Create (or find) the practitioner by resident ID and a trainee login for them, atomically.

    Raises InvalidIdNumber, Conflict (ID registered under another name, username taken, or the
    person already has a login).
    """
    async with atomic():
        person = await talent_pool.register_practitioner(
            PractitionerIn(id_number=id_number, name=name, phone=phone), today=rt.today()
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


async def targets_table(
    rt: Runtime, *, year: int | None = None, scope: str | None = None
) -> list[TargetsReport]:
    """The plan's talent indicators for ``year`` (default: this local year): the city and each
    district, or only ``scope`` ("city" or a district code), from one pass over the data. Bases
    come from ``training``."""
    local_today = rt.today()
    by_district = await training.accredited_bases_by_district()
    bases = {"city": sum(by_district.values()), **by_district}
    return await talent_pool.compute_targets_table(
        year or local_today.year,
        today=local_today,
        training_bases=bases,
        scopes=[scope] if scope else None,
    )


async def issue_certificates(rt: Runtime, sitting_id: int) -> IssuanceResult:
    """Issue certificates to every passed candidate of a sitting (dated local today, signed with
    the runtime's key); the documents are rendered in the background after commit."""
    return await certification.issue_certificates(
        sitting_id, issued_on=rt.today(), public_url=rt.settings.public_url, keyring=rt.keyring
    )


async def verify(
    rt: Runtime, number: str, params: Mapping[str, str] | None, client: str
) -> VerificationResult:
    """Public verification of a certificate number (and signed URL parameters when given); the
    log row is written in the next batch (``service.verification_log``)."""
    result = await certification.check_certificate(number, params, today=rt.today(), keyring=rt.keyring)
    rt.verification_log.add(
        certification.VerificationRecord(
            result.number, result.outcome, result.signature_checked, client, rt.now()
        )
    )
    return result


async def change_certificate_status(
    rt: Runtime, action: str, number: str, *, reason: str, by: str
) -> CertificateOut:
    """``revoke`` / ``suspend`` / ``reinstate`` a certificate as of local today, with a reason.
    The talent-pool credential follows in the same transaction. Raises NotFound / Conflict."""
    change = {
        "revoke": certification.revoke_certificate,
        "suspend": certification.suspend_certificate,
        "reinstate": certification.reinstate_certificate,
    }[action]
    return await change(number, reason=reason, on=rt.today(), by=by)


async def shortfall(
    rt: Runtime, indicator: str, *, year: int | None, scope: str | None, limit: int, offset: int
) -> ShortfallPage:
    """Regulator drill-down: who is behind ``indicator`` in ``scope`` (default city, this year)."""
    local_today = rt.today()
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


async def staff_of_employer(rt: Runtime, employer_id: int) -> list[StaffMember]:
    """An employer's current staff and their credential/training status as of local today."""
    return await talent_pool.staff_of_employer(employer_id, today=rt.today())


async def complete_offering(rt: Runtime, offering_id: int) -> CompletionReport:
    """Apply the completion rule. The training records are dated the day of the last session
    (or today, if that is earlier) so each training counts in the year it actually ended."""
    completed_on = await training.default_completion_date(offering_id, rt.today())
    return await training.complete_offering(offering_id, completed_on=completed_on, now=rt.now())


async def open_offerings(rt: Runtime) -> list[OfferingOut]:
    """The public catalog: offerings still open for enrollment on the local today."""
    return await training.list_offerings(open_only=True, today=rt.today())
