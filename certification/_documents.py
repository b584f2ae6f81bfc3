"""Certificate documents: rendering the QR code and the PDF, and reading them back."""

from __future__ import annotations

import datetime as dt

from certification._common import (
    _cert_where,
)
from certification.errors import (
    DocumentNotRendered,
    NotFound,
)
from certification.pdf import CertificateFace, certificate_pdf
from certification.qr import qr_png
from certification.schemas import (
    CertificateOut,
)
from certification.tables import (
    Certificate,
    CertificateDocument,
)
from talent_pool.db import atomic

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
