"""Shared pieces of the certification use cases: programme and certificate look-ups, output
shapes, the covering-credential rule."""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from certification import rules
from certification.errors import (
    Conflict,
    NotFound,
)
from certification.programmes import covering_programme_codes
from certification.schemas import (
    CertificateOut,
)
from certification.tables import (
    Certificate,
    Programme,
)
from talent_pool.db import fetch_rows
from talent_pool.tables import Credential, Practitioner

RENDER_TASK = "certification.render_certificates"
"""Background job (``worker.jobs``): render the QR codes and PDFs of a list of certificate ids."""
_practitioner_pk = Practitioner._meta.primary_key  # talent_pool tables do not declare `id`
_CATEGORY_NAMES = {"pre_job": "岗前培训", "refresher": "在岗培训", "other": "其他培训"}


def credential_ref(number: str) -> str:
    """The talent-pool ``source_ref`` of a certificate issued here: ``certificate:{number}``."""
    return f"certificate:{number}"


async def _programme(code: str) -> Programme:
    row = await Programme.objects().get(Programme.code == code)
    if row is None:
        raise NotFound(f"证书项目 {code} 不存在", programme_code=code)
    return row


_CERT_COLUMNS = (
    *Certificate.all_columns(),
    Certificate.programme.code.as_alias("programme_code"),
    Certificate.programme.kind.as_alias("kind"),
    Certificate.programme.title.as_alias("title"),
    Certificate.programme.level.as_alias("level"),
)


def _cert_out(row: dict[str, Any]) -> CertificateOut:
    return CertificateOut.model_validate(
        dict(
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
            supersedes=row.get("supersedes") or "",
            superseded_by=row.get("superseded_by") or "",
        )
    )


PROGRAMME_CACHE_SECONDS = 60.0
"""How long a process trusts its copy of a programme's code, kind, title and level (reference
data that rarely changes; an edit in this process clears the copy at once)."""
_programme_cache: dict[int, tuple[float, dict[str, Any]]] = {}


def forget_programmes() -> None:
    """Drop the cached programme reference data (after a programme is edited)."""
    _programme_cache.clear()


async def _programme_fields(programme_id: int) -> dict[str, Any]:
    """``programme_code``, ``kind``, ``title``, ``level`` of a programme, cached for
    :data:`PROGRAMME_CACHE_SECONDS` (monotonic time; never a business date)."""
    hit = _programme_cache.get(programme_id)
    if hit is not None and hit[0] > time.monotonic():
        return hit[1]
    row = await (
        Programme.select(
            Programme.code.as_alias("programme_code"), Programme.kind, Programme.title, Programme.level
        )
        .where(Programme.id == programme_id)
        .first()
    )
    fields = dict(row) if row else {"programme_code": "", "kind": "", "title": "", "level": ""}
    _programme_cache[programme_id] = (time.monotonic() + PROGRAMME_CACHE_SECONDS, fields)
    return fields


_FACTS_SQL = (
    "SELECT programme, holder_name, holder_id_number, issued_on, expires_on, status, "
    "status_changed_on, issuer, kid FROM ce_certificate WHERE number = {}"
)


@dataclass(frozen=True, slots=True)
class CertificateFacts:
    """What public verification reads of a certificate issued here: the certified fields
    (programme code, title and level from the programme cache; issue and expiry as local dates),
    the holder snapshot (full name and ID number: they are masked or hashed before anything
    leaves the domain), the stored status with its local date, the issuer and the signing kid."""

    number: str
    programme_code: str
    title: str
    level: str
    holder_name: str
    holder_id_number: str
    issued_on: dt.date
    expires_on: dt.date | None
    status: str
    status_changed_on: dt.date | None
    issuer: str
    kid: str


async def _certificate_facts(number: str) -> CertificateFacts | None:
    """The certificate numbered ``number`` for verification, in one single-table statement of
    the nine columns it needs (the verification hot path: no certificate output model, no
    verify URL or audit columns; programme fields from the cache). ``None`` when not issued here."""
    rows = await fetch_rows(Certificate, _FACTS_SQL, number)
    if not rows:
        return None
    row = rows[0]
    programme = await _programme_fields(row["programme"])
    return CertificateFacts(
        number=number,
        programme_code=programme["programme_code"],
        title=programme["title"],
        level=programme["level"],
        holder_name=row["holder_name"],
        holder_id_number=row["holder_id_number"],
        issued_on=row["issued_on"],
        expires_on=row["expires_on"],
        status=row["status"],
        status_changed_on=row["status_changed_on"],
        issuer=row["issuer"],
        kid=row["kid"],
    )


async def _cert_where(condition: Any) -> CertificateOut | None:
    row = await Certificate.select(*_CERT_COLUMNS).where(condition).first()
    return _cert_out(row) if row else None


def _score_out(value: Any) -> Decimal | None:
    return None if value is None else rules.display_score(Decimal(str(value)))


Held = tuple[str, str, str, str]
"""A credential in force: ``(number, programme_code, title, level)``."""


async def _covering_credentials(
    practitioner_ids: list[int], programme: Programme, on: dt.date
) -> dict[int, Held]:
    """For each of ``practitioner_ids`` that holds one, a credential in force on ``on`` that makes
    a certificate of ``programme`` pointless: same programme, or a higher level of the same 1+X
    certificate (:func:`certification.programmes.covering_programme_codes`). Looks at
    certificates issued here and at the talent-pool ledger (imports, national lookup) — two
    queries whatever the number of people. In force = :func:`rules.status_on` is ``valid`` (not
    expired, revoked, suspended or superseded)."""
    if not practitioner_ids:
        return {}
    codes = list(covering_programme_codes(str(programme.code)))
    own = await (
        Certificate.select(
            Certificate.practitioner,
            Certificate.number,
            Certificate.status,
            Certificate.status_changed_on,
            Certificate.expires_on,
            Certificate.programme.code.as_alias("code"),
            Certificate.programme.title.as_alias("title"),
            Certificate.programme.level.as_alias("level"),
        )
        .where(Certificate.practitioner.is_in(practitioner_ids) & Certificate.programme.code.is_in(codes))
        .order_by(Certificate.id)
    )
    ledger = await (
        Credential.select(
            Credential.practitioner,
            Credential.number,
            Credential.status,
            Credential.status_changed_on,
            Credential.expires_on,
            Credential.programme_code.as_alias("code"),
            Credential.title,
            Credential.level,
        )
        .where(
            Credential.practitioner.is_in(practitioner_ids)
            & Credential.programme_code.is_in(codes)
            & Credential.source_ref.not_like("certificate:%")  # ours: checked above
        )
        .order_by(Credential.id)
    )
    held: dict[int, Held] = {}
    for row in [*own, *ledger]:
        if row["practitioner"] in held:
            continue
        state = rules.status_on(
            status=row["status"],
            status_changed_on=row["status_changed_on"],
            expires_on=row["expires_on"],
            today=on,
        )
        if state == "valid":
            held[row["practitioner"]] = (row["number"], row["code"], row["title"], row["level"])
    return held


async def _valid_covering_credential(practitioner_id: int, programme: Programme, on: dt.date) -> Held | None:
    """:func:`_covering_credentials` for one person, or ``None``."""
    return (await _covering_credentials([practitioner_id], programme, on)).get(practitioner_id)


def _already_holds(programme: Programme, held: Held, practitioner_id: int) -> Conflict:
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
