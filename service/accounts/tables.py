"""Accounts: a login with one role and the scope it acts in."""

from __future__ import annotations

from piccolo.columns import Boolean, Integer, Serial, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table


class UserAccount(Table, tablename="acc_user"):
    """A login. ``role`` is city_admin | district_admin | base_staff | examiner |
    employer_staff | trainee | agency (人才服务机构).

    Scopes (no foreign keys across apps, the service checks them): ``district_code`` for district
    admins, ``training_base_id`` for base staff and examiners (the base they work for),
    ``employer_id`` for employer staff, ``practitioner_id`` for a trainee whose identity is
    verified. ``password_hash`` is an Argon2id hash (argon2-cffi).

    A trainee who signs up is ``identity_status="pending"`` with the claimed ID number, name and
    phone until a one-time code (sent to the phone on record) or a confirmation by their employer,
    base or a regulator binds the login to the practitioner. Repeated wrong passwords are counted in
    :class:`LoginThrottle`; ``must_change_password`` after an admin reset.
    """

    id: Serial

    username = Varchar(length=64, unique=True)
    password_hash = Varchar(length=255)
    role = Varchar(length=20)
    display_name = Varchar(length=64, default="")
    training_base_id = Integer(null=True, default=None)
    employer_id = Integer(null=True, default=None)
    practitioner_id = Integer(null=True, default=None)
    district_code = Varchar(length=12, null=True, default=None)
    active = Boolean(default=True)
    identity_status = Varchar(length=12, default="verified")  # verified | pending
    claimed_id_number = Varchar(length=18, default="")
    claimed_name = Varchar(length=64, default="")
    claimed_phone = Varchar(length=20, default="")
    otp_hash = Varchar(length=128, default="")
    otp_expires_at = Timestamptz(null=True, default=None)
    otp_attempts = Integer(default=0)
    must_change_password = Boolean(default=False)
    # tokens issued before this instant are refused (logout, password change, deactivation)
    tokens_valid_after = Timestamptz(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())


class LoginThrottle(Table, tablename="acc_login_throttle"):
    """Wrong passwords counted for one username (as typed, lower-cased — unknown usernames are
    counted the same way, so the answers never reveal which logins exist) and one client address,
    or for the username from everywhere (``client = "*"``). ``failures`` counts wrong passwords
    since the last lock or successful login; ``locked_until`` (UTC) refuses logins before it.
    The rules are in :func:`service.accounts.services.authenticate`."""

    id: Serial

    username = Varchar(length=64)
    client = Varchar(length=64)
    failures = Integer(default=0)
    locked_until = Timestamptz(null=True, default=None)
    unique_key = Varchar(length=140, unique=True)  # f"{username} {client}": one row per pair


class AuditEntry(Table, tablename="acc_audit"):
    """One audited act: a write (or a refused one on a route that audits refusals:
    ``service.audit.AUDIT_REFUSALS``), or a read of full personal data (PIPL). Append-only and
    hash-chained: ``hash`` = SHA-256 of ``prev_hash`` and the entry's canonical JSON, so editing or
    deleting a row breaks every later hash (``tuoyu audit verify`` finds the first break).

    ``subjects`` lists the practitioner ids the act concerned as ``",12,345,"`` (searchable with
    ``LIKE '%,12,%'`` on both engines), answering "who looked at my record".
    """

    id: Serial

    at = Timestamptz()
    kind = Varchar(length=16)  # write | write_refused | read_personal
    actor_id = Integer(null=True, default=None)
    actor = Varchar(length=64, default="")
    role = Varchar(length=20, default="")
    action = Varchar(length=64, default="")
    method = Varchar(length=8, default="")
    path = Varchar(length=255, default="")
    status = Integer(default=0)
    client = Varchar(length=64, default="")
    request_id = Varchar(length=64, default="")
    subjects = Text(default="")
    prev_hash = Varchar(length=64, default="")
    hash = Varchar(length=64, index=True)
