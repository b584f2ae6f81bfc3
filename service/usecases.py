"""Use cases that compose several packages, so that each handler calls a single service.

Each function takes the process :class:`~service.runtime.Runtime` first and supplies what the
domain packages must not read themselves: today's local date and the current instant from the
runtime's clock, the public URL, the signing keyring. Background work (QR/PDF rendering) needs
nothing here: the domain records it in the outbox and the dispatcher delivers it after commit.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from litestar.exceptions import PermissionDeniedException

import certification
import talent_pool
import training
from certification.schemas import CertificateOut, IssuanceResult, VerificationResult
from service import accounts, audit_refusals
from service.accounts import AccountIn, AccountOut, check_scope, create_account, find_account, get_account
from service.accounts.identity import confirm_identity as confirm_identity_in_person
from service.runtime import Runtime
from talent_pool.errors import ValidationFailed
from talent_pool.schemas import ShortfallPage, StaffMember, TargetsReport, TrendPoint
from training.schemas import CompletionReport, OfferingOut
from worker.targets import targets_report

YEARS = range(2000, 2101)
"""The years the target reports cover: ``year`` is 2000–2100 (``service/api/reports.py``) and
``as_of`` the same."""


def _check_as_of(as_of: dt.date | None) -> None:
    """Raises :class:`~talent_pool.errors.ValidationFailed` for a reference date outside
    :data:`YEARS` (``0001-01-01`` would report on year 1)."""
    if as_of is not None and as_of.year not in YEARS:
        raise ValidationFailed(
            f"参考日期 as_of 应在 {YEARS[0]}–{YEARS[-1]} 年之间（收到 {as_of.isoformat()}）", field="as_of"
        )


async def targets_table(
    rt: Runtime,
    *,
    year: int | None = None,
    as_of: dt.date | None = None,
    scopes: list[str] | None = None,
    levels: list[str] | None = None,
    scope: str | None = None,
) -> list[TargetsReport]:
    """The plan's talent indicators on a reference date (``as_of``, or 31 December of ``year``,
    or today) for the scopes asked (``scopes``, or the one ``scope``; default: the city and each
    district), from one pass over the data; bases counted on that date come from ``training``."""
    _check_as_of(as_of)
    wanted = scopes if scopes is not None else ([scope] if scope else None)
    return await targets_report(rt.today(), year=year, as_of=as_of, scopes=wanted, levels=levels)


async def targets_trend(rt: Runtime, *, scope: str, year: int | None) -> list[TrendPoint]:
    """The monthly trend of ``scope`` from the nightly snapshots of ``year`` (default this year)."""
    await talent_pool.resolve_scopes([scope], [])
    return await talent_pool.trend(scope, year or rt.today().year)


async def drill_down(
    rt: Runtime,
    list_name: str,
    *,
    year: int | None,
    as_of: dt.date | None,
    scope: str | None,
    limit: int,
    offset: int,
) -> ShortfallPage:
    """A regulator's drill-down list (uncertified, untrained, expiring…) in ``scope``; raises
    :class:`~talent_pool.errors.ValidationFailed` for an ``as_of`` outside :data:`YEARS`."""
    _check_as_of(as_of)
    return await talent_pool.drill_down_list(
        list_name, year, today=rt.today(), as_of=as_of, scope=scope or "city", limit=limit, offset=offset
    )


async def issue_certificates(rt: Runtime, sitting_id: int) -> IssuanceResult:
    """Issue certificates to every passed candidate of a sitting (dated local today, signed with
    the runtime's key); the documents are rendered in the background after commit."""
    return await certification.issue_certificates(
        sitting_id, issued_on=rt.today(), public_url=rt.settings.public_url, keyring=rt.keyring
    )


async def verify(
    rt: Runtime, number: str, query: Iterable[tuple[str, str]] | None, client: str
) -> VerificationResult:
    """Public verification of a certificate number (and the verify URL's query parameters,
    ``(name, value)`` pairs in order, when given: a signed field given twice is forged, see
    :func:`certification.query_params`); the log row is written in the next batch
    (``service.verification_log``)."""
    params = certification.query_params(query) if query is not None else {}
    result = await certification.check_certificate(
        number, params or None, today=rt.today(), keyring=rt.keyring
    )
    rt.verification_log.add(
        certification.VerificationRecord(
            result.number, result.outcome, result.signature_checked, client, rt.now()
        )
    )
    return result


async def match_identity(
    rt: Runtime, number: str, *, id_number: str, name: str, account_id: int
) -> certification.IdentityMatch:
    """Identity match (人证核验) of certificate ``number`` by login ``account_id`` as of local
    today: 一致 / 不一致 for the typed ID number and/or name, never the stored values; counted
    against the login's identity comparisons of the day (``rt.identity_limits``, shared with bulk
    verification). The verification it rests on is logged like a public one (client
    ``match:<login id>``). Raises :class:`certification.IdentityChecksExhausted` beyond a limit,
    with ``retry_after_seconds`` (until local midnight) in its ``detail``."""
    try:
        result = await certification.match_identity(
            number,
            id_number=id_number,
            name=name,
            today=rt.today(),
            account_id=account_id,
            limits=rt.identity_limits,
        )
    except certification.IdentityChecksExhausted as exc:
        exc.detail["retry_after_seconds"] = rt.clock.seconds_to_midnight()
        raise
    client = f"match:{account_id}"
    v = result.verification
    rt.verification_log.add(
        certification.VerificationRecord(v.number, v.outcome, v.signature_checked, client, rt.now())
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


async def renew_certificate(rt: Runtime, number: str, *, by: str) -> CertificateOut:
    """Renew a certificate as of local today, signed with the runtime's key (the old one is
    superseded in the same transaction)."""
    return await certification.renew_certificate(
        number, today=rt.today(), public_url=rt.settings.public_url, keyring=rt.keyring, by=by
    )


async def replace_certificate(rt: Runtime, number: str, *, reason: str, by: str) -> CertificateOut:
    """Replace (补发) a certificate as of local today with the holder's current name."""
    return await certification.replace_certificate(
        number, reason=reason, today=rt.today(), public_url=rt.settings.public_url, keyring=rt.keyring, by=by
    )


async def expiring_certificates(rt: Runtime, user: AccountOut, within_days: int) -> list[CertificateOut]:
    """Certificates expiring within ``within_days`` of local today that ``user`` may see: every
    one for a city admin; those of people employed (confirmed, today) in the district for a
    district admin, at the employer for employer staff."""
    today = rt.today()
    holders: list[int] | None = None
    if user.role != "city_admin":
        rows = await talent_pool.employments(
            employer_id=user.employer_id if user.role == "employer_staff" else None,
            district_code=user.district_code if user.role == "district_admin" else None,
            status="active",
        )
        holders = sorted(
            {
                e.practitioner_id
                for e in rows
                if e.start_date <= today and (e.end_date is None or e.end_date >= today)
            }
        )
        if user.role == "employer_staff" and user.employer_id is None:
            holders = []
    return await certification.expiring_certificates(
        today=today, within_days=within_days, practitioner_ids=holders
    )


async def certificate_credential(rt: Runtime, number: str) -> str:
    """The certificate as a VC-JWT signed with the runtime's current key (valid certificates)."""
    return await certification.export_credential(
        number,
        today=rt.today(),
        keyring=rt.keyring,
        public_url=rt.settings.public_url,
        zone=rt.clock.zone,
        now=rt.now(),
    )


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


async def _account_district(account: AccountOut) -> str | None:
    """The district a login belongs to, for district regulators (None: city-wide or unscoped)."""
    if account.district_code is not None:
        return account.district_code
    if account.training_base_id is not None:
        return (await training.get_training_base(account.training_base_id)).district_code
    if account.employer_id is not None:
        return (await talent_pool.get_employer(account.employer_id)).district_code
    return None


async def _ensure_manages(user: AccountOut, account: AccountOut) -> None:
    """A city admin manages every login; a district admin the employer and base logins of their
    district and the trainees who work there (403 otherwise)."""
    if user.role == "city_admin":
        return
    if user.role == "district_admin" and account.role != "district_admin":
        if await _account_district(account) == user.district_code:
            return
        if (
            account.practitioner_id is not None
            and user.district_code in await talent_pool.practitioner_districts(account.practitioner_id)
        ):
            return
    raise PermissionDeniedException("只能管理本区县的账号")


async def create_scoped_account(user: AccountOut, data: AccountIn) -> AccountOut:
    """Create a login after checking that its scope exists (district, training base, employer,
    person) and that ``user`` may create it (a district admin: base and employer logins of their
    district only). Raises NotFound for a scope that does not exist, Conflict for a taken
    username, 403 outside the creator's district."""
    check_scope(data)
    if data.district_code is not None and not await talent_pool.is_current_district(data.district_code):
        raise talent_pool.NotFound(f"区县代码 {data.district_code} 不是本市现行区县")
    if data.training_base_id is not None:
        await training.get_training_base(data.training_base_id)
    if data.employer_id is not None:
        await talent_pool.get_employer(data.employer_id)
    if data.practitioner_id is not None:
        await talent_pool.get_practitioner(data.practitioner_id)
    if user.role == "district_admin":
        probe = AccountOut(
            id=0,
            username=data.username,
            role=data.role,
            display_name="",
            training_base_id=data.training_base_id,
            employer_id=data.employer_id,
            practitioner_id=None,
            district_code=data.district_code,
        )
        if (
            data.role not in ("base_staff", "employer_staff")
            or await _account_district(probe) != user.district_code
        ):
            raise PermissionDeniedException("区县监管账号只能为本区县的实训基地和托育机构创建账号")
    return await create_account(data)


async def reset_password(rt: Runtime, user: AccountOut, account_id: int) -> str:
    """An administrator resets a login's password (see ``service.accounts.reset_password``): a
    city admin any login but their own, a district admin the staff logins they manage — never a
    trainee's (403: the city admin resets it). Raises :class:`talent_pool.Conflict` for the
    caller's own login (they change it with the old
    password instead; a reset would log them out with a password they must then re-type)."""
    if account_id == user.id:
        raise talent_pool.Conflict(
            "不能通过“重置密码”重置自己的密码，请使用“修改密码”"
            "（页面 /account/password 或 POST /api/auth/password，需输入当前密码）"
        )
    account = await find_account(account_id)
    await _ensure_manages(user, account)
    if user.role == "district_admin" and account.role == "trainee":
        # a trainee's login is the person's own: a district regulator given its temporary
        # password could act as them (a trial, 2026-11-30); the city admin resets it
        raise PermissionDeniedException(
            "学员账号属于本人，区县账号不能重置其密码；请学员联系市卫健委核实身份后重置"
        )
    return await accounts.reset_password(account_id, now=rt.now())


async def set_account_active(rt: Runtime, user: AccountOut, account_id: int, *, active: bool) -> AccountOut:
    """Deactivate (tokens refused at once) or reactivate a login the caller manages."""
    if account_id == user.id and not active:
        raise talent_pool.ValidationFailed("不能停用自己的账号")
    await _ensure_manages(user, await find_account(account_id))
    return await accounts.set_active(account_id, active, now=rt.now())


async def _knows_person(user: AccountOut, practitioner_id: int, today: dt.date) -> bool:
    """Whether ``user`` knows the person in an official capacity: a district regulator of a
    district they work in, their current employer, a base they are enrolled at."""
    if user.role == "district_admin":
        return user.district_code in await talent_pool.practitioner_districts(practitioner_id)
    if user.role == "employer_staff" and user.employer_id is not None:
        return await talent_pool.employs(user.employer_id, practitioner_id, on=today)
    if user.role == "base_staff" and user.training_base_id is not None:
        return await training.enrolled_at_base(user.training_base_id, practitioner_id)
    return False


async def _confirmable(rt: Runtime, user: AccountOut, claims: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The pending sign-ups ``user`` may confirm in person: a city admin — anyone (new people
    included); others — people they know (:func:`_knows_person`) whose claimed name matches."""
    if user.role == "city_admin":
        return claims
    today = rt.today()
    allowed = []
    for claim in claims:
        person = await talent_pool.find_practitioner(claim["claimed_id_number"], today=today)
        if (
            person is not None
            and person.name == claim["claimed_name"]
            and await _knows_person(user, person.id, today)
        ):
            allowed.append(claim)
    return allowed


async def pending_identities(rt: Runtime, user: AccountOut) -> list[dict[str, Any]]:
    """Sign-ups waiting for an identity confirmation that ``user`` may give."""
    return await _confirmable(rt, user, await accounts.pending_sign_ups())


async def confirm_identity(rt: Runtime, user: AccountOut, account_id: int) -> AccountOut:
    """Confirm in person a pending sign-up the caller may confirm (404 otherwise, so nobody can
    probe which sign-ups exist)."""
    claims = [c for c in await accounts.pending_sign_ups() if c["account_id"] == account_id]
    if not await _confirmable(rt, user, claims):
        raise talent_pool.NotFound("没有可确认的待验证账号")
    return await confirm_identity_in_person(account_id, today=rt.today(), by=user.username)


async def staff_of_employer(rt: Runtime, employer_id: int, *, full_ids: bool) -> list[StaffMember]:
    """An employer's current staff and their credential/training status as of local today; ID
    numbers masked (``370*************2X``) unless ``full_ids`` (regulators)."""
    staff = await talent_pool.staff_of_employer(employer_id, today=rt.today())
    if full_ids:
        return staff
    return [m.model_copy(update={"id_number": talent_pool.mask_id_number(m.id_number)}) for m in staff]


async def complete_offering(rt: Runtime, offering_id: int) -> CompletionReport:
    """Apply the completion rule. The training records are dated the day of the last session
    (or today, if that is earlier) so each training counts in the year it actually ended."""
    completed_on = await training.default_completion_date(offering_id, rt.today())
    return await training.complete_offering(
        offering_id, completed_on=completed_on, now=rt.now(), times=rt.session_times
    )


async def open_offerings(rt: Runtime) -> list[OfferingOut]:
    """The public catalog: offerings still open for enrollment on the local today."""
    return await training.list_offerings(open_only=True, today=rt.today())


async def assign_examiner(rt: Runtime, sitting_id: int, examiner_id: int, *, by: str) -> list[int]:
    """Assign an examiner login to a sitting; the login must exist and have the examiner role
    (NotFound otherwise, without saying which)."""
    account = await get_account(examiner_id)
    if account.role != "examiner":
        raise talent_pool.NotFound(f"考评员账号 {examiner_id} 不存在")
    return await certification.assign_examiner(sitting_id, examiner_id, by=by, now=rt.now())


async def _refusal_logins(user: AccountOut, account_id: int | None) -> list[int] | None:
    """The logins whose refused writes ``user`` may see: one named login (404 when it does not
    exist, 403 for a district regulator when it is not of their district), else every login
    (``None``) for a city admin and the logins of their district for a district admin."""
    if account_id is not None:
        account = await find_account(account_id)
        if user.role != "city_admin" and await _account_district(account) != user.district_code:
            raise PermissionDeniedException("只能查看本区县账号的记录")
        return [account_id]
    if user.role == "city_admin":
        return None
    return await audit_refusals.district_logins(user.district_code or "")


def _local_days(rt: Runtime, since: dt.date | None, until: dt.date | None) -> tuple[dt.datetime | None, ...]:
    """Local dates ``since``..``until`` (both inclusive, either open) → the instants
    ``[start, end)`` of those days in the business zone; ValidationFailed when they are reversed.
    A bound beyond the years any entry can have (before 1900, after 9000) is open: ``0001-01-01``
    and ``9999-12-31`` mean "from the start" and "to the end" (their instants would not exist)."""
    if since is not None and until is not None and since > until:
        raise ValidationFailed("起始日期不能晚于截止日期")
    since = since if since is not None and since.year >= 1900 else None
    until = until if until is not None and until.year <= 9000 else None
    zone = rt.clock.zone
    start = dt.datetime.combine(since, dt.time(), tzinfo=zone) if since is not None else None
    end = (
        dt.datetime.combine(until + dt.timedelta(days=1), dt.time(), tzinfo=zone)
        if until is not None
        else None
    )
    return start, end


async def refused_writes(
    rt: Runtime,
    user: AccountOut,
    *,
    account_id: int | None,
    since: dt.date | None,
    until: dt.date | None,
    limit: int,
    offset: int,
    action: str = audit_refusals.CLAIM,
) -> tuple[list[dict[str, Any]], int]:
    """A regulator's page of refused writes of ``action`` (``service.audit_refusals.refusals``;
    default the employers' claims) of the logins they oversee (:func:`_refusal_logins`) on the
    local days ``since``..``until``; and the total."""
    actors = await _refusal_logins(user, account_id)
    start, end = _local_days(rt, since, until)
    return await audit_refusals.refusals(
        actors, start=start, end=end, limit=limit, offset=offset, action=action
    )


async def refused_writes_by_account(
    rt: Runtime,
    user: AccountOut,
    *,
    since: dt.date | None,
    until: dt.date | None,
    action: str = audit_refusals.CLAIM,
) -> list[dict[str, Any]]:
    """A regulator's refused writes of ``action`` (default the employers' claims) counted per
    login they oversee (``service.audit_refusals.refusals_by_account``) on the local days
    ``since``..``until``."""
    actors = await _refusal_logins(user, None)
    start, end = _local_days(rt, since, until)
    return await audit_refusals.refusals_by_account(actors, start=start, end=end, action=action)


async def refusals_report(
    rt: Runtime,
    user: AccountOut,
    *,
    since: dt.date | None,
    until: dt.date | None,
    account_id: int | None,
    limit: int,
    offset: int,
) -> dict[str, Any]:
    """What the regulator's page of refused employment claims shows (never another action's
    refusals, whose paths may name a certificate): ``accounts`` (per login,
    :func:`refused_writes_by_account`) and, when ``account_id`` is named, that login's ``entries``
    (one page, :func:`refused_writes`) and their ``total``; the same scope and errors."""
    accounts_ = await refused_writes_by_account(rt, user, since=since, until=until)
    if account_id is None:
        return {"accounts": accounts_, "entries": None, "total": 0}
    entries, total = await refused_writes(
        rt, user, account_id=account_id, since=since, until=until, limit=limit, offset=offset
    )
    return {"accounts": accounts_, "entries": entries, "total": total}
