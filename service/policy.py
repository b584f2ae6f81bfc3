"""Who may do what, written once (docs/architecture.md, "Roles and the policy").

Two layers, both here:

1. **Route rules** — every route handler names an *action* (``opt=action("offering.create")``)
   and :data:`ACTIONS` says which roles may take it; one app-wide check (:func:`authorize`, run
   first by the app's one ``before_request`` hook, ``service.app.before_request``) enforces it
   before any parameter is parsed or handler runs (401 without a login, 403 with the wrong role). A route
   without an action is refused (fail closed). ``public`` actions need no login.
2. **Record rules** — the ``ensure_*`` functions below, called by the handlers with the record
   the request names: a base's staff act only on their base's offerings and sittings, an
   examiner only on the sittings assigned to them, an employer only on its own staff, a district
   regulator only inside their district, a trainee only on their own records. A record outside
   the caller's scope is 403 (or 404 when it does not exist).

Roles: ``city_admin`` (市卫健委), ``district_admin`` (区县卫健局, one district), ``base_staff``
(one training base), ``examiner`` (assigned sittings), ``employer_staff`` (one employer),
``trainee`` (themselves), ``agency`` (人才服务机构: searches consenting candidates and recommends
them to employers; no scope id).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler

import certification
import talent_pool
import training
from certification.schemas import CertificateOut
from service.accounts import AccountOut
from talent_pool.errors import ValidationFailed

PUBLIC = "public"
LOGIN = "login"
CITY = "city_admin"
DISTRICT = "district_admin"
BASE = "base_staff"
EXAMINER = "examiner"
EMPLOYER = "employer_staff"
TRAINEE = "trainee"
AGENCY = "agency"
ROLES = (CITY, DISTRICT, BASE, EXAMINER, EMPLOYER, TRAINEE, AGENCY)
REGULATORS = frozenset({CITY, DISTRICT})
ROLE_NAMES = {
    CITY: "市级监管",
    DISTRICT: "区县监管",
    BASE: "实训基地",
    EXAMINER: "考评员",
    EMPLOYER: "托育机构",
    TRAINEE: "学员",
    AGENCY: "人才服务机构",
}

ACTIONS: dict[str, frozenset[str]] = {
    # public and any login
    "public": frozenset({PUBLIC}),
    "me": frozenset({LOGIN}),
    # accounts
    "account.create": frozenset({CITY, DISTRICT}),
    "account.manage": frozenset({CITY, DISTRICT}),
    "identity.confirm": frozenset({CITY, DISTRICT, BASE, EMPLOYER}),
    "audit.read": frozenset({CITY, DISTRICT}),
    "audit.mine": frozenset({TRAINEE}),
    "audit.refusals": frozenset({CITY, DISTRICT}),
    # talent pool
    "employer.create": frozenset({CITY, DISTRICT}),
    "employer.read": frozenset({CITY, DISTRICT, EMPLOYER}),
    "employer.staff": frozenset({CITY, DISTRICT, EMPLOYER}),
    "practitioner.create": frozenset({CITY, DISTRICT}),
    "practitioner.record": frozenset({CITY, DISTRICT, TRAINEE}),
    "employment.create": frozenset({CITY, DISTRICT}),
    "employment.claim": frozenset({EMPLOYER}),
    "employment.list": frozenset({CITY, DISTRICT, EMPLOYER, TRAINEE}),
    "employment.decide": frozenset({CITY, DISTRICT, TRAINEE}),
    "employment.end": frozenset({CITY, DISTRICT, EMPLOYER}),
    "employment.transfer": frozenset({CITY, DISTRICT}),
    # credit and checks (信用与审查, issue 12)
    "credit.record": frozenset({CITY, DISTRICT}),
    "credit.read": frozenset({CITY, DISTRICT, TRAINEE}),
    "check.record": frozenset({CITY, DISTRICT}),
    "check.lists": frozenset({CITY, DISTRICT, EMPLOYER}),
    # talent search (人才检索, issue 12)
    "talent.consent": frozenset({TRAINEE}),
    "talent.search": frozenset({EMPLOYER, AGENCY}),
    "talent.contact": frozenset({EMPLOYER}),
    "talent.contact.answer": frozenset({TRAINEE}),
    "talent.recommend": frozenset({AGENCY}),
    "talent.recommendations": frozenset({EMPLOYER, AGENCY}),
    "import.run": frozenset({CITY, DISTRICT}),
    "export.read": frozenset({CITY, DISTRICT}),
    # targets
    "targets.read": frozenset({CITY, DISTRICT}),
    "targets.shortfall": frozenset({CITY, DISTRICT}),
    "targets.trend": frozenset({CITY, DISTRICT}),
    # training
    "base.list": frozenset({CITY, DISTRICT, BASE}),
    "base.create": frozenset({CITY, DISTRICT}),
    "base.update": frozenset({CITY, DISTRICT}),
    "base.history": frozenset({CITY, DISTRICT}),
    "course.create": frozenset({CITY}),
    "offering.create": frozenset({CITY, BASE}),
    "offering.manage": frozenset({CITY, BASE}),
    "offering.roster": frozenset({CITY, DISTRICT, BASE}),
    "enrollment.create": frozenset({CITY, BASE, TRAINEE}),
    "enrollment.cancel": frozenset({CITY, BASE, TRAINEE}),
    "enrollment.mine": frozenset({TRAINEE}),
    "enrollment.bulk": frozenset({CITY, EMPLOYER}),
    "notification.mine": frozenset({TRAINEE}),
    # attendance in depth
    "checkin.token": frozenset({CITY, BASE}),
    "checkin.scan": frozenset({TRAINEE}),
    "attendance.read": frozenset({CITY, DISTRICT, BASE}),
    "attendance.upload": frozenset({CITY, BASE}),
    # trainer pool
    "trainer.read": frozenset({CITY, DISTRICT, BASE}),
    "trainer.manage": frozenset({CITY, DISTRICT, BASE}),
    "trainer.rank": frozenset({CITY, DISTRICT}),
    "trainer.assign": frozenset({CITY, BASE}),
    "trainer.evaluate": frozenset({TRAINEE}),
    "session.trainers": frozenset({CITY, DISTRICT, BASE, TRAINEE}),
    # online learning, completion rules, quizzes
    "lesson.manage": frozenset({CITY}),
    "lesson.read": frozenset({CITY, DISTRICT, BASE, TRAINEE}),
    "courseware.read": frozenset({LOGIN}),
    "lesson.progress": frozenset({TRAINEE}),
    "progress.read": frozenset({CITY, DISTRICT, BASE, TRAINEE}),
    "course.rule": frozenset({CITY}),
    "quiz.record": frozenset({CITY, BASE}),
    # subsidies
    "subsidy.designate": frozenset({CITY, DISTRICT}),
    "subsidy.roster": frozenset({CITY, DISTRICT, BASE}),
    "subsidy.claim": frozenset({CITY, DISTRICT}),
    # certification
    "programme.configure": frozenset({CITY}),
    "sitting.create": frozenset({CITY, BASE}),
    "sitting.manage": frozenset({CITY, BASE}),
    "sitting.read": frozenset({CITY, DISTRICT, BASE, EXAMINER}),
    "sitting.score": frozenset({CITY, BASE, EXAMINER}),
    "sitting.mine": frozenset({EXAMINER}),
    "certificate.read": frozenset({CITY, DISTRICT, BASE, TRAINEE}),
    "certificate.mine": frozenset({TRAINEE}),
    "certificate.status": frozenset({CITY}),
    "certificate.reissue": frozenset({CITY}),
    "bank.manage": frozenset({CITY}),
    "exam.take": frozenset({TRAINEE}),
    "practical.mark": frozenset({EXAMINER}),
    "bulk.verify": frozenset({CITY, DISTRICT, EMPLOYER}),
    "certificate.expiring": frozenset({CITY, DISTRICT, EMPLOYER}),
    "photo.manage": frozenset({CITY, DISTRICT, TRAINEE}),
    "certificate.match": frozenset({CITY, DISTRICT, EMPLOYER}),
    # pages
    "page.regulator": frozenset({CITY, DISTRICT}),
    "page.trainee": frozenset({TRAINEE}),
    "page.base": frozenset({CITY, BASE}),
    "page.examiner": frozenset({EXAMINER}),
    "page.employer": frozenset({EMPLOYER}),
    "page.agency": frozenset({AGENCY}),
}
"""Action → the roles that may take it (``public``: anyone; ``login``: any logged-in account)."""


PASSWORD_PAGE = "/account/password"
PASSWORD_CHANGE_REQUIRED = (
    f"管理员已重置您的密码，请先设置新密码（网页：修改密码 {PASSWORD_PAGE}；接口：POST /api/auth/password）"
)


class PasswordChangeRequired(PermissionDeniedException):
    """403 for an account whose password an administrator reset (``must_change_password``) on
    every route not marked ``password_change=True``; a browser asking for a page is sent to
    :data:`PASSWORD_PAGE` instead (``service.errors.Problem``)."""


def action(name: str, **opt: Any) -> dict[str, Any]:
    """The route ``opt`` naming ``name`` (a key of :data:`ACTIONS`); public actions also skip the
    login middleware."""
    if name not in ACTIONS:
        raise KeyError(f"unknown policy action {name!r}")
    out: dict[str, Any] = {"policy": name, **opt}
    if PUBLIC in ACTIONS[name]:
        out["exclude_from_auth"] = True
    return out


def _framework(handler: BaseRouteHandler) -> bool:
    """Litestar's own handlers (OpenAPI pages, OPTIONS, static files) carry no action."""
    fn = getattr(handler, "fn", None)
    module = getattr(fn, "__module__", "") or ""
    return module.startswith("litestar")


def user_of(connection: ASGIConnection[Any, Any, Any, Any]) -> AccountOut:
    """The logged-in account; raises 401 when the route was reached without one."""
    user = connection.scope.get("user")
    if not isinstance(user, AccountOut):
        raise NotAuthorizedException("需要登录")
    return user


def authorize(connection: ASGIConnection[Any, Any, Any, Any]) -> None:
    """The route rule: the matched handler's action must allow the caller's role. Raises
    ``NotAuthorizedException`` (401) without a login, ``PermissionDeniedException`` (403) with the
    wrong role, a password awaiting change, or a handler that names no action (fail closed).

    Called from the app-wide ``before_request`` hook rather than as a Litestar guard: a guard call
    copies the route handler on every request (a sixth of ``/health``'s cost, bench/README.md)."""
    handler: BaseRouteHandler = connection.scope["route_handler"]
    name = handler.opt.get("policy")
    if name is None:
        if _framework(handler):
            return
        raise PermissionDeniedException("该接口未配置访问权限")
    roles = ACTIONS[name]
    if PUBLIC in roles:
        return
    user = user_of(connection)
    if user.must_change_password and not handler.opt.get("password_change"):
        raise PasswordChangeRequired(PASSWORD_CHANGE_REQUIRED)
    if LOGIN in roles or user.role in roles:
        return
    allowed = "、".join(ROLE_NAMES[r] for r in ROLES if r in roles)
    raise PermissionDeniedException(f"当前账号没有权限：此操作仅限{allowed}账号")


# --------------------------------------------------------------------------- record rules


def _deny(message: str) -> PermissionDeniedException:
    return PermissionDeniedException(message)


async def _base_district(training_base_id: int | None) -> str | None:
    if training_base_id is None:
        return None
    return (await training.get_training_base(training_base_id)).district_code


async def ensure_base(user: AccountOut, training_base_id: int | None, *, read: bool = False) -> None:
    """City admin; base staff of ``training_base_id``; for reading, a district admin of its district."""
    if user.role == CITY:
        return
    if user.role == BASE and training_base_id is not None and user.training_base_id == training_base_id:
        return
    if read and user.role == DISTRICT and await _base_district(training_base_id) == user.district_code:
        return
    raise _deny("只能操作本实训基地的数据")


async def ensure_base_regulator(user: AccountOut, training_base_id: int) -> None:
    """Changing a base or reading its changes: a city admin, or the district admin of the base's
    district (NotFound for an unknown base)."""
    ensure_district(user, (await training.get_training_base(training_base_id)).district_code)


async def ensure_offering(user: AccountOut, offering_id: int, *, read: bool = False) -> None:
    """:func:`ensure_base` for the offering's base (NotFound for an unknown offering)."""
    offering = await training.get_offering(offering_id)
    await ensure_base(user, offering.training_base_id, read=read)


async def ensure_session(user: AccountOut, session_id: int, *, read: bool = False) -> None:
    """:func:`ensure_offering` for the session's offering."""
    session = await training.get_session(session_id)
    await ensure_offering(user, session.offering_id, read=read)


async def ensure_session_trainee(user: AccountOut, session_id: int) -> None:
    """A trainee who holds an enrollment (not cancelled) in the session's offering."""
    session = await training.get_session(session_id)
    if (
        user.role == TRAINEE
        and user.practitioner_id is not None
        and await training.enrolled_in(session.offering_id, user.practitioner_id)
    ):
        return
    raise _deny("只能进入本人报名班级的课次")


async def ensure_session_reader(user: AccountOut, session_id: int) -> None:
    """Trainees of the session's class (:func:`ensure_session_trainee`); staff and regulators as
    :func:`ensure_session` for reading."""
    if user.role == TRAINEE:
        await ensure_session_trainee(user, session_id)
        return
    await ensure_session(user, session_id, read=True)


async def ensure_offering_regulator(user: AccountOut, offering_id: int) -> None:
    """A city admin, or a district admin of the district of the offering's base."""
    offering = await training.get_offering(offering_id)
    if user.role == CITY or (user.role == DISTRICT and offering.district_code == user.district_code):
        return
    raise _deny("只能处理本区县实训基地的班级")


async def ensure_trainer(user: AccountOut, trainer_id: int) -> None:
    """Managing a trainer: a city admin; a district admin of the trainer's district; staff of
    the trainer's base (NotFound for an unknown trainer)."""
    trainer = await training.get_trainer(trainer_id)
    if user.role == CITY:
        return
    if user.role == DISTRICT and trainer.district_code == user.district_code:
        return
    if (
        user.role == BASE
        and trainer.training_base_id is not None
        and trainer.training_base_id == user.training_base_id
    ):
        return
    raise _deny("只能管理本区县（或本实训基地）的讲师")


def ensure_trainer_scope(user: AccountOut, district_code: str, training_base_id: int | None) -> None:
    """Adding a trainer: a city admin anywhere; a district admin in their district; base staff
    only to their own base."""
    if user.role == CITY or (user.role == DISTRICT and user.district_code == district_code):
        return
    if user.role == BASE and training_base_id is not None and training_base_id == user.training_base_id:
        return
    raise _deny("只能为本区县（或本实训基地）添加讲师")


def trainer_district(user: AccountOut, requested: str | None) -> str | None:
    """Whose pool a reader sees: a district admin always their own district (another is 403);
    others the district they ask for (``None``: the whole city)."""
    if user.role == DISTRICT:
        if requested not in (None, user.district_code):
            raise _deny("区县监管账号只能查看本区县的师资")
        return user.district_code
    return requested


async def ensure_enrollment_read(user: AccountOut, enrollment_id: int) -> None:
    """Reading an enrollment's progress: the trainee who owns it; staff of its base; a
    regulator of the base's district; a city admin."""
    enrollment = await training.get_enrollment(enrollment_id)
    if user.role == TRAINEE:
        if user.practitioner_id is not None and user.practitioner_id == enrollment.practitioner_id:
            return
        raise _deny("只能查看或记录本人的学习进度")
    await ensure_offering(user, enrollment.offering_id, read=True)


def bulk_employer(user: AccountOut, requested: int | None) -> int:
    """Which employer a bulk enrollment is for: employer staff — their own (naming another is
    403); a city admin must name one."""
    if user.role == EMPLOYER:
        if user.employer_id is None or requested not in (None, user.employer_id):
            raise _deny("只能为本机构员工报名")
        return user.employer_id
    if requested is None:
        raise ValidationFailed("请提供托育机构 employer_id", field="employer_id")
    return requested


async def ensure_sitting(
    user: AccountOut, sitting_id: int, *, read: bool = False, score: bool = False
) -> None:
    """City admin; staff of the hosting base; an assigned examiner (reading or scoring); for
    reading, a district admin of the base's district."""
    sitting = await certification.get_sitting(sitting_id)
    if user.role == EXAMINER and (read or score):
        if await certification.is_examiner(sitting_id, user.id):
            return
        raise _deny("只能处理分配给本人的考试场次")
    await ensure_base(user, sitting.training_base_id, read=read)


async def ensure_enrollment(user: AccountOut, enrollment_id: int) -> None:
    """The trainee who owns the enrollment, staff of its base, or a city admin."""
    enrollment = await training.get_enrollment(enrollment_id)
    if user.role == TRAINEE:
        if user.practitioner_id == enrollment.practitioner_id:
            return
        raise _deny("只能取消本人的报名")
    await ensure_offering(user, enrollment.offering_id)


async def ensure_employer(user: AccountOut, employer_id: int) -> None:
    """City admin; a district admin of the employer's district; the employer's own staff."""
    if user.role == CITY:
        return
    if user.role == EMPLOYER and user.employer_id == employer_id:
        return
    if (
        user.role == DISTRICT
        and (await talent_pool.get_employer(employer_id)).district_code == user.district_code
    ):
        return
    raise _deny("只能查看本机构（或本区县）的数据")


def ensure_district(user: AccountOut, district_code: str) -> None:
    """City admin, or the district admin of ``district_code``."""
    if user.role == CITY or (user.role == DISTRICT and user.district_code == district_code):
        return
    raise _deny("只能操作本区县的数据")


async def may_read_practitioner(user: AccountOut, practitioner_id: int) -> bool:
    """The readable-record rule, without raising: the person themselves, a city admin, or a
    district admin of a district the person works or **worked** in (a confirmed employment there,
    ended or not: a district keeps its regulatory history — complaints, credit records, who held
    which certificate there; every such read is audited). A pending or declined claim grants
    nothing (README, "Security and personal data")."""
    if user.role == CITY:
        return True
    if user.role == TRAINEE and user.practitioner_id == practitioner_id:
        return True
    return user.role == DISTRICT and user.district_code in await talent_pool.practitioner_districts(
        practitioner_id
    )


async def ensure_practitioner(user: AccountOut, practitioner_id: int) -> None:
    """:func:`may_read_practitioner` or 403 (a city admin gets 404 for an unknown person)."""
    if user.role == CITY:
        await talent_pool.get_practitioner(practitioner_id)
        return
    if await may_read_practitioner(user, practitioner_id):
        return
    raise _deny("只能查看本人（或本区县从业人员）的档案")


async def ensure_employment_recorder(user: AccountOut, practitioner_id: int, *, today: dt.date) -> None:
    """Recording an employment directly (``active`` at once): a city admin anyone; a district
    admin only a person who **currently** works in their district
    (:func:`talent_pool.works_in_district` on the local ``today``) — a second job, a move inside
    the district. Anyone else (a person of another district, one whose employments there have
    ended, a new person, an unknown id, a person under 终身禁入) gets the same 403, which says
    nothing about the person: a district admin cannot pull a person into the district and so gain
    the right to read them; such a person is hired through the employer's claim (full ID number
    and name), pending until the person confirms (README, "Security and personal data")."""
    if user.role == CITY:
        return
    if (
        user.role == DISTRICT
        and user.district_code is not None
        and await talent_pool.works_in_district(practitioner_id, user.district_code, on=today)
    ):
        return
    raise _deny(
        "区县监管账号只能为本区县在职人员直接登记任职；其他人员请由托育机构按身份证号和姓名认领，"
        "经本人确认后生效"
    )


async def ensure_check_recorder(user: AccountOut, practitioner_id: int) -> None:
    """Recording a background check or health certificate: a city admin; a district admin of a
    district the person works in *or is being hired in* (a pending claim: the check comes before
    hiring). NotFound for an unknown person."""
    await talent_pool.get_practitioner(practitioner_id)
    if user.role == CITY:
        return
    if user.role == DISTRICT and user.district_code in await talent_pool.practitioner_districts(
        practitioner_id, pending=True
    ):
        return
    raise _deny("只能为本区县（在职或待入职）的从业人员登记")


async def ensure_employment(user: AccountOut, employment_id: int, *, deciding: bool = False) -> None:
    """Regulators (in their district); the employer of the employment (to end it); the person
    themselves (to confirm or decline it)."""
    employment = await talent_pool.get_employment(employment_id)
    if user.role == TRAINEE and deciding and user.practitioner_id == employment.practitioner_id:
        return
    if user.role == EMPLOYER and not deciding and user.employer_id == employment.employer_id:
        return
    if user.role in REGULATORS:
        ensure_district(user, employment.district_code)
        return
    raise _deny("无权处理该任职记录")


def check_list_scope(user: AccountOut, district_code: str | None) -> dict[str, Any]:
    """Filters of an overdue / expiring list: a city admin any district (``None``: the city); a
    district admin always their own (naming another is 403); employer staff their own employer
    (a district named is ignored)."""
    if user.role == EMPLOYER:
        if user.employer_id is None:
            raise _deny("只能查看本机构员工")
        return {"employer_id": user.employer_id}
    if user.role == DISTRICT:
        if district_code not in (None, user.district_code):
            raise _deny("区县监管账号只能查看本区县的数据")
        return {"district_code": user.district_code}
    if user.role == CITY:
        return {"district_code": district_code}
    raise _deny("无权查看")


def own_practitioner(user: AccountOut) -> int:
    """The caller's own practitioner id (a trainee whose identity is verified; 403 otherwise)."""
    if user.role == TRAINEE and user.practitioner_id is not None:
        return user.practitioner_id
    raise _deny("请先完成实名验证")


def own_employer(user: AccountOut) -> int:
    """The caller's own employer id (employer staff; 403 otherwise)."""
    if user.role == EMPLOYER and user.employer_id is not None:
        return user.employer_id
    raise _deny("只能以本机构身份操作")


def targets_scope(user: AccountOut, requested: str | None) -> str | None:
    """The scope a regulator may see: any for a city admin; a district admin always gets their own
    district (asking for another scope is 403)."""
    if user.role == CITY:
        return requested
    assert user.district_code is not None
    if requested not in (None, user.district_code):
        raise _deny("区县监管账号只能查看本区县的指标")
    return user.district_code


async def targets_scopes(
    user: AccountOut, scopes: list[str] | None, levels: list[str] | None
) -> tuple[list[str] | None, list[str] | None]:
    """``(scopes, levels)`` a regulator may compute: anything for a city admin; for a district
    admin their district, its streets and its employers only — a family (``levels``) becomes
    that district's scopes of the family; a zone, the city or another district's scope is 403."""
    if user.role == CITY:
        return scopes, levels
    assert user.district_code is not None
    inside = await talent_pool.scopes_within_district(user.district_code, scopes, levels)
    if inside is None:
        raise _deny("区县监管账号只能查看本区县（及其街道、机构）的指标")
    return inside, None


FULL_ID_ROLES = frozenset({CITY, DISTRICT})
"""Roles shown a certificate holder's full ID number wherever a certificate is returned (a
district admin only ever gets the certificates of its district: the route's scope check); the
holder sees their own too. Everyone else (base staff, examiners, employers) gets it masked
(README, "Security and personal data")."""


def certificate_for(user: AccountOut, cert: CertificateOut) -> CertificateOut:
    """``cert`` as ``user`` may see it: the holder's ID number in full for :data:`FULL_ID_ROLES`
    and for the holder themselves, masked (``370*************62``) for every other role. Every
    route returning a certificate passes it through here (or :func:`certificates_for`)."""
    if user.role in FULL_ID_ROLES or (user.role == TRAINEE and user.practitioner_id == cert.practitioner_id):
        return cert
    return cert.model_copy(update={"holder_id_number": talent_pool.mask_id_number(cert.holder_id_number)})


def certificates_for(user: AccountOut, certs: list[CertificateOut]) -> list[CertificateOut]:
    """:func:`certificate_for` of each certificate, in order."""
    return [certificate_for(user, c) for c in certs]


async def readable_certificate(user: AccountOut, number: str) -> CertificateOut:
    """The certificate, if ``user`` may read it: the holder, staff of the base that examined
    them, a district admin of the holder's district or of that base's district, or a city admin
    (403 otherwise, 404 for an unknown number), as :func:`certificate_for` shows it (base staff
    get the holder's ID number masked)."""
    cert = await certification.get_certificate(number)
    if user.role == CITY:
        return cert
    if user.role == TRAINEE and user.practitioner_id == cert.practitioner_id:
        return cert
    if user.role in (BASE, DISTRICT) and cert.sitting_id is not None:
        sitting = await certification.get_sitting(cert.sitting_id)
        if user.role == BASE and user.training_base_id == sitting.training_base_id:
            return certificate_for(user, cert)
        if user.role == DISTRICT and await _base_district(sitting.training_base_id) == user.district_code:
            return cert
    if user.role == DISTRICT and user.district_code in await talent_pool.practitioner_districts(
        cert.practitioner_id
    ):
        return cert
    raise _deny("无权查看该证书")


def import_scope(user: AccountOut) -> str | None:
    """The district an import or export is limited to: a district admin's own district
    (``talent_pool.import_stream`` rejects rows outside it); ``None`` (the whole city) for a
    city admin."""
    if user.role == DISTRICT:
        assert user.district_code is not None
        return user.district_code
    return None


async def ensure_import(user: AccountOut, job_id: int) -> None:
    """The login that uploaded the import, or a city admin (404 when unknown)."""
    owner, _ = await talent_pool.import_job_owner(job_id)
    if user.role == CITY or user.id == owner:
        return
    raise _deny("只能查看本人提交的导入任务")


async def ensure_bulk(user: AccountOut, job_id: int) -> None:
    """The login that asked for the bulk verification, or a city admin (404 when unknown)."""
    owner = await certification.bulk_owner(job_id)
    if user.role == CITY or user.id == owner:
        return
    raise _deny("只能查看本账号提交的批量核验")


async def ensure_attempt(user: AccountOut, attempt_id: int) -> None:
    """Only the candidate whose online attempt it is (404 for an unknown attempt)."""
    owner = await certification.attempt_owner(attempt_id)
    if user.role == TRAINEE and user.practitioner_id is not None and user.practitioner_id == owner:
        return
    raise _deny("只能查看和作答本人的考试")


def practitioner_for(user: AccountOut, requested: int | None) -> int:
    """Whom an enrollment is for: trainees enroll themselves; staff must name the person."""
    if user.role == TRAINEE:
        if requested is not None and requested != user.practitioner_id:
            raise _deny("学员只能为本人报名")
        if user.practitioner_id is None:
            raise _deny("请先完成实名验证")
        return user.practitioner_id
    if requested is None:
        raise ValidationFailed("请提供要报名的从业人员 practitioner_id", field="practitioner_id")
    return requested
