"""Validation messages reach users in Chinese, without pydantic's English wrapping."""

from __future__ import annotations

import pytest

from service.errors import chinese_message


@pytest.mark.parametrize(
    ("given", "shown"),
    [
        ("Value error, 缺勤不能同时标记迟到", "缺勤不能同时标记迟到"),
        ("Assertion failed, 日期须为本地日期", "日期须为本地日期"),
        ("String should have at most 128 characters", "最多 128 个字符"),
        ("Field required", "必填"),
        ("已是中文的说明", "已是中文的说明"),
        # literal and enum choices, and other common pydantic / msgspec messages
        ("Input should be 'offline' or 'live'", "应为以下之一：offline、live"),
        ("Input should be 'a', 'b' or 'c'", "应为以下之一：a、b、c"),
        ("Input should be 'live'", "应为 live"),
        ("Invalid enum value 'x'", "取值不在允许范围内"),
        ("Decimal input should have no more than 5 digits in total", "最多 5 位数字"),
        ("Decimal input should have no more than 2 decimal places", "最多 2 位小数"),
        ("Decimal input should have no more than 3 digits before the decimal point", "整数部分最多 3 位"),
        ("Input should be a multiple of 5", "应为 5 的倍数"),
        ("Date should be in the past", "应为过去的日期"),
        ("Date should be in the future", "应为将来的日期"),
        ("Input should have timezone info", "应包含时区"),
        ("Input should be a valid UUID, invalid character: found `n` at 0", "应为UUID"),
        ("Input should be a valid URL, relative URL without a base", "应为网址（URL）"),
        # JSON takes true/false, not 是/否: saying 是/否 contradicted the refusal of "是" (a trial)
        (
            "Input should be a valid boolean, unable to interpret input",
            "应为布尔值 true 或 false（不加引号）",
        ),
        ("Input should be a valid set", "应为列表"),
        ("Invalid JSON: expected value at line 1 column 1", "不是有效的 JSON"),
        # a text's length is not a value: 至少/最多 N 个字符, not 不能小于/大于 N
        ("Expected `str` of length >= 6", "至少 6 个字符"),
        ("Expected `str` of length <= 16", "最多 16 个字符"),
        ("Expected `array` of length >= 1", "至少 1 项"),
        ("Input should be greater than or equal to 6", "不能小于 6"),
    ],
)
def test_validation_messages_in_chinese(given: str, shown: str) -> None:
    assert chinese_message(given) == shown
