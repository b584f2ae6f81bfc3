"""What a new password must not be, following NIST SP 800-63B §5.1.1.2 ("Memorized Secret
Verifiers"): at least 8 characters, and not a value that is commonly used, expected or
compromised — dictionary or breached passwords, repetitive or sequential characters (here also
fewer than 4 different characters, spaces not counted), and context-specific words (the
username, the service's name). No composition rules (no "must contain a digit and a capital"),
as the same section asks; spaces and any Unicode are allowed.

The common-password list is zxcvbn's (PyPI ``zxcvbn``, the Python port of Dropbox's estimator;
its ``passwords`` frequency list: the 30 000 most frequent passwords of the leaked-password
corpora it was built from), checked offline. The checks run on the NFKC-normalised, lower-cased
password (800-63B asks for NFKC before processing); the password itself is hashed as typed."""

from __future__ import annotations

import functools
import itertools
import re
import unicodedata

from talent_pool.errors import ValidationFailed

MIN_LENGTH = 8
"""NIST SP 800-63B §5.1.1.2: memorized secrets at least 8 characters long."""

SERVICE_WORDS: tuple[str, ...] = ("tuoyu", "托育", "育婴", "保育", "workforce")
"""The service's own names: a password that is one of them plus digits or symbols is refused."""

EXTRA_COMMON: tuple[str, ...] = (
    # This project's additions (not in zxcvbn's list, which comes from mostly English-language
    # leaks): number and pinyin patterns common among Chinese users.
    "52013145201314",
    "woaini1314",
    "woaini520",
    "woaini123",
    "iloveyou1314",
    "qq5201314",
    "zhang123",
    "wang1234",
    "mima1234",
    "mima123456",
    "admin1234",
    "admin12345",
    "admin123456",
)

WHITESPACE = "密码不能全是空格"
TOO_SHORT = f"密码至少 {MIN_LENGTH} 个字符"
REPEATED = "密码不能是同一个字符或同一段字符的重复（如 aaaaaaaa、abcabcabc、1234512345）"
MIN_DISTINCT = 4
"""Characters other than spaces that must differ: ``"       a"`` or ``aaaaaaab`` are 8 characters
(800-63B counts spaces) but one or two real ones, trivially guessed."""
FEW_DISTINCT = f"密码至少要有 {MIN_DISTINCT} 个不同的字符（空格不算）"
SEQUENCE = "密码不能是连续的数字或字母（如 12345678、abcdefgh、87654321）"
COMMON = "该密码在常见密码或已泄露密码清单中，很容易被猜中，请换一个"
CONTEXT = "密码不能只是用户名或本系统名称（如“托育”“tuoyu”）加上数字或符号，请再加入别人猜不到的词"


@functools.cache
def _common() -> frozenset[str]:
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(FREQUENCY_LISTS["passwords"]) | frozenset(EXTRA_COMMON)


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).lower()


def _repeated(text: str) -> bool:
    """One character or one piece of up to half the length, repeated to the end (``aaaa``,
    ``abab``, ``1234512345``)."""
    return any(
        len(text) % size == 0 and text == text[:size] * (len(text) // size)
        for size in range(1, len(text) // 2 + 1)
    )


def _sequential(text: str) -> bool:
    """Every character one code point after (or before) the previous one: ``1234``, ``dcba``."""
    if len(text) < 4:
        return False
    steps = {ord(b) - ord(a) for a, b in itertools.pairwise(text)}
    return steps in ({1}, {-1})


def _only_context(text: str, username: str) -> bool:
    """``text`` is the username or a service word plus at most a little else: what is left once
    they are taken out is under 4 letters or digits, or has no letter at all."""
    words = [w for w in (_fold(username), *SERVICE_WORDS) if len(w) >= 3 or not w.isascii()]
    if not any(w in text for w in words):
        return False
    rest = text
    for word in sorted(words, key=len, reverse=True):
        rest = rest.replace(word, "")
    kept = re.sub(r"[\W_]+", "", rest)
    return len(kept) < 4 or not any(ch.isalpha() for ch in kept)


def password_problem(password: str, *, username: str = "") -> str | None:
    """The Chinese message saying which rule ``password`` breaks (for a login named
    ``username``), or ``None`` when it may be used. Rules: :data:`MIN_LENGTH` characters; not
    only whitespace; not a repeated character or piece (up to half the length); at least
    :data:`MIN_DISTINCT` different characters besides spaces; not a run of consecutive
    characters; not in the common-password list (:func:`_common`); not the username or a
    :data:`SERVICE_WORDS` entry with only digits or symbols added."""
    if password and not password.strip():
        return WHITESPACE
    if len(password) < MIN_LENGTH:
        return TOO_SHORT
    text = _fold(password)
    bare = re.sub(r"\s+", "", text)
    if _repeated(bare):
        return REPEATED
    if len(set(bare)) < MIN_DISTINCT:
        return FEW_DISTINCT
    if _sequential(bare):
        return SEQUENCE
    if text in _common() or bare in _common():
        return COMMON
    if _only_context(text, username):
        return CONTEXT
    return None


def check_new_password(password: str, *, username: str = "", field: str = "password") -> None:
    """Raise :class:`ValidationFailed` (with ``field``) when ``password`` breaks a rule of
    :func:`password_problem`; every place that sets a password calls this."""
    problem = password_problem(password, username=username)
    if problem is not None:
        raise ValidationFailed(problem, field=field)
