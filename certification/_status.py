"""Status changes of certificates (吊销 / 暂停 / 恢复 / 换发), each with a reason and an event."""

from __future__ import annotations

import datetime as dt

from certification import rules
from certification._common import (
    credential_ref,
)
from certification._verification import get_certificate
from certification.errors import (
    Conflict,
    ValidationFailed,
)
from certification.schemas import (
    CertificateOut,
)
from certification.tables import (
    Certificate,
    CertificateEvent,
)
from talent_pool import update_credential_status as _update_credential_status
from talent_pool.db import atomic

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
