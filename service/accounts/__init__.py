"""Accounts: logins with one role and its scope (owned by the service layer)."""

from service.accounts.services import (
    ROLES,
    AccountIn,
    AccountOut,
    NotAuthenticated,
    account_for_token,
    authenticate,
    check_scope,
    create_account,
    get_account,
    has_login,
    revoke_tokens,
    token_accepted,
)

__all__ = [
    "ROLES",
    "AccountIn",
    "AccountOut",
    "NotAuthenticated",
    "account_for_token",
    "authenticate",
    "check_scope",
    "create_account",
    "get_account",
    "has_login",
    "revoke_tokens",
    "token_accepted",
]
