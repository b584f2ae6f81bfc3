"""Recognising garbled text (乱码) before it is saved: pure functions, no I/O.

A name read with the wrong encoding is still "letters", so the name rules alone would store it.
These checks catch the usual accidents of Chinese spreadsheets:

- U+FFFD (the replacement character: bytes that were not valid in the encoding used);
- UTF-8 bytes read as GBK (``张三`` → ``寮犱笁``): the text encodes to GBK and those bytes are
  valid UTF-8 again, decoding to other text;
- UTF-8 bytes read as Latin-1 / Windows-1252 (``张三`` → ``å¼ ä¸‰``), and GBK bytes read as
  Latin-1 (``ÕÅÈý``): the text encodes to Latin-1/CP1252 and those bytes decode as UTF-8 or
  GB18030 to Chinese;
- private-use and unassigned code points, box-drawing and other symbols (what a lost code page
  leaves behind).
"""

from __future__ import annotations

import re
import unicodedata

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def control_reason(text: str) -> str | None:
    """A Chinese reason when ``text`` holds a control character (U+0000–U+0008, U+000B, U+000C,
    U+000E–U+001F, U+007F — what ``service.hygiene`` refuses in JSON text; tab, line feed and
    carriage return are white space), else ``None``. The character is named by its code point,
    never shown; nothing else of the text is repeated."""
    found = _CONTROL.search(text)
    if found is None:
        return None
    return f"含有不允许的控制字符 U+{ord(found.group()):04X}，请删除后重试"


def _is_cjk(ch: str) -> bool:
    return "\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff" or "\U00020000" <= ch <= "\U0003134f"


def _decodes_to_cjk(data: bytes, encoding: str) -> bool:
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError:
        return False
    return any(_is_cjk(ch) for ch in text)


def garbled_reason(text: str) -> str | None:
    """A Chinese reason when ``text`` looks garbled (see the module docstring), else ``None``.

    Pure ASCII is never garbled (Latin names, numbers). Used by the import rules on names and
    other free text before anything is saved; a garbled row is rejected, never repaired.
    """
    if not text or text.isascii():
        return None
    if "\ufffd" in text:
        return "含有无法识别的字符（\ufffd），文件编码可能有误，请另存为 UTF-8 或 GBK 后重试"
    for ch in text:
        category = unicodedata.category(ch)
        if category in {"Co", "Cn", "Cs"}:
            return f"含有无法识别的字符 U+{ord(ch):04X}，文件编码可能有误"
    non_ascii = "".join(ch for ch in text if not ch.isascii())
    # UTF-8 read as GBK: valid GBK text whose bytes are also valid (multi-byte) UTF-8
    try:
        as_gbk = text.encode("gbk")
    except UnicodeEncodeError:
        as_gbk = b""
    if len(as_gbk) >= 3 and _decodes_to_cjk(as_gbk, "utf-8"):
        return "疑似乱码（UTF-8 文件被按 GBK 读取），请确认文件编码"
    # UTF-8 or GBK read as Latin-1 / Windows-1252
    for single_byte in ("latin-1", "cp1252"):
        try:
            raw = text.encode(single_byte)
        except UnicodeEncodeError:
            continue
        if _decodes_to_cjk(raw, "utf-8"):
            return "疑似乱码（中文被按西文编码读取），请确认文件编码"
        if all("\u0080" <= ch <= "\u00ff" for ch in non_ascii) and len(non_ascii) >= 2:
            return "疑似乱码（含有大量西文扩展字符），请确认文件编码"
    return None
