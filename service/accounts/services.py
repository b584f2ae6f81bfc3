"""Account use cases: create logins, authenticate, look up. Passwords hashed with Argon2id
(argon2-cffi, OWASP-recommended parameters from the library's defaults). Hashing and checking a
password take a second or more by design: they run in a worker thread (never on the event loop)
and outside any database transaction."""

from __future__ import annotations

import asyncio
import datetime as dt
import functools
from typing import Literal

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from pydantic import BaseModel, ConfigDict, Field, field_validator

from service.accounts.tables import UserAccount
from talent_pool.db import atomic
from talent_pool.errors import Conflict, NotFound, TuoyuError, ValidationFailed

Role = Literal["city_admin", "base_staff", "employer_staff", "trainee"]
ROLES: tuple[str, ...] = ("city_admin", "base_staff", "employer_staff", "trainee")

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


class AccountOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    username: str
    role: str
    display_name: str
    training_base_id: int | None
    employer_id: int | None
    practitioner_id: int | None


SCOPE_FIELD = {
    "base_staff": "training_base_id",
    "employer_staff": "employer_id",
    "trainee": "practitioner_id",
}


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


def check_scope(data: AccountIn) -> None:
    """The role's scope id is present and no other scope id is (ValidationFailed otherwise)."""
    needed = SCOPE_FIELD.get(data.role)
    if needed and getattr(data, needed) is None:
        raise ValidationFailed(f"角色 {data.role} 需要提供 {needed}", field=needed)
    for field in SCOPE_FIELD.values():
        if field != needed and getattr(data, field) is not None:
            raise ValidationFailed(f"角色 {data.role} 不能带有 {field}", field=field)


async def create_account(data: AccountIn) -> AccountOut:
    """Create a login. Raises :class:`Conflict` for a taken username, ValidationFailed for a
    role without its scope id."""
    check_scope(data)
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
        )
        await row.save()
    return AccountOut.model_validate(row.to_dict())


async def authenticate(username: str, password: str) -> AccountOut:
    """Check a username and password; returns the account or raises :class:`NotAuthenticated`."""
    row = await UserAccount.objects().get(
        (UserAccount.username == username.strip().lower()) & (UserAccount.active == True)  # noqa: E712
    )
    if (
        not await verify_password(
            row.password_hash if row else await asyncio.to_thread(_dummy_hash), password
        )
        or row is None
    ):
        raise NotAuthenticated("用户名或密码错误")
    if _hasher.check_needs_rehash(row.password_hash):
        row.password_hash = await hash_password(password)
        await row.save()
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
