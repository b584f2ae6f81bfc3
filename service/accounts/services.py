"""Account use cases: create logins, authenticate, look up. Passwords hashed with Argon2id
(argon2-cffi, OWASP-recommended parameters from the library's defaults). Hashing and checking a
password take a second or more by design: they run in a worker thread (never on the event loop)
and outside any database transaction."""

from __future__ import annotations

import asyncio
import datetime as dt
import functools
import math
import secrets
from typing import Any, Literal

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from pydantic import BaseModel, ConfigDict, Field, field_validator

from service.accounts.passwords import check_new_password
from service.accounts.tables import LoginThrottle, RevokedToken, UserAccount
from service.turns import Turns
from talent_pool.db import atomic, fetch_rows
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
    password: str = Field(max_length=128)  # the length rule is the rules module's (422 naming it)
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
    role without its scope id (a trainee login with ``identity_pending`` has none yet) or a
    password that breaks a rule of :mod:`service.accounts.passwords` (``field``: ``password``)."""
    check_new_password(data.password, username=data.username)
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
"""Wrong passwords in a row, for one username from one client address, that lock the login there."""
LOCK_MINUTES = 15
"""How long the login stays locked for that address."""
ACCOUNT_MAX_FAILED_LOGINS = 30
"""Wrong passwords for one username from all addresses together (since the last successful login)
past which every further wrong password locks the login everywhere, briefly."""
ACCOUNT_LOCK_MINUTES = 1
"""How long each such account-wide lock lasts: it slows a spread-out guesser to one guess a
minute and keeps the owner waiting a minute at most, instead of locking them out for long."""
EVERYWHERE = "*"
WRONG_LOGIN = (
    f"用户名或密码错误（从同一网络连续错误 {MAX_FAILED_LOGINS} 次，将暂停从该网络登录 {LOCK_MINUTES} 分钟）"
)
WRONG_CURRENT_PASSWORD = (
    f"当前密码不正确，密码未修改（从同一网络连续错误 {MAX_FAILED_LOGINS} 次，"
    f"将暂停从该网络登录和修改密码 {LOCK_MINUTES} 分钟）"
)

PASSWORD_CHANGED_MEANWHILE = (
    "密码刚刚已被修改（同一账号的另一次修改先完成），本次修改未生效；请用新密码重新登录"
)


class LoginLocked(NotAuthenticated):
    """Too many wrong passwords: the login is locked for this caller for ``minutes`` more. The
    same answer for an unknown username (the counts are kept per username as typed)."""

    code = "login_locked"


def _locked_message(minutes: int, *, everywhere: bool) -> str:
    if everywhere:
        return f"该账号近期密码错误次数过多，已暂停登录，请 {minutes} 分钟后再试（忘记密码请联系管理员重置）"
    return (
        f"密码连续错误 {MAX_FAILED_LOGINS} 次，该账号已暂停从当前网络登录，请 {minutes} 分钟后再试"
        "（忘记密码请联系管理员重置）"
    )


ATTEMPTS = Turns()
"""Password checks of one username take turns in this process (:func:`authenticate`,
:func:`change_password`)."""


def _minutes_left(until: dt.datetime, now: dt.datetime) -> int:
    return max(1, -(-int((until - now).total_seconds()) // 60))  # rounded up, at least 1


async def _check_lock(username: str, client: str, now: dt.datetime) -> None:
    rows = await LoginThrottle.select(LoginThrottle.client, LoginThrottle.locked_until).where(
        LoginThrottle.unique_key.is_in([f"{username} {client}", f"{username} {EVERYWHERE}"])
    )
    for row in sorted(rows, key=lambda r: r["client"] == EVERYWHERE):  # this address's lock first
        until = row["locked_until"]
        if until is not None and until > now:
            everywhere = row["client"] == EVERYWHERE
            raise LoginLocked(
                _locked_message(_minutes_left(until, now), everywhere=everywhere),
                retry_after_minutes=_minutes_left(until, now),
                retry_after_seconds=max(1, math.ceil((until - now).total_seconds())),
            )


async def _count_failure(username: str, client: str, now: dt.datetime) -> None:
    """One wrong password for ``username`` from ``client``: counted for the pair and for the
    username everywhere, each atomically (concurrent attempts are all counted)."""
    async with atomic():
        for where, limit, minutes in (
            (client, MAX_FAILED_LOGINS, LOCK_MINUTES),
            (EVERYWHERE, ACCOUNT_MAX_FAILED_LOGINS, ACCOUNT_LOCK_MINUTES),
        ):
            key = f"{username} {where}"
            await LoginThrottle.insert(
                LoginThrottle(username=username, client=where, unique_key=key, failures=0)
            ).on_conflict(target=LoginThrottle.unique_key, action="DO NOTHING")
            counted = await (
                LoginThrottle.update({LoginThrottle.failures: LoginThrottle.failures + 1})
                .where(LoginThrottle.unique_key == key)
                .returning(LoginThrottle.failures)
            )
            failures = counted[0]["failures"]
            if failures >= limit:
                changes: dict[Any, Any] = {LoginThrottle.locked_until: now + dt.timedelta(minutes=minutes)}
                if where != EVERYWHERE:
                    changes[LoginThrottle.failures] = 0  # a fresh count after the lock
                await LoginThrottle.update(changes).where(LoginThrottle.unique_key == key)


async def clear_login_failures(username: str, client: str | None = None) -> None:
    """Forget the wrong passwords counted for ``username`` from ``client`` and from everywhere
    (every address when ``client`` is ``None``: an administrator's reset)."""
    if client is None:
        await LoginThrottle.delete().where(LoginThrottle.username == username)
    else:
        keys = [f"{username} {client}", f"{username} {EVERYWHERE}"]
        await LoginThrottle.delete().where(LoginThrottle.unique_key.is_in(keys))


async def authenticate(username: str, password: str, *, now: dt.datetime, client: str = "") -> AccountOut:
    """Check a username and password at ``now`` (aware UTC) from the client address ``client``;
    returns the account or raises :class:`NotAuthenticated` (one message for an unknown user, a
    wrong password and a deactivated login) or :class:`LoginLocked` (with the minutes left).

    Lockout (OWASP Authentication Cheat Sheet, "Account Lockout"): wrong passwords are counted
    per username *and* client address — :data:`MAX_FAILED_LOGINS` in a row from one address lock
    the login for that address for :data:`LOCK_MINUTES` minutes, so someone guessing from their
    address cannot lock the owner out elsewhere. Across all addresses, past
    :data:`ACCOUNT_MAX_FAILED_LOGINS` wrong passwords since the last successful login each further
    one locks the login everywhere for :data:`ACCOUNT_LOCK_MINUTES` minute(s): a guesser spread
    over many addresses is slowed to about one guess a minute; the owner waits a minute at most. A
    right password does not open a locked login early; a successful login clears the counts for
    its address and the account-wide count. Attempts on one username take turns in a process
    (:data:`ATTEMPTS`), so guesses sent at once are counted before the next is checked — a trial's
    30 at once got 10 checked where the lock allows 5 (2026-11-30). Unknown usernames are counted
    the same way, so the answers do not reveal which logins exist. The password is checked (in a
    worker thread) in every case, so the time taken reveals nothing either."""
    name = username.strip().lower()[:64]
    async with ATTEMPTS.of(name):  # a burst of guesses is counted one by one
        row = await UserAccount.objects().get(UserAccount.username == name)
        ok = await verify_password(
            row.password_hash if row else await asyncio.to_thread(_dummy_hash), password
        )
        client = (client or "unknown")[:64]
        await _check_lock(name, client, now)
        if row is None or not ok:
            await _count_failure(name, client, now)
            raise NotAuthenticated(WRONG_LOGIN)
    if not row.active:
        raise NotAuthenticated(WRONG_LOGIN)
    await clear_login_failures(name, client)
    if _hasher.check_needs_rehash(row.password_hash):
        await UserAccount.update({UserAccount.password_hash: await hash_password(password)}).where(
            UserAccount.id == row.id
        )
    return AccountOut.model_validate(row.to_dict())


async def change_password(account_id: int, old: str, new: str, *, now: dt.datetime, client: str = "") -> None:
    """Change a password after checking the old one, at ``now`` (aware UTC) from the client
    address ``client``; every token issued so far stops working (the caller logs in again with
    the new one) and a forced change (after an admin reset) is satisfied.

    Raises :class:`ValidationFailed` (``field``: ``new_password``) for a new one that breaks a
    rule of :mod:`service.accounts.passwords` (8 characters, not common, sequential, repeated or
    the username) or equals the old one, and (``field``: ``old_password``) for a wrong old one — a
    form's input error (422), not a failed login: the caller's token is still good, and a 401
    would send a page or an API client to log in again. A wrong old password is counted like a
    wrong password at login (:func:`authenticate`'s lockout, OWASP: a stolen session must not
    become a way around it), so the lock also refuses the change: :class:`LoginLocked` with the
    minutes left; a successful change clears the counts of ``client``. Of concurrent changes made
    with the same current password exactly one succeeds; the others raise :class:`ValidationFailed`
    (``field``: ``old_password``, :data:`PASSWORD_CHANGED_MEANWHILE`) and change nothing."""
    if new == old:
        raise ValidationFailed("新密码不能与旧密码相同", field="new_password")
    row = await UserAccount.objects().get(UserAccount.id == account_id)
    if row is None:
        raise NotFound("账号不存在")
    check_new_password(new, username=row.username, field="new_password")
    client = (client or "unknown")[:64]
    async with ATTEMPTS.of(row.username):  # counted one by one, as at login
        ok = await verify_password(row.password_hash, old)
        await _check_lock(row.username, client, now)
        if not ok:
            await _count_failure(row.username, client, now)
            raise ValidationFailed(WRONG_CURRENT_PASSWORD, field="old_password")
    new_hash = await hash_password(new)  # in a worker thread, outside any transaction
    # Compare-and-set: the row still holds the hash the old password was checked against. Of
    # several changes racing with one current password exactly one wins; the others find the
    # hash already replaced and change nothing (one atomic UPDATE, on PostgreSQL and SQLite).
    changed = await (
        UserAccount.update(
            {
                UserAccount.password_hash: new_hash,
                UserAccount.must_change_password: False,
                UserAccount.tokens_valid_after: now,
            }
        )
        .where((UserAccount.id == account_id) & (UserAccount.password_hash == row.password_hash))
        .returning(UserAccount.id)
    )
    if not changed:
        raise ValidationFailed(PASSWORD_CHANGED_MEANWHILE, field="old_password")
    await clear_login_failures(row.username, client)


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
            }
        )
        .where(UserAccount.id == account_id)
        .returning(UserAccount.id, UserAccount.username)
    )
    if not changed:
        raise NotFound("账号不存在")
    await clear_login_failures(changed[0]["username"])
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


_ACCOUNT_FOR_TOKEN = (
    "SELECT id, username, role, display_name, training_base_id, employer_id, practitioner_id,"
    " district_code, identity_status, must_change_password, tokens_valid_after, created_at FROM acc_user"
    " WHERE id = {} AND active = {} AND NOT EXISTS"
    " (SELECT 1 FROM acc_revoked_token r WHERE r.jti = {} AND r.account_id = acc_user.id)"
)


def created_stamp(created_at: dt.datetime) -> int:
    """An account's creation instant (aware) as whole milliseconds since the epoch: what a login
    token carries to name that very account."""
    return int(created_at.timestamp() * 1000)


async def account_created(account_id: int) -> int | None:
    """:func:`created_stamp` of account ``account_id`` (``None``: no such account)."""
    rows = await fetch_rows(UserAccount, "SELECT created_at FROM acc_user WHERE id = {}", account_id)
    return created_stamp(rows[0]["created_at"]) if rows else None


async def account_for_token(
    account_id: int,
    issued_at: dt.datetime,
    jti: str | None = None,
    username: str | None = None,
    created: int | None = None,
) -> AccountOut | None:
    """The account a login token names, in one query — or ``None`` when the account is gone or
    deactivated, the token was issued (``issued_at``, UTC) before its last "log out everywhere"
    (or password change), the token itself (``jti``) was logged out (:func:`revoke_token`), or
    the token names another login: another ``username``, or another account of that name
    (``created``: :func:`created_stamp` at login). The embedded SQLite reuses the highest id
    after a deletion, so an old token's id can be a newer account's, even one of the same name
    (found by two trials, 2026-11-30); tokens issued before they carried these are checked
    without them.

    Every authenticated request asks this, so the statement is prepared once per pooled
    connection (:func:`talent_pool.db.fetch_rows`): Piccolo's query building was 0.27 ms of an
    authenticated request's ~2 ms (measured 2026-11-30)."""
    rows = await fetch_rows(UserAccount, _ACCOUNT_FOR_TOKEN, account_id, True, jti)
    if not rows:
        return None
    row = rows[0]
    born = row.pop("created_at")
    if username is not None and row["username"] != username:
        return None
    if created is not None and created_stamp(born) != created:
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


async def revoke_token(account_id: int, jti: str, *, expires_at: dt.datetime, now: dt.datetime) -> None:
    """Log out one token (its ``jti``): refused from now on; the account's other tokens (another
    device, a colleague on a shared login) keep working. The record is kept until the token's own
    ``expires_at`` (UTC); records past it are swept here. Logging out the same token twice is
    harmless."""
    async with atomic():
        await RevokedToken.delete().where(RevokedToken.expires_at < now)
        await RevokedToken.insert(
            RevokedToken(jti=jti[:64], account_id=account_id, expires_at=expires_at)
        ).on_conflict(target=RevokedToken.jti, action="DO NOTHING")


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
