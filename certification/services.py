"""Certification use cases (async): the public API of the package, re-exported in ``__init__``.

Every write runs in :func:`talent_pool.db.atomic`; issuance and status changes feed the
talent-pool ledger (``record_credential`` / ``update_credential_status``) and the outbox
(``enqueue``) in the same transaction as their own write. Nothing here reads the environment:
the caller passes dates (``today``/``issued_on``/``on``, local), timestamps (``now``, UTC), the
public URL and the :class:`~certification.signing.Keyring`.

Issuance and status changes are best called outside a caller's transaction: each certificate
is its own transaction so concurrent issuers interleave safely; inside an open transaction a
lost race (duplicate ``issue_key``) aborts the caller's transaction on PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from certification import rules
from certification.errors import (
    Conflict,
    DocumentNotRendered,
    NotEligible,
    NotFound,
    ValidationFailed,
)
from certification.numbers import (
    DEFAULT_APPRAISAL_BODY_CODE,
    DEFAULT_SITE_SERIAL,
    NUMBER_RE,
    format_number,
    normalise_number,
    number_prefix,
)
from certification.pdf import CertificateFace, certificate_pdf
from certification.programmes import covering_programme_codes
from certification.qr import qr_png
from certification.schemas import (
    CandidateOut,
    CertificateOut,
    ProgrammeOut,
    ProgrammeUpdate,
    ResultEventOut,
    ResultIn,
    ResultOut,
    SittingIn,
    SittingOut,
    VerificationResult,
)
from certification.signing import Keyring
from certification.tables import (
    Certificate,
    CertificateDocument,
    CertificateEvent,
    ExamResult,
    ExamSitting,
    NumberSequence,
    Programme,
    ResultEvent,
    VerificationLog,
)
from certification.verify_url import (
    SignedClaims,
    build_verify_url,
    has_signed_params,
    holder_hash,
    parse_and_check,
    sign_params,
)
from talent_pool import (
    enqueue,
    mask_id_number,
    mask_name,
    record_credential,
    training_hours,
    training_hours_of,
)
from talent_pool import update_credential_status as _update_credential_status
from talent_pool.db import atomic
from talent_pool.schemas import CredentialIn
from talent_pool.tables import Credential, Practitioner

RENDER_TASK = "certification.render_certificate"
_practitioner_pk = Practitioner._meta.primary_key  # talent_pool tables do not declare `id`
_CATEGORY_NAMES = {"pre_job": "岗前培训", "refresher": "在岗培训", "other": "其他培训"}


def credential_ref(number: str) -> str:
    """The talent-pool ``source_ref`` of a certificate issued here: ``certificate:{number}``."""
    return f"certificate:{number}"


# --------------------------------------------------------------------------- programmes


async def _programme(code: str) -> Programme:
    row = await Programme.objects().get(Programme.code == code)
    if row is None:
        raise NotFound(f"证书项目 {code} 不存在", programme_code=code)
    return row


async def list_programmes(*, active_only: bool = True) -> list[ProgrammeOut]:
    """All programmes (1+X levels, then 人社 occupations) in code order."""
    query = Programme.select().order_by(Programme.code)
    if active_only:
        query = query.where(Programme.active == True)  # noqa: E712
    return [ProgrammeOut.model_validate(r) for r in await query]


async def get_programme(code: str) -> ProgrammeOut:
    """One programme by code; raises :class:`NotFound`."""
    return ProgrammeOut.model_validate((await _programme(code)).to_dict())


async def update_programme(code: str, changes: ProgrammeUpdate) -> ProgrammeOut:
    """Change a programme's configurable settings (pass marks, validity, eligibility, issuer,
    active). ``training_category="any"`` clears the category; ``no_expiry=True`` sets
    ``validity_years`` to ``None``. Applies to exams graded and certificates issued afterwards
    (issued certificates keep their expiry). Raises :class:`NotFound`."""
    async with atomic():
        row = await _programme(code)
        data = changes.model_dump(exclude_none=True, exclude={"no_expiry"})
        if data.get("training_category") == "any":
            data["training_category"] = None
        for key, value in data.items():
            setattr(row, key, value)
        if changes.no_expiry:
            row.validity_years = None
        await row.save()
    return ProgrammeOut.model_validate(row.to_dict())


# --------------------------------------------------------------------------- sittings


async def _sitting_out(sitting_id: int) -> SittingOut:
    row = await (
        ExamSitting.select(
            *ExamSitting.all_columns(),
            ExamSitting.programme.code.as_alias("programme_code"),
        )
        .where(ExamSitting.id == sitting_id)
        .first()
    )
    if row is None:
        raise NotFound(f"考试场次 {sitting_id} 不存在", sitting_id=sitting_id)
    row["programme_id"] = row.pop("programme")
    return SittingOut.model_validate(row)


async def create_sitting(data: SittingIn, *, today: dt.date | None = None) -> SittingOut:
    """Schedule an exam sitting of an active programme.

    ``exam_date`` must fall in the years 2000–2100; when ``today`` (the local date; the
    service passes it) is given, it may lie at most :data:`certification.rules.SITTING_BACKDATE_DAYS`
    (default 30) days in the past — a sitting held earlier cannot be entered after the fact
    ("不能补登 30 天以前的考试"). Without ``today`` (a Python caller importing history) only the
    year range is checked. Raises :class:`NotFound` for an unknown programme,
    :class:`ValidationFailed` for an inactive one or a date outside these bounds."""
    problem = rules.exam_date_problem(data.exam_date, today=today)
    if problem is not None:
        raise ValidationFailed(
            problem,
            field="exam_date",
            exam_date=data.exam_date.isoformat(),
            today=today.isoformat() if today is not None else None,
        )
    async with atomic():
        programme = await _programme(data.programme_code)
        if not programme.active:
            raise ValidationFailed(f"证书项目 {programme.code} 已停用，不能安排考试")
        row = ExamSitting(
            programme=programme.id,
            training_base_id=data.training_base_id,
            exam_date=data.exam_date,
            title=data.title.strip() or f"{programme.title}（{programme.level}）{data.exam_date}",
        )
        await row.save()
    return await _sitting_out(int(row.id))


async def get_sitting(sitting_id: int) -> SittingOut:
    """One sitting; raises :class:`NotFound`."""
    return await _sitting_out(sitting_id)


async def _open_sitting(sitting_id: int) -> tuple[ExamSitting, Programme]:
    """The sitting (not cancelled) and its programme; raises NotFound / Conflict."""
    sitting = await ExamSitting.objects().get(ExamSitting.id == sitting_id)
    if sitting is None:
        raise NotFound(f"考试场次 {sitting_id} 不存在", sitting_id=sitting_id)
    if sitting.status == "cancelled":
        raise Conflict(f"考试场次 {sitting_id} 已取消", sitting_id=sitting_id)
    programme = await Programme.objects().get(Programme.id == sitting.programme)
    assert programme is not None  # FK
    return sitting, programme


def _closed(sitting_id: int) -> Conflict:
    return Conflict(
        f"考试场次 {sitting_id} 已发证，报名和成绩已锁定，不能再报名、录入或更正成绩",
        sitting_id=sitting_id,
        status="issued",
    )


async def _ensure_results_open(sitting: ExamSitting) -> None:
    """Registration and results close for good once a certificate is issued from the sitting
    (status ``issued``; a certificate row counts too, for sittings issued before the status
    existed). Raises :class:`Conflict` in Chinese."""
    if sitting.status == "issued" or await Certificate.exists().where(Certificate.sitting == sitting.id):
        raise _closed(int(sitting.id))


async def _lock_open_sitting(sitting_id: int) -> None:
    """Inside a transaction: lock the sitting row while it is still ``scheduled`` (a no-op
    ``UPDATE … WHERE status = 'scheduled' RETURNING id``), so registration and score entry
    serialise with issuance, which locks the same row to close the sitting. Raises
    :class:`Conflict` when the sitting was closed or cancelled meanwhile."""
    locked = await (
        ExamSitting.update({ExamSitting.status: "scheduled"})
        .where((ExamSitting.id == sitting_id) & (ExamSitting.status == "scheduled"))
        .returning(ExamSitting.id)
    )
    if not locked or await Certificate.exists().where(Certificate.sitting == sitting_id):
        raise _closed(sitting_id)


async def _valid_covering_credential(
    practitioner_id: int, programme: Programme, on: dt.date
) -> tuple[str, str, str, str] | None:
    """A credential of ``practitioner_id`` in force on ``on`` that makes a certificate of
    ``programme`` pointless: same programme, or a higher level of the same 1+X certificate
    (:func:`certification.programmes.covering_programme_codes`). Looks at certificates issued
    here and at the talent-pool ledger (imports, national lookup). Returns ``(number,
    programme_code, title, level)`` or ``None``. In force = :func:`rules.status_on` is
    ``valid`` (not expired, revoked, suspended or superseded)."""
    codes = covering_programme_codes(str(programme.code))
    own = await (
        Certificate.select(
            Certificate.number,
            Certificate.status,
            Certificate.status_changed_on,
            Certificate.expires_on,
            Certificate.programme.code.as_alias("code"),
            Certificate.programme.title.as_alias("title"),
            Certificate.programme.level.as_alias("level"),
        )
        .where((Certificate.practitioner == practitioner_id) & Certificate.programme.code.is_in(list(codes)))
        .order_by(Certificate.id)
    )
    ledger = await (
        Credential.select(
            Credential.number,
            Credential.status,
            Credential.status_changed_on,
            Credential.expires_on,
            Credential.programme_code.as_alias("code"),
            Credential.title,
            Credential.level,
        )
        .where(
            (Credential.practitioner == practitioner_id)
            & Credential.programme_code.is_in(list(codes))
            & Credential.source_ref.not_like("certificate:%")  # ours: checked above
        )
        .order_by(Credential.id)
    )
    for row in [*own, *ledger]:
        state = rules.status_on(
            status=row["status"],
            status_changed_on=row["status_changed_on"],
            expires_on=row["expires_on"],
            today=on,
        )
        if state == "valid":
            return row["number"], row["code"], row["title"], row["level"]
    return None


def _already_holds(programme: Programme, held: tuple[str, str, str, str], practitioner_id: int) -> Conflict:
    number, code, title, level = held
    shown = number or "（无编号）"
    if code == programme.code:
        message = f"已持有有效的同级证书 {shown}（{title}，{level}），不能重复报考或发证"
    else:
        message = (
            f"已持有更高等级的有效证书 {shown}（{title}，{level}），"
            f"高等级证书已涵盖{programme.level}，无需报考或发放{programme.level}证书"
        )
    return Conflict(
        message,
        practitioner_id=practitioner_id,
        programme_code=programme.code,
        held_number=number,
        held_programme_code=code,
    )


def _candidate_out(row: dict[str, Any], hours: Decimal | None = None) -> CandidateOut:
    return CandidateOut(
        id=row["id"],
        sitting_id=row["sitting"],
        practitioner_id=row["practitioner"],
        theory=_score_out(row["theory"]),
        practical=_score_out(row["practical"]),
        passed=row["passed"],
        training_hours=hours,
    )


async def _eligible_hours(practitioner_id: int, programme: Programme, sitting: ExamSitting) -> Decimal:
    """Training hours that count toward eligibility for ``sitting``: the programme's category
    (any when unset), completed on or before the exam date (training finished after the exam
    cannot qualify for it)."""
    return await training_hours(
        practitioner_id, category=programme.training_category, until=sitting.exam_date
    )


def _score_out(value: Any) -> Decimal | None:
    return None if value is None else rules.display_score(Decimal(str(value)))


async def register_candidate(sitting_id: int, practitioner_id: int) -> CandidateOut:
    """Register a practitioner for a sitting (idempotent: registering again returns the
    existing registration).

    Eligibility: the practitioner's training hours in the talent-pool ledger
    (``talent_pool.training_hours``, all sources, in the programme's ``training_category`` or
    any category when unset), counting only training completed on or before the sitting's
    ``exam_date``, must be ≥ ``programme.min_training_hours`` (configurable per programme;
    occupations.json ``min_training_hours``: per standard edition).
    A practitioner who on the exam date holds a credential in force of the same programme, or
    of a higher level of the same 1+X certificate (occupations.json
    ``higher_level_covers_lower``) — issued here or recorded in the talent-pool ledger — is
    refused. Registration closes once a certificate is issued from the sitting.
    Raises :class:`NotFound` (sitting, practitioner), :class:`Conflict` (cancelled or closed
    sitting, already holds a certificate: "已持有有效的同级证书 …"), :class:`NotEligible` with a
    Chinese message stating the hours counted up to the exam date and the hours needed
    (``detail``: ``hours_had``, ``hours_needed``, ``category``, ``counted_until``).
    """
    sitting, programme = await _open_sitting(sitting_id)
    await _ensure_results_open(sitting)
    if not await Practitioner.exists().where(_practitioner_pk == practitioner_id):
        raise NotFound(f"从业人员 {practitioner_id} 不存在", practitioner_id=practitioner_id)
    needed = Decimal(programme.min_training_hours)
    hours = await _eligible_hours(practitioner_id, programme, sitting)
    if hours < needed:
        category = _CATEGORY_NAMES.get(programme.training_category or "", "各类培训")
        raise NotEligible(
            f"不符合报考条件：{programme.title}（{programme.level}）要求{category}不少于 "
            f"{needed} 学时，截至考试日期 {sitting.exam_date} 该人员已有 {hours} 学时，"
            f"尚差 {needed - hours} 学时",
            hours_had=str(hours),
            hours_needed=str(needed),
            category=programme.training_category,
            counted_until=sitting.exam_date.isoformat(),
        )
    held = await _valid_covering_credential(practitioner_id, programme, sitting.exam_date)
    if held is not None:
        raise _already_holds(programme, held, practitioner_id)
    key = f"{sitting_id}:{practitioner_id}"
    async with atomic():
        await _lock_open_sitting(sitting_id)
        await ExamResult.insert(
            ExamResult(key=key, sitting=sitting.id, practitioner=practitioner_id)
        ).on_conflict(target=ExamResult.key, action="DO NOTHING")
        row = await ExamResult.select().where(ExamResult.key == key).first()
    assert row is not None
    return _candidate_out(row, hours)


async def list_candidates(sitting_id: int) -> list[CandidateOut]:
    """The registered candidates of a sitting with their scores (``None`` until entered) and
    their training hours in the programme's category completed up to the exam date (as
    :func:`register_candidate` counts them)."""
    sitting = await ExamSitting.objects().get(ExamSitting.id == sitting_id)
    if sitting is None:
        raise NotFound(f"考试场次 {sitting_id} 不存在", sitting_id=sitting_id)
    programme = await Programme.objects().get(Programme.id == sitting.programme)
    assert programme is not None  # FK
    rows = await ExamResult.select().where(ExamResult.sitting == sitting_id).order_by(ExamResult.id)
    hours = await training_hours_of(
        [r["practitioner"] for r in rows], category=programme.training_category, until=sitting.exam_date
    )
    return [_candidate_out(r, hours[r["practitioner"]]) for r in rows]


async def record_results(
    sitting_id: int,
    entries: Sequence[ResultIn],
    *,
    entered_by: str,
    now: dt.datetime,
    today: dt.date | None = None,
) -> list[ResultOut]:
    """Enter theory and practical scores (0–100, at most one decimal, exact) for candidates.

    The whole batch is validated first; if any row is bad nothing is written and
    :class:`ValidationFailed` is raised with ``detail["rows"]`` = ``[{"row": i (0-based),
    "practitioner_id", "errors": [Chinese reasons]}]`` for every bad row (score out of range,
    too precise, in exponent notation or not finite; practitioner not registered for the
    sitting; listed twice). ``passed`` = theory ≥ pass_mark_theory AND practical ≥
    pass_mark_practical (occupations.json ``appraisal``), compared exactly before any rounding;
    scores come back normalised to one decimal (``100.0``).

    Re-entering a candidate's scores corrects them, until a certificate is issued from the
    sitting: from then on the sitting is closed (status ``issued``) and this raises
    :class:`Conflict`. Every entry and correction is kept in ``ce_result_event`` (who, when,
    old and new scores; see :func:`result_history`).

    ``now`` (aware, UTC) stamps ``entered_at``; ``entered_by`` (required) names the examiner.
    ``today`` (the local date; pass it from the service) refuses results for a sitting whose
    ``exam_date`` is still in the future (:class:`ValidationFailed` "考试尚未举行").
    Raises :class:`NotFound` (sitting), :class:`Conflict` (cancelled or closed sitting).
    """
    if now.tzinfo is None:
        raise ValidationFailed("录入时间必须带时区")
    entered_by = (entered_by or "").strip()
    if not entered_by:
        raise ValidationFailed("必须注明成绩录入人", field="entered_by")
    sitting, programme = await _open_sitting(sitting_id)
    await _ensure_results_open(sitting)
    if today is not None and sitting.exam_date > today:
        raise ValidationFailed(
            f"考试尚未举行（考试日期 {sitting.exam_date}，今天 {today}），不能录入成绩",
            sitting_id=sitting_id,
            exam_date=sitting.exam_date.isoformat(),
        )
    registered = {
        r["practitioner"]: r["id"]
        for r in await ExamResult.select(ExamResult.id, ExamResult.practitioner).where(
            ExamResult.sitting == sitting_id
        )
    }
    bad: list[dict[str, Any]] = []
    seen: set[int] = set()
    good: list[tuple[int, Decimal, Decimal, bool]] = []
    for i, entry in enumerate(entries):
        errors = []
        for label, value in (("理论知识考试", entry.theory), ("技能操作考核", entry.practical)):
            problem = rules.score_problem(value)
            if problem:
                errors.append(f"{label}：{problem}")
        if entry.practitioner_id not in registered:
            errors.append(f"从业人员 {entry.practitioner_id} 未报名本场考试")
        if entry.practitioner_id in seen:
            errors.append(f"从业人员 {entry.practitioner_id} 在本批次中重复出现")
        seen.add(entry.practitioner_id)
        if errors:
            bad.append({"row": i, "practitioner_id": entry.practitioner_id, "errors": errors})
            continue
        theory, practical = rules.to_score(entry.theory), rules.to_score(entry.practical)
        passed = rules.exam_passed(
            theory,
            practical,
            pass_mark_theory=Decimal(programme.pass_mark_theory),
            pass_mark_practical=Decimal(programme.pass_mark_practical),
        )
        good.append((entry.practitioner_id, theory, practical, passed))
    if bad:
        raise ValidationFailed(
            f"成绩有 {len(bad)} 行错误，本批次未保存任何成绩", rows=bad, sitting_id=sitting_id
        )
    by = entered_by[:64]
    async with atomic():
        # serialises with issuance: once a certificate is issued no score changes
        await _lock_open_sitting(sitting_id)
        for practitioner_id, theory, practical, passed in good:
            result_id = registered[practitioner_id]
            old = await (
                ExamResult.select(ExamResult.theory, ExamResult.practical, ExamResult.passed)
                .where(ExamResult.id == result_id)
                .first()
            )
            assert old is not None
            await ExamResult.update(
                {
                    ExamResult.theory: theory,
                    ExamResult.practical: practical,
                    ExamResult.passed: passed,
                    ExamResult.entered_by: by,
                    ExamResult.entered_at: now,
                }
            ).where(ExamResult.id == result_id)
            first = old["theory"] is None and old["practical"] is None
            await ResultEvent.insert(
                ResultEvent(
                    result=result_id,
                    sitting=sitting_id,
                    practitioner=practitioner_id,
                    action="entry" if first else "correction",
                    old_theory=old["theory"],
                    old_practical=old["practical"],
                    old_passed=old["passed"],
                    new_theory=theory,
                    new_practical=practical,
                    new_passed=passed,
                    entered_by=by,
                    entered_at=now,
                )
            )
    return [ResultOut(practitioner_id=p, theory=t, practical=q, passed=ok) for p, t, q, ok in good]


async def result_history(sitting_id: int, *, practitioner_id: int | None = None) -> list[ResultEventOut]:
    """The audit of score entries and corrections of a sitting (optionally one candidate),
    oldest first. Raises :class:`NotFound` for an unknown sitting."""
    await _sitting_out(sitting_id)
    query = ResultEvent.select().where(ResultEvent.sitting == sitting_id)
    if practitioner_id is not None:
        query = query.where(ResultEvent.practitioner == practitioner_id)
    return [
        ResultEventOut(
            id=r["id"],
            sitting_id=r["sitting"],
            practitioner_id=r["practitioner"],
            action=r["action"],
            old_theory=_score_out(r["old_theory"]),
            old_practical=_score_out(r["old_practical"]),
            old_passed=r["old_passed"],
            new_theory=rules.display_score(Decimal(str(r["new_theory"]))),
            new_practical=rules.display_score(Decimal(str(r["new_practical"]))),
            new_passed=r["new_passed"],
            entered_by=r["entered_by"],
            entered_at=r["entered_at"],
        )
        for r in await query.order_by(ResultEvent.id)
    ]


# --------------------------------------------------------------------------- issuance


async def _next_serial(prefix: str) -> int:
    """Allocate the next serial for ``prefix`` with an atomic ``UPDATE … SET last = last + 1
    … RETURNING last`` (the row lock serialises concurrent issuers on PostgreSQL; SQLite
    transactions are IMMEDIATE). Creates the sequence row on first use."""
    for _ in range(2):
        rows = await (
            NumberSequence.update({NumberSequence.last: NumberSequence.last + 1})
            .where(NumberSequence.key == prefix)
            .returning(NumberSequence.last)
        )
        if rows:
            return int(rows[0]["last"])
        await NumberSequence.insert(NumberSequence(key=prefix, last=0)).on_conflict(
            target=NumberSequence.key, action="DO NOTHING"
        )
    raise RuntimeError(f"无法分配证书流水号 {prefix}")


class _AlreadyIssued(Exception):
    """Internal: another issuer won the race for this ``issue_key``, or (sitting issuance) the
    candidate no longer qualifies or already holds a certificate in force: nothing is issued
    and the serial is rolled back."""


_CERT_COLUMNS = (
    *Certificate.all_columns(),
    Certificate.programme.code.as_alias("programme_code"),
    Certificate.programme.kind.as_alias("kind"),
    Certificate.programme.title.as_alias("title"),
    Certificate.programme.level.as_alias("level"),
)


def _cert_out(row: dict[str, Any]) -> CertificateOut:
    return CertificateOut(
        id=row["id"],
        number=row["number"],
        programme_code=row["programme_code"],
        kind=row["kind"],
        title=row["title"],
        level=row["level"],
        practitioner_id=row["practitioner"],
        sitting_id=row["sitting"],
        holder_name=row["holder_name"],
        holder_id_number=row["holder_id_number"],
        issued_on=row["issued_on"],
        expires_on=row["expires_on"],
        status=row["status"],
        status_changed_on=row["status_changed_on"],
        status_reason=row["status_reason"],
        issuer=row["issuer"],
        verify_url=row["verify_url"],
        kid=row["kid"],
        created_at=row["created_at"],
    )


async def _cert_where(condition: Any) -> CertificateOut | None:
    row = await Certificate.select(*_CERT_COLUMNS).where(condition).first()
    return _cert_out(row) if row else None


async def _issue_one(
    *,
    issue_key: str,
    programme: Programme,
    practitioner_id: int,
    sitting_id: int | None,
    issued_on: dt.date,
    public_url: str,
    keyring: Keyring,
    appraisal_body_code: str,
    site_serial: str,
) -> CertificateOut | None:
    """Issue one certificate in one transaction; ``None`` when ``issue_key`` already has one.

    Sitting issuance (``sitting_id`` set) first locks the sitting row and marks it ``issued``
    (closing results), then re-checks that the candidate's result is still a pass; a
    candidate who holds a credential in force covering the programme is skipped (``None``).
    Direct issuance raises :class:`Conflict` for such a holder."""
    prefix = number_prefix(
        year=issued_on.year,
        level_digit=int(programme.level_digit),
        appraisal_body_code=appraisal_body_code,
        site_serial=site_serial,
    )
    try:
        async with atomic():
            if sitting_id is not None:
                # the same row record_results/register_candidate lock: serialises with them
                closing = await (
                    ExamSitting.update({ExamSitting.status: "issued"})
                    .where((ExamSitting.id == sitting_id) & ExamSitting.status.is_in(["scheduled", "issued"]))
                    .returning(ExamSitting.id)
                )
                if not closing:
                    raise Conflict(f"考试场次 {sitting_id} 已取消", sitting_id=sitting_id)
                if not await ExamResult.exists().where(
                    (ExamResult.sitting == sitting_id)
                    & (ExamResult.practitioner == practitioner_id)
                    & (ExamResult.passed == True)  # noqa: E712
                ):
                    raise _AlreadyIssued
            person = await Practitioner.objects().get(_practitioner_pk == practitioner_id)
            if person is None:
                raise NotFound(f"从业人员 {practitioner_id} 不存在")
            while True:
                number = format_number(prefix, await _next_serial(prefix))
                # a number imported or issued outside the sequence is skipped, not reused
                if not await Certificate.exists().where(Certificate.number == number):
                    break
            # checked after the sequence row lock: a concurrent issuer has committed by now
            if await Certificate.exists().where(Certificate.issue_key == issue_key):
                raise _AlreadyIssued
            held = await _valid_covering_credential(practitioner_id, programme, issued_on)
            if held is not None:
                if sitting_id is not None:
                    raise _AlreadyIssued
                raise _already_holds(programme, held, practitioner_id)
            expires_on = rules.expiry_date(issued_on, programme.validity_years)
            params = sign_params(
                number=number,
                programme_code=programme.code,
                issued_on=issued_on,
                expires_on=expires_on,
                holder_id_number=person.id_number,
                holder_name=person.name,
                keyring=keyring,
            )
            row = Certificate(
                number=number,
                issue_key=issue_key,
                programme=programme.id,
                practitioner=practitioner_id,
                sitting=sitting_id,
                holder_name=person.name,
                holder_id_number=person.id_number,
                issuer=programme.issuer,
                issued_on=issued_on,
                expires_on=expires_on,
                status="valid",
                signature=params["s"],
                verify_url=build_verify_url(public_url, number, params),
                kid=keyring.kid,
            )
            await row.save()
            await record_credential(
                CredentialIn(
                    practitioner_id=practitioner_id,
                    kind=programme.kind,  # type: ignore[arg-type]  # onex | skill_level
                    programme_code=programme.code,
                    level=programme.level,
                    title=programme.title,
                    number=number,
                    issuer=programme.issuer,
                    issued_on=issued_on,
                    expires_on=expires_on,
                    qualifying=True,
                    source="system",
                    source_ref=credential_ref(number),
                )
            )
            await enqueue(RENDER_TASK, int(row.id))
    except _AlreadyIssued:
        return None
    except (NotFound, ValidationFailed, Conflict):
        raise
    except Exception:
        # the unique constraint on issue_key is the final guarantee against double issuance
        if await Certificate.exists().where(Certificate.issue_key == issue_key):
            return None
        raise
    return await _cert_where(Certificate.id == row.id)


def _check_issue_args(issued_on: dt.date, public_url: str, keyring: Keyring) -> None:
    if not public_url.startswith(("http://", "https://")) or not public_url.isascii():
        raise ValidationFailed(f"公开访问地址无效：{public_url}")
    if not keyring.can_sign:
        raise ValidationFailed("签名密钥环只能验证，不能用于发证")


async def issue_certificates(
    sitting_id: int,
    *,
    issued_on: dt.date,
    public_url: str,
    keyring: Keyring,
    appraisal_body_code: str = DEFAULT_APPRAISAL_BODY_CODE,
    site_serial: str = DEFAULT_SITE_SERIAL,
) -> list[CertificateOut]:
    """Issue a certificate to every candidate of the sitting who passed and has none yet, and
    close the sitting (status ``issued``: no more registrations or score changes).

    Idempotent and safe under concurrency: each certificate's ``issue_key``
    (``sitting:{sitting_id}:{practitioner_id}``) is unique, so re-running (or two concurrent
    runs) never issues twice; returns only the certificates issued by *this* call.
    Per certificate, one transaction: allocate the number (22 characters, see
    :mod:`certification.numbers`, year from ``issued_on``), insert the certificate with its
    signed verify URL (``{public_url}/v/{number}?…``), record the talent-pool credential
    (``source_ref = certificate:{number}``, kind = programme kind) and enqueue
    ``certification.render_certificate(certificate_id)`` in the outbox.
    ``expires_on`` = ``issued_on`` + programme ``validity_years`` (``None`` = no expiry).
    The first certificate's transaction also marks the sitting ``issued`` (a sitting where
    nobody passed stays open). A candidate who on ``issued_on`` already holds a credential in
    force of the same programme or a higher 1+X level (issued here or in the talent-pool
    ledger) is skipped. Calling again issues nothing new (returns ``[]``) unless an earlier
    run stopped part-way.
    Raises :class:`NotFound`, :class:`Conflict` (cancelled sitting), :class:`ValidationFailed`
    (issue date before the exam, bad public URL, verify-only keyring, bad number settings).
    """
    _check_issue_args(issued_on, public_url, keyring)
    sitting, programme = await _open_sitting(sitting_id)
    if issued_on < sitting.exam_date:
        raise ValidationFailed(f"发证日期 {issued_on} 早于考试日期 {sitting.exam_date}")
    passed = await (
        ExamResult.select(ExamResult.practitioner)
        .where((ExamResult.sitting == sitting_id) & (ExamResult.passed == True))  # noqa: E712
        .order_by(ExamResult.id)
    )
    have = {
        r["practitioner"]
        for r in await Certificate.select(Certificate.practitioner).where(Certificate.sitting == sitting_id)
    }
    issued: list[CertificateOut] = []
    for r in passed:
        pid = r["practitioner"]
        if pid in have:
            continue
        cert = await _issue_one(
            issue_key=f"sitting:{sitting_id}:{pid}",
            programme=programme,
            practitioner_id=pid,
            sitting_id=sitting_id,
            issued_on=issued_on,
            public_url=public_url,
            keyring=keyring,
            appraisal_body_code=appraisal_body_code,
            site_serial=site_serial,
        )
        if cert is not None:
            issued.append(cert)
    return issued


async def issue_certificate_for(
    practitioner_id: int,
    programme_code: str,
    *,
    issued_on: dt.date,
    public_url: str,
    keyring: Keyring,
    reference: str = "",
    appraisal_body_code: str = DEFAULT_APPRAISAL_BODY_CODE,
    site_serial: str = DEFAULT_SITE_SERIAL,
) -> CertificateOut:
    """Issue one certificate directly (no sitting: e.g. a recognised external appraisal).

    Idempotent on ``direct:{programme_code}:{practitioner_id}:{reference or issued_on}``:
    calling again returns the certificate already issued. Same transaction contents as
    :func:`issue_certificates`. Raises :class:`NotFound` (programme, practitioner),
    :class:`ValidationFailed` (inactive programme, bad settings), :class:`Conflict` when the
    practitioner already holds, on ``issued_on``, a credential in force of the same programme
    or a higher 1+X level ("已持有有效的同级证书 …"; to renew, supersede the old one first).
    """
    _check_issue_args(issued_on, public_url, keyring)
    programme = await _programme(programme_code)
    if not programme.active:
        raise ValidationFailed(f"证书项目 {programme_code} 已停用")
    ref = reference.strip() or issued_on.isoformat()
    issue_key = f"direct:{programme_code}:{practitioner_id}:{ref}"[:96]
    existing = await _cert_where(Certificate.issue_key == issue_key)
    if existing is not None:
        return existing
    cert = await _issue_one(
        issue_key=issue_key,
        programme=programme,
        practitioner_id=practitioner_id,
        sitting_id=None,
        issued_on=issued_on,
        public_url=public_url,
        keyring=keyring,
        appraisal_body_code=appraisal_body_code,
        site_serial=site_serial,
    )
    if cert is None:
        cert = await _cert_where(Certificate.issue_key == issue_key)
        assert cert is not None
    return cert


# --------------------------------------------------------------------------- documents


async def render_certificate(certificate_id: int) -> CertificateOut:
    """Render the QR code (PNG of the stored verify URL) and the PDF, and upsert them into
    ``ce_certificate_document``. Idempotent (re-rendering replaces the document); needs no key
    because the signed URL is stored. This is what the Celery task
    ``certification.render_certificate`` runs. Raises :class:`NotFound`."""
    cert = await _cert_where(Certificate.id == certificate_id)
    if cert is None:
        raise NotFound(f"证书 {certificate_id} 不存在", certificate_id=certificate_id)
    png = qr_png(cert.verify_url)
    pdf = certificate_pdf(
        CertificateFace(
            number=cert.number,
            holder_name=cert.holder_name,
            holder_id_number=cert.holder_id_number,
            programme_title=cert.title,
            level=cert.level,
            issued_on=cert.issued_on,
            expires_on=cert.expires_on,
            issuer=cert.issuer,
            verify_url=cert.verify_url,
            kind=cert.kind,
        ),
        png,
    )
    now = dt.datetime.now(dt.UTC)
    async with atomic():
        await CertificateDocument.insert(
            CertificateDocument(certificate=certificate_id, qr_png=png, pdf=pdf, rendered_at=now)
        ).on_conflict(
            target=CertificateDocument.certificate,
            action="DO UPDATE",
            values=[
                CertificateDocument.qr_png,
                CertificateDocument.pdf,
                CertificateDocument.rendered_at,
            ],
        )
    return cert


async def get_document(certificate_id: int) -> tuple[bytes, bytes]:
    """``(qr_png, pdf)`` bytes of a certificate. Raises :class:`NotFound` for an unknown
    certificate, :class:`DocumentNotRendered` when the render task has not run yet."""
    row = await (
        CertificateDocument.select(CertificateDocument.qr_png, CertificateDocument.pdf)
        .where(CertificateDocument.certificate == certificate_id)
        .first()
    )
    if row is None:
        if not await Certificate.exists().where(Certificate.id == certificate_id):
            raise NotFound(f"证书 {certificate_id} 不存在", certificate_id=certificate_id)
        raise DocumentNotRendered(
            f"证书 {certificate_id} 的电子文件正在生成，请稍后再试", certificate_id=certificate_id
        )
    return bytes(row["qr_png"]), bytes(row["pdf"])


# --------------------------------------------------------------------------- lookup


async def get_certificate(number: str) -> CertificateOut:
    """One certificate by number (normalised: trim, half-width, upper-case); raises
    :class:`NotFound`."""
    norm = normalise_number(number) if isinstance(number, str) else ""
    cert = await _cert_where(Certificate.number == norm) if NUMBER_RE.match(norm) else None
    if cert is None:
        raise NotFound(f"证书编号 {norm[:40]} 不存在", number=norm[:40])
    return cert


async def get_certificate_by_id(certificate_id: int) -> CertificateOut:
    """One certificate by id; raises :class:`NotFound`."""
    cert = await _cert_where(Certificate.id == certificate_id)
    if cert is None:
        raise NotFound(f"证书 {certificate_id} 不存在", certificate_id=certificate_id)
    return cert


async def certificates_of_practitioner(practitioner_id: int) -> list[CertificateOut]:
    """Every certificate issued here to a practitioner (any status), oldest first."""
    rows = await (
        Certificate.select(*_CERT_COLUMNS)
        .where(Certificate.practitioner == practitioner_id)
        .order_by(Certificate.issued_on)
        .order_by(Certificate.id)
    )
    return [_cert_out(r) for r in rows]


# --------------------------------------------------------------------------- verification


def _claims_match(claims: SignedClaims, cert: CertificateOut) -> bool:
    return (
        claims.programme_code == cert.programme_code
        and claims.issued_on == cert.issued_on
        and claims.expires_on == cert.expires_on
        and claims.holder_hash == holder_hash(cert.number, cert.holder_id_number, cert.holder_name)
        and cert.kid.startswith(claims.kid)
    )


async def _verify(
    number: str, params: Mapping[str, str] | None, today: dt.date, keyring: Keyring
) -> VerificationResult:
    signed = has_signed_params(params)
    if signed:
        assert params is not None
        claims = parse_and_check(number, params, keyring)
        if isinstance(claims, str):
            return VerificationResult(outcome="forged", signature_checked=True, number=number, reason=claims)
    if not NUMBER_RE.match(number):
        return VerificationResult(
            outcome="unknown", signature_checked=signed, number=number, reason="malformed_number"
        )
    cert = await _cert_where(Certificate.number == number)
    if cert is None:
        return VerificationResult(
            outcome="unknown", signature_checked=signed, number=number, reason="no_such_number"
        )
    if signed and not _claims_match(claims, cert):  # type: ignore[arg-type]
        return VerificationResult(
            outcome="forged", signature_checked=True, number=number, reason="claims_mismatch"
        )
    outcome = rules.status_on(
        status=cert.status,
        status_changed_on=cert.status_changed_on,
        expires_on=cert.expires_on,
        today=today,
    )
    changed = outcome in ("revoked", "suspended", "superseded")
    return VerificationResult(
        outcome=outcome,
        signature_checked=signed,
        number=number,
        holder_name_masked=mask_name(cert.holder_name),
        holder_id_masked=mask_id_number(cert.holder_id_number),
        programme_code=cert.programme_code,
        programme_title=cert.title,
        level=cert.level,
        issued_on=cert.issued_on,
        expires_on=cert.expires_on,
        status_changed_on=cert.status_changed_on if changed else None,
        status_reason=cert.status_reason if changed else "",
        issuer=cert.issuer,
    )


async def verify(
    number: str,
    params: Mapping[str, str] | None,
    *,
    today: dt.date,
    keyring: Keyring,
    client: str = "",
    now: dt.datetime | None = None,
) -> VerificationResult:
    """Answer whether certificate ``number`` is genuine and in force on the local date ``today``.

    - ``params`` = the verify URL's query parameters (scanned QR code): the Ed25519 signature
      over the signed fields is checked first, with ``keyring`` (a verify-only keyring from the
      JWKS suffices); a bad/missing signature, an unknown key or signed fields that differ from
      the record → ``forged``. ``params`` ``None`` or without any signed field (a number typed
      by an employer) → database lookup only, ``signature_checked=False``.
    - Unknown or malformed numbers → ``unknown``; never raises for bad input.
    - Otherwise the status on ``today`` (:func:`certification.rules.status_on`): valid ·
      expired · revoked · suspended · superseded, with masked holder name/ID number and every
      certified field so a doctored PDF is caught.

    Every call writes a ``ce_verification_log`` row (number truncated to 64 characters,
    ``client`` e.g. an IP or account, ``now`` defaults to the current UTC time).
    """
    raw = number if isinstance(number, str) else ""
    norm = normalise_number(raw)[:64]
    result = await _verify(norm, params, today, keyring)
    log = VerificationLog(
        number=norm,
        outcome=result.outcome,
        signature_checked=result.signature_checked,
        client=(client or "")[:128],
    )
    if now is not None:
        log.at = now
    await log.save()
    return result


# --------------------------------------------------------------------------- status changes


async def _change_status(number: str, new: str, *, reason: str, on: dt.date, by: str) -> CertificateOut:
    reason = " ".join((reason or "").split())
    if not reason:
        raise ValidationFailed("必须填写原因", field="reason")
    if not (by or "").strip():
        raise ValidationFailed("必须注明操作人", field="by")
    cert = await get_certificate(number)
    if on < cert.issued_on:
        raise ValidationFailed(f"变更日期 {on} 早于发证日期 {cert.issued_on}", field="on")
    if not rules.can_change_status(cert.status, new):
        raise Conflict(
            f"证书 {cert.number} 当前状态为“{rules.status_name(cert.status)}”，"
            f"不能变更为“{rules.status_name(new)}”",
            status=cert.status,
            requested=new,
        )
    async with atomic():
        # conditional update: a concurrent change of the same certificate loses cleanly
        changed = await (
            Certificate.update(
                {
                    Certificate.status: new,
                    Certificate.status_changed_on: on,
                    Certificate.status_reason: reason,
                    Certificate.status_changed_by: by.strip()[:64],
                }
            )
            .where((Certificate.id == cert.id) & (Certificate.status == cert.status))
            .returning(Certificate.id)
        )
        if not changed:
            raise Conflict(f"证书 {cert.number} 的状态已被他人修改，请刷新后重试")
        await CertificateEvent.insert(
            CertificateEvent(
                certificate=cert.id,
                from_status=cert.status,
                to_status=new,
                effective_on=on,
                reason=reason,
                changed_by=by.strip()[:64],
            )
        )
        await _update_credential_status(
            credential_ref(cert.number),
            new,  # type: ignore[arg-type]
            on=on,
            reason=reason,
        )
    return cert.model_copy(update={"status": new, "status_changed_on": on, "status_reason": reason})


async def revoke_certificate(number: str, *, reason: str, on: dt.date, by: str) -> CertificateOut:
    """Revoke (吊销) a valid or suspended certificate as of the local date ``on``; final.

    ``reason`` is required (non-empty) and shown on the verify page; ``by`` names the operator.
    The talent-pool credential ``certificate:{number}`` becomes ``revoked`` in the same
    transaction (it stops counting toward the certification rate from ``on``). Never deletes.
    Raises :class:`NotFound`, :class:`ValidationFailed` (empty reason, date before issuance),
    :class:`Conflict` (already revoked/superseded, or changed concurrently).
    """
    return await _change_status(number, "revoked", reason=reason, on=on, by=by)


async def suspend_certificate(number: str, *, reason: str, on: dt.date, by: str) -> CertificateOut:
    """Suspend (暂停) a valid certificate as of ``on``; undo with :func:`reinstate_certificate`.
    Same errors and ledger update as :func:`revoke_certificate`."""
    return await _change_status(number, "suspended", reason=reason, on=on, by=by)


async def reinstate_certificate(number: str, *, reason: str, on: dt.date, by: str) -> CertificateOut:
    """Reinstate a suspended certificate (back to ``valid``) as of ``on``."""
    return await _change_status(number, "valid", reason=reason, on=on, by=by)


async def supersede_certificate(number: str, *, reason: str, on: dt.date, by: str) -> CertificateOut:
    """Mark a certificate ``superseded`` (replaced by a renewed or higher one) as of ``on``;
    final. ``reason`` should name the new certificate number."""
    return await _change_status(number, "superseded", reason=reason, on=on, by=by)
