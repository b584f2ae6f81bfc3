"""One-page certificate PDF with Chinese text (reportlab's built-in CID font ``STSong-Light``,
so no font file ships with the package) and the verify QR code."""

from __future__ import annotations

import datetime as dt
import io
import unicodedata
from dataclasses import dataclass

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

FONT = "STSong-Light"
TITLE = "职业技能等级证书"


def _ensure_font() -> None:
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))


@dataclass(frozen=True, slots=True)
class CertificateFace:
    """Everything printed on the certificate (the holder's ID number in full).

    ``kind`` is the programme kind: ``onex`` prints ``programme_title`` as 证书名称 (e.g.
    幼儿照护职业技能等级证书) and ``level`` as 等级 (初级); ``skill_level`` (人社) prints it as
    职业（工种） (e.g. 保育师) and ``level`` as 等级 (五级/初级工).
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


def clean_text(value: str) -> str:
    """``value`` safe to print: control, format and surrogate characters (C0/C1 controls,
    zero-width and bidi-override characters, BOM) removed, whitespace runs (newlines, tabs)
    collapsed to one space. Private-use characters stay (old data encodes rare hanzi there)."""
    kept = (ch for ch in value if ch.isspace() or unicodedata.category(ch) not in _HIDDEN)
    return " ".join("".join(kept).split())


_HIDDEN = frozenset({"Cc", "Cf", "Cs"})


def _date(day: dt.date | None) -> str:
    return "长期有效" if day is None else f"{day.year}年{day.month:02d}月{day.day:02d}日"


def certificate_pdf(face: CertificateFace, qr_png: bytes, *, compress: bool = True) -> bytes:
    """Render the certificate as a one-page landscape A4 PDF; returns the PDF bytes.

    Shows the title 职业技能等级证书, holder name, ID number, the programme title (as 证书名称
    for 1+X, 职业（工种） for the 人社 occupations, see :class:`CertificateFace`) and level,
    certificate number, issue date, expiry (长期有效 when none), issuer, the QR image
    (``qr_png``, PNG bytes) and the verify URL in small text. ``compress=False`` leaves the page
    content readable (tests). Every printed string goes through :func:`clean_text`.
    """
    _ensure_font()
    buf = io.BytesIO()
    width, height = landscape(A4)
    c = canvas.Canvas(buf, pagesize=(width, height), pageCompression=1 if compress else 0)
    c.setTitle(f"{TITLE} {clean_text(face.number)}")
    c.setAuthor(clean_text(face.issuer))
    c.setSubject(clean_text(face.programme_title))

    c.setStrokeColor(colors.HexColor("#8B6914"))
    c.setLineWidth(3)
    c.rect(12 * mm, 12 * mm, width - 24 * mm, height - 24 * mm)
    c.setLineWidth(0.8)
    c.rect(16 * mm, 16 * mm, width - 32 * mm, height - 32 * mm)

    c.setFillColor(colors.black)
    c.setFont(FONT, 30)
    c.drawCentredString(width / 2, height - 45 * mm, TITLE)

    rows = [
        ("姓　　名", face.holder_name),
        ("身份证号", face.holder_id_number),
        ("证书名称" if face.kind == "onex" else "职业（工种）", face.programme_title),
        ("等　　级", face.level),
        ("证书编号", face.number),
        ("发证日期", _date(face.issued_on)),
        ("有效期至", _date(face.expires_on)),
        ("发证机构", face.issuer),
    ]
    x_label, x_value = 35 * mm, 75 * mm
    y = height - 70 * mm
    for label, value in rows:
        c.setFont(FONT, 13)
        c.drawString(x_label, y, label)
        c.setFont(FONT, 14)
        c.drawString(x_value, y, clean_text(value))
        y -= 12 * mm

    qr_size = 55 * mm
    qr_x, qr_y = width - 35 * mm - qr_size, 40 * mm
    c.drawImage(ImageReader(io.BytesIO(qr_png)), qr_x, qr_y, qr_size, qr_size)
    c.setFont(FONT, 9)
    c.drawCentredString(qr_x + qr_size / 2, qr_y - 5 * mm, "扫码核验证书真伪")
    c.setFont("Helvetica", 6)
    c.drawString(20 * mm, 20 * mm, clean_text(face.verify_url))
    c.showPage()
    c.save()
    return buf.getvalue()
