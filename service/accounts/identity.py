"""Real-name sign-up that reveals nothing (PIPL: nobody learns who is in the talent pool).

Signing up creates a trainee login whose identity is **pending**; the answer is the same whether
or not the ID number is in the pool and whether or not the name matches. The login is bound to a
practitioner only by a second factor the person has:

- a **one-time code** by text message — to the phone *on record* when the ID number and name
  match a person in the pool (never to a number the caller typed), or to the phone typed at
  sign-up when the ID number is new (the new practitioner is created at verification). No code
  is sent when the name does not match, or when the person has no phone on record;
- or a **confirmation** by a regulator, the person's employer or a training base where they are
  enrolled (:func:`confirm_identity`) — the way for people without a phone on record.

Until then the login sees nothing about anyone (it holds no practitioner id). Codes are six
digits, stored as an HMAC, valid :data:`CODE_MINUTES` minutes, :data:`MAX_CODE_ATTEMPTS` tries.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import logging
import secrets

import talent_pool
from service.accounts.passwords import check_new_password
from service.accounts.services import AccountIn, AccountOut, create_account, find_account
from service.accounts.tables import UserAccount
from service.sms import SmsSender
from talent_pool.db import atomic
from talent_pool.errors import Conflict, ValidationFailed
from talent_pool.identity import MIN_WORKING_AGE, age_on, clean_person_name, parse_id_number
from talent_pool.schemas import PractitionerIn

log = logging.getLogger("tuoyu.identity")

CODE_MINUTES = 10
MAX_CODE_ATTEMPTS = 5
NEXT_STEP = (
    "账号已创建，需完成实名验证：验证码已发送至您在平台登记的手机号（新登记人员为本次填写的手机号），"
    "请在 10 分钟内输入。如未收到，请联系所在托育机构、实训基地或监管部门确认身份。"
)
BAD_CODE = "验证码错误或已过期，请重新获取"


def _code_hash(secret: str, account_id: int, code: str) -> str:
    return hmac.new(secret.encode(), f"{account_id}:{code}".encode(), hashlib.sha256).hexdigest()


async def sign_up(
    *,
    username: str,
    password: str,
    id_number: str,
    name: str,
    phone: str,
    today: dt.date,
    now: dt.datetime,
    secret: str,
    sms: SmsSender,
) -> AccountOut:
    """Create a pending trainee login and send the code where it belongs (see the module
    docstring). The result is the same account shape with ``identity_status="pending"`` in every
    case. Raises :class:`InvalidIdNumber` / :class:`ValidationFailed` only for what the input says
    by itself (a malformed ID number or name, a person under 16, a new person without a phone) and
    :class:`Conflict` for a username already taken."""
    # the password's rules first, so their answer does not depend on whose ID number it is
    check_new_password(password, username=username.lower())
    rid = parse_id_number(id_number, today=today)
    try:
        clean = clean_person_name(name)
    except ValueError as exc:
        raise ValidationFailed(str(exc), field="name") from None
    person = await talent_pool.find_practitioner(rid.number, today=today)
    if person is None:
        # a new person: the age rule and the phone are checked as registration will
        PractitionerIn(id_number=rid.number, name=clean, phone=phone)
        if age_on(rid.birth_date, today) < MIN_WORKING_AGE:
            raise ValidationFailed(
                "未满 16 周岁，不能登记为从业人员（《劳动法》第十五条）", field="id_number"
            )
        if not phone.strip():
            raise ValidationFailed("请填写手机号以接收验证码", field="phone")
    account = await create_account(
        AccountIn(username=username, password=password, role="trainee", display_name=clean),
        identity_pending=True,
    )
    target = None
    if person is None:
        target = phone.strip()
    elif person.name == clean and person.phone:
        target = person.phone
    code = f"{secrets.randbelow(1_000_000):06d}"
    await UserAccount.update(
        {
            UserAccount.identity_status: "pending",
            UserAccount.claimed_id_number: rid.number,
            UserAccount.claimed_name: clean,
            UserAccount.claimed_phone: phone.strip()[:20],
            UserAccount.otp_hash: _code_hash(secret, account.id, code) if target else "",
            UserAccount.otp_expires_at: now + dt.timedelta(minutes=CODE_MINUTES) if target else None,
            UserAccount.otp_attempts: 0,
        }
    ).where(UserAccount.id == account.id)
    if target:
        await sms.send(
            target,
            f"【托育人才服务平台】您的实名验证码为 {code}，{CODE_MINUTES} 分钟内有效。如非本人操作请忽略。",
        )
    return await find_account(account.id)


async def _bind(account_id: int, *, today: dt.date, by: str) -> AccountOut:
    """Bind a pending login to its practitioner (created when new); a person has one login."""
    row = await UserAccount.objects().get(UserAccount.id == account_id)
    if row is None or row.identity_status != "pending":
        raise Conflict("该账号不需要实名验证")
    async with atomic():
        person = await talent_pool.find_practitioner(row.claimed_id_number, today=today)
        if person is None:
            person = await talent_pool.register_practitioner(
                PractitionerIn(
                    id_number=row.claimed_id_number, name=row.claimed_name, phone=row.claimed_phone
                ),
                today=today,
            )
        elif person.name != row.claimed_name:
            raise Conflict("身份信息与平台登记不一致，请联系监管部门")
        if await UserAccount.exists().where(
            (UserAccount.practitioner_id == person.id) & (UserAccount.id != account_id)
        ):
            raise Conflict("该人员已有账号，请使用原账号登录（忘记密码请联系管理员重置）")
        await UserAccount.update(
            {
                UserAccount.practitioner_id: person.id,
                UserAccount.identity_status: "verified",
                UserAccount.otp_hash: "",
                UserAccount.otp_expires_at: None,
                UserAccount.display_name: person.name,
            }
        ).where(UserAccount.id == account_id)
    log.info("identity of login %s verified by %s", account_id, by)
    return await find_account(account_id)


async def verify_code(
    account_id: int, code: str, *, today: dt.date, now: dt.datetime, secret: str
) -> AccountOut:
    """Check the one-time code of a pending login and bind it. Raises :class:`ValidationFailed`
    (:data:`BAD_CODE`) for a wrong, expired or exhausted code — the same answer whatever the
    reason."""
    row = await UserAccount.objects().get(UserAccount.id == account_id)
    if row is None or row.identity_status != "pending":
        raise Conflict("该账号不需要实名验证")
    attempts = row.otp_attempts + 1
    await UserAccount.update({UserAccount.otp_attempts: attempts}).where(UserAccount.id == account_id)
    valid = (
        bool(row.otp_hash)
        and row.otp_expires_at is not None
        and row.otp_expires_at >= now
        and attempts <= MAX_CODE_ATTEMPTS
        and hmac.compare_digest(row.otp_hash, _code_hash(secret, account_id, code.strip()))
    )
    if not valid:
        raise ValidationFailed(BAD_CODE, field="code")
    return await _bind(account_id, today=today, by="sms")


async def confirm_identity(account_id: int, *, today: dt.date, by: str) -> AccountOut:
    """A regulator, the person's employer or their training base confirms a pending login in
    person (the caller checks that they may). Raises :class:`Conflict` when the claim does not
    match the pool or the person already has a login."""
    return await _bind(account_id, today=today, by=by)


async def pending_claim(account_id: int) -> tuple[str, str]:
    """The ID number and name a pending login claims (for the staff confirming it)."""
    row = await UserAccount.objects().get(UserAccount.id == account_id)
    if row is None or row.identity_status != "pending":
        raise talent_pool.NotFound("没有待验证的账号")
    return row.claimed_id_number, row.claimed_name
