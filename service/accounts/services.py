"""Account use cases: create logins, authenticate, look up. Passwords hashed with Argon2id
(argon2-cffi, OWASP-recommended parameters from the library's defaults). Hashing and checking a
password take a second or more by design: they run in a worker thread (never on the event loop)
and outside any database transaction."""

from __future__ import annotations

import asyncio
import datetime as dt
import functools
import secrets
from typing import Any, Literal

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from pydantic import BaseModel, ConfigDict, Field, field_validator

from service.accounts.tables import UserAccount
from talent_pool.db import atomic
from talent_pool.errors import Conflict, NotFound, TuoyuError, ValidationFailed

Role = Literal[
    "city_admin", "district_admin", "base_staff", "examiner", "employer_staff", "trainee", "agency"
]
ROLES: tuple[str, ...] = (
    "city_admin",
    "district_admin",
    "base_staff",
    "examiner",
    "employer_staff",
    "trainee",
    "agency",  # 人才服务机构 (talent agency): the talent search and recommendations, no scope id
)

# OWASP Password Storage Cheat Sheet, Argon2id minimum: m = 19 MiB, t = 2, p = 1 (about 30 ms a
# hash on one core here). Hashes made with other parameters are upgraded at the next login.
_hasher = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)


@functools.cache
def _dummy_hash() -> str:
    """A real hash of a random password: authenticating an unknown user costs the same time."""
    return _hasher.hash("not-a-real-password-8b1c")


class NotAuthenticated(TuoyuError):
    """Wrong username or password (deliberately not saying which)."""

    code = "not_authenticated"


class AccountIn(BaseModel):
    """A new login. Scope ids must match the role (base staff → training_base_id, …)."""

    username: str = Field(min_length=3, max_length=64, pattern=r"^[A-Za-z0-9_.@\-]+$")
    password: str = Field(min_length=8, max_length=128)
    role: Role

    @field_validator("username")
    @classmethod
    def _lower(cls, value: str) -> str:
        return value.lower()  # usernames are case-insensitive: "Admin" and "admin" are one login

    display_name: str = Field(default="", max_length=64)
    training_base_id: int | None = None
    employer_id: int | None = None
    practitioner_id: int | None = None
    district_code: str | None = Field(default=None, min_length=6, max_length=6)


class AccountOut(BaseModel):
    """A login as the service sees it (never the password hash or a one-time code)."""

    model_config = ConfigDict(from_attributes=True)
    id: int
    username: str
    role: str
    display_name: str
    training_base_id: int | None
    employer_id: int | None
    practitioner_id: int | None
    district_code: str | None = None
    identity_status: str = "verified"
    must_change_password: bool = False


SCOPE_FIELD = {
    "district_admin": "district_code",
    "base_staff": "training_base_id",
    "employer_staff": "employer_id",
    "trainee": "practitioner_id",
}
"""The scope id each role needs (city admins, examiners and agencies have none: examiners act on
the sittings they are assigned to, agencies only on consenting candidates)."""


async def hash_password(password: str) -> str:
    """The Argon2id hash of ``password`` (computed in a worker thread)."""
    return await asyncio.to_thread(_hasher.hash, password)


async def verify_password(password_hash: str, password: str) -> bool:
    """Whether ``password`` matches ``password_hash`` (checked in a worker thread)."""

    def check() -> bool:
        try:
            return bool(_hasher.verify(password_hash, password))
        except (VerificationError, InvalidHashError):
            return False

    return await asyncio.to_thread(check)


def check_scope(data: AccountIn, *, identity_pending: bool = False) -> None:
    """The role's scope id is present and no other scope id is (ValidationFailed otherwise); a
    trainee signing up (``identity_pending``) gets their practitioner id only once verified."""
    needed = SCOPE_FIELD.get(data.role)
    if identity_pending and data.role == "trainee":
        needed = None
    if needed and getattr(data, needed) is None:
        raise ValidationFailed(f"角色 {data.role} 需要提供 {needed}", field=needed)
    for field in SCOPE_FIELD.values():
        if field != needed and getattr(data, field) is not None:
            raise ValidationFailed(f"角色 {data.role} 不能带有 {field}", field=field)


async def create_account(data: AccountIn, *, identity_pending: bool = False) -> AccountOut:
    """Create a login. Raises :class:`Conflict` for a taken username, ValidationFailed for a
    role without its scope id (a trainee login with ``identity_pending`` has none yet)."""
    check_scope(data, identity_pending=identity_pending)
    if await UserAccount.exists().where(UserAccount.username == data.username):
        raise Conflict(f"用户名 {data.username} 已被使用")
    password_hash = await hash_password(data.password)
    async with atomic():
        if await UserAccount.exists().where(UserAccount.username == data.username):
            raise Conflict(f"用户名 {data.username} 已被使用")
        row = UserAccount(
            username=data.username,
            password_hash=password_hash,
            role=data.role,
            display_name=data.display_name,
            training_base_id=data.training_base_id,
            employer_id=data.employer_id,
            practitioner_id=data.practitioner_id,
            district_code=data.district_code,
        )
        await row.save()
    return AccountOut.model_validate(row.to_dict())


MAX_FAILED_LOGINS = 5
LOCK_MINUTES = 15
WRONG_LOGIN = f"用户名或密码错误（连续错误 {MAX_FAILED_LOGINS} 次，账号将锁定 {LOCK_MINUTES} 分钟）"


async def authenticate(username: str, password: str, *, now: dt.datetime) -> AccountOut:
    """Check a username and password at ``now`` (aware UTC); returns the account or raises
    :class:`NotAuthenticated` — one message for an unknown user, a wrong password and a locked or
    deactivated login. :data:`MAX_FAILED_LOGINS` wrong passwords in a row lock the login for
    :data:`LOCK_MINUTES` minutes (a right password does not open a locked login early)."""
    row = await UserAccount.objects().get(UserAccount.username == username.strip().lower())
    ok = await verify_password(row.password_hash if row else await asyncio.to_thread(_dummy_hash), password)
    if row is None or not row.active:
        raise NotAuthenticated(WRONG_LOGIN)
    if row.locked_until is not None and row.locked_until > now:
        raise NotAuthenticated(WRONG_LOGIN)
    if not ok:
        failures = row.failed_logins + 1
        locked = failures >= MAX_FAILED_LOGINS
        await UserAccount.update(
            {
                UserAccount.failed_logins: 0 if locked else failures,
                UserAccount.locked_until: now + dt.timedelta(minutes=LOCK_MINUTES) if locked else None,
            }
        ).where(UserAccount.id == row.id)
        raise NotAuthenticated(WRONG_LOGIN)
    changes: dict[Any, Any] = {UserAccount.failed_logins: 0, UserAccount.locked_until: None}
    if _hasher.check_needs_rehash(row.password_hash):
        changes[UserAccount.password_hash] = await hash_password(password)
    await UserAccount.update(changes).where(UserAccount.id == row.id)
    return AccountOut.model_validate(row.to_dict())


async def change_password(account_id: int, old: str, new: str, *, now: dt.datetime) -> None:
    """Change a password after checking the old one; every token issued so far stops working
    and a forced change (after an admin reset) is satisfied. Raises :class:`NotAuthenticated`
    for a wrong old password, :class:`ValidationFailed` for a new one under 8 characters or equal
    to the old one."""
    if len(new) < 8:
        raise ValidationFailed("新密码至少 8 个字符", field="new_password")
    if new == old:
        raise ValidationFailed("新密码不能与旧密码相同", field="new_password")
    row = await UserAccount.objects().get(UserAccount.id == account_id)
    if row is None or not await verify_password(row.password_hash, old):
        raise NotAuthenticated("旧密码不正确")
    await UserAccount.update(
        {
            UserAccount.password_hash: await hash_password(new),
            UserAccount.must_change_password: False,
            UserAccount.tokens_valid_after: now,
        }
    ).where(UserAccount.id == account_id)


async def reset_password(account_id: int, *, now: dt.datetime) -> str:
    """An administrator's reset: a new random temporary password (returned once, to be handed to
    the person), to be changed at the next login; every token stops working and a lock is
    lifted. Raises :class:`NotFound`."""
    temporary = secrets.token_urlsafe(9)
    changed = await (
        UserAccount.update(
            {
                UserAccount.password_hash: await hash_password(temporary),
                UserAccount.must_change_password: True,
                UserAccount.tokens_valid_after: now,
                UserAccount.failed_logins: 0,
                UserAccount.locked_until: None,
            }
        )
        .where(UserAccount.id == account_id)
        .returning(UserAccount.id)
    )
    if not changed:
        raise NotFound("账号不存在")
    return temporary


async def set_active(account_id: int, active: bool, *, now: dt.datetime) -> AccountOut:
    """Deactivate (tokens refused at once) or reactivate a login. Raises :class:`NotFound`."""
    changes: dict[Any, Any] = {UserAccount.active: active}
    if not active:
        changes[UserAccount.tokens_valid_after] = now
    changed = await UserAccount.update(changes).where(UserAccount.id == account_id).returning(UserAccount.id)
    if not changed:
        raise NotFound("账号不存在")
    row = await UserAccount.objects().get(UserAccount.id == account_id)
    assert row is not None
    return AccountOut.model_validate(row.to_dict())


async def find_account(account_id: int) -> AccountOut:
    """One account, active or not; raises :class:`NotFound`."""
    row = await UserAccount.objects().get(UserAccount.id == account_id)
    if row is None:
        raise NotFound("账号不存在")
    return AccountOut.model_validate(row.to_dict())


async def get_account(account_id: int) -> AccountOut:
    """One active account by id; raises :class:`NotFound`."""
    row = await UserAccount.objects().get(
        (UserAccount.id == account_id) & (UserAccount.active == True)  # noqa: E712
    )
    if row is None:
        raise NotFound("账号不存在或已停用")
    return AccountOut.model_validate(row.to_dict())


async def account_for_token(account_id: int, issued_at: dt.datetime) -> AccountOut | None:
    """The account a login token names, in one query — or ``None`` when the account is gone or
    deactivated, or the token was issued (``issued_at``, UTC) before its last logout."""
    row = await (
        UserAccount.select(
            UserAccount.id,
            UserAccount.username,
            UserAccount.role,
            UserAccount.display_name,
            UserAccount.training_base_id,
            UserAccount.employer_id,
            UserAccount.practitioner_id,
            UserAccount.district_code,
            UserAccount.identity_status,
            UserAccount.must_change_password,
            UserAccount.tokens_valid_after,
        )
        .where((UserAccount.id == account_id) & (UserAccount.active == True))  # noqa: E712
        .first()
    )
    if row is None:
        return None
    cutoff = row.pop("tokens_valid_after")
    if cutoff is not None and issued_at <= cutoff:
        return None
    return AccountOut.model_validate(row)


async def token_accepted(account_id: int, issued_at: dt.datetime) -> bool:
    """Whether a token issued at ``issued_at`` (UTC) still counts for the account: the account is
    active and the token is not older than its last logout."""
    row = (
        await UserAccount.select(UserAccount.active, UserAccount.tokens_valid_after)
        .where(UserAccount.id == account_id)
        .first()
    )
    if row is None or not row["active"]:
        return False
    cutoff = row["tokens_valid_after"]
    return cutoff is None or issued_at > cutoff


async def revoke_tokens(account_id: int, *, now: dt.datetime) -> None:
    """Log the account out everywhere: every token issued up to ``now`` (UTC) is refused."""
    await UserAccount.update({UserAccount.tokens_valid_after: now}).where(UserAccount.id == account_id)


async def has_login(practitioner_id: int) -> bool:
    """Whether a trainee login already exists for this practitioner."""
    return bool(await UserAccount.exists().where(UserAccount.practitioner_id == practitioner_id))


async def pending_sign_ups() -> list[dict[str, Any]]:
    """Logins waiting for an identity confirmation: ``account_id``, ``username``,
    ``claimed_name``, ``claimed_id_number`` (oldest first)."""
    rows = await (
        UserAccount.select(
            UserAccount.id.as_alias("account_id"),
            UserAccount.username,
            UserAccount.claimed_name,
            UserAccount.claimed_id_number,
        )
        .where((UserAccount.identity_status == "pending") & (UserAccount.active == True))  # noqa: E712
        .order_by(UserAccount.id)
    )
    return list(rows)
