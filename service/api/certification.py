"""Certification API: programmes, exam sittings, results, issuance, documents, revocation."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, Response, get, patch, post
from litestar.params import QueryParameter
from pydantic import BaseModel, Field

import certification
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
)
from service import usecases
from service.audit import personal_read
from service.policy import (
    action,
    certificate_for,
    certificates_for,
    ensure_base,
    ensure_sitting,
    readable_certificate,
    user_of,
)
from service.runtime import Runtime


class CandidateIn(BaseModel):
    practitioner_id: int


class ResultsIn(BaseModel):
    """Theory and practical scores (0–100, at most one decimal) for registered candidates."""

    results: list[ResultIn] = Field(min_length=1, max_length=2000)


class ExaminerIn(BaseModel):
    """The login id of an examiner to assign to a sitting."""

    examiner_id: int


class RevokeIn(BaseModel):
    reason: str = Field(min_length=2, max_length=500)


class ReplaceIn(BaseModel):
    """Why the certificate is replaced (补发/换发): lost, damaged, name corrected …"""

    reason: str = Field(min_length=2, max_length=500)


class CertificationController(Controller):
    path = "/api"
    tags = ["certification"]

    @get(
        "/catalog/programmes",
        summary="Certificate programmes (1+X 幼儿照护, 人社 occupations)",
        opt=action("public"),
    )
    async def programmes(self) -> list[ProgrammeOut]:
        return await certification.list_programmes()

    @patch(
        "/programmes/{code:str}",
        opt=action("programme.configure"),
        summary="Configure a programme: pass marks, validity years, minimum training hours, issuer",
    )
    async def configure_programme(self, code: str, data: ProgrammeUpdate) -> ProgrammeOut:
        return await certification.update_programme(code, data)

    @post("/sittings", opt=action("sitting.create"), summary="Schedule an exam sitting at a base")
    async def create_sitting(
        self, data: SittingIn, request: Request[Any, Any, Any], rt: Runtime
    ) -> SittingOut:
        await ensure_base(user_of(request), data.training_base_id)
        return await certification.create_sitting(data, today=rt.today())

    @post(
        "/sittings/{sitting_id:int}/candidates",
        opt=action("sitting.manage"),
        summary="Register a candidate (eligibility from the training ledger)",
    )
    async def register(
        self, sitting_id: int, data: CandidateIn, request: Request[Any, Any, Any]
    ) -> CandidateOut:
        await ensure_sitting(user_of(request), sitting_id)
        return await certification.register_candidate(sitting_id, data.practitioner_id)

    @get(
        "/sittings/{sitting_id:int}/candidates",
        opt=action("sitting.read"),
        summary="Candidates and scores",
    )
    async def candidates(self, sitting_id: int, request: Request[Any, Any, Any]) -> list[CandidateOut]:
        await ensure_sitting(user_of(request), sitting_id, read=True)
        return await certification.list_candidates(sitting_id)

    @post(
        "/sittings/{sitting_id:int}/results",
        opt=action("sitting.score"),
        summary="Enter theory and practical scores; pass = both ≥ the programme's pass marks",
    )
    async def results(
        self, sitting_id: int, data: ResultsIn, request: Request[Any, Any, Any], rt: Runtime
    ) -> list[ResultOut]:
        user = user_of(request)
        await ensure_sitting(user, sitting_id, score=True)
        return await certification.record_results(
            sitting_id, data.results, entered_by=user.username, now=rt.now(), today=rt.today()
        )

    @post(
        "/sittings/{sitting_id:int}/issue",
        opt=action("sitting.manage"),
        summary="Issue certificates to every passed candidate (QR + PDF rendered by the worker)",
    )
    async def issue(
        self, sitting_id: int, request: Request[Any, Any, Any], rt: Runtime
    ) -> Response[list[CertificateOut]]:
        """201 with the sitting's certificates when this call issued any; 200 with the same list
        when they had been issued already (a repeated or simultaneous call)."""
        user = user_of(request)
        await ensure_sitting(user, sitting_id)
        result = await usecases.issue_certificates(rt, sitting_id)
        shown = certificates_for(user, result.certificates)
        return Response(shown, status_code=201 if result.newly_issued else 200)

    @get(
        "/certificates/{number:str}",
        opt=action("certificate.read"),
        summary="A certificate (holder, the examining base, regulators of the district)",
    )
    async def certificate(self, number: str, request: Request[Any, Any, Any]) -> CertificateOut:
        cert = await readable_certificate(user_of(request), number)
        personal_read(request, [cert.practitioner_id])
        return cert

    @get(
        "/certificates/expiring",
        opt=action("certificate.expiring"),
        summary="Certificates in force expiring within N days (city; district; the employer's staff)",
    )
    async def expiring(
        self,
        request: Request[Any, Any, Any],
        rt: Runtime,
        within_days: Annotated[int, QueryParameter(ge=0, le=36_500)] = 90,
    ) -> list[CertificateOut]:
        user = user_of(request)
        return certificates_for(user, await usecases.expiring_certificates(rt, user, within_days))

    @post(
        "/certificates/{number:str}/renew",
        opt=action("certificate.reissue"),
        summary="Renew (延续): a new certificate supersedes the old one (90 days before to 180 after expiry)",
    )
    async def renew(self, number: str, request: Request[Any, Any, Any], rt: Runtime) -> CertificateOut:
        user = user_of(request)
        return certificate_for(user, await usecases.renew_certificate(rt, number, by=user.username))

    @post(
        "/certificates/{number:str}/replace",
        opt=action("certificate.reissue"),
        summary="Replace (补发/换发) with a reason: new number, same expiry, the old one superseded",
    )
    async def replace(
        self, number: str, data: ReplaceIn, request: Request[Any, Any, Any], rt: Runtime
    ) -> CertificateOut:
        user = user_of(request)
        return certificate_for(
            user, await usecases.replace_certificate(rt, number, reason=data.reason, by=user.username)
        )

    @get(
        "/certificates/{number:str}/vc.jwt",
        opt=action("certificate.read"),
        summary="The certificate as a W3C Verifiable Credential (Open Badges 3.0) signed as a VC-JWT",
    )
    async def vc(self, number: str, request: Request[Any, Any, Any], rt: Runtime) -> Response[str]:
        cert = await readable_certificate(user_of(request), number)
        personal_read(request, [cert.practitioner_id])  # the holder's name and certificate, signed
        token = await usecases.certificate_credential(rt, cert.number)
        return Response(
            token,
            media_type="application/jwt",
            headers={"Content-Disposition": f'attachment; filename="{cert.number}.jwt"'},
        )

    @get("/me/certificates", opt=action("certificate.mine"), summary="My certificates")
    async def mine(self, request: Request[Any, Any, Any]) -> list[CertificateOut]:
        user = user_of(request)
        if user.practitioner_id is None:
            return []
        return certificates_for(user, await certification.certificates_of_practitioner(user.practitioner_id))

    @get("/me/sittings", opt=action("sitting.mine"), summary="The sittings assigned to me (examiner)")
    async def my_sittings(self, request: Request[Any, Any, Any]) -> list[SittingOut]:
        return await certification.sittings_of_examiner(user_of(request).id)

    @post(
        "/sittings/{sitting_id:int}/examiners",
        opt=action("sitting.manage"),
        summary="Assign an examiner (an examiner login) to a sitting",
    )
    async def assign_examiner(
        self, sitting_id: int, data: ExaminerIn, request: Request[Any, Any, Any], rt: Runtime
    ) -> list[int]:
        user = user_of(request)
        await ensure_sitting(user, sitting_id)
        return await usecases.assign_examiner(rt, sitting_id, data.examiner_id, by=user.username)

    @get("/certificates/{number:str}/qr.png", opt=action("certificate.read"), summary="The QR code (PNG)")
    async def qr(self, number: str, request: Request[Any, Any, Any]) -> Response[bytes]:
        cert = await readable_certificate(user_of(request), number)
        png, _ = await certification.get_document(cert.id)
        return Response(png, media_type="image/png")

    @get("/certificates/{number:str}/certificate.pdf", opt=action("certificate.read"), summary="The PDF")
    async def pdf(self, number: str, request: Request[Any, Any, Any]) -> Response[bytes]:
        cert = await readable_certificate(user_of(request), number)
        personal_read(request, [cert.practitioner_id])
        _, pdf = await certification.get_document(cert.id)
        return Response(
            pdf,
            media_type="application/pdf",
            headers={"Content-Disposition": f'attachment; filename="{cert.number}.pdf"'},
        )

    @get(
        "/sittings/{sitting_id:int}/results/history",
        opt=action("sitting.read"),
        summary="Audit trail of score entries and corrections",
    )
    async def history(self, sitting_id: int, request: Request[Any, Any, Any]) -> list[ResultEventOut]:
        await ensure_sitting(user_of(request), sitting_id, read=True)
        return await certification.result_history(sitting_id)

    @post(
        "/certificates/{number:str}/suspend",
        opt=action("certificate.status"),
        summary="Suspend (暂停) with a reason; verification answers `suspended` until reinstated",
    )
    async def suspend(
        self, number: str, data: RevokeIn, request: Request[Any, Any, Any], rt: Runtime
    ) -> CertificateOut:
        user = user_of(request)
        return certificate_for(
            user,
            await usecases.change_certificate_status(
                rt, "suspend", number, reason=data.reason, by=user.username
            ),
        )

    @post(
        "/certificates/{number:str}/reinstate",
        opt=action("certificate.status"),
        summary="Reinstate a suspended certificate (恢复), with a reason",
    )
    async def reinstate(
        self, number: str, data: RevokeIn, request: Request[Any, Any, Any], rt: Runtime
    ) -> CertificateOut:
        user = user_of(request)
        return certificate_for(
            user,
            await usecases.change_certificate_status(
                rt, "reinstate", number, reason=data.reason, by=user.username
            ),
        )

    @post(
        "/certificates/{number:str}/revoke",
        opt=action("certificate.status"),
        summary="Revoke (吊销) with a reason; never deleted",
    )
    async def revoke(
        self, number: str, data: RevokeIn, request: Request[Any, Any, Any], rt: Runtime
    ) -> CertificateOut:
        user = user_of(request)
        return certificate_for(
            user,
            await usecases.change_certificate_status(
                rt, "revoke", number, reason=data.reason, by=user.username
            ),
        )
