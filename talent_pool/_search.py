"""Talent search (人才检索): practitioners who consented appear to employers and talent agencies
with a masked name, district, credentials and experience; employers ask to contact them through
the platform (the phone is shown only after the person accepts); agencies recommend candidates to
employers.

Nothing about people who did not consent (or withdrew) is shown or counted: every query starts
from the consenting people, a handle of a withdrawn consent is unknown (withdrawing replaces it),
and the contact requests and recommendations of a person who withdrew disappear from the
employer's lists. People under a lifetime exclusion (终身禁入) never appear.
"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from talent_pool._registry import is_current_district
from talent_pool.db import atomic, is_sqlite
from talent_pool.errors import Conflict, NotFound, ValidationFailed
from talent_pool.identity import mask_name
from talent_pool.levels import ACCEPTED_FORMS_TEXT, is_known_level, level_forms
from talent_pool.search_schemas import (
    Candidate,
    CandidateCredential,
    CandidatePage,
    ConsentIn,
    ConsentOut,
    ContactRequestIn,
    ContactRequestOut,
    RecommendationIn,
    RecommendationOut,
)
from talent_pool.tables import (
    ContactRequest,
    Credential,
    CreditRecord,
    Employer,
    Employment,
    Practitioner,
    Recommendation,
    TalentConsent,
)
from talent_pool.target_rules import CREDENTIAL_COUNTS_SQL, credential_counts_args

UNKNOWN_CANDIDATE = "候选人不存在或已撤回授权"


async def set_consent(practitioner_id: int, data: ConsentIn, *, now: dt.datetime) -> ConsentOut:
    """Give or withdraw consent to appear in the talent search (at ``now``, aware UTC).

    Consenting needs a current district of the city; each change draws a new handle, so a
    recruiter's old handle stops working. Raises :class:`ValidationFailed`, :class:`NotFound`.
    """
    if data.consent and (data.district_code is None or not await is_current_district(data.district_code)):
        raise ValidationFailed("请选择希望就业的本市区县", field="district_code")
    async with atomic():
        if not await Practitioner.exists().where(Practitioner.id == practitioner_id):
            raise NotFound(f"从业人员 {practitioner_id} 不存在")
        row = await TalentConsent.objects().get(TalentConsent.practitioner == practitioner_id)
        if row is None:
            row = TalentConsent(practitioner=practitioner_id)
        row.consented = data.consent
        row.district_code = (data.district_code or "") if data.consent else ""
        row.handle = secrets.token_hex(12)
        row.changed_at = now
        await row.save()
    return ConsentOut(consented=row.consented, district_code=row.district_code, changed_at=row.changed_at)


async def get_consent(practitioner_id: int) -> ConsentOut:
    """The person's current choice (not consented when never asked)."""
    row = await TalentConsent.objects().get(TalentConsent.practitioner == practitioner_id)
    if row is None:
        return ConsentOut(consented=False, district_code="", changed_at=None)
    return ConsentOut(consented=row.consented, district_code=row.district_code, changed_at=row.changed_at)


def _years(spans: list[tuple[dt.date, dt.date]]) -> int:
    """Whole years covered by the union of the date spans."""
    days = 0
    last_end: dt.date | None = None
    for start, end in sorted(spans):
        if last_end is not None and start <= last_end:
            if end > last_end:
                days += (end - last_end).days
                last_end = end
            continue
        days += (end - start).days + 1
        last_end = end
    return days // 365


def _counting(today: dt.date) -> Any:
    """Piccolo's form of :func:`~talent_pool.target_rules.credential_counts` on ``today`` (and of
    :data:`~talent_pool.target_rules.CREDENTIAL_COUNTS_SQL`): qualifying, issued by ``today``, not
    expired, not revoked, suspended or superseded on or before ``today``."""
    return (
        (Credential.qualifying == True)  # noqa: E712
        & (Credential.issued_on <= today)
        & (Credential.expires_on.is_null() | (Credential.expires_on >= today))
        & (Credential.status.not_in(list(_ENDED)) | (Credential.status_changed_on > today))
    )


_ENDED = ("revoked", "suspended", "superseded")
_EXCLUDED_SQL = (
    "EXISTS (SELECT 1 FROM tp_credit_record x WHERE x.practitioner = {pid} "
    "AND x.lifetime_exclusion = {{}} AND x.withdrawn_on IS NULL)"
)
"""A lifetime exclusion (终身禁入) of the person ``{pid}`` not withdrawn; value: ``True``."""


async def searchable_credentials(
    practitioner_ids: list[int] | None, today: dt.date
) -> dict[int, list[CandidateCredential]]:
    """The credentials in force on the local date ``today``
    (:func:`~talent_pool.target_rules.credential_counts`) of ``practitioner_ids`` (``None``:
    everybody), by practitioner, leaving out people under a lifetime exclusion (终身禁入) not
    withdrawn — what makes a consenting person show in the talent search. People without one are
    absent from the result. Filtered by the database: only the credentials in force are read."""
    excluded = CreditRecord.select(CreditRecord.practitioner).where(
        (CreditRecord.lifetime_exclusion == True) & CreditRecord.withdrawn_on.is_null()  # noqa: E712
    )
    where = _counting(today) & Credential.practitioner.not_in(excluded)
    if practitioner_ids is not None:
        where &= Credential.practitioner.is_in(practitioner_ids or [-1])
    rows = await (
        Credential.select(
            Credential.practitioner, Credential.title, Credential.programme_code, Credential.level
        )
        .where(where)
        .order_by(Credential.id)
    )
    creds: dict[int, list[CandidateCredential]] = {}
    for c in rows:
        creds.setdefault(c["practitioner"], []).append(
            CandidateCredential(title=c["title"], programme_code=c["programme_code"], level=c["level"])
        )
    return creds


async def _candidates(
    practitioner_ids: list[int] | None, *, today: dt.date, district_code: str | None = None
) -> dict[int, Candidate]:
    """Candidates of the consenting, certified, not excluded people (all, or those named; of one
    wanted district)."""
    query = TalentConsent.select(
        TalentConsent.practitioner,
        TalentConsent.handle,
        TalentConsent.district_code,
        TalentConsent.practitioner.name.as_alias("name"),
    ).where(TalentConsent.consented == True)  # noqa: E712
    if practitioner_ids is not None:
        query = query.where(TalentConsent.practitioner.is_in(practitioner_ids or [-1]))
    if district_code:
        query = query.where(TalentConsent.district_code == district_code)
    consents = {r["practitioner"]: r for r in await query}
    ids = list(consents)
    if not ids:
        return {}
    creds = await searchable_credentials(ids, today)
    spans: dict[int, list[tuple[dt.date, dt.date]]] = {}
    for e in await Employment.select(
        Employment.practitioner, Employment.start_date, Employment.end_date
    ).where(
        Employment.practitioner.is_in(ids)
        & (Employment.status == "active")
        & (Employment.start_date <= today)
    ):
        end = min(e["end_date"] or today, today)
        spans.setdefault(e["practitioner"], []).append((e["start_date"], end))
    return {
        p: Candidate(
            handle=r["handle"],
            masked_name=mask_name(r["name"]),
            district_code=r["district_code"],
            credentials=creds[p],
            years_of_experience=_years(spans.get(p, [])),
        )
        for p, r in consents.items()
        if p in creds
    }


async def search_talent(
    *,
    today: dt.date,
    district_code: str | None = None,
    programme_code: str | None = None,
    level: str | None = None,
    limit: int = 50,
    offset: int = 0,
    for_employer: int | None = None,
) -> CandidatePage:
    """Consenting practitioners holding a valid qualifying credential on the local date ``today``,
    filtered by the district they want to work in, a credential's programme code and level (both
    on the same credential; a level in any common form — 五级, 初级工, 5 — is matched to the stored
    form, :func:`talent_pool.levels.level_forms`), most experienced first (whole years, then the
    handle); for an employer (``for_employer``) its own current staff are left out. ``total`` counts only such
    people; ``items`` are ``limit`` of them from ``offset``.

    The database filters, counts, orders and pages (:func:`_matching_sql`, two statements); only
    the page's people are read in full (:func:`_candidates`).

    Raises :class:`ValidationFailed` for a level no form names (:func:`is_known_level`) and for a
    district code that is not one of the city's current districts — rather than answer "nobody".
    """
    if level and not is_known_level(level):
        raise ValidationFailed(f"无法识别的等级“{level}”：可填 {ACCEPTED_FORMS_TEXT}", field="level")
    if district_code is not None and not await is_current_district(district_code):
        raise ValidationFailed(
            f"区县代码 {district_code} 不是本市现行区县（应为 6 位行政区划代码，如 370102 历下区）",
            field="district_code",
        )
    sql, args = _matching_sql(
        today=today,
        district_code=district_code,
        programme_code=programme_code,
        level=level,
        for_employer=for_employer,
    )
    counted = await TalentConsent.raw(f"SELECT COUNT(*) AS n FROM ({sql}) m", *args)
    total = int(counted[0]["n"])
    items: list[Candidate] = []
    if total > offset:
        rows = await TalentConsent.raw(_page_sql(sql), *args, *_years_args(today), limit, offset)
        ids = [int(r["pid"]) for r in rows]
        found = await _candidates(ids, today=today)
        items = [found[p] for p in ids if p in found]
    return CandidatePage(items=items, total=total, limit=limit, offset=offset)


def _matching_sql(
    *,
    today: dt.date,
    district_code: str | None,
    programme_code: str | None,
    level: str | None,
    for_employer: int | None,
) -> tuple[str, list[object]]:
    """``SELECT pid, handle`` of the people :func:`search_talent` finds (Piccolo ``{}``
    placeholders) and its values: consenting, of the district, holding a credential in force on
    ``today`` (of the programme and level), under no lifetime exclusion, not on the employer's
    current staff."""
    where = ["t.consented = {}"]
    args: list[object] = [True]
    if district_code:
        where.append("t.district_code = {}")
        args.append(district_code)
    held = [CREDENTIAL_COUNTS_SQL]
    args += credential_counts_args(today)
    if programme_code:
        held.append("c.programme_code = {}")
        args.append(programme_code)
    forms = level_forms(level) if level else ()
    if forms:  # 五级, 初级工, 5 … → 五级/初级工 (talent_pool/levels.py)
        held.append(f"c.level IN ({', '.join('{}' for _ in forms)})")
        args += forms
    where.append(
        "EXISTS (SELECT 1 FROM tp_credential c WHERE c.practitioner = t.practitioner AND "
        + " AND ".join(held)
        + ")"
    )
    where.append("NOT " + _EXCLUDED_SQL.format(pid="t.practitioner"))
    args.append(True)
    if for_employer is not None:
        where.append(
            "NOT EXISTS (SELECT 1 FROM tp_employment s WHERE s.practitioner = t.practitioner "
            "AND s.employer = {} AND s.status = 'active' AND s.start_date <= {} "
            "AND (s.end_date IS NULL OR s.end_date >= {}))"
        )
        args += [for_employer, today, today]
    sql = "SELECT t.practitioner AS pid, t.handle AS handle FROM tp_talent_consent t WHERE " + " AND ".join(
        where
    )
    return sql, args


def _page_sql(matching: str) -> str:
    """One page of ``matching`` (:func:`_matching_sql`) ordered as :func:`search_talent` says:
    whole years of experience — :func:`_years` in SQL: the days covered by the union of the
    person's confirmed employments up to ``today`` (gaps and islands: a span starts a new island
    unless it starts on or before the latest end before it), ÷ 365 — then the handle. Values:
    ``matching``'s, then :func:`_years_args`, then limit and offset."""
    sqlite = is_sqlite(TalentConsent._meta.db)
    day = "{}" if sqlite else "CAST({} AS DATE)"
    covered = "CAST(julianday(MAX(f)) - julianday(MIN(s)) AS INTEGER)" if sqlite else "(MAX(f) - MIN(s))"
    return f"""
WITH matched AS ({matching}),
spans AS (
    SELECT e.practitioner AS pid, e.start_date AS s,
           CASE WHEN e.end_date IS NULL OR e.end_date > {day} THEN {day} ELSE e.end_date END AS f
    FROM tp_employment e JOIN matched m ON m.pid = e.practitioner
    WHERE e.status = 'active' AND e.start_date <= {day}
),
marked AS (
    SELECT pid, s, f,
           CASE WHEN s <= MAX(f) OVER (PARTITION BY pid ORDER BY s, f
                                       ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)
                THEN 0 ELSE 1 END AS fresh
    FROM spans
),
islands AS (
    SELECT pid, s, f, SUM(fresh) OVER (PARTITION BY pid ORDER BY s, f ROWS UNBOUNDED PRECEDING) AS island
    FROM marked
),
days AS (
    SELECT pid, SUM(n) AS n FROM (
        SELECT pid, {covered} + 1 AS n FROM islands GROUP BY pid, island
    ) per_island GROUP BY pid
)
SELECT m.pid AS pid FROM matched m LEFT JOIN days d ON d.pid = m.pid
ORDER BY COALESCE(d.n, 0) / 365 DESC, m.handle
LIMIT {{}} OFFSET {{}}
"""


def _years_args(today: dt.date) -> list[object]:
    return [today, today, today]


async def _staff_of(employer_id: int, practitioner_ids: list[int], today: dt.date) -> set[int]:
    """Which of ``practitioner_ids`` hold an active employment at the employer on ``today``."""
    if not practitioner_ids:
        return set()
    rows = await Employment.select(Employment.practitioner).where(
        Employment.practitioner.is_in(practitioner_ids)
        & (Employment.employer == employer_id)
        & (Employment.status == "active")
        & (Employment.start_date <= today)
        & (Employment.end_date.is_null() | (Employment.end_date >= today))
    )
    return {int(r["practitioner"]) for r in rows}


async def _by_handle(handle: str, *, today: dt.date) -> tuple[int, Candidate]:
    row = await TalentConsent.objects().get(
        (TalentConsent.handle == handle) & (TalentConsent.consented == True)  # noqa: E712
    )
    if row is None:
        raise NotFound(UNKNOWN_CANDIDATE)
    found = await _candidates([int(row.practitioner)], today=today)
    if int(row.practitioner) not in found:
        raise NotFound(UNKNOWN_CANDIDATE)
    return int(row.practitioner), found[int(row.practitioner)]


async def request_contact(
    employer_id: int, data: ContactRequestIn, *, requested_by: str, today: dt.date
) -> ContactRequestOut:
    """An employer asks to contact a candidate; the person sees it and answers. One request per
    employer and person while it is pending or accepted (:class:`Conflict`; after a decline the
    employer may ask again); :class:`NotFound` for an unknown or withdrawn handle, and for the
    employer's own current staff (they are not candidates to it)."""
    practitioner_id, _ = await _by_handle(data.handle, today=today)
    if await _staff_of(employer_id, [practitioner_id], today):
        raise NotFound(UNKNOWN_CANDIDATE)
    async with atomic():
        open_request = (
            await ContactRequest.select(ContactRequest.status)
            .where(
                (ContactRequest.practitioner == practitioner_id)
                & (ContactRequest.employer == employer_id)
                & ContactRequest.status.is_in(["pending", "accepted"])
            )
            .first()
        )
        if open_request is not None and open_request["status"] == "accepted":
            raise Conflict("对方已同意联系，电话见“我的联系请求”")
        if open_request is not None:
            raise Conflict("已向该候选人发出联系请求，请等待答复")
        row = ContactRequest(
            practitioner=practitioner_id,
            employer=employer_id,
            message=data.message,
            requested_by=requested_by[:64],
        )
        await row.save()
    return (await employer_contact_requests(employer_id, request_id=int(row.id)))[0]


_CONTACT_COLUMNS: list[Any] = [
    ContactRequest.id,
    ContactRequest.employer.as_alias("employer_id"),
    ContactRequest.employer.name.as_alias("employer_name"),
    ContactRequest.practitioner.name.as_alias("name"),
    ContactRequest.practitioner.phone.as_alias("phone"),
    ContactRequest.message,
    ContactRequest.status,
    ContactRequest.created_at,
    ContactRequest.answered_at,
]


async def _consenting_ids() -> set[int]:
    return {
        r["practitioner"]
        for r in await TalentConsent.select(TalentConsent.practitioner).where(
            TalentConsent.consented == True  # noqa: E712
        )
    }


async def employer_contact_requests(
    employer_id: int, *, request_id: int | None = None
) -> list[ContactRequestOut]:
    """The employer's contact requests, newest first, of people who still consent; the phone
    only on accepted ones."""
    query = (
        ContactRequest.select(*_CONTACT_COLUMNS, ContactRequest.practitioner.as_alias("pid"))
        .where(ContactRequest.employer == employer_id)
        .order_by(ContactRequest.id, ascending=False)
    )
    if request_id is not None:
        query = query.where(ContactRequest.id == request_id)
    consenting = await _consenting_ids()
    return [
        ContactRequestOut(
            **{k: v for k, v in r.items() if k not in ("name", "phone", "pid")},
            masked_name=mask_name(r["name"]),
            phone=r["phone"] if r["status"] == "accepted" else None,
        )
        for r in await query
        if r["pid"] in consenting
    ]


async def accepted_contacts(employer_id: int) -> list[int]:
    """Practitioner ids whose phone the employer's list shows (accepted requests of people who
    still consent) — for the audit of that read."""
    consenting = await _consenting_ids()
    rows = await ContactRequest.select(ContactRequest.practitioner).where(
        (ContactRequest.employer == employer_id) & (ContactRequest.status == "accepted")
    )
    return sorted({r["practitioner"] for r in rows} & consenting)


async def my_contact_requests(practitioner_id: int) -> list[ContactRequestOut]:
    """The requests to contact the person, newest first (their own view: the employer, the
    message, the status; the name masked as the employer saw it; never a phone)."""
    rows = (
        await ContactRequest.select(*_CONTACT_COLUMNS)
        .where(ContactRequest.practitioner == practitioner_id)
        .order_by(ContactRequest.id, ascending=False)
    )
    return [
        ContactRequestOut(
            **{k: v for k, v in r.items() if k not in ("name", "phone")}, masked_name=mask_name(r["name"])
        )
        for r in rows
    ]


async def answer_contact_request(
    practitioner_id: int, request_id: int, *, accept: bool, now: dt.datetime
) -> ContactRequestOut:
    """The person accepts (the employer then sees their phone) or declines a pending request.
    Raises :class:`NotFound` (not theirs), :class:`Conflict` (already answered)."""
    async with atomic():
        row = await ContactRequest.objects().get(ContactRequest.id == request_id)
        if row is None or int(row.practitioner) != practitioner_id:
            raise NotFound(f"联系请求 {request_id} 不存在")
        if row.status != "pending":
            raise Conflict("该联系请求已答复")
        row.status = "accepted" if accept else "declined"
        row.answered_at = now
        await row.save()
    return next(r for r in await my_contact_requests(practitioner_id) if r.id == request_id)


async def recommend(
    data: RecommendationIn, *, agency_account_id: int, agency_name: str, today: dt.date
) -> RecommendationOut:
    """A talent agency recommends a candidate to an employer. Raises :class:`NotFound` for an
    unknown employer or handle, :class:`Conflict` when this agency already recommended the
    person to the employer."""
    practitioner_id, _ = await _by_handle(data.handle, today=today)
    async with atomic():
        if not await Employer.exists().where(Employer.id == data.employer_id):
            raise NotFound(f"机构 {data.employer_id} 不存在")
        if await _staff_of(data.employer_id, [practitioner_id], today):
            raise Conflict("该候选人已在该机构任职，无需推荐")
        if await Recommendation.exists().where(
            (Recommendation.practitioner == practitioner_id)
            & (Recommendation.employer == data.employer_id)
            & (Recommendation.agency_account_id == agency_account_id)
        ):
            raise Conflict("已向该机构推荐过此候选人")
        row = Recommendation(
            practitioner=practitioner_id,
            employer=data.employer_id,
            agency_account_id=agency_account_id,
            agency_name=agency_name[:64],
            note=data.note,
        )
        await row.save()
    return (await recommendations(agency_account_id=agency_account_id, today=today, ids=[int(row.id)]))[0]


async def recommendations(
    *,
    today: dt.date,
    employer_id: int | None = None,
    agency_account_id: int | None = None,
    ids: list[int] | None = None,
) -> list[RecommendationOut]:
    """Recommendations to an employer (or made by an agency), newest first — only of people who
    still consent, hold a valid credential and are not excluded (the candidate as in the search)."""
    query = Recommendation.select(
        *Recommendation.all_columns(), Recommendation.employer.name.as_alias("employer_name")
    ).order_by(Recommendation.id, ascending=False)
    if employer_id is not None:
        query = query.where(Recommendation.employer == employer_id)
    if agency_account_id is not None:
        query = query.where(Recommendation.agency_account_id == agency_account_id)
    if ids is not None:
        query = query.where(Recommendation.id.is_in(ids or [-1]))
    rows = await query
    found = await _candidates(sorted({r["practitioner"] for r in rows}), today=today)
    return [
        RecommendationOut(
            id=r["id"],
            employer_id=r["employer"],
            employer_name=r["employer_name"],
            agency_name=r["agency_name"],
            note=r["note"],
            created_at=r["created_at"],
            candidate=found[r["practitioner"]],
        )
        for r in rows
        if r["practitioner"] in found
    ]
