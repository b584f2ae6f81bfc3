"""Resident ID (GB 11643-1999) and credit code (GB 32100-2015) validation and normalisation."""

from __future__ import annotations

import datetime as dt

import pytest

from talent_pool.errors import InvalidCreditCode, InvalidIdNumber
from talent_pool.identity import (
    id_check_character,
    mask_id_number,
    mask_name,
    parse_credit_code,
    parse_id_number,
    uscc_check_character,
)

# The worked example printed in GB 11643-1999 (Beijing Chaoyang, born 1949-12-31, female).
STANDARD_EXAMPLE = "11010519491231002X"
TODAY = dt.date(2026, 11, 29)


def test_standard_example_is_valid() -> None:
    rid = parse_id_number(STANDARD_EXAMPLE, today=TODAY)
    assert rid.number == STANDARD_EXAMPLE
    assert rid.birth_date == dt.date(1949, 12, 31)
    assert rid.gender == "F"
    assert rid.address_code == "110105"


@pytest.mark.parametrize(
    "raw",
    [
        "11010519491231002x",  # lower-case x
        " 110105 19491231 002X ",  # spaces
        "１１０１０５１９４９１２３１００２Ｘ",  # full-width digits and letter
        "\u3000110105194912310\u300002x\t",  # ideographic space and tab
        "\ufeff1101051949\u200b1231002X\u00ad",  # BOM, zero-width space, soft hyphen (pasted)
    ],
)
def test_normalisation(raw: str) -> None:
    assert parse_id_number(raw, today=TODAY).number == STANDARD_EXAMPLE


def test_check_digit_computation() -> None:
    assert id_check_character("11010519491231002") == "X"
    assert id_check_character("44052418800101001") == "4"


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("110105194912310021", "校验码"),  # wrong check digit
        ("11010519491331002X", "出生日期"),  # month 13
        ("11010519490230002X", "出生日期"),  # 30 February
        ("1101051949123100", "18位"),  # too short
        ("110105491231002", "15位"),  # first-generation number
        ("99010519491231002X", "省级代码"),  # no province 99
        ("1101051949123100AX", "前17位"),
        ("11010530491231002X", "出生日期"),  # year 3049
        ("3.70102E+17", "科学计数法"),  # what Excel shows of the number, pasted as text
        ("3.70102e17", "科学计数法"),
        ("１．１０１０５Ｅ＋１７", "科学计数法"),  # full-width
    ],
)
def test_invalid_ids_are_rejected_with_reason(raw: str, reason: str) -> None:
    with pytest.raises(InvalidIdNumber) as info:
        parse_id_number(raw, today=TODAY)
    assert reason in info.value.message


def test_excel_number_is_rejected_not_rounded() -> None:
    with pytest.raises(InvalidIdNumber) as info:
        parse_id_number(1.10105194912310e17, today=TODAY)
    assert "数字" in info.value.message
    with pytest.raises(InvalidIdNumber):
        parse_id_number(110105194912310021, today=TODAY)


@pytest.mark.parametrize("retired", ["370111", "370121", "372429", "371202"])
def test_retired_jinan_address_codes_are_accepted(retired: str) -> None:
    first17 = retired + "19600315" + "123"
    number = first17 + id_check_character(first17)
    assert parse_id_number(number, today=TODAY).address_code == retired


def test_future_birth_date_rejected() -> None:
    first17 = "370102" + "20300101" + "001"
    with pytest.raises(InvalidIdNumber):
        parse_id_number(first17 + id_check_character(first17), today=dt.date(2026, 11, 29))


# Real codes as published on the national enterprise credit system (check characters per GB 32100).
@pytest.mark.parametrize("code", ["91350100M000100Y43", "91110000802100433B"])
def test_valid_credit_codes(code: str) -> None:
    assert parse_credit_code(code.lower()) == code
    assert uscc_check_character(code[:17]) == code[17]


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("91350100M000100Y44", "校验码"),
        ("91350100M000100Y4", "18位"),
        ("91350100M00O100Y43", "不允许"),  # letter O is not in the 31-character set
        ("913501A0M000100Y43", "不允许"),  # region code must be digits
    ],
)
def test_invalid_credit_codes(raw: str, reason: str) -> None:
    with pytest.raises(InvalidCreditCode) as info:
        parse_credit_code(raw)
    assert reason in info.value.message


def test_full_width_credit_code_normalised() -> None:
    assert parse_credit_code("９１３５０１００Ｍ０００１００Ｙ４３") == "91350100M000100Y43"


def test_masks() -> None:
    assert mask_id_number(STANDARD_EXAMPLE) == "110*************2X"
    assert mask_name("张三丰") == "张**"
    assert mask_name("李") == "李*"


def test_age_on() -> None:
    from talent_pool.identity import age_on

    assert age_on(dt.date(2000, 2, 29), dt.date(2016, 2, 28)) == 15
    assert age_on(dt.date(2000, 2, 29), dt.date(2016, 3, 1)) == 16
    assert age_on(dt.date(1990, 6, 1), dt.date(2026, 6, 1)) == 36


def test_phone_numbers_are_stored_as_digits_and_short_ones_refused() -> None:
    from talent_pool.identity import normalise_phone

    assert normalise_phone("１３９　０００１－２３４５") == "13900012345"  # full-width, spaces, hyphens
    assert normalise_phone("+86 139 0001 2345") == "13900012345"
    assert normalise_phone("(0531) 8888-1234") == "053188881234"  # a landline with its area code
    assert normalise_phone("") == "" and normalise_phone(None) == ""
    for bad in ("123", "１２３", "12900012345", "1390001234", "88881234", "139000123456"):
        with pytest.raises(ValueError, match="无效"):
            normalise_phone(bad)


@pytest.mark.parametrize(
    ("raw", "quoted"),
    [
        ('=HYPERLINK("http://x","a")', '=HYPERLINK("http://x","a")'),  # whole, not cut at 20
        ("139\n0001", "139\\n0001"),  # a line break shown, not breaking the message
        ("9" * 45, "9" * 40 + "…（共 45 个字符）"),  # shortened visibly, with the full length
    ],
)
def test_a_refused_phone_is_quoted_whole_up_to_a_limit(raw: str, quoted: str) -> None:
    from talent_pool.identity import normalise_phone

    with pytest.raises(ValueError) as refused:
        normalise_phone(raw)
    assert str(refused.value) == f"手机号「{quoted}」无效：应为 11 位手机号或带区号的固定电话"
