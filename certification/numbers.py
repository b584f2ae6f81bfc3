"""The 22-character vocational skill-certificate number (pure, no I/O).

Layout from ``reference_data/occupations.json`` → ``skill_certificate_number`` (人社 system,
2020+), regex ``^[YS]\\d{21}$``; positions (1-based):

====== ===================================================================
1      ``Y`` employer-run appraisal, ``S`` social training-and-evaluation organisation
2–5    appraisal body code (0001–9999; ``0000`` when registered at province level)
6–7    province code (Shandong = ``37``)
8–13   site serial
14–15  year (2 digits)
16     level 1–5 (5 = 五级/初级工)
17–22  serial
====== ===================================================================

The appraisal body code and site serial are configuration (defaults ``0000`` / ``000001``),
passed in by the caller. The same layout is used for 1+X certificates (whose own format is
"configurable" in the data), with the level digit from the programme (初级→5, 中级→4, 高级→3).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from certification.errors import InvalidCertificateNumber

NUMBER_RE = re.compile(r"^[YS]\d{21}$")
NUMBER_LENGTH = 22
SERIAL_MAX = 999_999
DEFAULT_APPRAISAL_BODY_CODE = "0000"
DEFAULT_SITE_SERIAL = "000001"
DEFAULT_PROVINCE = "37"  # Shandong


@dataclass(frozen=True, slots=True)
class CertificateNumber:
    """The parts of a certificate number; ``str()`` gives the 22-character form."""

    appraisal_kind: str  # "Y" | "S"
    appraisal_body_code: str  # 4 digits
    province: str  # 2 digits
    site_serial: str  # 6 digits
    year2: str  # 2 digits
    level_digit: int  # 1..5
    serial: int  # 1..999999

    @property
    def prefix(self) -> str:
        """The first 16 characters (everything but the serial): the serial-sequence key."""
        return (
            f"{self.appraisal_kind}{self.appraisal_body_code}{self.province}"
            f"{self.site_serial}{self.year2}{self.level_digit}"
        )

    def __str__(self) -> str:
        return f"{self.prefix}{self.serial:06d}"


def _digits(value: str, n: int, what: str) -> str:
    if len(value) != n or not value.isdigit():
        raise InvalidCertificateNumber(value, f"{what}应为{n}位数字")
    return value


def number_prefix(
    *,
    year: int,
    level_digit: int,
    appraisal_body_code: str = DEFAULT_APPRAISAL_BODY_CODE,
    site_serial: str = DEFAULT_SITE_SERIAL,
    province: str = DEFAULT_PROVINCE,
    appraisal_kind: str = "S",
) -> str:
    """The 16-character prefix of numbers issued in ``year`` (4-digit calendar year of the
    issue date) at ``level_digit`` (1–5). Raises :class:`InvalidCertificateNumber`."""
    if appraisal_kind not in ("Y", "S"):
        raise InvalidCertificateNumber(appraisal_kind, "首位应为 Y 或 S")
    if not 1 <= level_digit <= 5:
        raise InvalidCertificateNumber(str(level_digit), "等级应为 1–5")
    if not 1900 <= year <= 9999:
        raise InvalidCertificateNumber(str(year), "年份无效")
    return (
        f"{appraisal_kind}{_digits(appraisal_body_code, 4, '评价机构代码')}"
        f"{_digits(province, 2, '省份代码')}{_digits(site_serial, 6, '站点序号')}"
        f"{year % 100:02d}{level_digit}"
    )


def format_number(prefix: str, serial: int) -> str:
    """``prefix`` (16 characters from :func:`number_prefix`) + 6-digit ``serial`` (1–999999).

    Raises :class:`InvalidCertificateNumber` when the serial is out of range (the sequence for
    this prefix is exhausted: configure another site serial).
    """
    if not 1 <= serial <= SERIAL_MAX:
        raise InvalidCertificateNumber(f"{prefix}{serial}", "流水号超出 000001–999999 范围")
    number = f"{prefix}{serial:06d}"
    if not NUMBER_RE.match(number):
        raise InvalidCertificateNumber(number, "不符合 22 位证书编号格式")
    return number


def normalise_number(raw: str) -> str:
    """Trim, drop white space and invisible format characters (Unicode category ``Cf``: the
    zero-width space, BOM, soft hyphen a number copied from a chat message or a PDF may carry),
    full-width → half-width (NFKC), upper-case. Never raises for a ``str``."""
    if raw.isascii() and raw.isprintable():  # the common case: NFKC and Cf change nothing
        return raw.replace(" ", "").upper()
    text = unicodedata.normalize("NFKC", raw)
    return "".join(ch for ch in "".join(text.split()) if unicodedata.category(ch) != "Cf").upper()


def parse_number(raw: str) -> CertificateNumber:
    """Parse a 22-character certificate number (normalised first).

    Raises :class:`InvalidCertificateNumber` with a Chinese reason for a wrong length, a bad
    first letter, non-digits, or a level digit outside 1–5 / a serial of 000000.
    """
    number = normalise_number(raw) if isinstance(raw, str) else ""
    if len(number) != NUMBER_LENGTH:
        raise InvalidCertificateNumber(number, f"应为22位，实际为{len(number)}位")
    if not NUMBER_RE.match(number):
        raise InvalidCertificateNumber(number, "首位应为 Y 或 S，其余21位应为数字")
    level = int(number[15])
    serial = int(number[16:])
    if not 1 <= level <= 5:
        raise InvalidCertificateNumber(number, "第16位等级应为 1–5")
    if serial == 0:
        raise InvalidCertificateNumber(number, "流水号不能为 000000")
    return CertificateNumber(
        appraisal_kind=number[0],
        appraisal_body_code=number[1:5],
        province=number[5:7],
        site_serial=number[7:13],
        year2=number[13:15],
        level_digit=level,
        serial=serial,
    )


def is_well_formed(raw: str) -> bool:
    """True when :func:`parse_number` accepts ``raw``."""
    try:
        parse_number(raw)
    except InvalidCertificateNumber:
        return False
    return True
