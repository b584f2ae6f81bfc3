"""Reading an import file row by row with bounded memory (pure: only the file given, no database).

Formats: ``.xlsx`` (recognised by its zip signature ``PK``; the first sheet, read with openpyxl in
read-only streaming mode, cell types kept — a number stays a number so an ID typed as a number
can be refused) and CSV / tab-separated text. The text encoding is decided once on a bounded
prefix (:data:`PREFIX_BYTES`): a UTF-8 or UTF-16 byte-order mark; else strict UTF-8; else what
charset-normalizer finds among GB18030 (a superset of GBK, what Chinese Excel writes), Big5 and
UTF-16. The rest of the file is then decoded as a stream in that encoding; bytes that are not
valid there become U+FFFD, and the row holding them is rejected as garbled, never saved. A CSV
cell our own export quoted against formula injection (``'=…``) is read without the quote
(:func:`talent_pool.csv_text.restore`).
"""

from __future__ import annotations

import codecs
import csv
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, Any

from charset_normalizer import from_bytes
from openpyxl import load_workbook

from talent_pool.csv_text import restore

PREFIX_BYTES = 256 * 1024
"""How much of a text file decides its encoding (bytes)."""


class UnreadableFile(ValueError):
    """The file is neither a readable xlsx nor text in a known encoding (Chinese reason)."""


@dataclass(slots=True)
class Source:
    """An opened import file: ``rows`` yields ``(row number from 1, [cell values])`` for every
    non-empty row; ``encoding`` names the format (``xlsx``, ``utf-8``, ``utf-8-sig``,
    ``gb18030`` …); ``estimated_rows`` is the row count from the sheet's dimension (xlsx) or
    the line count (text), for progress only; ``close()`` releases the file."""

    rows: Iterator[tuple[int, list[Any]]]
    encoding: str
    estimated_rows: int
    _closers: list[Any]

    def close(self) -> None:
        for closer in self._closers:
            closer.close()


def detect_encoding(prefix: bytes) -> str:
    """The encoding of a text file from its first bytes (see the module docstring); raises
    :class:`UnreadableFile` when it is not text."""
    if prefix.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if prefix.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        decoder.decode(prefix, final=False)  # a character cut at the end of the prefix is fine
        if b"\x00" not in prefix:
            return "utf-8"
    except UnicodeDecodeError:
        pass
    best = from_bytes(prefix, cp_isolation=["gb18030", "big5", "utf_16"]).best()
    if best is None or best.encoding is None:
        raise UnreadableFile("无法识别文件编码，请上传 .xlsx，或另存为 UTF-8 / GBK 编码的 .csv 文件")
    return "gb18030" if best.encoding in {"gb2312", "gbk"} else str(best.encoding)


def _non_empty(rows: Iterator[tuple[int, list[Any]]]) -> Iterator[tuple[int, list[Any]]]:
    for number, cells in rows:
        if any(c is not None and not (isinstance(c, str) and not c.strip()) for c in cells):
            yield number, cells


def _open_xlsx(stream: IO[bytes]) -> Source:
    try:
        book = load_workbook(stream, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError):
        raise UnreadableFile(
            "不是有效的 xlsx 文件（可能已损坏或不是 Excel 文件），请用 Excel 另存为 .xlsx 后重试"
        ) from None
    sheet = book.worksheets[0]
    estimated = max(0, (sheet.max_row or 1) - 1)
    rows = ((n, list(r)) for n, r in enumerate(sheet.iter_rows(values_only=True), start=1))
    return Source(_non_empty(rows), "xlsx", estimated, [book, stream])


def _open_text(stream: IO[bytes]) -> Source:
    prefix = stream.read(PREFIX_BYTES)
    encoding = detect_encoding(prefix)
    lines = prefix.count(b"\n")
    chunk = prefix
    while len(chunk) == PREFIX_BYTES:  # count lines for progress, a bounded chunk at a time
        chunk = stream.read(PREFIX_BYTES)
        lines += chunk.count(b"\n")
    stream.seek(0)
    text = io.TextIOWrapper(stream, encoding=encoding, errors="replace", newline="")
    first = text.readline()
    delimiter = "\t" if first.count("\t") > max(first.count(","), 0) else ","
    text.seek(0)
    reader = csv.reader(text, delimiter=delimiter)
    rows = ((reader.line_num, [restore(c) for c in cells]) for cells in reader)
    return Source(_non_empty(rows), encoding, max(0, lines - 1), [text])


def open_source(stream: IO[bytes]) -> Source:
    """Open a seekable binary stream (a file or ``io.BytesIO``) as an import :class:`Source`.
    Raises :class:`UnreadableFile` for an empty, corrupt or unknown file."""
    head = stream.read(4)
    stream.seek(0)
    if not head:
        raise UnreadableFile("上传的文件是空的")
    if head.startswith(b"PK"):
        return _open_xlsx(stream)
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise UnreadableFile("这是旧版 .xls 文件，请用 Excel 另存为 .xlsx 后重试")
    return _open_text(stream)
