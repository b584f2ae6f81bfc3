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
    ],
)
def test_validation_messages_in_chinese(given: str, shown: str) -> None:
    assert chinese_message(given) == shown
