"""Accounts: logins with one role and its scope (owned by the service layer)."""

from service.accounts.services import (
    ROLES,
    AccountIn,
    AccountOut,
    NotAuthenticated,
    authenticate,
    create_account,
    get_account,
)

__all__ = [
    "ROLES",
    "AccountIn",
    "AccountOut",
    "NotAuthenticated",
    "authenticate",
    "create_account",
    "get_account",
]
