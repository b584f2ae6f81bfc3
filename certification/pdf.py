"""The one-page certificate PDF (A4 landscape): title, optional photo, the certificate body,
the certified fields, the issuer with its seal, the verify QR code with the verification text
and a short verify URL.

Every string is printed with the embedded font chain of :mod:`certification.fonts` (subsets,
correct ``ToUnicode`` maps), so the PDF shows and extracts exactly the stored text — 陈𠮷华
stays 陈𠮷华. A text that cannot be printed exactly raises ``ValueError``; issuance checks the
holder's name first (:func:`face_problems`) so that this never happens to an issued certificate.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import unicodedata
from dataclasses import dataclass
from urllib.parse import urlsplit

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen import canvas

from certification.fonts import CHAIN

TITLE = "职业技能等级证书"
SEAL_RED = colors.HexColor("#C8161D")
GOLD = colors.HexColor("#8B6914")


@dataclass(frozen=True, slots=True)
class CertificateFace:
    """Everything printed on the certificate (the holder's ID number in full).

    ``kind`` is the programme kind: ``onex`` prints ``programme_title`` as 证书名称 (e.g.
    幼儿照护职业技能等级证书) and ``level`` as 等级 (初级); ``skill_level`` (人社) prints it as
    职业（工种） (e.g. 保育师) and ``level`` as 等级 (五级/初级工). ``photo`` (JPEG/PNG bytes)
    is the holder's photo, ``seal_png`` the issuer's seal image; without them the photo is left
    out and a seal is drawn (red ring, star, the issuer's name along the ring).
    """

    number: str
    holder_name: str
    holder_id_number: str
    programme_title: str
    level: str
    issued_on: dt.date
    expires_on: dt.date | None
    issuer: str
    verify_url: str
    kind: str = "skill_level"
    photo: bytes | None = None
    seal_png: bytes | None = None


def clean_text(value: str) -> str:
    """``value`` safe to print: control, format and surrogate characters (C0/C1 controls,
    zero-width and bidi-override characters, BOM) removed, whitespace runs (newlines, tabs)
    collapsed to one space. Private-use characters stay (and are then refused by the font
    check: their glyphs differ between fonts)."""
    kept = (ch for ch in value if ch.isspace() or unicodedata.category(ch) not in _HIDDEN)
    return " ".join("".join(kept).split())


_HIDDEN = frozenset({"Cc", "Cf", "Cs"})


def short_verify_url(verify_url: str) -> str:
    """The verify URL without its signed query (``https://host/v/{number}``): short enough to
    type from paper; it answers from the database (the QR code carries the signed URL)."""
    parts = urlsplit(verify_url)
    return f"{parts.scheme}://{parts.netloc}{parts.path}"


def _date(day: dt.date | None) -> str:
    return "长期有效" if day is None else f"{day.year}年{day.month}月{day.day}日"


def _field_label(kind: str) -> str:
    return "证书名称" if kind == "onex" else "职业（工种）"


def body_text(face: CertificateFace) -> str:
    """The certificate's sentence: ``{name}经考核合格，取得{title}（{level}），特发此证。``"""
    return (
        f"{clean_text(face.holder_name)}经考核合格，"
        f"取得{clean_text(face.programme_title)}（{clean_text(face.level)}），特发此证。"
    )


def face_texts(face: CertificateFace) -> list[str]:
    """Every variable string printed on the certificate (for :func:`face_problems`)."""
    return [
        clean_text(v)
        for v in (face.holder_name, face.holder_id_number, face.programme_title, face.level, face.issuer)
    ]


def face_problems(face: CertificateFace) -> list[str]:
    """The Chinese reasons why the certificate cannot be printed exactly; ``[]`` when it can."""
    out: list[str] = []
    for text in face_texts(face):
        out += [r for r in CHAIN.problems(text) if r not in out]
    return out


def _draw(c: canvas.Canvas, x: float, y: float, text: str, size: float, *, align: str = "left") -> float:
    """Draw ``text`` at ``size`` with the font chain, left/centre/right aligned at ``x``;
    returns its width."""
    width = CHAIN.width(text, size)
    start = x - width / 2 if align == "centre" else x - width if align == "right" else x
    t = c.beginText(start, y)
    for font, part in CHAIN.runs(text):
        t.setFont(font, size)
        t.textOut(part)
    c.drawText(t)
    return width


def _wrap(text: str, size: float, width: float) -> list[str]:
    """``text`` broken into lines no wider than ``width`` (Chinese breaks between any two
    characters; a closing punctuation mark stays on its line)."""
    lines: list[str] = []
    line = ""
    for ch in text:
        if line and CHAIN.width(line + ch, size) > width and ch not in "，。；：、）》」":
            lines.append(line)
            line = ch
        else:
            line += ch
    if line:
        lines.append(line)
    return lines


def _seal(c: canvas.Canvas, cx: float, cy: float, radius: float, issuer: str) -> None:
    """A round official seal: red ring, five-pointed star, the issuer's name along the upper
    ring (each character turned to face the centre) and 证书专用章 beneath the star."""
    c.saveState()
    c.setStrokeColor(SEAL_RED)
    c.setFillColor(SEAL_RED)
    c.setLineWidth(2.2)
    c.circle(cx, cy, radius)
    star = c.beginPath()
    for i in range(10):
        r = radius * (0.28 if i % 2 == 0 else 0.11)
        a = math.pi / 2 + i * math.pi / 5
        (star.moveTo if i == 0 else star.lineTo)(cx + r * math.cos(a), cy + r * math.sin(a))
    star.close()
    c.drawPath(star, stroke=0, fill=1)
    name = clean_text(issuer)[:24]
    if name:
        step = min(math.radians(24), math.radians(250) / len(name))
        size = min(radius * 0.27, radius * step * 0.8)
        start = math.pi / 2 + step * (len(name) - 1) / 2
        for i, ch in enumerate(name):
            a = start - i * step
            c.saveState()
            c.translate(cx + (radius - size * 0.9) * math.cos(a), cy + (radius - size * 0.9) * math.sin(a))
            c.rotate(math.degrees(a) - 90)
            _draw(c, 0, -size * 0.35, ch, size, align="centre")
            c.restoreState()
    _draw(c, cx, cy - radius * 0.62, "证书专用章", radius * 0.2, align="centre")
    c.restoreState()


def certificate_pdf(face: CertificateFace, qr_png: bytes, *, compress: bool = True) -> bytes:
    """Render the certificate as a one-page landscape A4 PDF; returns the PDF bytes.

    Shows the title 职业技能等级证书, the photo (when given), the certificate body
    (:func:`body_text`), the fields — 姓名, 身份证号, the programme title (as 证书名称 for 1+X,
    职业（工种） for the 人社 occupations) and 等级, 证书编号, 发证日期, 有效期至 (长期有效
    when none) — the issuer and issue date under the seal, the QR image (``qr_png``, PNG bytes)
    with 扫码核验证书真伪 and the short verify URL (:func:`short_verify_url`). Fonts are
    embedded subsets; ``compress=False`` leaves the page content readable (tests). Every printed
    string goes through :func:`clean_text`. Raises ``ValueError`` (Chinese reasons) when a string
    cannot be printed exactly (see :func:`face_problems`).
    """
    problems = face_problems(face)
    if problems:
        raise ValueError("证书内容无法准确打印：" + "；".join(problems))
    buf = io.BytesIO()
    width, height = landscape(A4)
    c = canvas.Canvas(buf, pagesize=(width, height), pageCompression=1 if compress else 0)
    c.setTitle(f"{TITLE} {clean_text(face.number)}")
    c.setAuthor(clean_text(face.issuer))
    c.setSubject(clean_text(face.programme_title))

    c.setStrokeColor(GOLD)
    c.setLineWidth(3)
    c.rect(12 * mm, 12 * mm, width - 24 * mm, height - 24 * mm)
    c.setLineWidth(0.8)
    c.rect(16 * mm, 16 * mm, width - 32 * mm, height - 32 * mm)

    c.setFillColor(colors.black)
    _draw(c, width / 2, height - 42 * mm, TITLE, 30, align="centre")

    left = 34 * mm
    if face.photo:
        photo_w, photo_h = 30 * mm, 40 * mm
        c.drawImage(
            ImageReader(io.BytesIO(face.photo)),
            left,
            height - 60 * mm - photo_h,
            photo_w,
            photo_h,
            preserveAspectRatio=True,
        )
        left += photo_w + 10 * mm

    qr_size = 50 * mm
    qr_x, qr_y = width - 34 * mm - qr_size, height - 66 * mm - qr_size
    y = height - 62 * mm
    for line in _wrap(body_text(face), 14, qr_x - left - 8 * mm):
        _draw(c, left, y, line, 14)
        y -= 9 * mm

    y -= 4 * mm
    rows = [
        ("姓　　名", clean_text(face.holder_name)),
        ("身份证号", clean_text(face.holder_id_number)),
        (_field_label(face.kind), clean_text(face.programme_title)),
        ("等　　级", clean_text(face.level)),
        ("证书编号", clean_text(face.number)),
        ("发证日期", _date(face.issued_on)),
        ("有效期至", _date(face.expires_on)),
    ]
    for label, value in rows:
        _draw(c, left, y, label, 12)
        _draw(c, left + 32 * mm, y, value, 13)
        y -= 9 * mm

    # issuer, date and seal (bottom centre-right)
    issuer_x = width - 110 * mm
    _draw(c, issuer_x, 44 * mm, clean_text(face.issuer), 13, align="centre")
    _draw(c, issuer_x, 36 * mm, _date(face.issued_on), 12, align="centre")
    if face.seal_png:
        c.drawImage(
            ImageReader(io.BytesIO(face.seal_png)), issuer_x - 21 * mm, 25 * mm, 42 * mm, 42 * mm, mask="auto"
        )
    else:
        _seal(c, issuer_x, 46 * mm, 21 * mm, face.issuer)

    # verification: QR code, caption, short URL
    c.drawImage(ImageReader(io.BytesIO(qr_png)), qr_x, qr_y, qr_size, qr_size)
    _draw(c, qr_x + qr_size / 2, qr_y - 5 * mm, "扫码核验证书真伪", 10, align="centre")
    c.setFont(CHAIN.primary, 7)
    c.drawCentredString(qr_x + qr_size / 2, qr_y - 10 * mm, short_verify_url(clean_text(face.verify_url)))
    _draw(
        c,
        width / 2,
        20 * mm,
        "本证书信息可扫描二维码或访问上方网址核验；证书状态以核验结果为准。",
        9,
        align="centre",
    )
    c.showPage()
    c.save()
    return buf.getvalue()
