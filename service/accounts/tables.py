"""Accounts: a login with one role and the scope it acts in."""

from __future__ import annotations

from piccolo.columns import Boolean, Integer, Serial, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table


class UserAccount(Table, tablename="acc_user"):
    """A login. ``role`` is city_admin | base_staff | employer_staff | trainee.

    Scope ids (no foreign keys across apps, the service checks them): ``training_base_id``
    for base staff, ``employer_id`` for employer staff, ``practitioner_id`` for trainees.
    ``password_hash`` is an Argon2id hash (argon2-cffi).
    """

    id: Serial

    username = Varchar(length=64, unique=True)
    password_hash = Varchar(length=255)
    role = Varchar(length=20)
    display_name = Varchar(length=64, default="")
    training_base_id = Integer(null=True, default=None)
    employer_id = Integer(null=True, default=None)
    practitioner_id = Integer(null=True, default=None)
    active = Boolean(default=True)
    # tokens issued before this instant are refused (logout, password change, deactivation)
    tokens_valid_after = Timestamptz(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())
