"""Identity numbers: resident ID (GB 11643-1999) and unified social credit code (GB 32100-2015).

Pure functions, no I/O. Both validators normalise first: trim, remove inner white space
(including the ideographic space U+3000), full-width → half-width (Unicode NFKC), lower-case
``x``/letters → upper case.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass

from talent_pool.errors import InvalidCreditCode, InvalidIdNumber

# GB 11643-1999 §5: weights W_i = 2^(17-i) mod 11 for i = 1..17; check = (12 - (Σ mod 11)) mod 11,
# 10 written as "X" (ISO 7064:1983 MOD 11-2).
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"  # index = Σ mod 11
# First two digits: province-level codes of GB/T 2260 (incl. 71/81/82 used on residence permits).
_PROVINCE_CODES = frozenset(
    [
        "11",
        "12",
        "13",
        "14",
        "15",
        "21",
        "22",
        "23",
        "31",
        "32",
        "33",
        "34",
        "35",
        "36",
        "37",
        "41",
        "42",
        "43",
        "44",
        "45",
        "46",
        "50",
        "51",
        "52",
        "53",
        "54",
        "61",
        "62",
        "63",
        "64",
        "65",
        "71",
        "81",
        "82",
        "83",
    ]
)

# GB 32100-2015 §4: 18 characters from a 31-character set (no I, O, Z, S, V).
_USCC_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_USCC_RE = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$")


def normalise_code(raw: object) -> str:
    """Trim, drop all white space and invisible format characters (Unicode category ``Cf``: the
    zero-width space, BOM, soft hyphen a value pasted from a chat message or a PDF may carry, as
    certificate numbers do), full-width → half-width (NFKC), upper-case.

    Raises :class:`InvalidIdNumber` when ``raw`` is a number (an ID read from an Excel
    numeric cell has already lost its last digits or its ``X``): it is rejected, never rounded.
    """
    if isinstance(raw, bool | int | float):
        raise InvalidIdNumber(str(raw), "是数字而不是文本（Excel 数字格式会丢失末位），请以文本形式提供")
    if not isinstance(raw, str):
        raise InvalidIdNumber(repr(raw), "不是文本")
    text = unicodedata.normalize("NFKC", raw)
    return "".join(ch for ch in "".join(text.split()) if unicodedata.category(ch) != "Cf").upper()


def id_check_character(first17: str) -> str:
    """The GB 11643 check character for the first 17 digits (``"0"``–``"9"`` or ``"X"``)."""
    total = sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11]


@dataclass(frozen=True, slots=True)
class ResidentId:
    """A validated, normalised 18-character resident ID number.

    ``address_code`` is the 6-digit GB/T 2260 code of first registration (it may be a
    retired code: older people keep theirs); ``birth_date`` is a local calendar date;
    ``gender`` is ``"M"``/``"F"`` from the parity of the sequence code (digit 17).
    """

    number: str
    address_code: str
    birth_date: dt.date
    gender: str


_SCIENTIFIC = re.compile(r"\s*\d+(?:\.\d+)?[eE]\+?\d+\s*")


def is_scientific(text: str) -> bool:
    """Whether ``text`` is a number in Excel's scientific notation (``3.70102E+17``, white space
    around allowed): an ID number or credit code Excel turned into a number and wrote back as
    text, its last digits lost (explain with :data:`SCIENTIFIC_REASON`, never guess the digits)."""
    return _SCIENTIFIC.fullmatch(text) is not None


SCIENTIFIC_REASON = (
    "是科学计数法（如 3.70102E+17）：Excel 把它当成了数字，后几位已经丢失；"
    "请把该列设为文本后重新输入完整的18位号码"
)
"""Why an ID number such as ``3.70102E+17`` is refused: what Excel shows of an 18-digit number
stored as a number, pasted or exported to text — its last digits are gone, whatever the cell's
type now."""


def parse_id_number(raw: object, *, today: dt.date) -> ResidentId:
    """Validate and normalise a resident ID number (GB 11643-1999).

    Checks: 18 characters (15-digit first-generation numbers are rejected — they expired in
    2013), digits with a final digit or ``X``, a known province code, a real birth date not after
    ``today`` (the caller's local business date) and not before 1900, and the MOD 11-2 check
    character.
    Retired address codes (e.g. Jinan's 370111 or 372429) are accepted: only the province is
    checked, because numbers are never reissued when a county code is retired.

    Raises :class:`InvalidIdNumber` with a Chinese reason.
    """
    number = normalise_code(raw)
    if is_scientific(number):
        raise InvalidIdNumber(number, SCIENTIFIC_REASON)
    if len(number) == 15 and number.isdigit():
        raise InvalidIdNumber(number, "是15位一代身份证号，已停止使用，请提供18位号码")
    if len(number) != 18:
        raise InvalidIdNumber(number, f"应为18位，实际为{len(number)}位")
    if not (number[:17].isdigit() and (number[17].isdigit() or number[17] == "X")):
        raise InvalidIdNumber(number, "前17位必须是数字，最后一位是数字或X")
    if number[:2] not in _PROVINCE_CODES:
        raise InvalidIdNumber(number, f"地址码的省级代码 {number[:2]} 不存在")
    try:
        birth = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise InvalidIdNumber(number, f"出生日期 {number[6:14]} 不是有效日期") from None
    if birth > today or birth.year < 1900:
        raise InvalidIdNumber(number, f"出生日期 {birth.isoformat()} 不合理")
    expected = id_check_character(number[:17])
    if number[17] != expected:
        raise InvalidIdNumber(number, "校验码错误")
    gender = "M" if int(number[16]) % 2 == 1 else "F"
    return ResidentId(number=number, address_code=number[:6], birth_date=birth, gender=gender)


def uscc_check_character(first17: str) -> str:
    """The GB 32100-2015 check character for the first 17 characters."""
    total = sum(_USCC_CHARSET.index(c) * w for c, w in zip(first17, _USCC_WEIGHTS, strict=True))
    return _USCC_CHARSET[(31 - total % 31) % 31]


def _credit_code_form(raw: object) -> str:
    """Normalise a credit code and check everything but the check character."""
    if isinstance(raw, bool | int | float):
        raise InvalidCreditCode(str(raw), "是数字而不是文本")
    if not isinstance(raw, str):
        raise InvalidCreditCode(repr(raw), "不是文本")
    code = "".join(unicodedata.normalize("NFKC", raw).split()).upper()
    if len(code) != 18:
        raise InvalidCreditCode(code, f"应为18位，实际为{len(code)}位")
    if not _USCC_RE.match(code):
        raise InvalidCreditCode(code, "含有不允许的字符（不使用 I、O、Z、S、V），或第3-8位不是数字")
    return code


def parse_credit_code(raw: object) -> str:
    """Validate and normalise a unified social credit code (统一社会信用代码, GB 32100-2015).

    Returns the 18-character code. Raises :class:`InvalidCreditCode` with a Chinese reason
    (wrong length, a character outside the 31-character set, non-digit region code, bad check).
    """
    code = _credit_code_form(raw)
    if code[17] != uscc_check_character(code[:17]):
        raise InvalidCreditCode(code, "校验码错误")
    return code


def parse_credit_code_lenient(raw: object) -> tuple[str, bool]:
    """``(code, check_ok)``: like :func:`parse_credit_code` but a wrong GB 32100 check character
    is reported (``check_ok`` false) instead of raised — for a regulator's explicit override
    (some operating companies hold such codes). Every other defect still raises
    :class:`InvalidCreditCode`."""
    code = _credit_code_form(raw)
    return code, code[17] == uscc_check_character(code[:17])


def mask_id_number(number: str) -> str:
    """Mask for public pages: keep the first 3 and last 2 characters (``370*************2X`` for 18)."""
    if len(number) <= 5:
        return "*" * len(number)
    return number[:3] + "*" * (len(number) - 5) + number[-2:]


def mask_name(name: str) -> str:
    """Mask a Chinese name for public pages: keep the family name (first character)."""
    name = name.strip()
    if not name:
        return ""
    return name[0] + "*" * max(1, len(name) - 1)


NAME_SEPARATOR = "\u00b7"
"""The 间隔号 of minority and foreign names as stored (U+00B7 MIDDLE DOT, GB/T 15834-2011 §4.15)."""

NAME_SEPARATOR_LOOKALIKES = (
    "\u00b7",  # · MIDDLE DOT (the stored form)
    "\u2022",  # • BULLET
    "\u30fb",  # ・ KATAKANA MIDDLE DOT (Japanese IMEs, many Chinese IMEs on full-width)
    "\uff65",  # ･ HALFWIDTH KATAKANA MIDDLE DOT
    "\uff0e",  # ． FULLWIDTH FULL STOP (NFKC would make it ".")
    "\ufe52",  # ﹒ SMALL FULL STOP (NFKC would make it ".")
    "\u2027",  # ‧ HYPHENATION POINT (Taiwanese IMEs)
    "\u2219",  # ∙ BULLET OPERATOR
    "\u22c5",  # ⋅ DOT OPERATOR (Word's symbol table)
    "\u0387",  # · GREEK ANO TELEIA (canonically equivalent to U+00B7)
    "\u2e31",  # ⸱ WORD SEPARATOR MIDDLE DOT
)
"""Characters that Chinese input methods, word processors and spreadsheets produce for the 间隔号;
each is stored as :data:`NAME_SEPARATOR` (issue 12, "Name rules")."""

_NAME_DOTS = str.maketrans(dict.fromkeys(NAME_SEPARATOR_LOOKALIKES, NAME_SEPARATOR))
_NAME_PUNCT = frozenset("·-' ")
NAME_MAX_LENGTH = 64


def unify_name_separators(raw: str) -> str:
    """Every 间隔号 look-alike in ``raw`` → ``·`` (U+00B7); nothing else changes. Applied before
    any other normalisation: NFKC would turn ``．`` (U+FF0E) and ``﹒`` (U+FE52) into ASCII ``.``."""
    return raw.translate(_NAME_DOTS)


def _typed(raw: str, normalised_char: str) -> str:
    """The character the user typed that normalised to ``normalised_char`` (for the error)."""
    for ch in raw:
        if normalised_char in unicodedata.normalize("NFKC", ch):
            return ch
    return normalised_char


def _describe(ch: str) -> str:
    shown = ch if ch.isprintable() and not ch.isspace() else ""
    return f"“{shown}”（U+{ord(ch):04X}）" if shown else f"U+{ord(ch):04X}"


NAME_ALLOWED = "只允许文字，以及字与字之间的间隔号·、连字符-、撇号'（如 O'Neil）和西文单词间的空格"
"""What a name may hold, as told to the user (:func:`clean_person_name`)."""
_SEPARATOR_MISPLACED = re.compile(r"^[ ·\-']|[ ·\-']$|[·\-'] *[·\-']")
"""A separator at the start or the end, or two separators in a row (``李-``, ``·王``, ``王··芳``)."""


def clean_person_name(raw: str) -> str:
    """Normalise and validate a person's name as printed on a certificate.

    First every 间隔号 look-alike (:data:`NAME_SEPARATOR_LOOKALIKES`: ``•`` ``・`` ``･`` ``．``
    ``﹒`` ``‧`` ``∙`` …) becomes ``·`` (U+00B7), *before* NFKC (which would turn ``．`` into
    ``.`` and refuse it). Then full-width letters become half-width (NFKC), white space (spaces,
    tabs, line breaks from spreadsheet cells, U+3000) is collapsed and spaces next to a Chinese
    character are dropped (``"王 芳"`` → ``"王芳"``). Only letters (any script), ``·``, ``-``,
    ``'`` and single spaces between Latin words are allowed, the separators ``·-'`` only between
    two letters (not first, last or doubled: ``李-``, ``·王``, ``王··芳`` are refused): digits,
    symbols, emoji, markup and control characters are rejected. Raises ``ValueError`` with a
    Chinese reason that names the character as the user typed it (``"."`` typed as ``．`` is
    named ``．``) and its code point.
    """
    unified = unify_name_separators(raw)
    text = unicodedata.normalize("NFKC", unified)
    words = text.split()
    if not words:
        raise ValueError("姓名不能为空")
    out: list[str] = []
    for i, word in enumerate(words):
        if i and not (out[-1][-1].isascii() and word[0].isascii()):
            out.append(word)  # no space next to a CJK character
        else:
            out.append((" " if i else "") + word)
    name = "".join(out)
    for ch in name:
        if not (unicodedata.category(ch).startswith("L") or ch in _NAME_PUNCT):
            typed = _typed(unified, ch)
            raise ValueError(f"姓名含有不允许的字符 {_describe(typed)}（{NAME_ALLOWED}）")
    if _SEPARATOR_MISPLACED.search(name):
        raise ValueError(
            f"姓名中的间隔号·、连字符-、撇号' 只能写在两个字之间，不能在开头、结尾或连用（{NAME_ALLOWED}）"
        )
    if len(name) > NAME_MAX_LENGTH:
        raise ValueError(f"姓名过长（最多 {NAME_MAX_LENGTH} 个字符）")
    return name


def clean_text(raw: str, *, field: str = "文本") -> str:
    """Trim and collapse white space; reject control and format characters (NUL, bidi overrides).

    For free text such as employer names and addresses. Raises ``ValueError``.
    """
    for ch in raw:
        if unicodedata.category(ch) in {"Cc", "Cf", "Co", "Cs"} and not ch.isspace():
            raise ValueError(f"{field}含有不可见的控制字符 U+{ord(ch):04X}")
    return " ".join(raw.split())


# 《中华人民共和国劳动法》第十五条: employers may not recruit minors under sixteen.
MIN_WORKING_AGE = 16


def age_on(birth_date: dt.date, on: dt.date) -> int:
    """Completed years of age on ``on`` (a birthday on 29 February counts on 1 March)."""
    years = on.year - birth_date.year
    if (on.month, on.day) < (birth_date.month, birth_date.day):
        years -= 1
    return years


_HALF_WIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}


def half_width(value: object) -> object:
    """Full-width ASCII forms (U+FF01–FF5E, e.g. ``１３９``) and the ideographic space as their
    half-width characters, for fields typed on Chinese keyboards (phone numbers …); anything but a
    string passes unchanged (the schema then refuses it). A ``mode="before"`` field validator."""
    return value.translate(_HALF_WIDTH) if isinstance(value, str) else value


def mask_phone(phone: str) -> str:
    """A phone number for lists: the first three and last four digits, ``139****1234``; shorter
    numbers keep only their last two digits; empty stays empty."""
    digits = "".join(ch for ch in phone if ch.isdigit())
    if not digits:
        return ""
    if len(digits) >= 11:
        return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]
    return "*" * max(0, len(digits) - 2) + digits[-2:]


SHOWN_CHARS = 40
"""How much of a refused value an error message quotes."""


def shown_value(text: str, limit: int = SHOWN_CHARS) -> str:
    """``text`` as an error message quotes it: characters that do not print (line breaks, tabs,
    control characters) as escapes (``\n``), and at most ``limit``
    characters, a longer one ending ``…（共 N 个字符）`` — never cut silently (a formula such as
    ``=HYPERLINK("http://x","a")`` is shown whole)."""
    visible = "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in text)
    if len(visible) <= limit:
        return visible
    return f"{visible[:limit]}…（共 {len(text)} 个字符）"


_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_LANDLINE = re.compile(r"^0\d{2,3}\d{7,8}$")


def normalise_phone(raw: object) -> str:
    """A Chinese phone number as stored: full-width digits made half-width, spaces, hyphens and
    brackets removed, a leading ``+86``/``0086`` dropped; then an 11-digit mobile number
    (``1[3-9]`` + 9 digits) or a landline with its area code (``0`` + 2–3 digits + 7–8 digits). Empty
    stays empty. Raises ``ValueError`` (Chinese message) for anything else, e.g. ``123`` (numbering
    plan of the MIIT; a code sent by SMS must reach a real number)."""
    if raw is None:
        return ""
    text = str(half_width(raw)) if isinstance(raw, str) else str(raw)
    digits = re.sub(r"[\s\-()（）]", "", text)
    if digits.startswith("+86"):
        digits = digits[3:]
    elif digits.startswith("0086"):
        digits = digits[4:]
    if not digits:
        return ""
    if _MOBILE.match(digits) or _LANDLINE.match(digits):
        return digits
    raise ValueError(f"手机号「{shown_value(text)}」无效：应为 11 位手机号或带区号的固定电话")
