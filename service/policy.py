"""Scope checks: which account may act on which base, offering, session, sitting, certificate.

City admins act everywhere; base staff only on their own training base; trainees only for
themselves; employer staff only for their own employer. Violations raise 403.
"""

from __future__ import annotations

from litestar.exceptions import PermissionDeniedException

import certification
import training
from certification.schemas import CertificateOut
from service.accounts import AccountOut
from talent_pool.errors import ValidationFailed


def ensure_base(user: AccountOut, training_base_id: int | None) -> None:
    """City admin, or base staff of ``training_base_id``."""
    if user.role == "city_admin":
        return
    if (
        user.role == "base_staff"
        and training_base_id is not None
        and user.training_base_id == training_base_id
    ):
        return
    raise PermissionDeniedException("只能操作本实训基地的数据")


async def ensure_offering(user: AccountOut, offering_id: int) -> None:
    """City admin, or staff of the offering's base (NotFound for an unknown offering)."""
    offering = await training.get_offering(offering_id)
    ensure_base(user, offering.training_base_id)


async def ensure_session(user: AccountOut, session_id: int) -> None:
    """City admin, or staff of the base running the session's offering."""
    session = await training.get_session(session_id)
    await ensure_offering(user, session.offering_id)


async def ensure_sitting(user: AccountOut, sitting_id: int) -> None:
    """City admin, or staff of the base hosting the exam sitting."""
    sitting = await certification.get_sitting(sitting_id)
    ensure_base(user, sitting.training_base_id)


async def ensure_enrollment(user: AccountOut, enrollment_id: int) -> None:
    """The trainee who owns the enrollment, staff of its base, or a city admin."""
    enrollment = await training.get_enrollment(enrollment_id)
    if user.role == "trainee":
        if user.practitioner_id == enrollment.practitioner_id:
            return
        raise PermissionDeniedException("只能取消本人的报名")
    await ensure_offering(user, enrollment.offering_id)


async def readable_certificate(user: AccountOut, number: str) -> CertificateOut:
    """The certificate, if ``user`` may read it: the holder, staff of the base that examined
    them, or a city admin (403 otherwise, 404 for an unknown number)."""
    cert = await certification.get_certificate(number)
    if user.role == "city_admin":
        return cert
    if user.role == "trainee" and user.practitioner_id == cert.practitioner_id:
        return cert
    if user.role == "base_staff" and cert.sitting_id is not None:
        await ensure_sitting(user, cert.sitting_id)
        return cert
    raise PermissionDeniedException("无权查看该证书")


def practitioner_for(user: AccountOut, requested: int | None) -> int:
    """Whom an enrollment is for: trainees enroll themselves; staff must name the person."""
    if user.role == "trainee":
        if requested is not None and requested != user.practitioner_id:
            raise PermissionDeniedException("学员只能为本人报名")
        assert user.practitioner_id is not None
        return user.practitioner_id
    if requested is None:
        raise ValidationFailed("请提供要报名的从业人员 practitioner_id", field="practitioner_id")
    return requested
