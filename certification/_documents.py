"""Certificate documents: rendering the QR code and the PDF (in worker threads, never on the
event loop), storing them, and reading them back."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging

from certification._common import _CERT_COLUMNS, RENDER_TASK, _cert_out
from certification._images import images_for
from certification.errors import DocumentNotRendered, NotFound
from certification.pdf import CertificateFace, certificate_pdf
from certification.qr import qr_png
from certification.schemas import CertificateOut
from certification.tables import Certificate, CertificateDocument
from talent_pool.db import atomic
from talent_pool.outbox import enqueue, pending_args

log = logging.getLogger("tuoyu.certification")

RENDER_BATCH = 20
"""Certificates per render job: rendering is CPU-bound, so a few per job spread a large batch
over several workers while keeping the per-job overhead small."""


def render_files(
    cert: CertificateOut, photo: bytes | None = None, seal_png: bytes | None = None
) -> tuple[bytes, bytes]:
    """``(qr_png, pdf)`` of a certificate: the QR code of its stored signed verify URL and the
    one-page PDF, with the holder's ``photo`` (JPEG) and the issuer's ``seal_png`` when given
    (pure CPU work, no I/O; call it in a thread)."""
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
            photo=photo,
            seal_png=seal_png,
        ),
        png,
    )
    return png, pdf


async def render_certificates(certificate_ids: list[int], *, now: dt.datetime, force: bool = False) -> int:
    """The background job ``certification.render_certificates``: render the QR code and PDF of
    each certificate that has no document yet (all of them with ``force``) — with the holder's
    photo and the issuer's seal when uploaded (``certification._images``) — and store them in
    ``ce_certificate_document`` (``rendered_at`` = ``now``). Idempotent: a redelivered job finds
    the documents and renders nothing again. Needs no key: the signed URL is stored. Rendering
    runs in a worker thread. Returns how many were rendered; unknown ids are ignored."""
    if not certificate_ids:
        return 0
    query = Certificate.select(*_CERT_COLUMNS).where(Certificate.id.is_in(list(certificate_ids)))
    if not force:
        done = CertificateDocument.select(CertificateDocument.certificate).where(
            CertificateDocument.certificate.is_in(list(certificate_ids))
        )
        have = {r["certificate"] for r in await done}
        query = query.where(Certificate.id.not_in(list(have))) if have else query
    certs = [_cert_out(r) for r in await query.order_by(Certificate.id)]
    photos, seals = await images_for({c.practitioner_id for c in certs}, {c.issuer for c in certs})
    for cert in certs:
        png, pdf = await asyncio.to_thread(
            render_files, cert, photos.get(cert.practitioner_id), seals.get(" ".join(cert.issuer.split()))
        )
        async with atomic():
            await CertificateDocument.insert(
                CertificateDocument(certificate=cert.id, qr_png=png, pdf=pdf, rendered_at=now)
            ).on_conflict(
                target=CertificateDocument.certificate,
                action="DO UPDATE",
                values=[CertificateDocument.qr_png, CertificateDocument.pdf, CertificateDocument.rendered_at],
            )
        # logged once the document is stored: a process that dies before the commit rendered
        # nothing that counts, and its redelivered job renders that certificate again
        log.info("rendered certificate %s (%s)", cert.id, cert.number)
    return len(certs)


async def render_certificate(certificate_id: int, *, now: dt.datetime) -> CertificateOut:
    """Render (again) one certificate's QR code and PDF; returns the certificate. Raises
    :class:`NotFound` for an unknown id."""
    row = await Certificate.select(*_CERT_COLUMNS).where(Certificate.id == certificate_id).first()
    if row is None:
        raise NotFound(f"证书 {certificate_id} 不存在", certificate_id=certificate_id)
    await render_certificates([certificate_id], now=now, force=True)
    return _cert_out(row)


async def certificates_without_documents(limit: int = 1000) -> list[int]:
    """Ids of certificates that have no rendered document and no render job waiting for them
    (oldest first): a render job that failed for good, or data from before the outbox. What the
    periodic repair and ``tuoyu doctor`` fix with :func:`enqueue_missing_renders`."""
    rows = await (
        Certificate.select(Certificate.id)
        .where(Certificate.id.not_in(CertificateDocument.select(CertificateDocument.certificate)))
        .order_by(Certificate.id)
        .limit(limit)
    )
    waiting = {cid for args in await pending_args(RENDER_TASK) for cid in (args[0] if args else [])}
    return [r["id"] for r in rows if r["id"] not in waiting]


async def enqueue_missing_renders(*, now: dt.datetime, limit: int = 1000) -> int:
    """Enqueue render jobs for :func:`certificates_without_documents` (in batches of
    ``RENDER_BATCH``); returns how many certificates were enqueued. Idempotent: certificates with
    a waiting job are left alone. ``now`` is accepted for the periodic-repair signature."""
    missing = await certificates_without_documents(limit)
    if missing:
        async with atomic():
            for start in range(0, len(missing), RENDER_BATCH):
                await enqueue(RENDER_TASK, missing[start : start + RENDER_BATCH])
    return len(missing)


async def get_document(certificate_id: int) -> tuple[bytes, bytes]:
    """``(qr_png, pdf)`` bytes of a certificate. Raises :class:`NotFound` for an unknown
    certificate, :class:`DocumentNotRendered` when the render job has not run yet."""
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
