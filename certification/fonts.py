"""The fonts certificates are printed with, embedded as subsets so every viewer shows — and
every text extractor reads back — exactly the stored text.

A chain of TrueType fonts from Debian packages (installed by ``scripts/fonts.sh``), tried in
order for each character:

| font | package | covers |
|---|---|---|
| BabelStone Han | ``fonts-babelstone-han`` | all URO hanzi (Chinese forms), most of Ext A, Latin |
| HanaMin A | ``fonts-hanazono`` | the rest of Ext A, the compatibility ideographs |
| HanaMin B | ``fonts-hanazono`` | Ext B (all but 9), C, D, E, F |
| DejaVu Sans | ``fonts-dejavu-core`` | Latin, Greek, Cyrillic letters and punctuation |

Licences: Arphic Public License (BabelStone Han), SIL OFL 1.1 or the Hanazono Font License
(HanaMin), the Bitstream Vera licence (DejaVu) — all allow embedding; the copyright files are in
``/usr/share/doc/<package>/copyright``.

reportlab embeds TrueType subsets but writes a ``ToUnicode`` map that cannot express a character
beyond U+FFFF (``<20BB7>`` instead of the UTF-16 pair ``<D842DFB7>``), so 𠮷 would extract as
garbage; :class:`_Utf16TrueType` writes the map correctly.

A character is *printable* when a font of the chain has a glyph for it and it needs no shaping
or right-to-left layout (which the PDF writer does not do): no combining marks, no right-to-left
characters, no private-use characters (their glyphs differ between fonts), and letters only from
scripts written as they are stored (Han, Latin, Greek, Cyrillic, kana, bopomofo, hangul
syllables). Anything else is refused *before* issuance by :func:`print_problems` — never printed
wrong. No environment access: the folders searched are constants (plus ``extra_dirs``).
"""

from __future__ import annotations

import threading
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import SUBSETN, TTFont

FONT_DIRS: tuple[str, ...] = ("/usr/share/fonts/truetype", "/usr/local/share/fonts/truetype")
"""Where the font files are looked for (each file by its relative path below)."""


@dataclass(frozen=True, slots=True)
class FontFile:
    """One font of the chain: the name it is registered under, its path relative to a font
    folder, and the Debian package that installs it."""

    name: str
    relative_path: str
    package: str


FONT_CHAIN: tuple[FontFile, ...] = (
    FontFile("BabelStoneHan", "babelstone/BabelStoneHan.ttf", "fonts-babelstone-han"),
    FontFile("HanaMinA", "hanazono/HanaMinA.ttf", "fonts-hanazono"),
    FontFile("HanaMinB", "hanazono/HanaMinB.ttf", "fonts-hanazono"),
    FontFile("DejaVuSans", "dejavu/DejaVuSans.ttf", "fonts-dejavu-core"),
)

_SIMPLE_SCRIPTS = (
    "CJK ",
    "LATIN ",
    "GREEK ",
    "CYRILLIC ",
    "HIRAGANA ",
    "KATAKANA ",
    "BOPOMOFO ",
    "HANGUL SYLLABLE ",
    "FULLWIDTH LATIN ",
    "IDEOGRAPHIC ",
)
_RTL = frozenset({"R", "AL", "RLE", "RLO", "RLI"})


def _utf16_hex(codepoint: int) -> str:
    return chr(codepoint).encode("utf-16-be").hex().upper()


class _Utf16TrueType(TTFont):  # type: ignore[misc]
    """reportlab's embedded TrueType subset font with a correct ``ToUnicode`` map for
    characters beyond the Basic Multilingual Plane (UTF-16 surrogate pairs, PDF 32000-1
    §9.10.3)."""

    def addObjects(self, doc):  # type: ignore[no-untyped-def]
        state = self.state.get(doc)
        subsets = [list(s) for s in state.subsets] if state is not None else []
        super().addObjects(doc)
        for n, subset in enumerate(subsets):
            base = b"".join((SUBSETN(n), b"+", self.face.name, self.face.subfontNameX)).decode("pdfdoc")
            stream = doc.idToObject["toUnicodeCMap:" + base]
            head, _, rest = stream.content.partition("beginbfchar")
            _, _, tail = rest.partition("endbfchar")
            entries = "\n".join(f"<{i:02X}> <{_utf16_hex(cp)}>" for i, cp in enumerate(subset))
            stream.content = f"{head}beginbfchar\n{entries}\nendbfchar{tail}"


class FontChain:
    """The fonts of :data:`FONT_CHAIN` that are installed, loaded once and registered with
    reportlab under their names. Thread-safe (documents are rendered in worker threads)."""

    def __init__(self, dirs: Sequence[str] = FONT_DIRS) -> None:
        self._dirs = tuple(dirs)
        self._lock = threading.Lock()
        self._loaded: list[tuple[str, frozenset[int]]] | None = None
        self._missing: list[FontFile] = []

    def _load(self) -> list[tuple[str, frozenset[int]]]:
        with self._lock:
            if self._loaded is not None:
                return self._loaded
            loaded: list[tuple[str, frozenset[int]]] = []
            for font in FONT_CHAIN:
                path = next(
                    (
                        Path(d) / font.relative_path
                        for d in self._dirs
                        if (Path(d) / font.relative_path).is_file()
                    ),
                    None,
                )
                if path is None:
                    self._missing.append(font)
                    continue
                if font.name not in pdfmetrics.getRegisteredFontNames():
                    pdfmetrics.registerFont(_Utf16TrueType(font.name, str(path)))
                face = pdfmetrics.getFont(font.name).face
                loaded.append((font.name, frozenset(face.charToGlyph)))
            self._loaded = loaded
            return loaded

    def missing(self) -> list[FontFile]:
        """The fonts of the chain that are not installed (``scripts/fonts.sh`` installs them)."""
        self._load()
        return list(self._missing)

    @property
    def primary(self) -> str:
        """The first installed font (labels and Latin text); raises ``RuntimeError`` when none is."""
        loaded = self._load()
        if not loaded:
            raise RuntimeError(_not_installed(self._missing))
        return loaded[0][0]

    def font_for(self, ch: str) -> str | None:
        """The first font of the chain with a glyph for ``ch``, or ``None``."""
        cp = ord(ch)
        for name, cmap in self._load():
            if cp in cmap:
                return name
        return None

    def problem(self, ch: str) -> str | None:
        """Why ``ch`` cannot be printed exactly, in Chinese, or ``None`` (see the module
        docstring for the rule). White space is always printable."""
        if ch.isspace():
            return None
        label = f"「{ch}」（U+{ord(ch):04X}）"
        category = unicodedata.category(ch)
        if category == "Co":
            return f"{label}是私用区字符，各字体字形不一，无法准确打印"
        if category.startswith("M") or unicodedata.bidirectional(ch) in _RTL:
            return f"{label}需要组合或从右向左排版，证书无法准确打印"
        if category.startswith("L") and not unicodedata.name(ch, "").startswith(_SIMPLE_SCRIPTS):
            return f"{label}所属文字需要复杂排版，证书无法准确打印"
        if self.font_for(ch) is None:
            if not self._load():
                return _not_installed(self._missing)
            return f"{label}不在证书字体中，无法打印"
        return None

    def runs(self, text: str) -> list[tuple[str, str]]:
        """``text`` split into ``(font name, substring)`` runs, each character in the first font
        that has it. Raises ``ValueError`` with the Chinese reasons when a character is not
        printable (callers check with :meth:`problems` first)."""
        problems = self.problems(text)
        if problems:
            raise ValueError("；".join(problems))
        out: list[tuple[str, str]] = []
        for ch in text:
            font = self.primary if ch.isspace() else self.font_for(ch)
            assert font is not None
            if out and out[-1][0] == font:
                out[-1] = (font, out[-1][1] + ch)
            else:
                out.append((font, ch))
        return out

    def problems(self, text: str) -> list[str]:
        """The Chinese reasons why characters of ``text`` cannot be printed (each character
        once, in order); ``[]`` when all can."""
        seen: set[str] = set()
        out = []
        for ch in text:
            if ch in seen:
                continue
            seen.add(ch)
            reason = self.problem(ch)
            if reason is not None:
                out.append(reason)
        return out

    def width(self, text: str, size: float) -> float:
        """The printed width of ``text`` at ``size`` points, font by font."""
        return sum(pdfmetrics.stringWidth(part, font, size) for font, part in self.runs(text))


def _not_installed(missing: Iterable[FontFile]) -> str:
    packages = " ".join(sorted({f.package for f in missing}))
    return f"证书字体未安装（Debian 软件包 {packages}），请运行 scripts/fonts.sh 安装"


CHAIN = FontChain()
"""The process's font chain (loaded on first use)."""


def print_problems(texts: Iterable[str]) -> list[str]:
    """The Chinese reasons why any of ``texts`` cannot be printed exactly on a certificate with
    :data:`CHAIN`; ``[]`` when everything can. Loads the fonts on first use (about half a second;
    call it in a thread from async code)."""
    out: list[str] = []
    for text in texts:
        for reason in CHAIN.problems(text):
            if reason not in out:
                out.append(reason)
    return out


def missing_font_packages() -> list[str]:
    """The Debian packages of the certificate fonts that are not installed (``[]`` when all
    are); loads the fonts (call it in a thread from async code)."""
    return sorted({f.package for f in CHAIN.missing()})
