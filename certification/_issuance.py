"""Issuance (发证): certificate numbers, signed verify URLs, the talent-pool credential and the
render job — a sitting's whole batch in one transaction."""

from __future__ import annotations

import asyncio
import datetime as dt
from dataclasses import dataclass
from typing import Any

from certification import rules
from certification._common import (
    _CERT_COLUMNS,
    RENDER_TASK,
    _already_holds,
    _cert_out,
    _cert_where,
    _covering_credentials,
    _practitioner_pk,
    _programme,
    credential_ref,
)
from certification._documents import RENDER_BATCH
from certification._sittings import _open_sitting
from certification.errors import Conflict, NotFound, Unprintable, ValidationFailed
from certification.fonts import print_problems
from certification.numbers import (
    DEFAULT_APPRAISAL_BODY_CODE,
    DEFAULT_SITE_SERIAL,
    format_number,
    number_prefix,
)
from certification.schemas import CertificateOut, IssuanceResult
from certification.signing import Keyring
from certification.tables import Certificate, ExamAttempt, ExamResult, ExamSitting, NumberSequence, Programme
from certification.verify_url import build_verify_url, sign_params
from talent_pool import record_credentials
from talent_pool.db import atomic, is_unique_violation
from talent_pool.outbox import enqueue
from talent_pool.schemas import CredentialIn
from talent_pool.tables import Practitioner


@dataclass(frozen=True, slots=True)
class _Settings:
    issued_on: dt.date
    public_url: str
    keyring: Keyring
    appraisal_body_code: str
    site_serial: str


async def _allocate_numbers(prefix: str, count: int) -> list[str]:
    """``count`` new certificate numbers for ``prefix``: one ``UPDATE … SET last = last + n …
    RETURNING last`` (the row lock serialises concurrent issuers on PostgreSQL; SQLite write
    transactions are IMMEDIATE), the sequence row created on first use. A number that already
    exists (imported or issued outside the sequence) is skipped, never reused."""
    numbers: list[str] = []
    while len(numbers) < count:
        wanted = count - len(numbers)
        rows: list[dict[str, Any]] = []
        for _ in range(2):
            rows = await (
                NumberSequence.update({NumberSequence.last: NumberSequence.last + wanted})
                .where(NumberSequence.key == prefix)
                .returning(NumberSequence.last)
            )
            if rows:
                break
            await NumberSequence.insert(NumberSequence(key=prefix, last=0)).on_conflict(
                target=NumberSequence.key, action="DO NOTHING"
            )
        if not rows:
            raise RuntimeError(f"无法分配证书流水号 {prefix}")
        last = int(rows[0]["last"])
        batch = [format_number(prefix, serial) for serial in range(last - wanted + 1, last + 1)]
        taken = {
            r["number"]
            for r in await Certificate.select(Certificate.number).where(Certificate.number.is_in(batch))
        }
        numbers += [n for n in batch if n not in taken]
    return numbers


def _unprintable(programme: Programme, people: list[dict[str, Any]]) -> list[dict[str, Any]]:
    shared = print_problems([str(programme.title), str(programme.level), str(programme.issuer)])
    rows = []
    for person in people:
        problems = print_problems([person["name"], person["id_number"]])
        if problems or shared:
            rows.append(
                {"practitioner_id": person["id"], "name": person["name"], "problems": shared + problems}
            )
    return rows


async def check_printable(programme: Programme, people: list[dict[str, Any]]) -> None:
    """Refuse, before anything is numbered, to issue a certificate that cannot be printed
    exactly: every holder's name and ID number and the programme's title, level and issuer
    must be printable with the embedded certificate fonts (:mod:`certification.fonts`).
    Raises :class:`Unprintable` naming each person and character (``detail["rows"]``:
    ``[{"practitioner_id", "name", "problems"}]``). Loads the fonts in a thread."""
    rows = await asyncio.to_thread(_unprintable, programme, people)
    if rows:
        shown = "；".join(f"{r['name']}：{'，'.join(r['problems'])}" for r in rows[:5])
        raise Unprintable(
            f"{len(rows)} 人的证书内容含有无法准确打印的字符，未发证（请核对更正姓名）：{shown}",
            rows=rows,
        )


async def _insert_certificates(
    programme: Programme,
    people: list[dict[str, Any]],
    *,
    sitting_id: int | None,
    issue_reference: str | None,
    conf: _Settings,
    expires_on: dt.date | bool | None = True,
    supersedes: str = "",
) -> list[int]:
    """Inside the caller's transaction: number, sign and insert one certificate per person
    (``people``: rows with ``id``, ``name``, ``id_number``), record the talent-pool credentials
    and enqueue the render jobs. Returns the new certificate ids. ``expires_on`` ``True``: the
    programme's validity from the issue date; a date or ``None``: that expiry (replacements
    keep the old one). ``supersedes``: the number of the certificate these replace.
    The caller has run :func:`check_printable`."""
    prefix = number_prefix(
        year=conf.issued_on.year,
        level_digit=int(programme.level_digit),
        appraisal_body_code=conf.appraisal_body_code,
        site_serial=conf.site_serial,
    )
    numbers = await _allocate_numbers(prefix, len(people))
    if expires_on is True:
        expires_on = rules.expiry_date(conf.issued_on, programme.validity_years)
    assert expires_on is None or isinstance(expires_on, dt.date)
    rows = []
    for person, number in zip(people, numbers, strict=True):
        params = sign_params(
            number=number,
            programme_code=programme.code,
            issued_on=conf.issued_on,
            expires_on=expires_on,
            holder_id_number=person["id_number"],
            holder_name=person["name"],
            keyring=conf.keyring,
        )
        rows.append(
            Certificate(
                number=number,
                issue_reference=issue_reference,
                programme=programme.id,
                practitioner=person["id"],
                sitting=sitting_id,
                holder_name=person["name"],
                holder_id_number=person["id_number"],
                issuer=programme.issuer,
                issued_on=conf.issued_on,
                expires_on=expires_on,
                status="valid",
                signature=params["s"],
                verify_url=build_verify_url(conf.public_url, number, params),
                kid=conf.keyring.kid,
                supersedes=supersedes,
            )
        )
    inserted = await Certificate.insert(*rows).returning(Certificate.id)
    ids = [int(r["id"]) for r in inserted]
    await record_credentials(
        [
            CredentialIn(
                practitioner_id=person["id"],
                kind=programme.kind,  # type: ignore[arg-type]  # onex | skill_level
                programme_code=programme.code,
                level=programme.level,
                title=programme.title,
                number=number,
                issuer=programme.issuer,
                issued_on=conf.issued_on,
                expires_on=expires_on,
                qualifying=True,
                source="system",
                source_ref=credential_ref(number),
            )
            for person, number in zip(people, numbers, strict=True)
        ]
    )
    for start in range(0, len(ids), RENDER_BATCH):
        await enqueue(RENDER_TASK, ids[start : start + RENDER_BATCH])
    return ids


def _check_issue_args(issued_on: dt.date, public_url: str, keyring: Keyring) -> None:
    if not public_url.startswith(("http://", "https://")) or not public_url.isascii():
        raise ValidationFailed(f"公开访问地址无效：{public_url}")
    if not keyring.can_sign:
        raise ValidationFailed("签名密钥环只能验证，不能用于发证")


async def _sitting_certificates(sitting_id: int) -> list[CertificateOut]:
    rows = (
        await Certificate.select(*_CERT_COLUMNS)
        .where(Certificate.sitting == sitting_id)
        .order_by(Certificate.id)
    )
    return [_cert_out(r) for r in rows]


async def issue_certificates(
    sitting_id: int,
    *,
    issued_on: dt.date,
    public_url: str,
    keyring: Keyring,
    appraisal_body_code: str = DEFAULT_APPRAISAL_BODY_CODE,
    site_serial: str = DEFAULT_SITE_SERIAL,
) -> IssuanceResult:
    """Issue a certificate to every candidate of the sitting who passed and has none yet, and
    close the sitting (status ``issued``: no more registrations or score changes).

    One transaction for the whole batch: lock and close the sitting, allocate the numbers in
    one block (22 characters, see :mod:`certification.numbers`, year from ``issued_on``), insert
    the certificates with their signed verify URLs (``{public_url}/v/{number}?…``), record the
    talent-pool credentials (``source_ref = certificate:{number}``, kind = programme kind) and
    enqueue the render jobs (``certification.render_certificates``, :data:`RENDER_BATCH` per
    job) — rendering happens after commit, in the background. ``expires_on`` = ``issued_on`` +
    programme ``validity_years`` (``None`` = no expiry). A sitting where nobody passed stays open.
    A candidate who on ``issued_on`` already holds a credential in force of the same programme
    or a higher 1+X level (issued here or in the talent-pool ledger) is skipped.

    Idempotent and safe under concurrency: the sitting row lock serialises issuers and
    ``Unique(sitting, practitioner)`` is the final guard, so simultaneous or repeated calls never
    issue twice. Returns every certificate of the sitting (``certificates``) and how many this
    call issued (``newly_issued``; 0 when another call had issued them).
    Raises :class:`NotFound`, :class:`Conflict` (cancelled sitting, online theory attempts still
    open), :class:`ValidationFailed` (issue date before the exam, bad public URL, verify-only
    keyring, bad number settings), :class:`Unprintable` (a name the certificate fonts cannot
    print: nothing is issued, see :func:`check_printable`).
    """
    _check_issue_args(issued_on, public_url, keyring)
    sitting, programme = await _open_sitting(sitting_id)
    if issued_on < sitting.exam_date:
        raise ValidationFailed(f"发证日期 {issued_on} 早于考试日期 {sitting.exam_date}")
    conf = _Settings(issued_on, public_url, keyring, appraisal_body_code, site_serial)
    new_ids: list[int] = []
    try:
        async with atomic():
            # lock the row record_results/register_candidate lock: serialises with them and issuers
            locked = await (
                ExamSitting.update({ExamSitting.status: ExamSitting.status})
                .where((ExamSitting.id == sitting_id) & ExamSitting.status.is_in(["scheduled", "issued"]))
                .returning(ExamSitting.status)
            )
            if not locked:
                raise Conflict(f"考试场次 {sitting_id} 已取消", sitting_id=sitting_id)
            still_open = await ExamAttempt.count().where(
                (ExamAttempt.sitting == sitting_id) & (ExamAttempt.status == "open")
            )
            if still_open:
                raise Conflict(
                    f"本场还有 {still_open} 份在线理论试卷未交卷或未收卷，请待考试结束后再发证",
                    sitting_id=sitting_id,
                    open_attempts=still_open,
                )
            passed = [
                r["practitioner"]
                for r in await ExamResult.select(ExamResult.practitioner)
                .where((ExamResult.sitting == sitting_id) & (ExamResult.passed == True))  # noqa: E712
                .order_by(ExamResult.id)
            ]
            if passed:
                if locked[0]["status"] == "scheduled":
                    await ExamSitting.update({ExamSitting.status: "issued"}).where(
                        ExamSitting.id == sitting_id
                    )
                have = {
                    r["practitioner"]
                    for r in await Certificate.select(Certificate.practitioner).where(
                        Certificate.sitting == sitting_id
                    )
                }
                todo = [pid for pid in passed if pid not in have]
                held = await _covering_credentials(todo, programme, issued_on)
                todo = [pid for pid in todo if pid not in held]
                if todo:
                    people = await (
                        Practitioner.select(_practitioner_pk, Practitioner.name, Practitioner.id_number)
                        .where(_practitioner_pk.is_in(todo))
                        .order_by(_practitioner_pk)
                    )
                    by_id = {p["id"]: p for p in people}
                    await check_printable(programme, [by_id[pid] for pid in todo])
                    new_ids = await _insert_certificates(
                        programme,
                        [by_id[pid] for pid in todo],
                        sitting_id=sitting_id,
                        issue_reference=None,
                        conf=conf,
                    )
    except Exception as exc:
        if not is_unique_violation(exc):
            raise
        new_ids = []  # a concurrent issuer won (the constraint is the final guard)
    certificates = await _sitting_certificates(sitting_id)
    return IssuanceResult(certificates=certificates, newly_issued=len(new_ids))


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

    Idempotent on ``(programme, practitioner, reference or issued_on)`` — a database constraint:
    calling again, even concurrently, returns the certificate already issued. Same transaction
    contents as :func:`issue_certificates`. Raises :class:`NotFound` (programme, practitioner),
    :class:`ValidationFailed` (inactive programme, bad settings), :class:`Conflict` when the
    practitioner already holds, on ``issued_on``, a credential in force of the same programme
    or a higher 1+X level ("已持有有效的同级证书 …"; to renew, supersede the old one first).
    """
    _check_issue_args(issued_on, public_url, keyring)
    programme = await _programme(programme_code)
    if not programme.active:
        raise ValidationFailed(f"证书项目 {programme_code} 已停用")
    ref = (reference.strip() or issued_on.isoformat())[:64]
    key = (
        (Certificate.programme == programme.id)
        & (Certificate.practitioner == practitioner_id)
        & (Certificate.issue_reference == ref)
    )
    existing = await _cert_where(key)
    if existing is not None:
        return existing
    conf = _Settings(issued_on, public_url, keyring, appraisal_body_code, site_serial)
    try:
        async with atomic():
            person = await (
                Practitioner.select(_practitioner_pk, Practitioner.name, Practitioner.id_number)
                .where(_practitioner_pk == practitioner_id)
                .first()
            )
            if person is None:
                raise NotFound(f"从业人员 {practitioner_id} 不存在")
            held = (await _covering_credentials([practitioner_id], programme, issued_on)).get(practitioner_id)
            if held is not None:
                raise _already_holds(programme, held, practitioner_id)
            await check_printable(programme, [person])
            await _insert_certificates(programme, [person], sitting_id=None, issue_reference=ref, conf=conf)
    except Exception as exc:
        if not is_unique_violation(exc):
            raise
    cert = await _cert_where(key)
    assert cert is not None
    return cert
