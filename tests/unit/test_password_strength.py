"""The rules a new password must pass (NIST SP 800-63B §5.1.1.2), without any server."""

from __future__ import annotations

import pytest

from service.accounts.passwords import (
    COMMON,
    CONTEXT,
    FEW_DISTINCT,
    REPEATED,
    SEQUENCE,
    TOO_SHORT,
    WHITESPACE,
    check_new_password,
    password_problem,
)
from talent_pool.errors import ValidationFailed


@pytest.mark.parametrize(
    ("password", "username", "rule"),
    [
        ("        ", "", WHITESPACE),  # 8 spaces: accepted before (a fresh-user trial)
        ("\t \u3000   \n  ", "", WHITESPACE),  # a full-width space is whitespace too
        ("short", "", TOO_SHORT),
        ("12345678", "", SEQUENCE),  # accepted before (a fresh-user trial)
        ("87654321", "", SEQUENCE),
        ("abcdefghij", "", SEQUENCE),
        ("ＡＢＣＤＥＦＧＨ", "", SEQUENCE),  # full-width letters: NFKC first
        ("aaaaaaaa", "", REPEATED),
        ("abcabcabc", "", REPEATED),
        ("12121212", "", REPEATED),
        ("1234512345", "", REPEATED),  # a 5-character piece twice: accepted before (a fresh-user trial)
        ("a1b2c3d4a1b2c3d4", "", REPEATED),  # a piece of half the length
        ("       a", "", FEW_DISTINCT),  # one character padded with spaces: accepted before (the trial)
        ("a    b  ", "", FEW_DISTINCT),
        ("aaaaaaab", "", FEW_DISTINCT),
        ("abc abc ab", "", FEW_DISTINCT),
        ("password", "", COMMON),
        ("PassWord1", "", COMMON),  # compared lower-cased
        ("iloveyou", "", COMMON),
        ("1qaz2wsx", "", COMMON),
        ("woaini1314", "", COMMON),  # the project's own additions
        ("employer1", "employer1", CONTEXT),
        ("Employer1-2024", "employer1", CONTEXT),
        ("tuoyu2025", "someone", CONTEXT),
        ("tuoyu@2025!", "someone", CONTEXT),
        ("托育123456", "someone", CONTEXT),
        ("tuoyutuoyu", "someone", REPEATED),  # the service's name twice: a repeat first
        ("tuoyu-2025-tuoyu", "someone", CONTEXT),
    ],
)
def test_weak_passwords_are_refused_naming_the_rule(password: str, username: str, rule: str) -> None:
    assert password_problem(password, username=username) == rule
    with pytest.raises(ValidationFailed) as caught:
        check_new_password(password, username=username, field="new_password")
    assert caught.value.message == rule and caught.value.detail["field"] == "new_password"


@pytest.mark.parametrize(
    "password",
    [
        "tuoyu-demo-2025",  # the demo's password (service/demo.py, README)
        "a-password-1",  # tests/factories.py
        "fault-test-password",
        "first-password-1",
        "correct horse battery staple",  # spaces inside are fine: no composition rules
        "zhangsan-喜欢-猫咪",
        "employer1-likes-tea",  # the username with words of one's own
    ],
)
def test_ordinary_passwords_pass(password: str) -> None:
    assert password_problem(password, username="employer1") is None
    check_new_password(password, username="employer1")
