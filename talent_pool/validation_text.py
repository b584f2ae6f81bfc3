"""Pydantic/msgspec validation messages in Chinese (``"String should have at most 128
characters"`` → ``"最多 128 个字符"``), shared by the HTTP error mapping (``service/errors.py``)
and the domain packages' own messages (e.g. ``training._common.first_error`` for the CLI)."""

from __future__ import annotations

import re
from collections.abc import Callable

_KINDS = {
    "integer": "整数",
    "int": "整数",
    "number": "数值",
    "float": "数值",
    "decimal": "数值",
    "string": "文本",
    "str": "文本",
    "boolean": "布尔值 true 或 false（不加引号）",
    "bool": "布尔值 true 或 false（不加引号）",
    "date": "日期（YYYY-MM-DD）",
    "datetime": "日期时间",
    "time": "时间（HH:MM）",
    "array": "列表",
    "list": "列表",
    "object": "JSON 对象",
    "dict": "JSON 对象",
    "set": "列表",
    "tuple": "列表",
    "uuid": "UUID",
    "url": "网址（URL）",
}


def _one_of(message: str) -> str:
    """``Input should be 'offline' or 'live'`` (a pydantic literal or enum) → ``应为以下之一：
    offline、live``; a single value → ``应为 live``."""
    choices = re.findall(r"'((?:[^'\\]|\\.)*)'", message)
    return f"应为 {choices[0]}" if len(choices) == 1 else f"应为以下之一：{'、'.join(choices)}"


_MESSAGES: tuple[tuple[re.Pattern[str], Callable[[re.Match[str]], str]], ...] = (
    (re.compile(r"^Input should be '.*'$"), lambda m: _one_of(m.string)),  # literal_error, enum
    (re.compile(r"^Invalid enum value"), lambda m: "取值不在允许范围内"),  # msgspec (query parameters)
    # msgspec's malformed date/time (query parameters): "Invalid RFC3339 encoded date"
    (re.compile(r"Invalid RFC3339 encoded (date|datetime|time)"), lambda m: f"应为{_KINDS[m[1]]}"),
    (re.compile(r"no more than (\d+) digits? in total"), lambda m: f"最多 {m[1]} 位数字"),
    (re.compile(r"no more than (\d+) decimal places?"), lambda m: f"最多 {m[1]} 位小数"),
    (re.compile(r"no more than (\d+) digits? before the decimal"), lambda m: f"整数部分最多 {m[1]} 位"),
    (re.compile(r"multiple of (\S+)$"), lambda m: f"应为 {m[1]} 的倍数"),
    (re.compile(r"should be in the past"), lambda m: "应为过去的日期"),
    (re.compile(r"should be in the future"), lambda m: "应为将来的日期"),
    (re.compile(r"should have timezone info"), lambda m: "应包含时区"),
    (re.compile(r"[Ii]nvalid JSON"), lambda m: "不是有效的 JSON"),
    (re.compile(r"at most (\d+) (c|i)"), lambda m: f"最多 {m[1]} {'个字符' if m[2] == 'c' else '项'}"),
    (re.compile(r"at least (\d+) (c|i)"), lambda m: f"至少 {m[1]} {'个字符' if m[2] == 'c' else '项'}"),
    # msgspec's length bounds (query parameters): "Expected `str` of length >= 6" is a length,
    # not a value — "至少 6 个字符", not "不能小于 6"
    (
        re.compile(r"`(\w+)` of length (>=|<=) (\d+)"),
        lambda m: f"{'至少' if m[2] == '>=' else '最多'} {m[3]} {'个字符' if m[1] == 'str' else '项'}",
    ),
    (re.compile(r"<= (\S+)$|less than or equal to (\S+)$"), lambda m: f"不能大于 {m[1] or m[2]}"),
    (re.compile(r">= (\S+)$|greater than or equal to (\S+)$"), lambda m: f"不能小于 {m[1] or m[2]}"),
    (re.compile(r"< (\S+)$|less than (\S+)$"), lambda m: f"应小于 {m[1] or m[2]}"),
    (re.compile(r"> (\S+)$|greater than (\S+)$"), lambda m: f"应大于 {m[1] or m[2]}"),
    (re.compile(r"finite number"), lambda m: "应为有限数值"),
    (re.compile(r"[Ff]ield required|[Mm]issing required"), lambda m: "必填"),
    (
        re.compile(r"[Ee]xtra (?:inputs|fields?) (?:are|is) not permitted|unknown field"),
        lambda m: "不允许的字段",
    ),
    (re.compile(r"valid dictionary|Expected `object`"), lambda m: "应为 JSON 对象"),
    (re.compile(r"(?:valid |Expected `)(\w+)"), lambda m: f"应为{_KINDS.get(m[1].lower(), m[1])}"),
    (re.compile(r"should match pattern|Expected `str` matching"), lambda m: "格式不正确"),
)


def chinese_message(message: str) -> str:
    """The Chinese reading of a pydantic/msgspec validation message (``"String should have at most
    128 characters"`` → ``"最多 128 个字符"``); a message no rule knows is returned as it is. The
    ``"Value error, "`` pydantic puts before a validator's own (Chinese) words is dropped."""
    message = message.removeprefix("Value error, ").removeprefix("Assertion failed, ")
    if not message.isascii():
        return message  # already ours (field validators write Chinese)
    for pattern, render in _MESSAGES:
        match = pattern.search(message)
        if match:
            return render(match)
    return message


__all__ = ["chinese_message"]
